// Every activation: forward and backward side by side, one table row each.
// Conventions: Z is the pre-activation (B, units), A = f(Z), dA = ∂L/∂A, dZ = ∂L/∂Z, p the
// per-unit parameter row (1, units). Derivatives reuse A where that is cheaper or more stable.
#include "mlp/activation.hpp"

#include "mlp/error.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr ActivationParam kNoParam{"", 0.0, 0.0, 0.0, Learnable::Never};

// SELU's constants (Klambauer et al. 2017), fixed so that activations self-normalise.
constexpr Scalar kSeluLambda = Scalar(1.0507009873554804934193349852946);
constexpr Scalar kSeluAlpha = Scalar(1.6732632423543772848170429916717);

// ---- identity: f(x) = x ----------------------------------------------------------------------
void identity_forward(const ConstMatrixRef& Z, const ConstRowRef&, MatrixRef A) { A = Z; }
void identity_backward(const ConstMatrixRef&, const ConstMatrixRef&, const ConstRowRef&, const ConstMatrixRef& dA, MatrixRef dZ,
                       RowVector*) {
  dZ = dA;
}

// ---- relu: f(x) = max(0, x); f′(0) is taken as 0, as PyTorch does ---------------------------
void relu_forward(const ConstMatrixRef& Z, const ConstRowRef&, MatrixRef A) { A = Z.cwiseMax(Scalar(0)); }
void relu_backward(const ConstMatrixRef& Z, const ConstMatrixRef&, const ConstRowRef&, const ConstMatrixRef& dA, MatrixRef dZ,
                   RowVector*) {
  dZ = (Z.array() > Scalar(0)).select(dA, Scalar(0));
}

// ---- leaky_relu / prelu: f(x) = x for x > 0, αx otherwise; ∂f/∂α = x for x ≤ 0 -----------------
void leaky_forward(const ConstMatrixRef& Z, const ConstRowRef& p, MatrixRef A) {
  A = (Z.array() > Scalar(0)).select(Z.array(), Z.array().rowwise() * p.array());
}
void leaky_backward(const ConstMatrixRef& Z, const ConstMatrixRef&, const ConstRowRef& p, const ConstMatrixRef& dA, MatrixRef dZ,
                    RowVector* dp) {
  dZ = (Z.array() > Scalar(0)).select(dA.array(), dA.array().rowwise() * p.array());
  if (dp) *dp += (Z.array() > Scalar(0)).select(Scalar(0), dA.array() * Z.array()).colwise().sum().matrix();
}

// ---- elu: f(x) = x for x > 0, α(eˣ − 1) otherwise; f′ = 1 or f(x) + α; ∂f/∂α = eˣ − 1 ---------
void elu_forward(const ConstMatrixRef& Z, const ConstRowRef& p, MatrixRef A) {
  // expm1 keeps precision near 0; for x > 0 the other branch is computed but not used (select).
  A = (Z.array() > Scalar(0))
          .select(Z.array(), Z.array().cwiseMin(Scalar(0)).unaryExpr([](Scalar x) { return std::expm1(x); })
                                 .rowwise() * p.array());
}
void elu_backward(const ConstMatrixRef& Z, const ConstMatrixRef& A, const ConstRowRef& p, const ConstMatrixRef& dA, MatrixRef dZ,
                  RowVector* dp) {
  dZ = (Z.array() > Scalar(0)).select(dA.array(), dA.array() * (A.array().rowwise() + p.array()));
  if (dp) {
    *dp += (Z.array() > Scalar(0))
               .select(Scalar(0), dA.array() * (A.array().rowwise() / p.array()))
               .colwise().sum().matrix();
  }
}

// ---- selu: f(x) = λx for x > 0, λα(eˣ − 1) otherwise, fixed λ, α; f′ = λ or f(x) + λα --------
void selu_forward(const ConstMatrixRef& Z, const ConstRowRef&, MatrixRef A) {
  A = kSeluLambda * (Z.array() > Scalar(0))
                        .select(Z.array(), kSeluAlpha * Z.array().cwiseMin(Scalar(0)).unaryExpr(
                                                            [](Scalar x) { return std::expm1(x); }));
}
void selu_backward(const ConstMatrixRef& Z, const ConstMatrixRef& A, const ConstRowRef&, const ConstMatrixRef& dA, MatrixRef dZ,
                   RowVector*) {
  dZ = (Z.array() > Scalar(0)).select(kSeluLambda * dA.array(), dA.array() * (A.array() + kSeluLambda * kSeluAlpha));
}

