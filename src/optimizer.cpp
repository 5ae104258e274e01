// SGD (momentum, Nesterov, L2) and Adam, with gradient clipping by global norm.
#include "mlp/optimizer.hpp"

#include "fast/parallel.hpp"  // split_elements
#include "mlp/error.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

void Optimizer::step(const std::vector<Parameter>& params) {
  if (!sized_) {
    resize_state(params);
    sized_ = true;
  }
  ++steps_;
  // Clipping by global norm (Pascanu et al. 2013): scale every gradient by the same factor, so
  // the direction of the step is kept and only its length is bounded.
  Scalar scale = 1;
  last_norm_ = std::numeric_limits<double>::quiet_NaN();
  if (config_.clip_norm > 0.0) {
    double sq = 0.0;
    for (const auto& p : params) sq += static_cast<double>(p.g().squaredNorm());
    last_norm_ = std::sqrt(sq);
    if (last_norm_ > config_.clip_norm) scale = static_cast<Scalar>(config_.clip_norm / last_norm_);
  }
  const Scalar wd = static_cast<Scalar>(config_.weight_decay);
  if (measure_ != Measure::Nothing) {
    norms_.resize(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) norms_[i] = measured_update(i, params[i], scale, wd);
    return;
  }
  // Every element updates independently, so threads may take a block each (src/fast/parallel.hpp).
  for (std::size_t i = 0; i < params.size(); ++i)
    fast::split_elements(params[i].size, [&](Index first, Index end) { update(i, params[i], first, end, scale, wd); });
}

// The same update, chunk by chunk, measuring each chunk while it is in the L1 cache: its gradient,
// and for Measure::Update its weights before and how far the update moved them. One thread: the
// sums stay in order.
Optimizer::StepNorms Optimizer::measured_update(std::size_t i, const Parameter& p, Scalar scale, Scalar wd) {
  constexpr Index kChunk = 512;
  Scalar before[kChunk];
  StepNorms n;
  n.update_measured = measure_ == Measure::Update;
  for (Index first = 0; first < p.size; first += kChunk) {
    const Index len = std::min(kChunk, p.size - first);
    n.grad_sq += static_cast<double>(Eigen::Map<const Vector>(p.grad + first, len).squaredNorm());
    if (!n.update_measured) {
      update(i, p, first, first + len, scale, wd);
      continue;
    }
    Eigen::Map<Vector> w(p.value + first, len), old(before, len);
    old = w;
    n.value_sq += static_cast<double>(old.squaredNorm());
    update(i, p, first, first + len, scale, wd);
    n.delta_sq += static_cast<double>((w - old).squaredNorm());
  }
  return n;
}

void Sgd::resize_state(const std::vector<Parameter>& params) {
  velocity_.clear();
  for (const auto& p : params) velocity_.push_back(Vector::Zero(p.size));
}

// One pass over w, ∂L/∂w and v per parameter: the update is memory-bound, so fusing the
// weight decay, clipping, momentum and step into one loop is what makes it fast. The loops take
// __restrict pointers (the arrays never overlap) so the compiler can vectorise them.
namespace {
void sgd_plain(Scalar* __restrict w, const Scalar* __restrict dw, Index n, Scalar lr, Scalar scale, Scalar wd) {
  for (Index k = 0; k < n; ++k) w[k] -= lr * (scale * dw[k] + wd * w[k]);  // w ← w − lr·g
}
// As torch.optim.SGD: v ← μ·v + g (v starts at 0, so the first step sets v = g).
void sgd_momentum(Scalar* __restrict w, const Scalar* __restrict dw, Scalar* __restrict v, Index n, Scalar lr,
                  Scalar mu, Scalar scale, Scalar wd) {
  for (Index k = 0; k < n; ++k) {
    v[k] = mu * v[k] + (scale * dw[k] + wd * w[k]);  // v ← μ·v + g
    w[k] -= lr * v[k];                               // w ← w − lr·v
  }
}
void sgd_nesterov(Scalar* __restrict w, const Scalar* __restrict dw, Scalar* __restrict v, Index n, Scalar lr,
                  Scalar mu, Scalar scale, Scalar wd) {
  for (Index k = 0; k < n; ++k) {
    const Scalar g = scale * dw[k] + wd * w[k];
    v[k] = mu * v[k] + g;
    w[k] -= lr * (g + mu * v[k]);
  }
}
// torch: w ← w − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
void adam(Scalar* __restrict w, const Scalar* __restrict dw, Scalar* __restrict m, Scalar* __restrict v, Index n,
          Scalar b1, Scalar b2, Scalar step, Scalar inv_root_bias, Scalar eps, Scalar scale, Scalar wd) {
  for (Index k = 0; k < n; ++k) {
    const Scalar g = scale * dw[k] + wd * w[k];
    m[k] = b1 * m[k] + (Scalar(1) - b1) * g;
    v[k] = b2 * v[k] + (Scalar(1) - b2) * g * g;
    w[k] -= step * m[k] / (std::sqrt(v[k]) * inv_root_bias + eps);
  }
}
}  // namespace

void Sgd::update(std::size_t i, const Parameter& p, Index first, Index end, Scalar scale, Scalar wd) {
  const Scalar lr = static_cast<Scalar>(config_.learning_rate);
  const Scalar mu = static_cast<Scalar>(config_.momentum);
  Scalar* w = p.value + first;
  const Scalar* dw = p.grad + first;
  const Index n = end - first;
  if (mu == Scalar(0))
    sgd_plain(w, dw, n, lr, scale, wd);
  else if (config_.nesterov)
    sgd_nesterov(w, dw, velocity_[i].data() + first, n, lr, mu, scale, wd);
  else
    sgd_momentum(w, dw, velocity_[i].data() + first, n, lr, mu, scale, wd);
}

