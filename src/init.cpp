// Weight initialisation: He (Kaiming) for the ReLU family, Xavier (Glorot) for tanh/sigmoid,
// LeCun for SELU, each in a normal and a uniform flavour with the same variance.
#include "mlp/init.hpp"

#include "mlp/error.hpp"

#include <cmath>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

const std::vector<InitInfo>& inits() {
  static const std::vector<InitInfo> table = {
      {InitKind::HeNormal, "he_normal", "N(0, 2/fan_in)", "ReLU family (He et al. 2015)", true, 2, 0},
      {InitKind::HeUniform, "he_uniform", "U(-sqrt(6/fan_in), sqrt(6/fan_in))", "ReLU family", false, 6, 0},
      {InitKind::XavierNormal, "xavier_normal", "N(0, 2/(fan_in + fan_out))", "tanh, sigmoid (Glorot & Bengio 2010)", true, 2, 1},
      {InitKind::XavierUniform, "xavier_uniform", "U(-sqrt(6/(fan_in + fan_out)), +sqrt(...))", "tanh, sigmoid, softmax, identity", false, 6, 1},
      {InitKind::LecunNormal, "lecun_normal", "N(0, 1/fan_in)", "SELU (self-normalising networks)", true, 1, 0},
      {InitKind::LecunUniform, "lecun_uniform", "U(-sqrt(3/fan_in), sqrt(3/fan_in))", "SELU", false, 3, 0},
  };
  return table;
}

const InitInfo& init_info(InitKind kind) {
  for (const auto& i : inits())
    if (i.kind == kind) return i;
  return inits().front();  // unreachable: every InitKind has a row
}

std::string init_names() {
  std::string s = "he, xavier, glorot, lecun";
  for (const auto& i : inits()) s += std::string(", ") + i.name;
  return s;
}

InitKind parse_init(const std::string& name) {
  if (name == "he" || name == "kaiming") return InitKind::HeNormal;
  if (name == "xavier" || name == "glorot") return InitKind::XavierUniform;
  if (name == "lecun") return InitKind::LecunNormal;
  for (const auto& i : inits())
    if (name == i.name) return i.kind;
  if (name == "glorot_normal") return InitKind::XavierNormal;
  if (name == "glorot_uniform") return InitKind::XavierUniform;
  throw Error("unknown initialisation '" + name + "'; valid: " + init_names());
}

void initialize(Matrix& W, InitKind kind, Rng& rng) {
  const double fan_out = static_cast<double>(W.rows()), fan_in = static_cast<double>(W.cols());
  const InitInfo& info = init_info(kind);
  const double scale = std::sqrt(info.numerator / (fan_in + info.fan_out_weight * fan_out));
  const bool normal = info.normal;
  for (Index r = 0; r < W.rows(); ++r)
    for (Index c = 0; c < W.cols(); ++c)
      W(r, c) = static_cast<Scalar>(normal ? rng.normal(0.0, scale) : rng.uniform(-scale, scale));
}

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
