// Central-difference gradient checking, used by every gradient test (built in double).
//   numeric ∂L/∂θᵢ ≈ (L(θ + h·eᵢ) − L(θ − h·eᵢ)) / 2h
// compared with the analytic gradient by the norm-wise relative error
//   ‖analytic − numeric‖ / (‖analytic‖ + ‖numeric‖),
// which is ~1e-9 for a correct derivative in double with h = 1e-5 (truncation O(h²), rounding
// O(ε/h)) and ~5e-3 for a derivative off by 1%: the 1e-6 tolerance separates them by 1000×.
#pragma once

#include "mlp/types.hpp"

#include <cmath>
#include <functional>

namespace gradcheck {

using mlp::Index;
using mlp::Scalar;
static_assert(sizeof(Scalar) == 8, "gradient checks run on the double build (mlp_engine_f64)");

constexpr double kTolerance = 1e-6;
constexpr double kStep = 1e-5;
constexpr double kMinGradientNorm = 1e-6;  // a check of an all-zero gradient proves nothing

struct Result {
  double relative_error = 0;
  double analytic_norm = 0;
  double numeric_norm = 0;
  bool ok() const { return analytic_norm > kMinGradientNorm && relative_error < kTolerance; }
};

// values: n parameters perturbed in place (restored afterwards); analytic: their gradient;
// loss: recomputes the scalar loss from the current values.
inline Result check(Scalar* values, const Scalar* analytic, Index n, const std::function<double()>& loss) {
  double diff2 = 0, a2 = 0, n2 = 0;
  for (Index i = 0; i < n; ++i) {
    const Scalar saved = values[i];
    values[i] = saved + kStep;
    const double up = loss();
    values[i] = saved - kStep;
    const double down = loss();
    values[i] = saved;
    const double numeric = (up - down) / (2 * kStep);
    diff2 += (analytic[i] - numeric) * (analytic[i] - numeric);
    a2 += analytic[i] * analytic[i];
    n2 += numeric * numeric;
  }
  Result r;
  r.analytic_norm = std::sqrt(a2);
  r.numeric_norm = std::sqrt(n2);
  r.relative_error = std::sqrt(diff2) / std::max(r.analytic_norm + r.numeric_norm, 1e-300);
  return r;
}

}  // namespace gradcheck
