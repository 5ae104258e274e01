// Every activation, one entry each: what it is (formula, derivative, range, use, parameter,
// initialisation) and how it is computed, forward and backward side by side.
// Conventions (activation.hpp): Z is the pre-activation (B, units), A = f(Z), dA = ∂L/∂A,
// dZ = ∂L/∂Z, p the per-unit parameter row (1, units). Backward may reuse A where that is cheaper
// or more stable (sigmoid′ = A(1 − A)).
#include "mlp/activation.hpp"

#include "mlp/error.hpp"

// erf on arrays: vectorised in float (a rational approximation within a few ulp, Eigen's own), std::erf
// in double.
#include <unsupported/Eigen/SpecialFunctions>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
using Z_ = const ConstMatrixRef&;  // the forward's argument types, for short lambda signatures
using P_ = const ConstRowRef&;
using A_ = MatrixRef;

// A table entry with its name; its other fields are set one by one, by name.
ActivationInfo entry(const char* name) {
  ActivationInfo a;
  a.name = name;
  return a;
}

ActivationParam parameter(const char* name, double default_value, double min_value, double max_value,
                          Learnable learnable) {
  return {name, default_value, min_value, max_value, learnable};
}

ActivationInfo identity() {
  ActivationInfo a = entry("identity");
  a.formula = "f(x) = x";
  a.forward = [](Z_ Z, P_, A_ A) { A = Z; };
  a.alias = "linear";
  a.range = "(-inf, inf)";
  a.use = "Output layer for regression; in hidden layers it makes the whole network a linear model.";
  a.default_init = InitKind::XavierUniform;
  a.derivative = "f'(x) = 1";
  a.backward = [](ActivationGrad& g) { g.dZ = g.dA; };
  return a;
}

ActivationInfo relu() {
  ActivationInfo a = entry("relu");
  a.formula = "f(x) = max(0, x)";
  a.forward = [](Z_ Z, P_, A_ A) { A = Z.cwiseMax(Scalar(0)); };
  a.range = "[0, inf)";
  a.use = "The default for hidden layers: cheap, no saturation for x > 0; units can die (output 0 for every input).";
  a.default_init = InitKind::HeNormal;
  a.kinks = {0};
  a.derivative = "f'(x) = 1 if x > 0 else 0 (f'(0) = 0, as in PyTorch)";
  a.backward = [](ActivationGrad& g) { g.dZ = (g.Z.array() > Scalar(0)).select(g.dA, Scalar(0)); };
  return a;
}

// min(max(0, x), 6): relu6 itself, and the piece hardsigmoid and hardswish are made of.
template <class Derived>
auto relu6_of(const Eigen::ArrayBase<Derived>& x) {
  return x.cwiseMax(Scalar(0)).cwiseMin(Scalar(6));
}

// Both kinks belong to the flat pieces, as in PyTorch (hardtanh_backward with min 0, max 6).
ActivationInfo relu6() {
  ActivationInfo a = entry("relu6");
  a.formula = "f(x) = min(max(0, x), 6)";
  a.forward = [](Z_ Z, P_, A_ A) { A = relu6_of(Z.array()); };
  a.range = "[0, 6]";
  a.use = "ReLU capped at 6 (MobileNet): bounded outputs suit low-precision inference; flat below 0 and above 6.";
  a.default_init = InitKind::HeNormal;
  a.kinks = {0, 6};
  a.derivative = "f'(x) = 1 if 0 < x < 6 else 0 (f'(0) = f'(6) = 0, as in PyTorch)";
  a.backward = [](ActivationGrad& g) {
    const auto z = g.Z.array();
    g.dZ = (z > Scalar(0) && z < Scalar(6)).select(g.dA.array(), Scalar(0));
  };
  return a;
}

