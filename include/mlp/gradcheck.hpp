// Central-difference gradient checking: the numerical proof that every backward is right, used by
// tests/test_gradients.cpp and `mlp gradcheck`. Meaningful in the double build (mlp_engine_f64):
//   numeric ∂L/∂θᵢ ≈ (L(θ + h·eᵢ) − L(θ − h·eᵢ)) / 2h
// compared with the analytic gradient by the norm-wise relative error
//   ‖analytic − numeric‖ / (‖analytic‖ + ‖numeric‖),
// which is ~1e-9 for a correct derivative in double with h = 1e-5 (truncation O(h²), rounding
// O(ε/h)) and ~5e-3 for a derivative off by 1%: the 1e-6 tolerance separates them by 1000×.
// In float, ε/h ≈ 1e-2 alone would fail every check.
#pragma once

#include "mlp/network.hpp"

#include <functional>
#include <string>
#include <vector>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {
namespace gradcheck {

constexpr double kTolerance = 1e-6;
constexpr double kStep = 1e-5;
constexpr double kMinGradientNorm = 1e-6;  // a check of an all-zero gradient proves nothing
// Inputs of an activation whose f′ jumps (ActivationInfo::kinks: 0 for the ReLU family, ±1 for
// hardtanh) are kept this far from every kink: a step of 1e-5 on weights and inputs of order 1
// moves a pre-activation by ~1e-5, so a finite difference never straddles the jump.
constexpr double kKinkGap = 0.01;

struct Result {
  double relative_error = 0;
  double analytic_norm = 0;
  double numeric_norm = 0;
  bool ok(double tolerance = kTolerance) const {
    return analytic_norm > kMinGradientNorm && relative_error < tolerance;
  }
};

// values: n parameters perturbed in place (restored afterwards); analytic: their gradient;
// loss: recomputes the scalar loss from the current values.
Result check(Scalar* values, const Scalar* analytic, Index n, const std::function<double()>& loss);

// A (rows, cols) matrix of values drawn uniformly from [lo, hi], each at least `gap` away from 0.
Matrix sample(Index rows, Index cols, Rng& rng, double lo, double hi, double gap = 0.0);

// One activation on its own: L = Σ f(Z) ⊙ R for a fixed random R, so ∂L/∂A = R and backward's dZ
// (and dp, for a parameter) is what is checked.
struct ActivationCase {
  Activation act;
  Matrix Z, R, A, dZ;  // (B, units)
  RowVector p, dp;     // (1, units) the parameter and its gradient; empty without one
  double loss();       // forward, then Σ A ⊙ R
  void analytic();     // forward and backward: fills dZ and dp
};
// Z from [-3, 3] (kept 0.05 from the activation's kinks), R from [-1, 1], and a
// parameter spread per unit around its value (as after learning).
ActivationCase make_activation_case(const Activation& act, Rng& rng, Index batch = 5, Index units = 4);

// Every parameter of a network (with its loss set) on one batch X (B, inputs), Y (B, outputs) or
// (B, 1) labels: backward once, then each parameter's central differences, in layer order.
// analytic_scale ≠ 1 makes the analytic gradient wrong on purpose, to see the checker fail
// (`mlp gradcheck --perturb-analytic`).
struct ParameterResult {
  std::string name;  // "dense_1.W"
  Index size = 0;
  Result result;
};
std::vector<ParameterResult> check_network(Network& net, const ConstMatrixRef& X, const ConstMatrixRef& Y,
                                           double analytic_scale = 1.0);

// Redraws rows of X (from [lo, hi]) until no pre-activation of a layer is within kKinkGap of one of
// its activation's kinks (a row's pre-activations depend on that row only). Returns the number of rows
// redrawn; throws mlp::Error when 1000 attempts of a row all land near a kink.
Index keep_away_from_kinks(Network& net, Matrix& X, Rng& rng, double lo, double hi);

}  // namespace gradcheck
}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
