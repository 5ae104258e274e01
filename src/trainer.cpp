// The training loop. Mini-batches are gathered into buffers sized once, so after the first
// batch an epoch allocates nothing but what the callbacks do.
#include "mlp/trainer.hpp"

#include "mlp/error.hpp"
#include "mlp/parallel.hpp"

#include <chrono>
#include <cmath>
#include <numeric>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

constexpr Index kPrefetchAhead = 4;
void prefetch_row(const ConstMatrixRef& X, Index row) {
  const char* p = reinterpret_cast<const char*>(X.row(row).data());
  const Index bytes = X.cols() * static_cast<Index>(sizeof(Scalar));
  for (Index b = 0; b < bytes; b += 64) __builtin_prefetch(p + b);
}

std::vector<Vector> snapshot(const Network& net) {
  std::vector<Vector> s;
  for (const auto& p : net.parameters()) s.push_back(p.v());
  return s;
}
void restore(const Network& net, const std::vector<Vector>& s) {
  for (std::size_t i = 0; i < s.size(); ++i) net.parameters()[i].v() = s[i];
}
}  // namespace

FitResult fit(Network& net, const ConstMatrixRef& X, const ConstMatrixRef& Y, const ConstMatrixRef& Xval,
              const ConstMatrixRef& Yval, const FitOptions& o) {
  if (o.epochs < 1) throw Error("epochs must be at least 1");
  if (o.batch_size < 1) throw Error("batch size must be at least 1");
  if (X.rows() == 0) throw Error("no training samples");
  if (X.rows() != Y.rows()) throw Error("features and targets have different numbers of rows");
  if (!net.optimizer()) throw Error("the network has no optimizer");
  const bool has_val = Xval.rows() > 0;
  if (o.early_stopping > 0 && !has_val) throw Error("early stopping needs validation data");

  const Index n = X.rows();
  const Index B = std::min(o.batch_size, n);
  const Index batches = (n + B - 1) / B;
  std::vector<Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Index{0});
  Matrix Xb(B, X.cols()), Yb(B, Y.cols());  // (B, in), (B, targets)

  FitResult result;
  const double lr0 = net.optimizer()->learning_rate();
  double best = std::numeric_limits<double>::infinity();
  std::vector<Vector> best_weights;
  int since_best = 0;
  const auto start = Clock::now();

  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    const auto t0 = Clock::now();
    net.optimizer()->set_learning_rate(o.schedule.rate(lr0, epoch, o.epochs));
    if (o.shuffle) net.rng().shuffle(order);
    double sum = 0.0;
    for (Index k = 0; k < batches; ++k) {
      const Index first = k * B, rows = std::min(B, n - first);
      Scalar loss;
      if (o.shuffle) {
        parallel_for(rows, X.cols() >= 256 ? 16 : rows + 1, [&](Index r, Index end) {
          for (Index i = r; i < end; ++i) {
            // The rows are scattered over the whole data set, so each one is a cache (and TLB)
            // miss: ask for a row a few iterations ahead while copying this one.
            if (i + kPrefetchAhead < end) prefetch_row(X, order[static_cast<std::size_t>(first + i + kPrefetchAhead)]);
            Xb.row(i) = X.row(order[static_cast<std::size_t>(first + i)]);
            Yb.row(i) = Y.row(order[static_cast<std::size_t>(first + i)]);
          }
        });
        // The next batch's rows are scattered too: touch the first line of each now, so their
        // address translations and first fetches happen while this step multiplies matrices.
        // (Prefetching whole rows here stalls: 3,000 lines overflow the CPU's miss queue.)
        for (Index i = first + rows; i < std::min(n, first + rows + B); ++i)
          __builtin_prefetch(X.row(order[static_cast<std::size_t>(i)]).data());
        loss = net.train_step(Xb.topRows(rows), Yb.topRows(rows));
      } else {
        loss = net.train_step(X.middleRows(first, rows), Y.middleRows(first, rows));
      }
      if (!std::isfinite(loss))
        throw Error("training diverged: the loss became " + std::to_string(loss) + " in epoch " +
                    std::to_string(epoch + 1) + " (try a smaller --lr, or --clip-norm 1)");
      sum += static_cast<double>(loss) * static_cast<double>(rows);
      if (o.on_batch) o.on_batch(epoch + 1, k + 1, batches, sum / static_cast<double>(first + rows));
    }
    EpochReport r;
    r.epoch = epoch + 1;
    r.train_loss = sum / static_cast<double>(n);
    r.learning_rate = net.optimizer()->learning_rate();
    if (has_val) {
      r.val_loss = net.evaluate_loss(Xval, Yval);
      if (o.metric) r.val_metric = o.metric(net.predict(Xval), Yval);
    }
    r.seconds = since(t0);
    r.samples_per_second = static_cast<double>(n) / std::max(r.seconds, 1e-9);
    result.history.push_back(r);
    if (o.on_epoch) o.on_epoch(r);

    result.best_epoch = r.epoch;
    if (o.early_stopping > 0) {
      if (r.val_loss < best) {
        best = r.val_loss;
        best_weights = snapshot(net);
        since_best = 0;
      } else if (++since_best >= o.early_stopping) {
        result.stopped_early = true;
        break;
      }
    }
  }
  if (o.early_stopping > 0 && !best_weights.empty()) {
    restore(net, best_weights);
    for (const auto& r : result.history)
      if (r.val_loss == best) { result.best_epoch = r.epoch; break; }
  }
  result.seconds = since(start);
  return result;
}

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
