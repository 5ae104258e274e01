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

}  // namespace mlp::app
