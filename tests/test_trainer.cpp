// The training loop on problems small enough to follow by hand: early stopping (which epoch it
// keeps, when it stops), the per-epoch learning rate, and the losses it reports.
#include "mlp/trainer.hpp"

#include "mlp/io/metrics.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace mlp;

namespace {

// y = w·x + b, one weight and one bias, trained by full-batch SGD on mse. Started at w = -1 with
// targets y = 2x (mean x = 0, mean x² = 0.625), each epoch moves w a tenth of the way to 2,
// w_t = 2 - 3·0.9^t, and b stays 0 (its gradient is 2b). Validation targets are y = 0.5x, so
// the validation loss (w_t - 0.5)²·0.625 falls until w passes 0.5 (between epochs 6 and 7) and
// rises after: early stopping has a best epoch (7) to find and keep.
struct Line {
  Matrix X{4, 1}, Y{4, 1}, Yval{4, 1};  // (4, 1) each
  Network net{1, 3};
  Line() {
    X << -1, -0.5, 0.5, 1;
    Y = 2 * X;
    Yval = Scalar(0.5) * X;
    net.add_dense(1, "identity");
    net.dense(0)->W(0, 0) = -1;
    net.set_loss(parse_loss("mse"));
    OptimizerConfig c;
    c.learning_rate = 0.08;  // 2·lr·mean(x²) = 0.1
    net.set_optimizer(make_optimizer(c));
  }
};

FitOptions full_batch(int epochs, int patience) {
  FitOptions o;
  o.epochs = epochs;
  o.batch_size = 4;
  o.early_stopping = patience;
  return o;
}

double lowest_val_loss(const FitResult& r) {
  double best = std::numeric_limits<double>::infinity();
  for (const auto& e : r.history) best = std::min(best, e.val_loss);
  return best;
}

}  // namespace

TEST_CASE("trainer: early stopping keeps the best epoch's weights and stops patience epochs after it") {
  for (int patience : {1, 3}) {
    CAPTURE(patience);
    Line line;
    const FitResult r = fit(line.net, line.X, line.Y, line.X, line.Yval, full_batch(100, patience));
    REQUIRE(r.stopped_early);
    CHECK(r.best_epoch == 7);  // w_7 = 0.565 is the closest to 0.5 (w_6 = 0.406, w_8 = 0.709)
    REQUIRE(r.best_epoch >= 1);
    REQUIRE(r.best_epoch <= static_cast<int>(r.history.size()));
    const double best = r.history[static_cast<std::size_t>(r.best_epoch - 1)].val_loss;
    CHECK(best == lowest_val_loss(r));
    CHECK(r.history.size() == static_cast<std::size_t>(r.best_epoch + patience));
    CHECK(r.history.back().val_loss > best);  // the last epoch's weights are worse: what is kept matters
    // The network holds the best epoch's weights: the same weights give the same loss, bit for bit.
    CHECK(line.net.evaluate_loss(line.X, line.Yval) == best);
    CHECK(line.net.dense(0)->W(0, 0) == doctest::Approx(2 - 3 * std::pow(0.9, 7)).epsilon(1e-4));
  }
}

TEST_CASE("trainer: without a worse epoch, early stopping runs every epoch and keeps the last") {
  Line line;
  const FitResult r = fit(line.net, line.X, line.Y, line.X, line.Y, full_batch(20, 3));  // val = train
  CHECK_FALSE(r.stopped_early);
  CHECK(r.history.size() == 20);
  CHECK(r.best_epoch == 20);
  CHECK(line.net.evaluate_loss(line.X, line.Y) == r.history.back().val_loss);
}

TEST_CASE("trainer: a shuffled epoch takes every sample once") {
  // With mae and targets far above every prediction, each batch's gradient is -mean(x) over its
  // rows whatever the weights, so one epoch of SGD adds lr·Σx/B to w in any order. The inputs are
  // powers of two: no other choice of rows sums to the same, so a batch gathered from the wrong
  // rows shows.
  Line line;
  line.net.set_loss(parse_loss("mae"));
  Matrix X(8, 1), Y(8, 1);
  X << 1, 2, 4, 8, 16, 32, 64, 128;
  Y.setConstant(1e6);
  FitOptions o = full_batch(1, 0);
  o.batch_size = 2;
  const FitResult r = fit(line.net, X, Y, Matrix(0, 1), Matrix(0, 1), o);
  REQUIRE(r.history.size() == 1);
  CHECK(line.net.dense(0)->W(0, 0) == doctest::Approx(-1 + 0.08 * 255 / 2).epsilon(1e-6));
  CHECK(line.net.dense(0)->b(0) == doctest::Approx(0.08 * 4).epsilon(1e-6));  // 4 batches, each +lr
}

