// Diagnostics (mlp/diagnostics.hpp) against values computed by hand on tiny networks whose
// weights are set so that the answer is known: which units are dead, which are saturated, what
// the gradient and update norms of a step are. Then: training is the same with and without them,
// and their warnings fire on a vanishing-gradient net and stay silent on a healthy one.
#include <doctest/doctest.h>

#include "mlp/diagnostics.hpp"
#include "mlp/trainer.hpp"

#include <cmath>
#include <string>
#include <vector>

using namespace mlp;

namespace {

// 2 inputs → 4 hidden units → 1 identity output, MSE, plain SGD.
Network tiny(const std::string& hidden, double lr = 0.01) {
  Network net(2, 7);
  net.add_dense(4, hidden);
  net.add_dense(1, "identity");
  net.set_loss(parse_loss("mse"));
  OptimizerConfig c;
  c.name = "sgd";
  c.learning_rate = lr;
  net.set_optimizer(make_optimizer(c));
  return net;
}

// Inputs in [0, 1]², targets 1.
Matrix inputs(Index n) {
  Matrix X(n, 2);
  for (Index i = 0; i < n; ++i) {
    X(i, 0) = static_cast<Scalar>((i % 5) / 4.0);
    X(i, 1) = static_cast<Scalar>((i % 3) / 2.0);
  }
  return X;
}

// Units 0 and 1 see z = -1 - x₀ - x₁ < 0 on every input in [0, 1]² (off: relu dead), units 2 and 3
// see z = 0.5 + x₀ > 0.
void two_dead_two_alive(Dense& d) {
  d.W << -1, -1, -1, -1, 1, 0, 1, 0;
  d.b << -1, -1, 0.5f, 0.5f;
}

std::vector<std::string> matching(const std::vector<std::string>& lines, const std::string& part) {
  std::vector<std::string> found;
  for (const auto& l : lines)
    if (l.find(part) != std::string::npos) found.push_back(l);
  return found;
}

}  // namespace

TEST_CASE("diagnostics: two relu units off on every sample are exactly half the layer dead") {
  Network net = tiny("relu");
  two_dead_two_alive(*net.dense(0));
  Diagnostics diag(net);
  const Matrix X = inputs(12), Y = Matrix::Ones(12, 1);
  // Two batches, as an epoch of two steps: the counts add up over the epoch.
  net.train_step(X.topRows(8), Y.topRows(8));
  diag.after_step();
  net.train_step(X.bottomRows(4), Y.bottomRows(4));
  diag.after_step();
  const EpochStats e = diag.end_epoch(1);
  REQUIRE(e.layers.size() == 1);  // the output layer is not watched
  const LayerStats& s = e.layers[0];
  CHECK(s.layer == 1);
  CHECK(s.units == 4);
  CHECK(s.dead == 0.5);
  CHECK(s.sparsity == 0.5);  // the dead half is 0 on every sample; the live half never is
  CHECK(s.saturated == 0.0);
  // mean and sd of A over the epoch: units 2 and 3 give 0.5 + x₀ (the same weights after a tiny
  // step: compare loosely), units 0 and 1 give 0.
  double sum = 0, sq = 0;
  for (Index i = 0; i < 12; ++i) {
    const double a = 0.5 + X(i, 0);
    sum += 2 * a;
    sq += 2 * a * a;
  }
  const double mean = sum / 48, sd = std::sqrt(sq / 48 - mean * mean);
  CHECK(s.mean == doctest::Approx(mean).epsilon(0.02));
  CHECK(s.sd == doctest::Approx(sd).epsilon(0.02));
  CHECK(std::isnan(s.param_mean));  // relu learns no parameter
}

TEST_CASE("diagnostics: a unit on for one sample of the epoch is not dead") {
  Network net = tiny("relu");
  Dense& d = *net.dense(0);
  two_dead_two_alive(d);
  d.W.row(0) << 4, 0;  // unit 0: z = 4·x₀ - 1 > 0 only where x₀ = 1 (i % 5 == 4)
  Diagnostics diag(net);
  const Matrix X = inputs(5), Y = Matrix::Ones(5, 1);
  net.train_step(X, Y);
  diag.after_step();
  CHECK(diag.end_epoch(1).layers[0].dead == 0.25);
}