// Leaky ReLU and PReLU compute the same function; PReLU learns its slope.
void leaky_forward(Z_ Z, P_ p, A_ A) { A = (Z.array() > Scalar(0)).select(Z.array(), Z.array().rowwise() * p.array()); }
void leaky_backward(ActivationGrad& g) {
  const auto positive = g.Z.array() > Scalar(0);
  g.dZ = positive.select(g.dA.array(), g.dA.array().rowwise() * g.p.array());
  if (g.dp) *g.dp += positive.select(Scalar(0), g.dA.array() * g.Z.array()).colwise().sum().matrix();
}

ActivationInfo leaky_relu() {
  ActivationInfo a = entry("leaky_relu");
  a.formula = "f(x) = x if x > 0 else alpha*x";
  a.forward = leaky_forward;
  a.range = "(-inf, inf)";
  a.use = "ReLU whose negative side keeps a small slope alpha, so units cannot die.";
  a.param = parameter("alpha", 0.01, 0.0, 1.0, Learnable::Optional);
  a.default_init = InitKind::HeNormal;
  a.kinks = {0};
  a.derivative = "f'(x) = 1 if x > 0 else alpha (f'(0) = alpha, as in PyTorch); df/dalpha = x if x <= 0 else 0";
  a.backward = leaky_backward;
  return a;
}

ActivationInfo prelu() {
  ActivationInfo a = leaky_relu();
  a.name = "prelu";
  a.formula = "f(x) = x if x > 0 else a*x, a learned per unit";
  a.use =
      "Leaky ReLU whose negative slope is learned, one per unit (He et al. 2015); the value given is the initial "
      "slope.";
  a.param = parameter("alpha", 0.25, -kInf, kInf, Learnable::Always);
  a.derivative = "f'(x) = 1 if x > 0 else a (f'(0) = a, as in PyTorch); df/da = x if x <= 0 else 0";
  return a;
}

// e^x − 1 for x ≤ 0 (expm1 keeps precision near 0; positive x are clamped, as select computes
// both branches).
template <class Derived>
auto expm1_of_negative(const Eigen::ArrayBase<Derived>& x) {
  return x.cwiseMin(Scalar(0)).unaryExpr([](Scalar v) { return std::expm1(v); });
}

ActivationInfo elu() {
  ActivationInfo a = entry("elu");
  a.formula = "f(x) = x if x > 0 else alpha*(exp(x) - 1)";
  a.forward = [](Z_ Z, P_ p, A_ A) {
    A = (Z.array() > Scalar(0)).select(Z.array(), expm1_of_negative(Z.array()).rowwise() * p.array());
  };
  a.range = "(-alpha, inf)";
  a.use = "Smooth ReLU whose negative outputs push mean activations toward zero.";
  a.param = parameter("alpha", 1.0, 1e-6, 100.0, Learnable::Optional);
  a.default_init = InitKind::HeNormal;
  a.kinks = {0};  // f′ jumps at 0 unless alpha = 1
  a.derivative =
      "f'(x) = 1 if x > 0 else f(x) + alpha (f'(0) = alpha, as in PyTorch); df/dalpha = exp(x) - 1 if x <= 0 else 0";
  a.backward = [](ActivationGrad& g) {
    const auto positive = g.Z.array() > Scalar(0);
    g.dZ = positive.select(g.dA.array(), g.dA.array() * (g.A.array().rowwise() + g.p.array()));
    if (g.dp)
      *g.dp +=
          positive.select(Scalar(0), g.dA.array() * (g.A.array().rowwise() / g.p.array())).colwise().sum().matrix();
  };
  return a;
}