void Adam::resize_state(const std::vector<Parameter>& params) {
  m_.clear();
  v_.clear();
  for (const auto& p : params) {
    m_.push_back(Vector::Zero(p.size));
    v_.push_back(Vector::Zero(p.size));
  }
}

void Adam::update(std::size_t i, const Parameter& p, Index first, Index end, Scalar scale, Scalar wd) {
  const Scalar b1 = static_cast<Scalar>(config_.beta1), b2 = static_cast<Scalar>(config_.beta2);
  const double t = static_cast<double>(steps_);
  const Scalar step = static_cast<Scalar>(config_.learning_rate / (1.0 - std::pow(config_.beta1, t)));
  const Scalar inv_root_bias = static_cast<Scalar>(1.0 / std::sqrt(1.0 - std::pow(config_.beta2, t)));
  const Scalar eps = static_cast<Scalar>(config_.epsilon);
  adam(p.value + first, p.grad + first, m_[i].data() + first, v_[i].data() + first, end - first, b1, b2, step,
       inv_root_bias, eps, scale, wd);
}

// ---- checkpoints: the state above, copied out and put back ------------------------------------

Optimizer::State Optimizer::state() const {
  State s;
  s.steps = steps_;
  for (const auto& [name, buffer] : const_cast<Optimizer*>(this)->buffers()) {  // copies only
    s.names.push_back(name);
    s.buffers.push_back(*buffer);
  }
  return s;
}

void Optimizer::set_state(const State& s, const std::vector<Parameter>& params) {
  auto mine = buffers();
  if (s.steps < 0) throw Error("the optimizer's step count is negative");
  if (s.names.size() != mine.size() || s.buffers.size() != mine.size())
    throw Error("the optimizer state has " + std::to_string(s.names.size()) + " buffers; " + config_.name + " keeps " +
                std::to_string(mine.size()));
  bool empty = true;
  for (std::size_t k = 0; k < mine.size(); ++k) {
    if (s.names[k] != mine[k].first)
      throw Error("the optimizer state holds '" + s.names[k] + "', not " + config_.name + "'s '" + mine[k].first + "'");
    if (s.buffers[k].empty()) continue;
    empty = false;
    if (s.buffers[k].size() != params.size())
      throw Error("the optimizer's '" + s.names[k] + "' has " + std::to_string(s.buffers[k].size()) +
                  " parameters; the network has " + std::to_string(params.size()));
    for (std::size_t i = 0; i < params.size(); ++i)
      if (s.buffers[k][i].size() != params[i].size)
        throw Error("the optimizer's '" + s.names[k] + "' for " + params[i].name + " has " +
                    std::to_string(s.buffers[k][i].size()) + " values; the parameter has " +
                    std::to_string(params[i].size));
  }
  if (!empty)
    for (std::size_t k = 0; k < mine.size(); ++k)
      if (s.buffers[k].empty()) throw Error("the optimizer's '" + s.names[k] + "' is missing");
  check_state(s);
  for (std::size_t k = 0; k < mine.size(); ++k) *mine[k].second = s.buffers[k];
  steps_ = s.steps;
  sized_ = !empty;  // an empty state is one before the first step: step() sizes it then
}

void Adam::check_state(const State& s) const {
  for (std::size_t k = 0; k < s.names.size(); ++k)
    if (s.names[k] == "v")
      for (const Vector& v : s.buffers[k])
        if ((v.array() < 0).any()) throw Error("adam's 'v' holds a negative value; it is a mean of squares");
}

namespace {
struct OptimizerEntry {
  const char* name;
  const char* description;
  std::function<std::unique_ptr<Optimizer>(const OptimizerConfig&)> make;
};
const std::vector<OptimizerEntry>& registry() {
  static const std::vector<OptimizerEntry> table = {
      {"sgd", "stochastic gradient descent with optional momentum and Nesterov",
       [](const OptimizerConfig& c) { return std::unique_ptr<Optimizer>(new Sgd(c)); }},
      {"adam", "Adam (Kingma & Ba 2015): per-parameter step sizes from gradient moments",
       [](const OptimizerConfig& c) { return std::unique_ptr<Optimizer>(new Adam(c)); }},
  };
  return table;
}
}  // namespace

std::string optimizer_names() {
  std::string s;
  for (const auto& e : registry()) s += (s.empty() ? "" : ", ") + std::string(e.name);
  return s;
}

std::unique_ptr<Optimizer> make_optimizer(const OptimizerConfig& c) {
  if (!(c.learning_rate > 0.0) || !std::isfinite(c.learning_rate))
    throw Error("learning rate must be a positive number (got " + std::to_string(c.learning_rate) + ")");
  if (!(c.momentum >= 0.0 && c.momentum < 1.0)) throw Error("momentum must be in [0, 1)");
  if (c.nesterov && c.momentum == 0.0) throw Error("Nesterov momentum needs --momentum > 0");
  if (!(c.weight_decay >= 0.0) || !std::isfinite(c.weight_decay)) throw Error("weight decay must be >= 0");
  if (!(c.clip_norm >= 0.0) || !std::isfinite(c.clip_norm))
    throw Error("clip norm must be >= 0 (0 turns clipping off)");
  if (!(c.beta1 >= 0 && c.beta1 < 1 && c.beta2 >= 0 && c.beta2 < 1 && c.epsilon > 0))
    throw Error("adam needs 0 <= beta1, beta2 < 1 and epsilon > 0");
  for (const auto& e : registry())
    if (c.name == e.name) return e.make(c);
  throw Error("unknown optimizer '" + c.name + "'; valid optimizers: " + optimizer_names());
}

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
