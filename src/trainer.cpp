// The training loop: for each epoch, set the learning rate, shuffle, take one step per
// mini-batch, then validate and decide whether to stop. Mini-batches are gathered into buffers
// sized once, so after the first batch an epoch allocates nothing but what the callbacks do.
#include "mlp/trainer.hpp"

#include "mlp/diagnostics.hpp"
#include "mlp/error.hpp"

#include "fast/gather.hpp"
#include "fast/prefault.hpp"

#include <algorithm>
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
  if (o.checkpoint_every < 1) throw Error("checkpoint_every must be at least 1");
  if (X.rows() == 0) throw Error("no training samples");
  if (X.rows() != Y.rows()) throw Error("features and targets have different numbers of rows");
  if (!net.optimizer()) throw Error("the network has no optimizer");
  if (o.early_stopping > 0 && Xval.rows() == 0) throw Error("early stopping needs validation data");
  // A sample order, the first epoch's or a resumed run's, must be a permutation of the rows.
  const auto check_order = [&](const std::vector<Index>& order, const char* whose) {
    if (order.size() != static_cast<std::size_t>(X.rows()))
      throw Error(std::string(whose) + " has a sample order of " + std::to_string(order.size()) +
                  " rows; the training data have " + std::to_string(X.rows()));
    std::vector<bool> seen(order.size(), false);
    for (Index i : order) {
      if (i < 0 || i >= X.rows() || seen[static_cast<std::size_t>(i)])
        throw Error(std::string(whose) + " has a sample order that is not a permutation of the rows");
      seen[static_cast<std::size_t>(i)] = true;
    }
  };
  if (!o.order.empty() && !o.resume) check_order(o.order, "the first epoch");
  if (const TrainingProgress* r = o.resume) {
    check_order(r->order, "the progress to resume");
    if (r->epoch < 0 || r->batch < 0 || (r->batch > 0 && r->epoch >= o.epochs))
      throw Error("the progress to resume is in epoch " + std::to_string(r->epoch + 1) + " of a run of " +
                  std::to_string(o.epochs));
    if (!r->best_weights.empty()) {
      const auto& params = net.parameters();
      bool fits = r->best_weights.size() == params.size();
      for (std::size_t i = 0; fits && i < params.size(); ++i) fits = r->best_weights[i].size() == params[i].size;
      if (!fits) throw Error("the progress to resume has best weights of another shape than the network's");
    }
  }
}

// Early stopping, on the progress: remembers the weights of the epoch with the lowest validation
// loss, and says when `patience` epochs have passed without a lower one.
bool should_stop_early(TrainingProgress& s, const Network& net, const EpochReport& r, int patience) {
  if (patience <= 0) return false;
  if (r.val_loss < s.best_loss) {
    s.best_loss = r.val_loss;
    s.best_epoch = r.epoch;
    s.best_weights.clear();
    for (const auto& p : net.parameters()) s.best_weights.push_back(p.v());
    s.since_best = 0;
    return false;
  }
  return ++s.since_best >= patience;
}

const char* non_finite(double x) { return std::isnan(x) ? "nan" : x > 0 ? "inf" : "-inf"; }

}  // namespace

Diverged::Diverged(int e, Index b, Index batches, const std::string& what)
    : Error("training diverged in epoch " + std::to_string(e) + ", batch " + std::to_string(b) + " of " +
            std::to_string(batches) + ": " + what + " (the steps are too large: try a smaller --lr, or --clip-norm 1)"),
      epoch(e),
      batch(b) {}