// CELU (Barron 2017) is ELU with its input scaled by 1/alpha, so that f′ = exp(x/alpha) → 1 at
// 0 for every alpha: f′ is continuous, only f″ jumps. Its alpha is fixed, as in torch.nn.CELU:
// it divides x, so a gradient step taking a learned alpha through 0 would make exp(x/alpha)
// overflow for every negative x, and ELU's learnable alpha already covers the use.
ActivationInfo celu() {
  ActivationInfo a = entry("celu");
  a.formula = "f(x) = max(0, x) + min(0, alpha*(exp(x/alpha) - 1))";
  a.forward = [](Z_ Z, P_ p, A_ A) {
    A = (Z.array() > Scalar(0))
            .select(Z.array(), expm1_of_negative(Z.array().rowwise() / p.array()).rowwise() * p.array());
  };
  a.range = "(-alpha, inf)";
  a.use = "ELU whose f' is continuous at 0 for every alpha (alpha=1 is ELU); alpha is fixed, not learned.";
  a.param = parameter("alpha", 1.0, 1e-6, 100.0, Learnable::Never);
  a.default_init = InitKind::HeNormal;
  a.derivative = "f'(x) = 1 if x > 0 else exp(x/alpha) (f'(0) = 1, as in PyTorch)";
  a.backward = [](ActivationGrad& g) {
    // exp(x/alpha) directly rather than from A (as ELU's f + alpha): it keeps its digits far out.
    g.dZ = (g.Z.array() > Scalar(0))
               .select(g.dA.array(), g.dA.array() * (g.Z.array().rowwise() / g.p.array()).cwiseMin(Scalar(0)).exp());
  };
  return a;
}

// SELU's constants (Klambauer et al. 2017), fixed so that activations self-normalise.
constexpr Scalar kSeluLambda = Scalar(1.0507009873554804934193349852946);
constexpr Scalar kSeluAlpha = Scalar(1.6732632423543772848170429916717);

ActivationInfo selu() {
  ActivationInfo a = entry("selu");
  a.formula = "f(x) = lambda*x if x > 0 else lambda*alpha*(exp(x) - 1), lambda=1.0507, alpha=1.6733";
  a.forward = [](Z_ Z, P_, A_ A) {
    A = kSeluLambda * (Z.array() > Scalar(0)).select(Z.array(), kSeluAlpha * expm1_of_negative(Z.array()));
  };
  a.range = "(-1.7581, inf)";
  a.use = "Self-normalising networks: keeps activations near zero mean, unit variance with lecun init.";
  a.default_init = InitKind::LecunNormal;
  a.kinks = {0};
  a.derivative = "f'(x) = lambda if x > 0 else f(x) + lambda*alpha (f'(0) = lambda*alpha, as in PyTorch)";
  a.backward = [](ActivationGrad& g) {
    g.dZ = (g.Z.array() > Scalar(0))
               .select(kSeluLambda * g.dA.array(), g.dA.array() * (g.A.array() + kSeluLambda * kSeluAlpha));
  };
  return a;
}

// σ(x) = 1 / (1 + e⁻ˣ). For x = −1000, e⁻ˣ overflows to +inf and 1/(1+inf) = 0: finite, and the
// right limit.
template <class Derived>
auto sigmoid_of(const Eigen::ArrayBase<Derived>& x) {
  return Scalar(1) / (Scalar(1) + (-x).exp());
}

// ln(1 + eˣ) written as max(x, 0) + ln(1 + e^−|x|), which never overflows (softplus, mish).
template <class Derived>
auto softplus_of(const Eigen::ArrayBase<Derived>& x) {
  return x.cwiseMax(Scalar(0)) + (-x.abs()).exp().log1p();
}