TEST_CASE("trainer: each epoch's learning rate follows the schedule from epoch 0") {
  Line line;
  FitOptions o = full_batch(5, 0);
  o.schedule = parse_schedule("step:2:0.5");
  const FitResult r = fit(line.net, line.X, line.Y, line.X, line.Yval, o);
  REQUIRE(r.history.size() == 5);
  const double expected[] = {0.08, 0.08, 0.04, 0.04, 0.02};
  for (std::size_t e = 0; e < 5; ++e) {
    CAPTURE(e);
    CHECK(r.history[e].epoch == static_cast<int>(e) + 1);
    CHECK(r.history[e].learning_rate == doctest::Approx(expected[e]));
  }
}

TEST_CASE("trainer: an epoch's train loss is the mean over samples of the batch losses") {
  // Five rows in batches of 3 and 2, unshuffled: the loss of each batch, taken before its step,
  // weighted by its rows. A second network takes the same steps by hand.
  Line fitted, by_hand;
  Matrix X(5, 1), Y(5, 1);
  X << -1, -0.5, 0, 0.5, 1;
  Y = 2 * X;
  FitOptions o = full_batch(1, 0);
  o.batch_size = 3;
  o.shuffle = false;
  const FitResult r = fit(fitted.net, X, Y, Matrix(0, 1), Matrix(0, 1), o);
  const double first = by_hand.net.train_step(X.topRows(3), Y.topRows(3));
  const double second = by_hand.net.train_step(X.bottomRows(2), Y.bottomRows(2));
  REQUIRE(r.history.size() == 1);
  CHECK(r.history[0].train_loss == doctest::Approx((3 * first + 2 * second) / 5));
  CHECK(std::isnan(r.history[0].val_loss));  // no validation data
  CHECK(fitted.net.dense(0)->W == by_hand.net.dense(0)->W);
}

TEST_CASE("trainer: with class weights, an epoch's train loss counts each batch by its weight, not its rows") {
  // Five rows in batches of 3 and 2, unshuffled, classes weighing 1 and 4: batch 1 (labels 0 0 1)
  // weighs 6, batch 2 (labels 1 1) weighs 8, and the epoch's loss is (6 L_1 + 8 L_2)/14, the mean
  // of Σ w_y L over all five rows as the batches were trained. Counted by rows it would be
  // (3 L_1 + 2 L_2)/5.
  const auto make = [] {
    Network net(1, 3);
    net.add_dense(2, "softmax");
    Loss loss = parse_loss("cross_entropy");
    loss.class_weight = RowVector(2);
    loss.class_weight << 1, 4;
    net.set_loss(loss);
    OptimizerConfig c;
    c.learning_rate = 0.5;  // large steps: the two batch losses differ a lot
    net.set_optimizer(make_optimizer(c));
    return net;
  };
  Network fitted = make(), by_hand = make();
  Matrix X(5, 1), Y(5, 1);
  X << -1, -0.5, 0, 0.5, 1;
  Y << 0, 0, 1, 1, 1;
  FitOptions o = full_batch(1, 0);
  o.batch_size = 3;
  o.shuffle = false;
  std::vector<double> running;
  o.on_batch = [&](int, Index, Index, double loss) { running.push_back(loss); };
  const FitResult r = fit(fitted, X, Y, Matrix(0, 1), Matrix(0, 1), o);
  const double first = by_hand.train_step(X.topRows(3), Y.topRows(3));
  const double second = by_hand.train_step(X.bottomRows(2), Y.bottomRows(2));
  REQUIRE(r.history.size() == 1);
  CHECK(std::abs(first - second) > 0.05);  // else any weighting of the two would pass
  CHECK(r.history[0].train_loss == doctest::Approx((6 * first + 8 * second) / 14));
  REQUIRE(running.size() == 2);
  CHECK(running[0] == doctest::Approx(first));
  CHECK(running[1] == doctest::Approx(r.history[0].train_loss));
}

TEST_CASE("trainer: the validation loss is the mean over every validation row, past one chunk") {
  // 600 rows: evaluate_loss goes through them in chunks of 256, the last one short.
  Line line;
  Matrix Xval(600, 1), Yval(600, 1);
  for (Index i = 0; i < 600; ++i) {
    Xval(i, 0) = static_cast<Scalar>(i) / 300 - 1;
    Yval(i, 0) = i < 512 ? 0 : 3;  // the short last chunk differs: a weighting error shows
  }
  const FitResult r = fit(line.net, line.X, line.Y, Xval, Yval, full_batch(2, 0));
  const Matrix P = line.net.predict(Xval);  // (600, 1)
  const double mse = static_cast<double>((P - Yval).squaredNorm()) / 600;
  CHECK(r.history.back().val_loss == doctest::Approx(mse).epsilon(1e-5));
  CHECK(line.net.evaluate_loss(Xval, Yval) == doctest::Approx(mse).epsilon(1e-5));
}