FitResult fit(Network& net, const ConstMatrixRef& X, const ConstMatrixRef& Y, const ConstMatrixRef& Xval,
              const ConstMatrixRef& Yval, const FitOptions& o) {
  check_arguments(net, X, Y, Xval, o);
  const Index n = X.rows();
  const Index B = std::min(o.batch_size, n);
  const Index batches = (n + B - 1) / B;
  // A single batch of every row has the same gradient in any order: no shuffle, no copy.
  const bool shuffle = o.shuffle && batches > 1;
  Matrix Xb(B, X.cols()), Yb(B, Y.cols());  // (B, in), (B, targets): one shuffled mini-batch

  // s is where the run stands; a fresh one starts at epoch 0 with the samples in file order.
  TrainingProgress s;
  if (o.resume && o.resume->batch >= batches)
    throw Error("the progress to resume is after batch " + std::to_string(o.resume->batch) + " of an epoch of " +
                std::to_string(batches));
  if (o.resume) {
    s = *o.resume;
  } else if (!o.order.empty()) {
    s.order = o.order;
  } else {
    s.order.resize(static_cast<std::size_t>(n));
    std::iota(s.order.begin(), s.order.end(), Index{0});
  }
  // The history's room for every epoch (up to 100,000), taken once: growing it by doubling would
  // copy it and touch fresh pages again and again, which on a tiny net was most of an epoch's time.
  s.history.reserve(static_cast<std::size_t>(std::min(o.epochs, 100000)));
  fast::prefault(s.history.data(), s.history.capacity() * sizeof(EpochReport));  // one call, not a fault a page
  FitResult result;
  const double lr0 = net.optimizer()->learning_rate();
  // The epoch's loss is the mean over its batches, each counted by its weight (Loss::weight: its
  // rows, or with class weights their sum), so that it is the mean over every row, as val_loss is.
  const double epoch_weight = net.loss().weight(Y);
  const auto start = Clock::now();
  const auto finish = [&] {
    if (s.best_epoch > 0 && !result.interrupted) {  // the best epoch's weights, back in the network
      for (std::size_t i = 0; i < s.best_weights.size(); ++i) net.parameters()[i].v() = s.best_weights[i];
      result.best_epoch = s.best_epoch;
    } else {
      result.best_epoch = s.epoch;
    }
    result.history = std::move(s.history);  // the progress keeps the rest of the state
    result.stopped_early = s.stopped_early;
    result.seconds = since(start);
    result.progress = std::move(s);
    return result;
  };

  for (int epoch = s.epoch; epoch < o.epochs && !s.stopped_early; ++epoch) {
    const auto t0 = Clock::now();
    net.optimizer()->set_learning_rate(o.schedule.rate(lr0, epoch, o.epochs));
    double weight_done = 0;  // of the batches done this epoch: what s.loss_sum is divided by
    if (s.batch == 0) {      // a new epoch; otherwise one resumed where it was interrupted
      if (shuffle) net.rng().shuffle(s.order);
      s.loss_sum = 0;
      s.seconds = 0;
      if (o.train_metric) o.train_metric.reset();
    } else {
      for (Index i = 0; i < s.batch * B; ++i)
        weight_done +=
            static_cast<double>(net.loss().sample_weight(Y, shuffle ? s.order[static_cast<std::size_t>(i)] : i));
      if (o.train_metric) o.train_metric.set_sums(s.metric);
    }

    // One step per mini-batch: forward, loss, backward, update (Network::train_step).
    for (Index k = s.batch; k < batches; ++k) {
      const Index first = k * B, rows = std::min(B, n - first);
      Scalar loss;
      double weight;
      if (shuffle) {
        fast::gather_batch(X, Y, s.order, first, rows, Xb, Yb);  // Xb, Yb = rows order[first, first + rows)
        loss = net.train_step(Xb.topRows(rows), Yb.topRows(rows));
        weight = net.loss().weight(Yb.topRows(rows));
        if (o.train_metric) o.train_metric.add(net.layer(net.size() - 1).output(), Yb.topRows(rows));
      } else {
        loss = net.train_step(X.middleRows(first, rows), Y.middleRows(first, rows));
        weight = net.loss().weight(Y.middleRows(first, rows));
        if (o.train_metric) o.train_metric.add(net.layer(net.size() - 1).output(), Y.middleRows(first, rows));
      }
      if (o.diagnostics) o.diagnostics->after_step();
      if (!std::isfinite(loss))
        throw Diverged(epoch + 1, k + 1, batches, std::string("the loss became ") + non_finite(loss));
      s.loss_sum += static_cast<double>(loss) * weight;
      weight_done += weight;
      s.batch = k + 1;
      if (o.on_batch) o.on_batch(epoch + 1, k + 1, batches, s.loss_sum / weight_done);
      if (k + 1 < batches && o.interrupted && o.interrupted()) {  // stop between two batches
        if (o.train_metric) s.metric = o.train_metric.sums();
        s.seconds += since(t0);
        result.interrupted = true;
        if (o.checkpoint) o.checkpoint(s);
        return finish();
      }
    }
    // A last step can leave non-finite weights behind a finite loss; no checkpoint may take them.
    for (const auto& p : net.parameters())
      if (!p.v().allFinite())
        throw Diverged(epoch + 1, batches, batches, "the weights of " + p.name + " became nan or infinite");

    EpochReport r;
    r.epoch = epoch + 1;
    r.train_loss = s.loss_sum / epoch_weight;
    if (o.train_metric) r.train_metric = o.train_metric.value();
    r.learning_rate = net.optimizer()->learning_rate();
    if (Xval.rows() > 0) {
      r.val_loss = net.evaluate_loss(Xval, Yval);
      if (o.metric) r.val_metric = o.metric(net.predict(Xval), Yval);
    }
    r.seconds = s.seconds + since(t0);
    r.samples_per_second = static_cast<double>(n) / std::max(r.seconds, 1e-9);
    s.history.push_back(r);
    s.epoch = r.epoch;
    s.batch = 0;
    s.metric.clear();
    if (o.diagnostics) o.diagnostics->end_epoch(r.epoch);
    if (o.on_epoch) o.on_epoch(r);
    s.stopped_early = should_stop_early(s, net, r, o.early_stopping);
    const bool interrupted = o.interrupted && o.interrupted();
    if (o.checkpoint && (s.epoch % o.checkpoint_every == 0 || s.epoch == o.epochs || s.stopped_early || interrupted))
      o.checkpoint(s);
    if (interrupted && s.epoch < o.epochs && !s.stopped_early) {
      result.interrupted = true;
      break;
    }
  }
  return finish();
}

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