ActivationInfo swish() {
  ActivationInfo a = entry("swish");
  a.formula = "f(x) = x*sigmoid(beta*x)";
  a.forward = [](Z_ Z, P_ p, A_ A) { A = Z.array() * sigmoid_of(Z.array().rowwise() * p.array()); };
  a.alias = "silu";
  a.range = "(~-0.278/beta, inf)";
  a.use =
      "Smooth, non-monotonic ReLU alternative (Ramachandran et al. 2017); beta=1 is SiLU; 'swish:1:learn' learns beta "
      "per unit.";
  a.param = parameter("beta", 1.0, -100.0, 100.0, Learnable::Optional);
  a.default_init = InitKind::HeNormal;
  a.derivative = "f'(x) = s + beta*x*s*(1 - s), s = sigmoid(beta*x); df/dbeta = x^2*s*(1 - s)";
  a.backward = [](ActivationGrad& g) {
    // dZ holds s = σ(βx) first, so σ is evaluated once; the buffers are distinct (no aliasing).
    g.dZ = sigmoid_of(g.Z.array().rowwise() * g.p.array());
    const auto s = g.dZ.array();
    if (g.dp) *g.dp += (g.dA.array() * g.Z.array().square() * s * (Scalar(1) - s)).colwise().sum().matrix();
    g.dZ = g.dA.array() * (s + (g.Z.array().rowwise() * g.p.array()) * s * (Scalar(1) - s));
  };
  return a;
}

ActivationInfo mish() {
  ActivationInfo a = entry("mish");
  a.formula = "f(x) = x*tanh(softplus(x)), softplus(x) = ln(1 + exp(x))";
  a.forward = [](Z_ Z, P_, A_ A) { A = Z.array() * softplus_of(Z.array()).tanh(); };
  a.range = "[~-0.309, inf)";
  a.use = "Smooth, non-monotonic ReLU alternative close to swish (Misra 2019, YOLOv4).";
  a.default_init = InitKind::HeNormal;
  a.derivative = "f'(x) = t + x*sigmoid(x)*(1 - t^2), t = tanh(softplus(x))";
  a.backward = [](ActivationGrad& g) {
    // dZ holds t first, so tanh(softplus) is evaluated once; the buffers are distinct (no aliasing).
    g.dZ = softplus_of(g.Z.array()).tanh();
    const auto t = g.dZ.array();
    g.dZ = g.dA.array() * (t + g.Z.array() * sigmoid_of(g.Z.array()) * (Scalar(1) - t.square()));
  };
  return a;
}

// The kinks at ±3 are a choice: f′ is 0 at −3 (the flat side) and 1 at 3 (the linear side), what
// PyTorch's autograd gives for its definition x·relu6(x + 3)/6 and what pytorch/pytorch#147801
// asks of torch.nn.Hardswish's own kernel, which in torch 1.13 gives −0.5 at −3 and, depending on
// vectorisation, 1.5 or 1 at 3.
ActivationInfo hardswish() {
  ActivationInfo a = entry("hardswish");
  a.formula = "f(x) = x*relu6(x + 3)/6";
  a.forward = [](Z_ Z, P_, A_ A) { A = Z.array() * relu6_of(Z.array() + Scalar(3)) / Scalar(6); };
  a.range = "[-0.375, inf)";
  a.use = "Piecewise-quadratic swish without exp (MobileNetV3): cheap; flat, so dead, below -3.";
  a.default_init = InitKind::HeNormal;
  a.kinks = {-3, 3};
  a.derivative = "f'(x) = 0 if x <= -3, x/3 + 1/2 if x < 3, else 1 (f'(-3) = 0, f'(3) = 1, as in PyTorch)";
  a.backward = [](ActivationGrad& g) {
    const auto z = g.Z.array();
    const auto middle_or_right = (z < Scalar(3)).select(g.dA.array() * (z / Scalar(3) + Scalar(0.5)), g.dA.array());
    g.dZ = (z > Scalar(-3)).select(middle_or_right, Scalar(0));
  };
  return a;
}

