// SGD (momentum, Nesterov, L2) and Adam, with gradient clipping by global norm.
#include "mlp/optimizer.hpp"

#include "mlp/error.hpp"

#include <cmath>
#include <functional>

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
  double sq = 0.0;
  for (const auto& p : params) sq += static_cast<double>(p.g().squaredNorm());
  last_norm_ = std::sqrt(sq);
  const Scalar clip = (config_.clip_norm > 0.0 && last_norm_ > config_.clip_norm)
                          ? static_cast<Scalar>(config_.clip_norm / last_norm_)
                          : Scalar(1);
  const Scalar wd = static_cast<Scalar>(config_.weight_decay);
  for (std::size_t i = 0; i < params.size(); ++i) {
    Eigen::Map<Vector> g = params[i].g();
    if (clip != Scalar(1)) g *= clip;
    if (wd != Scalar(0)) g += wd * params[i].v();
    update(i, params[i], g);
  }
}

void Sgd::resize_state(const std::vector<Parameter>& params) {
  velocity_.clear();
  for (const auto& p : params) velocity_.push_back(Vector::Zero(p.size));
}

void Sgd::update(std::size_t i, const Parameter& p, Eigen::Map<Vector> g) {
  const Scalar lr = static_cast<Scalar>(config_.learning_rate);
  const Scalar mu = static_cast<Scalar>(config_.momentum);
  if (mu == Scalar(0)) {
    p.v() -= lr * g;
    return;
  }
  Vector& v = velocity_[i];
  // As torch.optim.SGD: the first step sets v = g (so v starts as the gradient, not 0·μ + g;
  // the same thing with v zero-initialised).
  v = mu * v + g;
  if (config_.nesterov)
    p.v() -= lr * (g + mu * v);
  else
    p.v() -= lr * v;
}

void Adam::resize_state(const std::vector<Parameter>& params) {
  m_.clear();
  v_.clear();
  for (const auto& p : params) {
    m_.push_back(Vector::Zero(p.size));
    v_.push_back(Vector::Zero(p.size));
  }
}

void Adam::update(std::size_t i, const Parameter& p, Eigen::Map<Vector> g) {
  const Scalar b1 = static_cast<Scalar>(config_.beta1), b2 = static_cast<Scalar>(config_.beta2);
  m_[i] = b1 * m_[i] + (Scalar(1) - b1) * g;
  v_[i] = b2 * v_[i] + (Scalar(1) - b2) * g.cwiseAbs2();
  const double t = static_cast<double>(steps_);
  const Scalar step = static_cast<Scalar>(config_.learning_rate / (1.0 - std::pow(config_.beta1, t)));
  const Scalar root_bias = static_cast<Scalar>(std::sqrt(1.0 - std::pow(config_.beta2, t)));
  const Scalar eps = static_cast<Scalar>(config_.epsilon);
  // torch: w -= lr/bc1 · m / (sqrt(v)/sqrt(bc2) + eps)
  p.v().array() -= step * m_[i].array() / (v_[i].array().sqrt() / root_bias + eps);
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
  if (!(c.clip_norm >= 0.0) || !std::isfinite(c.clip_norm)) throw Error("clip norm must be >= 0 (0 turns clipping off)");
  if (!(c.beta1 >= 0 && c.beta1 < 1 && c.beta2 >= 0 && c.beta2 < 1 && c.epsilon > 0))
    throw Error("adam needs 0 <= beta1, beta2 < 1 and epsilon > 0");
  for (const auto& e : registry())
    if (c.name == e.name) return e.make(c);
  throw Error("unknown optimizer '" + c.name + "'; valid optimizers: " + optimizer_names());
}

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
