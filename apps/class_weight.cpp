// --class-weight read and resolved against the model's classes (class_weight.hpp).
#include "class_weight.hpp"

#include "text.hpp"

#include "mlp/error.hpp"
#include "mlp/io/preprocess.hpp"
#include "mlp/loss.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace mlp::app {

namespace {

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool parse_number(const std::string& text, double& v) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  return ec == std::errc() && ptr == end && !text.empty();
}

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& item : items) s += (s.empty() ? "" : ", ") + item;
  return s;
}

}  // namespace

ClassWeightSpec parse_class_weight(const std::string& text) {
  const std::string quoted = "--class-weight '" + text + "': ";
  const std::string forms = "give balanced, weights by class name (no=1,yes=5) or by position in the class order (1,5)";
  ClassWeightSpec spec;
  if (lower(trim(text)) == "balanced") {
    spec.balanced = true;
    return spec;
  }
  if (trim(text).empty()) throw Error(quoted + "no weights; " + forms);
  std::vector<std::string> items;
  for (std::size_t start = 0;;) {
    const std::size_t comma = text.find(',', start);
    items.push_back(trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  bool by_name = false, by_position = false;
  for (const std::string& item : items) {
    if (item.empty()) throw Error(quoted + "an empty weight (a stray comma?); " + forms);
    const std::size_t eq = item.rfind('=');  // a weight holds no '=', a class name might
    const std::string name = eq == std::string::npos ? "" : trim(item.substr(0, eq));
    const std::string number = eq == std::string::npos ? item : trim(item.substr(eq + 1));
    if (eq != std::string::npos && name.empty()) throw Error(quoted + "'" + item + "' names no class; " + forms);
    double w = 0;
    if (!parse_number(number, w)) {
      if (eq == std::string::npos && items.size() == 1) {
        const std::string near = nearest(lower(item), {"balanced"});
        throw Error(quoted + "'" + item + "' is not a weight" + (near.empty() ? "" : "; did you mean balanced?") +
                    " (" + forms + ")");
      }
      throw Error(quoted + "'" + number + "' is not a number" +
                  (name.empty() ? "" : " (the weight of '" + name + "')") + "; " + forms);
    }
    const std::string whose =
        name.empty() ? "weight " + std::to_string(spec.weights.size() + 1) + " of " + std::to_string(items.size())
                     : "the weight of '" + name + "'";
    if (!std::isfinite(w) || w <= 0)
      throw Error(quoted + whose + " is " + number +
                  "; each weight must be a positive, finite number (to nearly ignore a class, give it a small one, "
                  "e.g. 0.01)");
    if (!name.empty() && std::find(spec.names.begin(), spec.names.end(), name) != spec.names.end())
      throw Error(quoted + "class '" + name + "' is named twice; give each class one weight");
    (name.empty() ? by_position : by_name) = true;
    if (!name.empty()) spec.names.push_back(name);
    spec.weights.push_back(w);
  }
  if (by_name && by_position)
    throw Error(quoted +
                "some weights have a class name and some not; give every weight by name (no=1,yes=5) or "
                "every weight by position (1,5)");
  return spec;
}

RowVector resolve_class_weight(const std::string& text, const std::vector<std::string>& classes,
                               const ConstMatrixRef& labels) {
  const ClassWeightSpec spec = parse_class_weight(text);
  const auto n = static_cast<Index>(classes.size());
  if (spec.balanced) return balanced_class_weight(labels, n);
  const std::string quoted = "--class-weight '" + text + "': ";
  std::vector<std::string> listed;
  for (const std::string& c : classes) listed.push_back("'" + c + "'");
  RowVector w = RowVector::Ones(n);  // a class not named weighs 1
  if (spec.names.empty()) {
    if (static_cast<Index>(spec.weights.size()) != n)
      throw Error(quoted + std::to_string(spec.weights.size()) + " weight" + (spec.weights.size() == 1 ? "" : "s") +
                  " for " + std::to_string(n) + " classes (" + join(listed) +
                  ", in that order); give one weight per class, or name them: " + classes[0] + "=1,...");
    for (Index c = 0; c < n; ++c) w(c) = static_cast<Scalar>(spec.weights[static_cast<std::size_t>(c)]);
    return w;
  }
  for (std::size_t i = 0; i < spec.names.size(); ++i) {
    const auto it = std::find(classes.begin(), classes.end(), spec.names[i]);
    if (it == classes.end()) {
      const std::string near = nearest(spec.names[i], classes);
      throw Error(quoted + "no class '" + spec.names[i] + "'" + (near.empty() ? "" : "; did you mean '" + near + "'?") +
                  " (the classes: " + join(listed) + ")");
    }
    w(static_cast<Index>(it - classes.begin())) = static_cast<Scalar>(spec.weights[i]);
  }
  return w;
}

std::string describe_class_weight(const RowVector& weights, const std::vector<std::string>& classes) {
  std::string s;
  for (Index c = 0; c < weights.size(); ++c)
    s += (c ? ", " : "") + display_name(classes[static_cast<std::size_t>(c)]) + " " +
         fmt("%.3g", static_cast<double>(weights(c)));
  return s;
}

}  // namespace mlp::app
