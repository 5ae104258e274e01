// Weight initialisation: He (Kaiming) for the ReLU family, Xavier (Glorot) for tanh/sigmoid,
// LeCun for SELU, each in a normal and a uniform flavour with the same variance.
#include "mlp/init.hpp"

#include "mlp/error.hpp"

#include <cmath>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

const std::vector<InitInfo>& inits() {
  using I = InitInfo;  // {kind, name, distribution, variance = numerator / fan, formula, use}
  static const std::vector<InitInfo> table = {
      {InitKind::HeNormal, "he_normal", I::Normal, 2, I::FanIn, "N(0, 2/fan_in)", "ReLU family (He et al. 2015)"},
      {InitKind::HeUniform, "he_uniform", I::Uniform, 2, I::FanIn, "U(-sqrt(6/fan_in), sqrt(6/fan_in))", "ReLU family"},
      {InitKind::XavierNormal, "xavier_normal", I::Normal, 2, I::FanInPlusOut, "N(0, 2/(fan_in + fan_out))",
       "tanh, sigmoid (Glorot & Bengio 2010)"},
      {InitKind::XavierUniform, "xavier_uniform", I::Uniform, 2, I::FanInPlusOut,
       "U(-sqrt(6/(fan_in + fan_out)), +sqrt(...))", "tanh, sigmoid, softmax, identity"},
      {InitKind::LecunNormal, "lecun_normal", I::Normal, 1, I::FanIn, "N(0, 1/fan_in)",
       "SELU (self-normalising networks)"},
      {InitKind::LecunUniform, "lecun_uniform", I::Uniform, 1, I::FanIn, "U(-sqrt(3/fan_in), sqrt(3/fan_in))", "SELU"},
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
  const double fan = info.fan == InitInfo::FanIn ? fan_in : fan_in + fan_out;
  // A uniform U(-a, a) has variance a²/3, so a = sqrt(3·variance) gives the same variance.
  const double normal_sd = std::sqrt(info.numerator / fan), uniform_bound = std::sqrt(3 * info.numerator / fan);
  for (Index r = 0; r < W.rows(); ++r)
    for (Index c = 0; c < W.cols(); ++c)
      W(r, c) = static_cast<Scalar>(info.distribution == InitInfo::Normal ? rng.normal(0.0, normal_sd)
                                                                          : rng.uniform(-uniform_bound, uniform_bound));
}

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
