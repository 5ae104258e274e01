// Central-difference gradient checking (gradcheck.hpp): the checker itself, and the three setups
// every gradient test builds on (one activation, a whole network, inputs away from kinks).
#include "mlp/gradcheck.hpp"

#include "mlp/error.hpp"

#include <algorithm>
#include <cmath>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {
namespace gradcheck {

Result check(Scalar* values, const Scalar* analytic, Index n, const std::function<double()>& loss) {
  double diff2 = 0, a2 = 0, n2 = 0;
  for (Index i = 0; i < n; ++i) {
    const Scalar saved = values[i];
    values[i] = static_cast<Scalar>(saved + kStep);
    const double up = loss();
    values[i] = static_cast<Scalar>(saved - kStep);
    const double down = loss();
    values[i] = saved;
    const double numeric = (up - down) / (2 * kStep);
    diff2 += (analytic[i] - numeric) * (analytic[i] - numeric);
    a2 += static_cast<double>(analytic[i]) * analytic[i];
    n2 += numeric * numeric;
  }
  Result r;
  r.analytic_norm = std::sqrt(a2);
  r.numeric_norm = std::sqrt(n2);
  r.relative_error = std::sqrt(diff2) / std::max(r.analytic_norm + r.numeric_norm, 1e-300);
  return r;
}

Matrix sample(Index rows, Index cols, Rng& rng, double lo, double hi, double gap) {
  Matrix M(rows, cols);
  for (Index i = 0; i < M.size(); ++i) {
    double v;
    do v = rng.uniform(lo, hi);
    while (std::abs(v) < gap);
    M.data()[i] = static_cast<Scalar>(v);
  }
  return M;
}

namespace {
// Whether v is within `gap` of a point where the activation's f′ jumps.
bool near_kink(const ActivationInfo& act, double v, double gap) {
  for (double k : act.kinks)
    if (std::abs(v - k) < gap) return true;
  return false;
}
}  // namespace

double ActivationCase::loss() {
  act.info->forward(Z, p, A);
  return static_cast<double>((A.array() * R.array()).sum());
}

void ActivationCase::analytic() {
  loss();
  dp = RowVector::Zero(p.size());
  ActivationGrad g{Z, A, p, R, dZ, p.size() ? &dp : nullptr};
  act.info->backward(g);
}

ActivationCase make_activation_case(const Activation& act, Rng& rng, Index batch, Index units) {
  ActivationCase c;
  c.act = act;
  c.Z.resize(batch, units);
  for (Index i = 0; i < c.Z.size(); ++i) {
    double v;
    do v = rng.uniform(-3, 3);
    while (near_kink(*act.info, v, 0.05));
    c.Z.data()[i] = static_cast<Scalar>(v);
  }
  c.R = sample(batch, units, rng, -1, 1);
  c.A.resize(batch, units);
  c.dZ.resize(batch, units);
  if (act.info->has_param()) {
    c.p.resize(units);
    for (Index j = 0; j < units; ++j) c.p(j) = static_cast<Scalar>(act.param + rng.uniform(-0.1, 0.1));
  }
  return c;
}

std::vector<ParameterResult> check_network(Network& net, const ConstMatrixRef& X, const ConstMatrixRef& Y,
                                           double analytic_scale) {
  auto loss = [&] {
    net.forward(X, true);
    return static_cast<double>(net.loss_of_last_forward(Y));
  };
  loss();
  net.backward(X, Y);
  std::vector<Vector> grads;  // copies, scaled when asked: the checker compares with these
  for (const auto& p : net.parameters()) grads.push_back(p.g() * static_cast<Scalar>(analytic_scale));
  std::vector<ParameterResult> results;
  for (std::size_t i = 0; i < grads.size(); ++i) {
    const Parameter& p = net.parameters()[i];
    results.push_back({p.name, p.size, check(p.value, grads[i].data(), p.size, loss)});
  }
  return results;
}

namespace {
bool near_kink(Network& net) {
  for (std::size_t i = 0; i < net.size(); ++i) {
    const Dense* d = net.dense(i);
    if (!d) continue;
    for (double k : d->activation.info->kinks)
      if (((d->Z().array() - static_cast<Scalar>(k)).abs() < kKinkGap).any()) return true;
  }
  return false;
}
}  // namespace

Index keep_away_from_kinks(Network& net, Matrix& X, Rng& rng, double lo, double hi) {
  Index redrawn = 0;
  for (Index r = 0; r < X.rows(); ++r) {
    for (int attempt = 0;; ++attempt) {
      net.forward(X.middleRows(r, 1), false);
      if (!near_kink(net)) break;
      if (attempt == 1000)
        throw Error("1000 random inputs all put a pre-activation within " + std::to_string(kKinkGap) +
                    " of a kink (where f' jumps); use fewer or wider layers, or a smooth activation");
      if (attempt == 0) ++redrawn;
      for (Index c = 0; c < X.cols(); ++c) X(r, c) = static_cast<Scalar>(rng.uniform(lo, hi));
    }
  }
  return redrawn;
}

}  // namespace gradcheck
}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
