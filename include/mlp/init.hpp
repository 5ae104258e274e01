// Weight initialisation schemes, in one table. Biases always start at zero.
// fan_in = inputs of the layer, fan_out = its units; W is (out, in).
#pragma once

#include "mlp/activation.hpp"
#include "mlp/rng.hpp"
#include "mlp/types.hpp"

#include <string>
#include <vector>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

struct InitInfo {
  InitKind kind;
  const char* name;     // "he_normal", ...
  const char* formula;  // the distribution
  const char* use;
  // The scale is sqrt(numerator / (fan_in + fan_out_weight * fan_out)): the normal's standard
  // deviation, or the uniform's half-width (chosen so both flavours have the same variance).
  bool normal;
  double numerator;
  double fan_out_weight;
};

const std::vector<InitInfo>& inits();
const InitInfo& init_info(InitKind kind);
// "he" = he_normal, "xavier"/"glorot" = xavier_uniform, "lecun" = lecun_normal, or a full name.
InitKind parse_init(const std::string& name);
std::string init_names();

// Fills W (out, in) from the scheme, drawing from rng in row-major order.
void initialize(Matrix& W, InitKind kind, Rng& rng);

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
