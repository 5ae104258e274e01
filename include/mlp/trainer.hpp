// The training loop: epochs of shuffled mini-batches, a learning-rate schedule, validation,
// early stopping with the best weights restored, and callbacks for progress and history.
#pragma once

#include "mlp/network.hpp"
#include "mlp/schedule.hpp"

#include <functional>
#include <limits>
#include <vector>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

class Diagnostics;

struct EpochReport {
  int epoch = 0;  // 1-based
  double train_loss = 0;
  double val_loss = std::numeric_limits<double>::quiet_NaN();
  double val_metric = std::numeric_limits<double>::quiet_NaN();
  double train_metric = std::numeric_limits<double>::quiet_NaN();  // FitOptions::train_metric's
  double learning_rate = 0;
  double seconds = 0;
  double samples_per_second = 0;
};

// A metric of the training set gathered over an epoch's batches as they are trained on, as the
// running train_loss is (and as Keras reports its training accuracy): reset() as the epoch starts,
// add() after each step with that batch's outputs P (B, outputs) and targets Y (B, ·), value() as
// it ends. The weights move during the epoch, so it lags the end-of-epoch value a little; it costs
// no second pass over the data. add() runs in the training loop: it must not allocate.
struct RunningMetric {
  std::function<void()> reset;
  std::function<void(const ConstMatrixRef& P, const ConstMatrixRef& Y)> add;
  std::function<double()> value;
  explicit operator bool() const { return static_cast<bool>(add); }
};

struct FitOptions {
  int epochs = 100;
  Index batch_size = 32;
  bool shuffle = true;
  Schedule schedule = parse_schedule("constant");
  int early_stopping = 0;  // patience in epochs on the validation loss; 0 = off
  // Called after every batch (epoch, batches done, batches in the epoch, running mean loss).
  std::function<void(int, Index, Index, double)> on_batch;
  std::function<void(const EpochReport&)> on_epoch;
  // Validation metric from predictions (N, outputs) and targets (N, ·); higher is better.
  std::function<double(const Matrix&, const ConstMatrixRef&)> metric;
  // The training set's metric, gathered as the batches go by (empty = none).
  RunningMetric train_metric;
  // When set, gathers each hidden layer's statistics after every step and closes each epoch's
  // before on_epoch is called (diagnostics.hpp). Not owned.
  Diagnostics* diagnostics = nullptr;
};

struct FitResult {
  std::vector<EpochReport> history;
  int best_epoch = 0;  // the epoch whose weights the network holds (early stopping)
  bool stopped_early = false;
  double seconds = 0;
};

// Trains net on (X, Y); Xval/Yval may be empty (0 rows). Throws mlp::Error on bad options or if
// the loss becomes NaN or infinite (with advice: lower the learning rate, clip the gradients).
FitResult fit(Network& net, const ConstMatrixRef& X, const ConstMatrixRef& Y, const ConstMatrixRef& Xval,
              const ConstMatrixRef& Yval, const FitOptions& options);

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