ActivationInfo gelu() {
  static constexpr Scalar kInvSqrt2 = Scalar(0.70710678118654752440);
  static constexpr Scalar kInvSqrt2Pi = Scalar(0.39894228040143267794);
  ActivationInfo a = entry("gelu");
  a.formula = "f(x) = x*Phi(x), Phi the standard normal CDF (exact, as torch.nn.GELU)";
  a.forward = [](Z_ Z, P_, A_ A) {
    const auto x = Z.array();
    A = Scalar(0.5) * x * (Scalar(1) + (x * kInvSqrt2).erf());
  };
  a.range = "(~-0.17, inf)";
  a.use = "Smooth ReLU used in transformers; weights inputs by their probability.";
  a.default_init = InitKind::HeNormal;
  a.derivative = "f'(x) = Phi(x) + x*phi(x), phi the standard normal density";
  a.backward = [](ActivationGrad& g) {
    const auto x = g.Z.array();
    g.dZ = g.dA.array() *
           (Scalar(0.5) * (Scalar(1) + (x * kInvSqrt2).erf()) + x * kInvSqrt2Pi * (Scalar(-0.5) * x.square()).exp());
  };
  return a;
}

// Written as torch.nn.GELU(approximate='tanh') computes it; for x < −7.2, 1 + tanh(u) is exactly 0
// in double, so f and f′ are 0 there, not NaN.
ActivationInfo gelu_tanh() {
  static constexpr Scalar kBeta = Scalar(0.79788456080286535588);  // sqrt(2/pi)
  static constexpr Scalar kKappa = Scalar(0.044715);
  ActivationInfo a = entry("gelu_tanh");
  a.formula = "f(x) = 0.5*x*(1 + tanh(u)), u = sqrt(2/pi)*(x + 0.044715*x^3)";
  a.forward = [](Z_ Z, P_, A_ A) {
    const auto x = Z.array();
    A = Scalar(0.5) * x * (Scalar(1) + (kBeta * (x + kKappa * x.cube())).tanh());
  };
  a.range = "(~-0.17, inf)";
  a.use = "The tanh approximation of gelu (GPT-2, torch.nn.GELU(approximate='tanh')), within 5e-4 of it.";
  a.default_init = InitKind::HeNormal;
  a.derivative = "f'(x) = 0.5*(1 + t) + 0.5*x*(1 - t^2)*sqrt(2/pi)*(1 + 3*0.044715*x^2), t = tanh(u)";
  a.backward = [](ActivationGrad& g) {
    // dZ holds t = tanh(u) first, so tanh is evaluated once; the buffers are distinct (no aliasing).
    const auto x = g.Z.array();
    g.dZ = (kBeta * (x + kKappa * x.cube())).tanh();
    const auto t = g.dZ.array();
    const auto du = kBeta * (Scalar(1) + Scalar(3) * kKappa * x.square());  // u'(x)
    g.dZ = g.dA.array() * (Scalar(0.5) * (Scalar(1) + t) + Scalar(0.5) * x * (Scalar(1) - t.square()) * du);
  };
  return a;
}

ActivationInfo sigmoid() {
  ActivationInfo a = entry("sigmoid");
  a.formula = "f(x) = 1/(1 + exp(-x))";
  a.forward = [](Z_ Z, P_, A_ A) { A = sigmoid_of(Z.array()); };
  a.alias = "logistic";
  a.range = "(0, 1)";
  a.use =
      "Output layer for binary or multi-label targets; in hidden layers it saturates (f' <= 0.25) and gradients "
      "vanish.";
  a.default_init = InitKind::XavierUniform;
  a.derivative = "f'(x) = f(x)*(1 - f(x))";
  a.backward = [](ActivationGrad& g) { g.dZ = g.dA.array() * g.A.array() * (Scalar(1) - g.A.array()); };
  return a;
}

