// The options of `mlp train` written out, from TrainOptions::visit: as JSON for the model file,
// as TOML for --write-config.
#include "commands.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <string>
#include <type_traits>
#include <vector>

namespace mlp::app {

nlohmann::json options_json(const TrainOptions& o) {
  nlohmann::json j = nlohmann::json::object();
  o.visit([&](const char* name, const auto& value) { j[name] = value; });
  return j;
}

namespace {

std::string toml_string(const std::string& s) {
  std::string q = "\"";
  for (char c : s) q += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  return q + "\"";
}

template <class T>
std::string toml_value(const T& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    return toml_string(v);
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    std::string s = "[";
    for (const auto& item : v) s += (s.size() > 1 ? "," : "") + toml_string(item);
    return s + "]";
  } else if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_floating_point_v<T>) {
    char buf[32];
    const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;  // the shortest form that reads back the same
    return std::string(buf, end);
  } else {
    return std::to_string(v);
  }
}

template <class T>
bool is_empty(const T& v) {
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::vector<std::string>>)
    return v.empty();
  else
    return false;
}

}  // namespace

bool is_output_option(const std::string& name) {
  static const std::vector<std::string> outputs = {
      "save", "history", "diagnostics", "report", "checkpoint", "checkpoint_every", "resume", "quiet", "json"};
  return std::find(outputs.begin(), outputs.end(), name) != outputs.end();
}

std::string options_toml(const TrainOptions& o, bool with_outputs) {
  std::string toml = "# mlp train options; re-run with: mlp train --config FILE\n[train]\n";
  o.visit([&](const char* name, const auto& value) {
    if (is_empty(value)) return;
    if (!with_outputs && is_output_option(name)) return;
    std::string key = name;
    for (char& c : key) c = c == '_' ? '-' : c;  // the command line's spelling
    bool is_auto = false;                        // kAutoEpochs, kAutoFolds, kAutoWeightDecay
    using T = std::decay_t<decltype(value)>;
    if constexpr (std::is_same_v<T, int>)
      is_auto = (key == "epochs" && value == kAutoEpochs) || (key == "folds" && value == kAutoFolds);
    if constexpr (std::is_same_v<T, double>)
      is_auto = (key == "weight-decay" && value == kAutoWeightDecay) || (key == "dropout" && value == kAutoDropout);
    toml += key + "=" + (is_auto ? std::string("\"auto\"") : toml_value(value)) + "\n";
  });
  return toml;
}

}  // namespace mlp::app
