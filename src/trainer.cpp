// The training loop: for each epoch, set the learning rate, shuffle, take one step per
// mini-batch, then validate and decide whether to stop. Mini-batches are gathered into buffers
// sized once, so after the first batch an epoch allocates nothing but what the callbacks do.
#include "mlp/trainer.hpp"

#include "mlp/diagnostics.hpp"
#include "mlp/error.hpp"

#include "fast/gather.hpp"

#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void check_arguments(Network& net, const ConstMatrixRef& X, const ConstMatrixRef& Y, const ConstMatrixRef& Xval,
                     const FitOptions& o) {
  if (o.epochs < 1) throw Error("epochs must be at least 1");
  if (o.batch_size < 1) throw Error("batch size must be at least 1");
  if (X.rows() == 0) throw Error("no training samples");
  if (X.rows() != Y.rows()) throw Error("features and targets have different numbers of rows");
  if (!net.optimizer()) throw Error("the network has no optimizer");
  if (o.early_stopping > 0 && Xval.rows() == 0) throw Error("early stopping needs validation data");
}

// Early stopping: remembers the weights of the epoch with the lowest validation loss, and says
// when `patience` epochs have passed without a lower one.
class EarlyStopping {
 public:
  explicit EarlyStopping(int patience) : patience_(patience) {}

  // After an epoch: true when training should stop.
  bool should_stop(const Network& net, const EpochReport& r) {
    if (patience_ <= 0) return false;
    if (r.val_loss < best_loss_) {
      best_loss_ = r.val_loss;
      best_epoch_ = r.epoch;
      best_weights_.clear();
      for (const auto& p : net.parameters()) best_weights_.push_back(p.v());
      since_best_ = 0;
      return false;
    }
    return ++since_best_ >= patience_;
  }
  bool has_best() const { return best_epoch_ > 0; }
  // Puts the best epoch's weights back; returns that epoch.
  int restore_best(const Network& net) const {
    for (std::size_t i = 0; i < best_weights_.size(); ++i) net.parameters()[i].v() = best_weights_[i];
    return best_epoch_;
  }

 private:
  int patience_;
  double best_loss_ = std::numeric_limits<double>::infinity();
  int best_epoch_ = 0;
  int since_best_ = 0;
  std::vector<Vector> best_weights_;
};

}  // namespace

FitResult fit(Network& net, const ConstMatrixRef& X, const ConstMatrixRef& Y, const ConstMatrixRef& Xval,
              const ConstMatrixRef& Yval, const FitOptions& o) {
  check_arguments(net, X, Y, Xval, o);
  const Index n = X.rows();
  const Index B = std::min(o.batch_size, n);
  const Index batches = (n + B - 1) / B;
  std::vector<Index> order(static_cast<std::size_t>(n));  // the sample order of this epoch
  std::iota(order.begin(), order.end(), Index{0});
  Matrix Xb(B, X.cols()), Yb(B, Y.cols());  // (B, in), (B, targets): one shuffled mini-batch

  FitResult result;
  EarlyStopping early_stopping(o.early_stopping);
  const double lr0 = net.optimizer()->learning_rate();
  const auto start = Clock::now();

  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    const auto t0 = Clock::now();
    net.optimizer()->set_learning_rate(o.schedule.rate(lr0, epoch, o.epochs));
    if (o.shuffle) net.rng().shuffle(order);

    // One step per mini-batch: forward, loss, backward, update (Network::train_step).
    double sum = 0.0;
    if (o.train_metric) o.train_metric.reset();
    for (Index k = 0; k < batches; ++k) {
      const Index first = k * B, rows = std::min(B, n - first);
      Scalar loss;
      if (o.shuffle) {
        fast::gather_batch(X, Y, order, first, rows, Xb, Yb);  // Xb, Yb = rows order[first, first + rows)
        loss = net.train_step(Xb.topRows(rows), Yb.topRows(rows));
        if (o.train_metric) o.train_metric.add(net.layer(net.size() - 1).output(), Yb.topRows(rows));
      } else {
        loss = net.train_step(X.middleRows(first, rows), Y.middleRows(first, rows));
        if (o.train_metric) o.train_metric.add(net.layer(net.size() - 1).output(), Y.middleRows(first, rows));
      }
      if (o.diagnostics) o.diagnostics->after_step();
      if (!std::isfinite(loss))
        throw Error("training diverged in epoch " + std::to_string(epoch + 1) + ", batch " + std::to_string(k + 1) +
                    " of " + std::to_string(batches) + ": the loss became " +
                    (std::isnan(loss) ? "nan"
                     : loss > 0       ? "inf"
                                      : "-inf") +
                    " (the steps are too large: try a smaller --lr, or --clip-norm 1)");
      sum += static_cast<double>(loss) * static_cast<double>(rows);
      if (o.on_batch) o.on_batch(epoch + 1, k + 1, batches, sum / static_cast<double>(first + rows));
    }

    EpochReport r;
    r.epoch = epoch + 1;
    r.train_loss = sum / static_cast<double>(n);
    if (o.train_metric) r.train_metric = o.train_metric.value();
    r.learning_rate = net.optimizer()->learning_rate();
    if (Xval.rows() > 0) {
      r.val_loss = net.evaluate_loss(Xval, Yval);
      if (o.metric) r.val_metric = o.metric(net.predict(Xval), Yval);
    }
    r.seconds = since(t0);
    r.samples_per_second = static_cast<double>(n) / std::max(r.seconds, 1e-9);
    result.history.push_back(r);
    result.best_epoch = r.epoch;
    if (o.diagnostics) o.diagnostics->end_epoch(r.epoch);
    if (o.on_epoch) o.on_epoch(r);
    if (early_stopping.should_stop(net, r)) {
      result.stopped_early = true;
      break;
    }
  }
  if (early_stopping.has_best()) result.best_epoch = early_stopping.restore_best(net);
  result.seconds = since(start);
  return result;
}

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