TEST_CASE("diagnostics: leaky relu units never die, however negative their input") {
  Network net = tiny("leaky_relu");
  two_dead_two_alive(*net.dense(0));
  Diagnostics diag(net);
  net.train_step(inputs(8), Matrix::Ones(8, 1));
  diag.after_step();
  const LayerStats s = diag.end_epoch(1).layers[0];
  CHECK(s.dead == 0.0);
  CHECK(s.sparsity == 0.0);
}

TEST_CASE("diagnostics: sigmoid units driven far from 0 are saturated, those near 0 are not") {
  Network net = tiny("sigmoid");
  Dense& d = *net.dense(0);
  // Units 0, 1: z ≥ 20 on every input (σ′ < 3e-9); unit 2: z ≤ -20; unit 3: z in [0, 1].
  d.W << 10, 10, 5, 0, -10, 0, 1, 0;
  d.b << 20, 20, -20, 0;
  Diagnostics diag(net);
  net.train_step(inputs(10), Matrix::Ones(10, 1));
  diag.after_step();
  const LayerStats s = diag.end_epoch(1).layers[0];
  CHECK(s.saturated == 0.75);
  CHECK(s.dead == 0.0);  // σ is never 0: nothing is dead, however flat
}

TEST_CASE("diagnostics: saturated needs 90% of the samples") {
  Network net = tiny("tanh");
  Dense& d = *net.dense(0);
  d.W.setZero();
  d.b << 0, 0, 0, 0;
  d.W(0, 0) = 40;  // unit 0: z = 40·x₀, flat (tanh′ < 0.01) unless x₀ = 0, i.e. on 4 of 5 samples
  d.W(1, 0) = 40;
  d.b(1) = 20;  // unit 1: z ≥ 20 on every sample
  Diagnostics diag(net);
  net.train_step(inputs(10), Matrix::Ones(10, 1));
  diag.after_step();
  CHECK(diag.end_epoch(1).layers[0].saturated == 0.25);  // unit 1 only: unit 0 is flat on 80%
}

TEST_CASE("diagnostics: gradient norm is ‖dW‖ averaged over the epoch's steps, update ratio ‖ΔW‖/‖W‖ over a sample") {
  Network net = tiny("tanh", 0.1);
  Diagnostics diag(net);
  const Matrix X = inputs(6), Y = Matrix::Ones(6, 1);
  // The update ratio is measured on the epoch's first step and every kUpdateSample-th after it.
  const int steps = 2 * kUpdateSample + 3;  // measured: steps 0, 8 and 16
  double grad = 0, ratio = 0;
  for (int step = 0; step < steps; ++step) {
    const Matrix before = net.dense(0)->W;
    net.train_step(X, Y);
    diag.after_step();
    grad += static_cast<double>(net.dense(0)->dW.norm());
    if (step % kUpdateSample == 0) ratio += static_cast<double>((net.dense(0)->W - before).norm() / before.norm());
  }
  const LayerStats s = diag.end_epoch(1).layers[0];
  CHECK(s.grad_norm == doctest::Approx(grad / steps).epsilon(1e-5));
  CHECK(s.update_ratio == doctest::Approx(ratio / 3).epsilon(1e-4));
  CHECK(s.grad_norm > 0);
  // The next epoch starts from zero, and its first step is measured: one step only.
  const Matrix before = net.dense(0)->W;
  net.train_step(X, Y);
  diag.after_step();
  const LayerStats next = diag.end_epoch(2).layers[0];
  CHECK(next.grad_norm == doctest::Approx(net.dense(0)->dW.norm()).epsilon(1e-5));
  CHECK(next.update_ratio == doctest::Approx((net.dense(0)->W - before).norm() / before.norm()).epsilon(1e-4));
  CHECK(diag.history().size() == 2);
}

TEST_CASE("diagnostics: the mean learned parameter (PReLU's slope) after the epoch") {
  Network net = tiny("prelu", 0.5);
  Diagnostics diag(net);
  net.train_step(inputs(8), Matrix::Constant(8, 1, 3));
  diag.after_step();
  const LayerStats s = diag.end_epoch(1).layers[0];
  CHECK(s.param_mean == doctest::Approx(net.dense(0)->p.mean()));
}