// ---- sigmoid: σ(x) = 1 / (1 + e⁻ˣ); σ′ = σ(1 − σ) ---------------------------------------------
// For x = −1000, e⁻ˣ overflows to +inf and 1/(1+inf) = 0: finite, and the right limit.
template <class Derived>
auto sigmoid_of(const Eigen::ArrayBase<Derived>& x) {
  return Scalar(1) / (Scalar(1) + (-x).exp());
}
void sigmoid_forward(const ConstMatrixRef& Z, const ConstRowRef&, MatrixRef A) { A = sigmoid_of(Z.array()); }
void sigmoid_backward(const ConstMatrixRef&, const ConstMatrixRef& A, const ConstRowRef&, const ConstMatrixRef& dA, MatrixRef dZ,
                      RowVector*) {
  dZ = dA.array() * A.array() * (Scalar(1) - A.array());
}

// ---- tanh: f′ = 1 − tanh² -----------------------------------------------------------------------
void tanh_forward(const ConstMatrixRef& Z, const ConstRowRef&, MatrixRef A) { A = Z.array().tanh(); }
void tanh_backward(const ConstMatrixRef&, const ConstMatrixRef& A, const ConstRowRef&, const ConstMatrixRef& dA, MatrixRef dZ,
                   RowVector*) {
  dZ = dA.array() * (Scalar(1) - A.array().square());
}

// ---- softplus: f(x) = ln(1 + eˣ) = max(x, 0) + ln(1 + e^−|x|); f′ = σ(x) ------------------------
void softplus_forward(const ConstMatrixRef& Z, const ConstRowRef&, MatrixRef A) {
  A = Z.array().cwiseMax(Scalar(0)) + (-Z.array().abs()).exp().log1p();
}
void softplus_backward(const ConstMatrixRef& Z, const ConstMatrixRef&, const ConstRowRef&, const ConstMatrixRef& dA, MatrixRef dZ,
                       RowVector*) {
  dZ = dA.array() * sigmoid_of(Z.array());
}

// ---- swish / silu: f(x) = x·σ(βx); f′ = s + βx·s(1 − s) with s = σ(βx); ∂f/∂β = x²·s(1 − s) ----
void swish_forward(const ConstMatrixRef& Z, const ConstRowRef& p, MatrixRef A) {
  A = Z.array() * sigmoid_of(Z.array().rowwise() * p.array());
}
void swish_backward(const ConstMatrixRef& Z, const ConstMatrixRef&, const ConstRowRef& p, const ConstMatrixRef& dA, MatrixRef dZ,
                    RowVector* dp) {
  // dZ holds s = σ(βx) first, so σ is evaluated once; the buffers are distinct (no aliasing).
  dZ = sigmoid_of(Z.array().rowwise() * p.array());
  if (dp) *dp += (dA.array() * Z.array().square() * dZ.array() * (Scalar(1) - dZ.array())).colwise().sum().matrix();
  dZ = dA.array() * (dZ.array() + (Z.array().rowwise() * p.array()) * dZ.array() * (Scalar(1) - dZ.array()));
}

// ---- gelu (exact, as torch.nn.GELU()): f(x) = x·Φ(x); f′ = Φ(x) + x·φ(x) ----------------------
constexpr Scalar kInvSqrt2 = Scalar(0.70710678118654752440);
constexpr Scalar kInvSqrt2Pi = Scalar(0.39894228040143267794);
void gelu_forward(const ConstMatrixRef& Z, const ConstRowRef&, MatrixRef A) {
  A = Z.unaryExpr([](Scalar x) { return Scalar(0.5) * x * (Scalar(1) + std::erf(x * kInvSqrt2)); });
}
void gelu_backward(const ConstMatrixRef& Z, const ConstMatrixRef&, const ConstRowRef&, const ConstMatrixRef& dA, MatrixRef dZ,
                   RowVector*) {
  dZ = dA.array() * Z.array().unaryExpr([](Scalar x) {
    return Scalar(0.5) * (Scalar(1) + std::erf(x * kInvSqrt2)) + x * kInvSqrt2Pi * std::exp(Scalar(-0.5) * x * x);
  });
}

