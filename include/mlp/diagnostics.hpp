// What training does inside a network, per hidden layer and epoch: dead units, sparsity,
// saturation, gradient norms, update sizes, the activations' mean and spread. The numbers behind
// the lessons of the activation lab (why ReLU displaced sigmoid, how ReLU units die). Gathered
// from each step's Z, A and gradients as the step computes them: no second pass over the data,
// nothing allocated after the first step (tests/test_diagnostics.cpp checks both).
#pragma once

#include "mlp/network.hpp"

#include <limits>
#include <string>
#include <vector>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

// One hidden Dense layer over one epoch. A unit is
//   dead       when no gradient reached it on any sample: f′(z) = 0 and f(z) ≤ 0 every time (a
//              ReLU unit whose output was exactly 0 all epoch; leaky ReLU and ELU units never die);
//   saturated  when |f′(z)| < 0.01 on at least 90% of the samples while its output was not 0 (a
//              sigmoid or tanh unit stuck near its bounds: the vanishing-gradient regime).
struct LayerStats {
  int layer = 0;           // 1-based, counting Dense layers: "layer 2"
  std::string name;        // "dense_2"
  std::string activation;  // its spec
  Index units = 0;
  double dead = 0;          // share of units dead all epoch, in [0, 1]
  double sparsity = 0;      // share of activations exactly 0, over every sample and unit
  double saturated = 0;     // share of units saturated (dead ones are counted as dead only)
  double grad_norm = 0;     // ‖dW‖ (Frobenius), mean over the epoch's steps
  double update_ratio = 0;  // ‖ΔW‖ / ‖W‖ of a step, mean over the epoch's first step and every
                            // kUpdateSample-th after it (measuring ΔW costs a copy of W)
  double mean = 0, sd = 0;  // of the activations, over every sample and unit: zero-centring
  double param_mean = std::numeric_limits<double>::quiet_NaN();  // learned slope/beta; NaN if none
};

// The update ratio is measured on the first step of each epoch and every kUpdateSample-th step
// after it: with ΔW measured on every step, diagnostics cost ~10% of the training time instead of
// ~3% (bench/README.md).
constexpr int kUpdateSample = 8;

struct EpochStats {
  int epoch = 0;  // 1-based
  std::vector<LayerStats> layers;
};

// The warnings of a run, from its history alone (Diagnostics::warnings): each names the layer,
// the epoch and a remedy, for units dead or saturated in most of a layer (≥ 50%), updates too
// large for the weights (‖ΔW‖/‖W‖ ≥ 0.1 per step), and gradients vanishing or exploding between the
// first and the last hidden layer in the first epoch (a ratio of their ‖dW‖ beyond 100 either way).
std::vector<std::string> diagnostic_warnings(const std::vector<EpochStats>& history);

class Diagnostics {
 public:
  // Watches the hidden Dense layers of net (every Dense layer but the output one) and asks its
  // optimizer for the norms of each step. The network must have its layers and optimizer.
  explicit Diagnostics(Network& net);
  // Stops the optimizer's measuring: the network must outlive its diagnostics.
  ~Diagnostics();
  Diagnostics(const Diagnostics&) = delete;
  Diagnostics& operator=(const Diagnostics&) = delete;

  // Called by fit() (FitOptions::diagnostics): after every training step, and at each epoch's end.
  void after_step();
  EpochStats end_epoch(int epoch);

  const std::vector<EpochStats>& history() const { return history_; }
  // The epochs before this process's, for a run resumed from a checkpoint.
  void set_history(std::vector<EpochStats> earlier) { history_ = std::move(earlier); }
  // Plain-language warnings for the run so far, each naming the layer, the epoch and a remedy:
  // units dead or saturated in most of a layer, gradients vanishing or exploding from the last
  // hidden layer to the first, updates too large for the weights. Empty for a healthy run.
  std::vector<std::string> warnings() const;

  // A compact table of the last epoch, one line per hidden layer, with the first epoch's gradient norm
  // beside the last's.
  std::string table() const;
  // The whole history as CSV, one row per (epoch, layer), with a header naming each column.
  std::string csv() const;

 private:
  struct Watch {  // one hidden layer and what has been gathered for it this epoch
    const Dense* dense = nullptr;
    int layer = 0;
    std::size_t weight = 0;                             // index of its W among the network's parameters
    Matrix ones, derivative;                            // (≥B, units) dA = 1, and f′(Z) computed from it
    RowVector step_off, step_flat;                      // (1, units) this step's counts, in Scalar: they vectorise
    Eigen::Array<double, 1, Eigen::Dynamic> off, flat;  // (1, units) samples with the unit off / flat
    double zeros = 0, sum = 0, sum_sq = 0, grad_norm = 0, update_ratio = 0;
  };
  void reset_epoch();

  Network& net_;
  std::vector<Watch> watch_;
  double samples_ = 0;  // this epoch's
  long steps_ = 0;      // this epoch's
  long sampled_ = 0;    // this epoch's steps whose update was measured
  std::vector<EpochStats> history_;
};

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