TEST_CASE("diagnostics: training with them is bit-identical to training without") {
  auto trained = [](bool diagnose) {
    Network net(2, 11);
    net.add_dense(8, "swish:1:learn");
    net.add_dense(8, "relu");
    net.add_dense(1, "identity");
    net.set_loss(parse_loss("mse"));
    OptimizerConfig c;
    c.name = "adam";
    c.learning_rate = 0.01;
    c.weight_decay = 1e-3;
    c.clip_norm = 0.5;
    net.set_optimizer(make_optimizer(c));
    const Matrix X = inputs(40);
    const Matrix Y = X.col(0) - X.col(1);
    Diagnostics diag(net);
    FitOptions o;
    o.epochs = 3;
    o.batch_size = 16;
    if (diagnose) o.diagnostics = &diag;
    fit(net, X, Y, Matrix(0, 2), Matrix(0, 1), o);
    CHECK(diag.history().size() == (diagnose ? 3u : 0u));
    std::vector<Scalar> w;
    for (const auto& p : net.parameters()) w.insert(w.end(), p.value, p.value + p.size);
    return w;
  };
  CHECK(trained(true) == trained(false));
}

TEST_CASE("diagnostics: CSV has one row per epoch and hidden layer, its columns named") {
  Network net(2, 3);
  net.add_dense(4, "relu");
  net.add_dense(3, "prelu");
  net.add_dense(1, "identity");
  net.set_loss(parse_loss("mse"));
  OptimizerConfig c;
  c.name = "sgd";
  net.set_optimizer(make_optimizer(c));
  Diagnostics diag(net);
  FitOptions o;
  o.epochs = 4;
  o.batch_size = 4;
  o.diagnostics = &diag;
  fit(net, inputs(10), Matrix::Ones(10, 1), Matrix(0, 2), Matrix(0, 1), o);
  const std::string csv = diag.csv();
  std::vector<std::string> rows;
  for (std::size_t at = 0, nl; (nl = csv.find('\n', at)) != std::string::npos; at = nl + 1)
    rows.push_back(csv.substr(at, nl - at));
  REQUIRE(rows.size() == 1 + 4 * 2);
  CHECK(rows[0].find("dead") != std::string::npos);
  CHECK(rows[0].find("grad") != std::string::npos);
  CHECK(rows[1].rfind("1,1,dense_1,relu,4,", 0) == 0);
  CHECK(rows[2].rfind("1,2,dense_2,prelu", 0) == 0);
  CHECK(rows[8].rfind("4,2,", 0) == 0);
  CHECK(rows[1].back() == ',');  // relu: no parameter, an empty last cell
  CHECK(rows[2].back() != ',');  // prelu: its mean slope
  CHECK(matching({diag.table()}, "prelu").size() == 1);
}

TEST_CASE("diagnostics: dead units warn with the epoch since which they are dead, and a remedy") {
  Network net = tiny("relu");
  two_dead_two_alive(*net.dense(0));
  net.dense(0)->W.row(2) << -1, -1;  // three of four units off on every input
  net.dense(0)->b(2) = -1;
  Diagnostics diag(net);
  const Matrix X = inputs(8), Y = Matrix::Ones(8, 1);
  for (int epoch = 1; epoch <= 3; ++epoch) {
    net.train_step(X, Y);
    diag.after_step();
    diag.end_epoch(epoch);
  }
  const auto w = diag.warnings();
  REQUIRE(matching(w, "dead").size() == 1);
  CHECK(matching(w, "layer 1 (relu): 75% of units dead since epoch 1").size() == 1);
  CHECK(matching(w, "leaky_relu").size() == 1);
}

TEST_CASE("diagnostics: an 8-layer sigmoid net warns that gradients vanish, relu and tanh nets do not") {
  // Standardised inputs of 4 features, 3 classes (the shape of iris).
  Rng rng(5);
  Matrix X(120, 4), Y(120, 1);
  for (Index i = 0; i < 120; ++i) {
    Y(i, 0) = static_cast<Scalar>(i % 3);
    for (Index j = 0; j < 4; ++j) X(i, j) = static_cast<Scalar>(rng.normal() + (i % 3) - 1);
  }
  auto warnings = [&](const char* hidden) {
    Network net(4, 1);
    for (int l = 0; l < 8; ++l) net.add_dense(16, hidden);
    net.add_dense(3, "softmax");
    net.set_loss(parse_loss("cross_entropy"));
    OptimizerConfig c;
    c.name = "adam";
    c.learning_rate = 0.001;
    net.set_optimizer(make_optimizer(c));
    Diagnostics diag(net);
    FitOptions o;
    o.epochs = 2;
    o.batch_size = 32;
    o.diagnostics = &diag;
    fit(net, X, Y, Matrix(0, 4), Matrix(0, 1), o);
    const LayerStats& first = diag.history().front().layers.front();
    const LayerStats& last = diag.history().front().layers.back();
    CAPTURE(hidden);
    CAPTURE(first.grad_norm);
    CAPTURE(last.grad_norm);
    return diag.warnings();
  };
  const auto sigmoid = warnings("sigmoid");
  CHECK(matching(sigmoid, "layer 1's gradient norm is 1/").size() == 1);
  CHECK(matching(sigmoid, "of layer 8's").size() == 1);
  CHECK(matching(sigmoid, "gradients vanish; try relu with he init").size() == 1);
  CHECK(warnings("relu").empty());
  CHECK(warnings("tanh").empty());
}