// PyTorch's own hardsigmoid kernel rounds 1/6 to float even in float64 (f′ = 0.16666667163…);
// here f′ is 1/6, what autograd gives for its definition relu6(x + 3)/6, with the same kinks.
ActivationInfo hardsigmoid() {
  ActivationInfo a = entry("hardsigmoid");
  a.formula = "f(x) = relu6(x + 3)/6";
  a.forward = [](Z_ Z, P_, A_ A) { A = relu6_of(Z.array() + Scalar(3)) / Scalar(6); };
  a.range = "[0, 1]";
  a.use = "Piecewise-linear sigmoid without exp (MobileNetV3's gates); exactly flat beyond +-3, where units die.";
  a.default_init = InitKind::XavierUniform;
  a.kinks = {-3, 3};
  a.derivative = "f'(x) = 1/6 if -3 < x < 3 else 0 (f'(-3) = f'(3) = 0, as in PyTorch)";
  a.backward = [](ActivationGrad& g) {
    const auto z = g.Z.array();
    g.dZ = (z > Scalar(-3) && z < Scalar(3)).select(g.dA.array() / Scalar(6), Scalar(0));
  };
  return a;
}

ActivationInfo tanh() {
  ActivationInfo a = entry("tanh");
  a.formula = "f(x) = tanh(x)";
  a.forward = [](Z_ Z, P_, A_ A) { A = Z.array().tanh(); };
  a.range = "(-1, 1)";
  a.use = "Zero-centred sigmoid; a fine hidden activation for small nets, saturates for |x| > 3.";
  a.default_init = InitKind::XavierUniform;
  a.derivative = "f'(x) = 1 - f(x)^2";
  a.backward = [](ActivationGrad& g) { g.dZ = g.dA.array() * (Scalar(1) - g.A.array().square()); };
  return a;
}

// Both kinks belong to the flat pieces, as in PyTorch's hardtanh_backward.
ActivationInfo hardtanh() {
  ActivationInfo a = entry("hardtanh");
  a.formula = "f(x) = min(max(-1, x), 1)";
  a.forward = [](Z_ Z, P_, A_ A) { A = Z.cwiseMax(Scalar(-1)).cwiseMin(Scalar(1)); };
  a.range = "[-1, 1]";
  a.use = "Piecewise-linear tanh: cheap and zero-centred; flat beyond +-1, so a unit stuck there gets no gradient.";
  a.default_init = InitKind::XavierUniform;
  a.kinks = {-1, 1};
  a.derivative = "f'(x) = 1 if -1 < x < 1 else 0 (f'(-1) = f'(1) = 0, as in PyTorch)";
  a.backward = [](ActivationGrad& g) {
    const auto z = g.Z.array();
    g.dZ = (z > Scalar(-1) && z < Scalar(1)).select(g.dA.array(), Scalar(0));
  };
  return a;
}

ActivationInfo softsign() {
  ActivationInfo a = entry("softsign");
  a.formula = "f(x) = x/(1 + |x|)";
  a.forward = [](Z_ Z, P_, A_ A) { A = Z.array() / (Scalar(1) + Z.array().abs()); };
  a.range = "(-1, 1)";
  a.use = "Zero-centred like tanh, but saturates polynomially (f' ~ 1/x^2), so gradients vanish more slowly.";
  a.default_init = InitKind::XavierUniform;
  a.derivative = "f'(x) = 1/(1 + |x|)^2";
  a.backward = [](ActivationGrad& g) { g.dZ = g.dA.array() / (Scalar(1) + g.Z.array().abs()).square(); };
  return a;
}

ActivationInfo softplus() {
  ActivationInfo a = entry("softplus");
  a.formula = "f(x) = ln(1 + exp(x))";
  a.forward = [](Z_ Z, P_, A_ A) { A = softplus_of(Z.array()); };
  a.range = "(0, inf)";
  a.use = "A smooth ReLU: positive outputs, never exactly flat.";
  a.default_init = InitKind::HeNormal;
  a.derivative = "f'(x) = sigmoid(x)";
  a.backward = [](ActivationGrad& g) { g.dZ = g.dA.array() * sigmoid_of(g.Z.array()); };
  return a;
}