// ---- softmax (row-wise): aᵢ = e^(zᵢ − max z) / Σⱼ e^(zⱼ − max z); dzᵢ = aᵢ(daᵢ − Σⱼ daⱼaⱼ) --------
void softmax_forward(const ConstMatrixRef& Z, const ConstRowRef&, MatrixRef A) {
  for (Index r = 0; r < Z.rows(); ++r) {
    const Scalar m = Z.row(r).maxCoeff();  // subtracting the max keeps e^z ≤ 1: no overflow
    A.row(r) = (Z.row(r).array() - m).exp();
    A.row(r) /= A.row(r).sum();
  }
}
void softmax_backward(const ConstMatrixRef&, const ConstMatrixRef& A, const ConstRowRef&, const ConstMatrixRef& dA, MatrixRef dZ,
                      RowVector*) {
  for (Index r = 0; r < A.rows(); ++r) {
    const Scalar dot = A.row(r).dot(dA.row(r));
    dZ.row(r) = A.row(r).array() * (dA.row(r).array() - dot);
  }
}

}  // namespace

const std::vector<ActivationInfo>& activations() {
  static const std::vector<ActivationInfo> table = {
      {"identity", "linear", "f(x) = x", "f'(x) = 1", "(-inf, inf)",
       "Output layer for regression; in hidden layers it makes the whole network a linear model.",
       false, kNoParam, InitKind::XavierUniform, false, false, identity_forward, identity_backward},
      {"relu", nullptr, "f(x) = max(0, x)", "f'(x) = 1 if x > 0 else 0 (f'(0) = 0, as in PyTorch)",
       "[0, inf)", "The default for hidden layers: cheap, no saturation for x > 0; units can die (output 0 for every input).",
       false, kNoParam, InitKind::HeNormal, false, true, relu_forward, relu_backward},
      {"leaky_relu", nullptr, "f(x) = x if x > 0 else alpha*x", "f'(x) = 1 if x > 0 else alpha",
       "(-inf, inf)", "ReLU whose negative side keeps a small slope alpha, so units cannot die.",
       true, {"alpha", 0.01, 0.0, 1.0, Learnable::Optional}, InitKind::HeNormal, false, true, leaky_forward,
       leaky_backward},
      {"prelu", nullptr, "f(x) = x if x > 0 else a*x, a learned per unit",
       "f'(x) = 1 if x > 0 else a; df/da = x if x <= 0 else 0", "(-inf, inf)",
       "Leaky ReLU whose negative slope is learned, one per unit (He et al. 2015); the value given is the initial slope.",
       true, {"alpha", 0.25, -kInf, kInf, Learnable::Always}, InitKind::HeNormal, false, true, leaky_forward,
       leaky_backward},
      {"elu", nullptr, "f(x) = x if x > 0 else alpha*(exp(x) - 1)", "f'(x) = 1 if x > 0 else f(x) + alpha",
       "(-alpha, inf)", "Smooth ReLU whose negative outputs push mean activations toward zero.",
       true, {"alpha", 1.0, 1e-6, 100.0, Learnable::Optional}, InitKind::HeNormal, false, true, elu_forward,
       elu_backward},
      {"selu", nullptr, "f(x) = lambda*x if x > 0 else lambda*alpha*(exp(x) - 1), lambda=1.0507, alpha=1.6733",
       "f'(x) = lambda if x > 0 else f(x) + lambda*alpha", "(-1.7581, inf)",
       "Self-normalising networks: keeps activations near zero mean, unit variance with lecun init.",
       false, kNoParam, InitKind::LecunNormal, false, true, selu_forward, selu_backward},
      {"swish", "silu", "f(x) = x*sigmoid(beta*x)",
       "f'(x) = s + beta*x*s*(1 - s), s = sigmoid(beta*x); df/dbeta = x^2*s*(1 - s)", "(~-0.278/beta, inf)",
       "Smooth, non-monotonic ReLU alternative (Ramachandran et al. 2017); beta=1 is SiLU; 'swish:1:learn' learns beta per unit.",
       true, {"beta", 1.0, -100.0, 100.0, Learnable::Optional}, InitKind::HeNormal, false, false, swish_forward,
       swish_backward},
      {"gelu", nullptr, "f(x) = x*Phi(x), Phi the standard normal CDF (exact, as torch.nn.GELU)",
       "f'(x) = Phi(x) + x*phi(x)", "(~-0.17, inf)", "Smooth ReLU used in transformers; weights inputs by their probability.",
       false, kNoParam, InitKind::HeNormal, false, false, gelu_forward, gelu_backward},
      {"sigmoid", "logistic", "f(x) = 1/(1 + exp(-x))", "f'(x) = f(x)*(1 - f(x))", "(0, 1)",
       "Output layer for binary or multi-label targets; in hidden layers it saturates (f' <= 0.25) and gradients vanish.",
       false, kNoParam, InitKind::XavierUniform, false, false, sigmoid_forward, sigmoid_backward},
      {"tanh", nullptr, "f(x) = tanh(x)", "f'(x) = 1 - f(x)^2", "(-1, 1)",
       "Zero-centred sigmoid; a fine hidden activation for small nets, saturates for |x| > 3.",
       false, kNoParam, InitKind::XavierUniform, false, false, tanh_forward, tanh_backward},
      {"softplus", nullptr, "f(x) = ln(1 + exp(x))", "f'(x) = sigmoid(x)", "(0, inf)",
       "A smooth ReLU: positive outputs, never exactly flat.",
       false, kNoParam, InitKind::HeNormal, false, false, softplus_forward, softplus_backward},
      {"softmax", nullptr, "f(x)_i = exp(x_i) / sum_j exp(x_j), per row", "df_i/dx_j = f_i*(delta_ij - f_j)",
       "(0, 1), each row sums to 1", "Output layer for multi-class classification, with cross-entropy loss.",
       false, kNoParam, InitKind::XavierUniform, true, false, softmax_forward, softmax_backward, true},
  };
  return table;
}

