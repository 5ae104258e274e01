// The training loop: epochs of shuffled mini-batches, a learning-rate schedule, validation,
// early stopping with the best weights restored, and callbacks for progress and history.
#pragma once

#include "mlp/error.hpp"
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
  // Its sums so far and their restoring, for a checkpoint taken in the middle of an epoch.
  std::function<std::vector<double>()> sums;
  std::function<void(const std::vector<double>&)> set_sums;  // throws mlp::Error for a wrong count
  explicit operator bool() const { return static_cast<bool>(add); }
};

// Where a run stands between two batches. With the network's weights, its rng (shuffling and
// dropout) and its optimizer's state, this is everything fit() needs to go on exactly as if it had
// never stopped: what a checkpoint holds (io/checkpoint.hpp).
struct TrainingProgress {
  int epoch = 0;               // epochs completed
  Index batch = 0;             // batches completed of the epoch under way; 0 between epochs
  double loss_sum = 0;         // Σ loss·weight over those batches (Loss::weight: rows, or Σ class weights)
  std::vector<double> metric;  // the running training metric's sums over them (RunningMetric::sums)
  double seconds = 0;          // spent on them
  std::vector<Index> order;    // the sample order of the epoch under way (or the last one)
  std::vector<EpochReport> history;
  bool stopped_early = false;  // early stopping ended the run: there is nothing left to train
  // Early stopping: the lowest validation loss so far, its epoch and weights (one Vector per
  // parameter, as Network::parameters()), and the epochs since.
  double best_loss = std::numeric_limits<double>::infinity();
  int best_epoch = 0;
  int since_best = 0;
  std::vector<Vector> best_weights;
};

struct FitOptions {
  int epochs = 100;  // in all, counting those a resumed run has already done
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

  // The sample order the first epoch's shuffle starts from, a permutation of the rows (empty: the
  // rows as they are, 0, 1, 2...). With it, X may hold its rows in another order (train.cpp keeps
  // them in file order) and the batches are those of X built in this order. A fresh run's only.
  std::vector<Index> order;
  // Continuing a run: where it stood (the network must already hold its weights, rng and optimizer
  // state). Not owned; null = a fresh start.
  const TrainingProgress* resume = nullptr;
  // Called with the network as it is (not yet the best weights) at the end of every
  // checkpoint_every-th epoch, at the last epoch, and when the run is interrupted.
  std::function<void(const TrainingProgress&)> checkpoint;
  int checkpoint_every = 1;
  // Asked after every batch: true stops the run there (a Ctrl-C), with the network left as it is
  // so that the checkpoint resumes it exactly.
  std::function<bool()> interrupted;
};

struct FitResult {
  std::vector<EpochReport> history;
  int best_epoch = 0;  // the epoch whose weights the network holds (early stopping)
  bool stopped_early = false;
  bool interrupted = false;  // by FitOptions::interrupted; the network holds the last batch's weights
  double seconds = 0;
  TrainingProgress progress;  // where the run ended (its history moved to `history` above)
};

// The loss became NaN or infinite (or the weights did): where, and what to try. fit() throws it
// before any checkpoint could take the diverged weights.
class Diverged : public Error {
 public:
  Diverged(int epoch, Index batch, Index batches, const std::string& what);
  int epoch;
  Index batch;
};

// Trains net on (X, Y); Xval/Yval may be empty (0 rows). Throws mlp::Error on bad options, and
// Diverged if the loss becomes NaN or infinite.
FitResult fit(Network& net, const ConstMatrixRef& X, const ConstMatrixRef& Y, const ConstMatrixRef& Xval,
              const ConstMatrixRef& Yval, const FitOptions& options);

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