ActivationInfo softmax() {
  ActivationInfo a = entry("softmax");
  a.formula = "f(x)_i = exp(x_i) / sum_j exp(x_j), per row";
  a.forward = [](Z_ Z, P_, A_ A) {
    for (Index r = 0; r < Z.rows(); ++r) {
      const Scalar m = Z.row(r).maxCoeff();  // subtracting the max keeps e^z ≤ 1: no overflow
      A.row(r) = (Z.row(r).array() - m).exp();
      A.row(r) /= A.row(r).sum();
    }
  };
  a.range = "(0, 1), each row sums to 1";
  a.use = "Output layer for multi-class classification, with cross-entropy loss.";
  a.default_init = InitKind::XavierUniform;
  a.elementwise = false;
  a.output_only = true;
  a.derivative = "df_i/dx_j = f_i*(delta_ij - f_j), so dz_i = f_i*(da_i - sum_j da_j*f_j)";
  a.backward = [](ActivationGrad& g) {
    for (Index r = 0; r < g.A.rows(); ++r)
      g.dZ.row(r) = g.A.row(r).array() * (g.dA.row(r).array() - g.A.row(r).dot(g.dA.row(r)));
  };
  return a;
}

}  // namespace

const std::vector<ActivationInfo>& activations() {
  static const std::vector<ActivationInfo> table = {
      identity(),    relu(),  relu6(),    leaky_relu(), prelu(),    elu(),       celu(),
      selu(),        swish(), mish(),     hardswish(),  gelu(),     gelu_tanh(), sigmoid(),
      hardsigmoid(), tanh(),  hardtanh(), softsign(),   softplus(), softmax(),
  };
  return table;
}

ActivationValues activation_values(const Activation& act, const std::vector<double>& x) {
  const ActivationInfo& info = *act.info;
  if (!info.elementwise)
    throw Error("activation '" + std::string(info.name) +
                "' is not elementwise: each output depends on its whole row, so it has no f(x) and f'(x) at a "
                "point (its derivative is a Jacobian: " +
                info.derivative + ")");
  const Index n = static_cast<Index>(x.size());
  Matrix Z(1, n), A(1, n), dZ(1, n);  // (1, n): the points as the n units of one sample
  const Matrix dA = Matrix::Ones(1, n);
  for (Index i = 0; i < n; ++i) Z(0, i) = static_cast<Scalar>(x[static_cast<std::size_t>(i)]);
  RowVector p;  // (1, n) the parameter in every unit; empty without one
  if (info.has_param()) p = RowVector::Constant(n, static_cast<Scalar>(act.param));
  info.forward(Z, p, A);
  ActivationGrad g{Z, A, p, dA, dZ, nullptr};
  info.backward(g);
  ActivationValues v;
  v.f.assign(A.data(), A.data() + n);
  v.df.assign(dZ.data(), dZ.data() + n);
  return v;
}

std::string activation_names(bool hidden_only) {
  std::ostringstream out;
  bool first = true;
  for (const auto& a : activations()) {
    if (hidden_only && a.output_only) continue;
    out << (first ? "" : ", ") << a.name;
    if (a.has_param()) out << "[:" << a.param.name << "=" << a.param.default_value << "]";
    first = false;
  }
  return out.str();
}

std::string Activation::spec() const {
  std::string s = info->name;
  if (info->has_param()) {
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
  // Names are matched whatever their case: ReLU is relu.
  std::string name = parts[0];
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const ActivationInfo* info = nullptr;
  for (const auto& a : activations())
    if (name == a.name || (a.alias && name == a.alias)) info = &a;
  if (!info)
    throw Error("unknown activation '" + parts[0] + "'" + (spec != parts[0] ? " in '" + spec + "'" : "") +
                "; valid activations: " + activation_names());

  Activation act;
  act.info = info;
  act.param = info->param.default_value;
  act.learn = info->has_param() && info->param.learnable == Learnable::Always;
  if (parts.size() == 1) return act;
  if (!info->has_param())
    throw Error("activation '" + std::string(info->name) + "' takes no parameter (got '" + spec + "')");

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