namespace {

// A history of `epochs` epochs of two hidden layers, healthy unless changed.
std::vector<EpochStats> healthy_history(int epochs) {
  std::vector<EpochStats> h;
  for (int e = 1; e <= epochs; ++e) {
    EpochStats s;
    s.epoch = e;
    for (int l = 1; l <= 2; ++l) {
      LayerStats layer;
      layer.layer = l;
      layer.activation = "relu";
      layer.units = 10;
      layer.grad_norm = 1;
      layer.update_ratio = 1e-3;
      s.layers.push_back(layer);
    }
    h.push_back(s);
  }
  return h;
}

}  // namespace

TEST_CASE("diagnostics: each warning fires at its threshold and not below it") {
  CHECK(diagnostic_warnings(healthy_history(3)).empty());
  CHECK(diagnostic_warnings({}).empty());

  auto h = healthy_history(4);
  h[1].layers[1].dead = 0.5;  // dead from epoch 2, then not, then again from epoch 4: "since epoch 4"
  h[3].layers[1].dead = 0.6;
  auto w = diagnostic_warnings(h);
  REQUIRE(w.size() == 1);
  CHECK(w[0].rfind("layer 2 (relu): 60% of units dead since epoch 4", 0) == 0);
  h[2].layers[1].dead = 0.5;  // now every epoch from 2 on
  CHECK(diagnostic_warnings(h)[0].find("since epoch 2") != std::string::npos);
  h = healthy_history(2);
  h[1].layers[0].dead = 0.49;  // below the threshold: only the last epoch counts
  h[0].layers[0].dead = 0.9;
  CHECK(diagnostic_warnings(h).empty());

  h = healthy_history(2);
  h[1].layers[0].saturated = 0.5;
  w = diagnostic_warnings(h);
  REQUIRE(w.size() == 1);
  CHECK(w[0].find("layer 1 (relu): 50% of units saturated since epoch 2") == 0);
  h[1].layers[0].saturated = 0.49;
  CHECK(diagnostic_warnings(h).empty());

  h = healthy_history(1);
  h[0].layers[1].update_ratio = 0.1;
  w = diagnostic_warnings(h);
  REQUIRE(w.size() == 1);
  CHECK(w[0].find("--lr is likely too high") != std::string::npos);
  h[0].layers[1].update_ratio = 0.099;
  CHECK(diagnostic_warnings(h).empty());
}

TEST_CASE("diagnostics: vanishing and exploding gradients: first against last hidden layer, first epoch") {
  auto h = healthy_history(2);
  h[0].layers[0].grad_norm = 1.0 / 101;
  auto w = diagnostic_warnings(h);
  REQUIRE(w.size() == 1);
  CHECK(w[0] == "layer 1's gradient norm is 1/100 of layer 2's (0.0099 vs 1): gradients vanish; try relu with he init");
  h[0].layers[0].grad_norm = 1.0 / 99;
  CHECK(diagnostic_warnings(h).empty());
  h[0].layers[0].grad_norm = 1.0 / 13150;
  CHECK(diagnostic_warnings(h)[0].find("is 1/13000 of layer 2's") != std::string::npos);
  h[0].layers[0].grad_norm = 101;
  w = diagnostic_warnings(h);
  REQUIRE(w.size() == 1);
  CHECK(w[0].find("layer 1's gradient norm is 100 times layer 2's: gradients explode") == 0);
  h[0].layers[0].grad_norm = 1;
  h[1].layers[0].grad_norm = 1e-6;  // only the first epoch counts: later, training may have moved on
  CHECK(diagnostic_warnings(h).empty());
}
