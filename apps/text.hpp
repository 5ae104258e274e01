// Small helpers every command shares, free of the engine's scalar type: mlp_lab (double engine)
// and the rest of the tool (float engine) both include this.
#pragma once

#include "mlp/error.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace mlp::app {

// One number through a printf format: fmt("%.4f", 0.5) = "0.5000".
inline std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// The cores of this machine, at least 1: the default number of workers.
inline int hardware_threads() { return std::max(1, static_cast<int>(std::thread::hardware_concurrency())); }

// "64,32" or "64:relu,32:leaky_relu:0.3", as --layers reads it: each hidden layer's size, and its
// activation spec (its own after the colon, else default_activation). Sizes are whole numbers in
// [1, max_units]; example is shown with a wrong one. "none" is no hidden layer.
struct LayerText {
  long units = 0;
  std::string activation;
  bool own_activation = false;  // written in --layers (so an error names --layers, not --activation)
};
inline std::vector<LayerText> split_layers(const std::string& spec, const std::string& default_activation,
                                           long max_units, const std::string& example) {
  std::vector<LayerText> layers;
  if (spec == "none") return layers;
  std::stringstream in(spec);
  for (std::string item; std::getline(in, item, ',');) {
    const std::size_t colon = item.find(':');
    const std::string count = item.substr(0, colon);
    long units = 0;
    auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), units);
    if (ec != std::errc() || end != count.data() + count.size() || units < 1 || units > max_units)
      throw Error("--layers '" + spec + "': '" + count + "' is not a layer size (a whole number of units, 1 to " +
                  std::to_string(max_units) + ", e.g. " + example + ")");
    const bool own = colon != std::string::npos;
    layers.push_back({units, own ? item.substr(colon + 1) : default_activation, own});
  }
  if (spec.empty() || spec.back() == ',') throw Error("--layers '" + spec + "': an empty layer size");
  return layers;
}

// The candidate closest to a mistyped word, for "did you mean ...?": the fewest single-character
// edits (insert, delete, replace), when they are at most a third of the word and at least 2 (a
// swap of two letters, "trian", is two edits); "" when no candidate is that close.
inline std::string nearest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const std::string& c : candidates) {
    std::vector<std::size_t> row(c.size() + 1);  // edits from word[0, i) to c[0, j), row by row
    for (std::size_t j = 0; j <= c.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= word.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= c.size(); ++j) {
        const std::size_t above = row[j];
        row[j] = std::min({above + 1, row[j - 1] + 1, diagonal + (word[i - 1] == c[j - 1] ? 0 : 1)});
        diagonal = above;
      }
    }
    if (row[c.size()] < best_distance) best_distance = row[c.size()], best = c;
  }
  return best;
}

}  // namespace mlp::app