std::string activation_names() {
  std::ostringstream out;
  bool first = true;
  for (const auto& a : activations()) {
    out << (first ? "" : ", ") << a.name;
    if (a.has_param) out << "[:" << a.param.name << "=" << a.param.default_value << "]";
    first = false;
  }
  return out.str();
}

std::string Activation::spec() const {
  std::string s = info->name;
  if (info->has_param) {
    char buf[64];
    std::snprintf(buf, sizeof buf, ":%.9g", param);
    s += buf;
    if (learn && info->param.learnable == Learnable::Optional) s += ":learn";
  }
  return s;
}

Activation parse_activation(const std::string& spec) {
  // Split "name[:value][:learn]".
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t colon = spec.find(':', start);
    parts.push_back(spec.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  const ActivationInfo* info = nullptr;
  for (const auto& a : activations())
    if (parts[0] == a.name || (a.alias && parts[0] == a.alias)) info = &a;
  if (!info)
    throw Error("unknown activation '" + parts[0] + "' in '" + spec + "'; valid activations: " + activation_names());

  Activation act;
  act.info = info;
  act.param = info->param.default_value;
  act.learn = info->has_param && info->param.learnable == Learnable::Always;
  if (parts.size() == 1) return act;
  if (!info->has_param) throw Error("activation '" + std::string(info->name) + "' takes no parameter (got '" + spec + "')");

  std::size_t next = 1;
  if (parts[1] != "learn") {
    const std::string& text = parts[1];
    double v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
      throw Error("activation '" + spec + "': '" + text + "' is not a number (expected e.g. '" + info->name + ":" +
                  std::to_string(info->param.default_value).substr(0, 4) + "')");
    if (v < info->param.min_value || v > info->param.max_value) {
      std::ostringstream msg;
      msg << "activation '" << spec << "': " << info->param.name << " must be in [" << info->param.min_value << ", "
          << info->param.max_value << "]";
      throw Error(msg.str());
    }
    act.param = v;
    next = 2;
  }
  if (next < parts.size()) {
    if (parts[next] != "learn" || next + 1 != parts.size())
      throw Error("activation '" + spec + "': expected '" + info->name + "[:" + info->param.name + "][:learn]'");
    if (info->param.learnable == Learnable::Never)
      throw Error("activation '" + std::string(info->name) + "' has no learnable parameter");
    act.learn = true;
  }
  return act;
}

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
