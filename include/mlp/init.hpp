// Weight initialisation schemes, in one table. Biases always start at zero.
// fan_in = inputs of the layer, fan_out = its units; W is (out, in).
#pragma once

#include "mlp/rng.hpp"
#include "mlp/types.hpp"

#include <string>
#include <vector>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

// Weight initialisation schemes; each activation names the one that suits it (activation.hpp).
enum class InitKind { HeNormal, HeUniform, XavierNormal, XavierUniform, LecunNormal, LecunUniform };

// One scheme: Var(W) = numerator / fan_in, or numerator / (fan_in + fan_out), drawn from a normal
// or from a uniform of the same variance.
struct InitInfo {
  InitKind kind = InitKind::HeNormal;
  const char* name = nullptr;  // "he_normal", ...
  enum Distribution { Normal, Uniform } distribution = Normal;
  double numerator = 1.0;
  enum Fan { FanIn, FanInPlusOut } fan = FanIn;
  const char* formula = nullptr;  // the distribution, in plain text
  const char* use = nullptr;
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