TEST_CASE("trainer: the running training R² is that of the outputs each batch was trained on") {
  // Full batch: epoch t's outputs come from the weights before its step, w = -1 then w = -0.7.
  // R² = 1 − Σ(y − w·x)² / Σ(y − ȳ)² with y = 2x, Σx² = 2.5: 1 − 9·2.5/10 = −1.25, then
  // 1 − 2.7²·2.5/10 = −0.8225.
  Line line;
  FitOptions o = full_batch(2, 0);
  o.train_metric = running_r2(line.Y);
  const FitResult r = fit(line.net, line.X, line.Y, line.X, line.Yval, o);
  REQUIRE(r.history.size() == 2);
  CHECK(r.history[0].train_metric == doctest::Approx(-1.25));
  CHECK(r.history[1].train_metric == doctest::Approx(-0.8225));
}

TEST_CASE("trainer: the running training accuracy counts each shuffled batch against its own labels") {
  // Weights that barely move (lr 1e-9): the running accuracy is the accuracy of the network's
  // predictions on the whole training set, whatever order the batches came in.
  Rng rng(5);
  Matrix X(60, 2), Y(60, 1);
  for (Index i = 0; i < X.rows(); ++i) {
    X(i, 0) = static_cast<Scalar>(rng.normal(0.0, 1.0));
    X(i, 1) = static_cast<Scalar>(rng.normal(0.0, 1.0));
    Y(i, 0) = X(i, 0) * X(i, 1) > 0 ? 1 : 0;  // quadrants: an untrained net is right about half the time
  }
  for (const char* output : {"softmax", "sigmoid"}) {
    CAPTURE(output);
    Network net(2, 9);
    net.add_dense(5, "tanh");
    const bool softmax = std::string(output) == "softmax";
    net.add_dense(softmax ? 2 : 1, output);
    net.set_loss(parse_loss(softmax ? "cross_entropy" : "bce"));
    OptimizerConfig c;
    c.name = "sgd";
    c.learning_rate = 1e-9;
    net.set_optimizer(make_optimizer(c));
    FitOptions o;
    o.epochs = 2;
    o.batch_size = 7;  // 9 batches, the last one short
    o.train_metric = running_accuracy();
    const FitResult r = fit(net, X, Y, Matrix(0, 2), Matrix(0, 1), o);
    const double expected = accuracy(net.predict(X), Y);
    CHECK(expected > 0.1);
    CHECK(expected < 0.95);  // an untrained net: right on some rows, wrong on others
    for (const auto& e : r.history) CHECK(e.train_metric == doctest::Approx(expected));
  }
}

TEST_CASE("trainer: one batch of every row is not shuffled: the same weights as with shuffling off") {
  // The gradient of a batch of every row is the same in any order, so fit() skips the shuffle and
  // the copy. In float the sum's order still shows in the last bits: a shuffled run would differ.
  Matrix X(8, 2), Y(8, 1);
  X << 0.3, -1, 1.7, 0.2, -0.4, 0.9, 1.1, -1.3, -0.8, 0.5, 0.6, 1.4, -1.5, -0.2, 0.1, 0.7;
  Y << 1, -1, 0.5, 2, -0.3, 0.8, -1.2, 0.4;
  auto train = [&](bool shuffle, Index batch) {
    Network net(2, 5);
    net.add_dense(16, "tanh");
    net.add_dense(1, "identity");
    net.set_loss(parse_loss("mse"));
    OptimizerConfig c;
    c.learning_rate = 0.05;
    net.set_optimizer(make_optimizer(c));
    FitOptions o = full_batch(20, 0);
    o.batch_size = batch;
    o.shuffle = shuffle;
    fit(net, X, Y, Matrix(0, 2), Matrix(0, 1), o);
    return std::vector<Matrix>{net.dense(0)->W, net.dense(1)->W, Matrix(net.dense(0)->b)};
  };
  const auto shuffled = train(true, 8), in_order = train(false, 8);
  for (std::size_t i = 0; i < shuffled.size(); ++i) CHECK(shuffled[i] == in_order[i]);
  // With two batches a batch's rows depend on the shuffle, and so do the weights.
  CHECK(train(true, 4)[0] != train(false, 4)[0]);
}
