// Optimizers update (value, gradient) pairs; they know nothing of layers. Their state (velocity,
// moments) is sized on the first step and reused after. Both follow torch.optim's update rules,
// so a run can be compared step for step with PyTorch.
#pragma once

#include "mlp/parameter.hpp"

#include <memory>
#include <string>
#include <vector>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

struct OptimizerConfig {
  std::string name = "sgd";  // "sgd" or "adam"
  double learning_rate = 0.01;
  double momentum = 0.0;      // sgd
  bool nesterov = false;      // sgd, needs momentum > 0
  double weight_decay = 0.0;  // L2: adds weight_decay·w to every gradient
  double clip_norm = 0.0;     // rescale all gradients together when their global L2 norm exceeds it; 0 = off
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;  // adam
};

class Optimizer {
 public:
  explicit Optimizer(const OptimizerConfig& config) : config_(config) {}
  virtual ~Optimizer() = default;

  // One update of every parameter from its gradient.
  void step(const std::vector<Parameter>& params);

  double learning_rate() const { return config_.learning_rate; }
  void set_learning_rate(double lr) { config_.learning_rate = lr; }
  const OptimizerConfig& config() const { return config_; }
  // The global gradient norm seen by the last step, before clipping (computed only when
  // clipping is on: it costs a pass over every gradient; NaN otherwise).
  double last_gradient_norm() const { return last_norm_; }

  // What the next steps do to each parameter (same index), measured when asked, for Diagnostics:
  // Gradient: Σ (∂L/∂w)²; Update: also Σ w² before the step and Σ (Δw)², which costs a copy of
  // the weights (Diagnostics asks for it on a sample of the steps: bench/README.md). Nothing by
  // default, and then nothing is spent; otherwise each parameter is updated in chunks that stay in
  // the L1 cache while measured.
  enum class Measure { Nothing, Gradient, Update };
  struct StepNorms {
    double grad_sq = 0, value_sq = 0, delta_sq = 0;
    bool update_measured = false;  // value_sq and delta_sq hold this step's
  };
  void measure_steps(Measure what) { measure_ = what; }
  const std::vector<StepNorms>& step_norms() const { return norms_; }

  // What the next steps depend on besides the weights, for checkpoints: the step count (Adam's
  // bias correction) and each parameter's buffers by name: SGD's "velocity", Adam's "m" and "v".
  // buffers[k][i] is buffer k of parameter i; all are empty before the first step.
  struct State {
    long steps = 0;
    std::vector<std::string> names;
    std::vector<std::vector<Vector>> buffers;  // [buffer][parameter], each of the parameter's size
  };
  State state() const;
  // Puts back a state() of the same optimizer on the same parameters; mlp::Error names what does
  // not fit (another optimizer's buffers, another size).
  void set_state(const State& state, const std::vector<Parameter>& params);

 protected:
  // Updates elements [first, end) of parameter i (its state lives at the same index) from the
  // effective gradient
  //   g = grad_scale · ∂L/∂w + weight_decay · w
  // computed element by element inside the update's single pass over memory (the parameter's
  // gradient itself is left as backward wrote it).
  virtual void update(std::size_t i, const Parameter& p, Index first, Index end, Scalar grad_scale,
                      Scalar weight_decay) = 0;
  virtual void resize_state(const std::vector<Parameter>& params) = 0;
  // The named per-parameter buffers state() copies and set_state() fills.
  virtual std::vector<std::pair<std::string, std::vector<Vector>*>> buffers() = 0;
  // Throws mlp::Error for buffer values no step could have made (set_state has checked the shapes).
  virtual void check_state(const State&) const {}

  OptimizerConfig config_;
  long steps_ = 0;

 private:
  StepNorms measured_update(std::size_t i, const Parameter& p, Scalar grad_scale, Scalar weight_decay);
  double last_norm_ = 0.0;
  bool sized_ = false;
  Measure measure_ = Measure::Nothing;
  std::vector<StepNorms> norms_;
};

// v ← μ·v + g;  w ← w − lr·(g + μ·v) with Nesterov, w ← w − lr·v without (μ = 0: plain SGD).
class Sgd : public Optimizer {
 public:
  using Optimizer::Optimizer;

 private:
  void update(std::size_t i, const Parameter& p, Index first, Index end, Scalar grad_scale,
              Scalar weight_decay) override;
  void resize_state(const std::vector<Parameter>& params) override;
  std::vector<std::pair<std::string, std::vector<Vector>*>> buffers() override { return {{"velocity", &velocity_}}; }
  std::vector<Vector> velocity_;
};

// m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  w ← w − lr·m̂/(√v̂ + ε), hats = bias-corrected.
class Adam : public Optimizer {
 public:
  using Optimizer::Optimizer;

 private:
  void update(std::size_t i, const Parameter& p, Index first, Index end, Scalar grad_scale,
              Scalar weight_decay) override;
  void resize_state(const std::vector<Parameter>& params) override;
  std::vector<std::pair<std::string, std::vector<Vector>*>> buffers() override { return {{"m", &m_}, {"v", &v_}}; }
  void check_state(const State& state) const override;  // v, a mean of squares, is >= 0
  std::vector<Vector> m_, v_;
};

// The optimizer registry: "sgd", "adam". Throws mlp::Error for an unknown name or bad values.
std::unique_ptr<Optimizer> make_optimizer(const OptimizerConfig& config);
std::string optimizer_names();

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
