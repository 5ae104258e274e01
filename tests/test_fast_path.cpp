// The fast path (src/fast/: threads, narrow layers as flat rows) and the reference (src/dense.cpp)
// compute the same training step, to float rounding: for every activation of the table, in a
// narrow and a wide layer, on 1 and on 2 threads.
#include "mlp/network.hpp"
#include "mlp/threads.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <typeinfo>

using namespace mlp;

namespace {

// Every hidden-layer spec the table allows: each activation, and with its parameter learned
// where that is optional (a learned parameter changes how the fast path splits a layer).
std::vector<std::string> hidden_specs() {
  std::vector<std::string> specs;
  for (const auto& a : activations()) {
    if (a.output_only) continue;
    specs.push_back(a.name);
    if (a.has_param() && a.param.learnable == Learnable::Optional) specs.push_back(std::string(a.name) + ":learn");
  }
  return specs;
}

struct Batch {
  Matrix X, Y;  // (64, 64) inputs, (64, 1) class labels of 10 classes
  Batch() : X(64, 64), Y(64, 1) {
    Rng rng(4);
    for (Index i = 0; i < X.size(); ++i) X.data()[i] = static_cast<Scalar>(rng.uniform(-1, 1));
    for (Index i = 0; i < Y.rows(); ++i) Y(i, 0) = static_cast<Scalar>(rng.below(10));
  }
};

// Two hidden layers of `units` (2 × 256 is wide enough for two threads to split every product;
// 8 is narrow, where one thread runs the activation over a flat row), softmax over 10 classes.
Network make_net(Path path, const std::string& hidden, Index units) {
  Network net(64, 7, path);
  for (int layer = 0; layer < 2; ++layer) net.add_dense(units, hidden);
  net.add_dense(10, "softmax");
  net.set_loss(parse_loss("cross_entropy"));
  OptimizerConfig sgd_with_momentum;
  sgd_with_momentum.momentum = 0.9;  // the optimizer's state must match too
  sgd_with_momentum.learning_rate = 0.05;
  net.set_optimizer(make_optimizer(sgd_with_momentum));
  return net;
}

// ‖a − b‖ / ‖a‖ over whole matrices: float rounding gives ~1e-7; a wrong block or a missed
// unit gives O(1).
double relative_difference(const ConstMatrixRef& a, const ConstMatrixRef& b) {
  return static_cast<double>((a - b).norm()) / std::max(static_cast<double>(a.norm()), 1e-30);
}

}  // namespace

TEST_CASE("fast path: every activation gives the reference's step, narrow and wide, on 1 and 2 threads") {
  Batch data;
  int compared = 0;
  for (int threads : {1, 2}) {
    set_threads(threads);
    if (mlp::threads() != threads) {
      MESSAGE("skipped: the 2-thread comparison (this build has no OpenMP, so it runs one thread only)");
      continue;
    }
    for (Index units : {Index{8}, Index{256}}) {
      for (const std::string& hidden : hidden_specs()) {
        CAPTURE(threads);
        CAPTURE(units);
        CAPTURE(hidden);
        Network reference = make_net(Path::Reference, hidden, units);
        Network fast = make_net(Path::Fast, hidden, units);
        for (int step = 0; step < 2; ++step) {
          reference.train_step(data.X, data.Y);
          fast.train_step(data.X, data.Y);
        }
        // What the last step computed, layer by layer: Z, A and dZ...
        for (std::size_t i = 0; i < reference.size(); ++i) {
          CAPTURE(i);
          const Dense& r = *reference.dense(i);
          const Dense& f = *fast.dense(i);
          CHECK(relative_difference(r.Z(), f.Z()) < 1e-5);
          CHECK(relative_difference(r.A(), f.A()) < 1e-5);
          CHECK(relative_difference(r.dZ(), f.dZ()) < 1e-5);
        }
        // ...and the weights after two updates, with every gradient and the momentum in them.
        for (std::size_t k = 0; k < reference.parameters().size(); ++k) {
          CAPTURE(reference.parameters()[k].name);
          CHECK(relative_difference(reference.parameters()[k].v(), fast.parameters()[k].v()) < 1e-5);
          CHECK(relative_difference(reference.parameters()[k].g(), fast.parameters()[k].g()) < 1e-5);
        }
        ++compared;
      }
    }
  }
  set_threads(1);
  CHECK(compared >= 2 * static_cast<int>(hidden_specs().size()));  // at least the 1-thread cases ran
}

TEST_CASE("fast path: the networks compared are built on different paths") {
  // Without this, a Network that ignored its Path would make the comparison above trivially pass.
  Network reference = make_net(Path::Reference, "relu", 8);
  Network fast = make_net(Path::Fast, "relu", 8);
  CHECK(reference.path() == Path::Reference);
  CHECK(fast.path() == Path::Fast);
  CHECK(typeid(*reference.dense(0)) == typeid(Dense));
  CHECK(typeid(*fast.dense(0)) != typeid(Dense));
}

namespace {
// make_net's network with a class-weighted loss (weights 0.5 ... 4, one per class): softmax over
// the 10 classes, or a sigmoid over one unit for two. `weighted` false: the same, unweighted.
Network make_weighted_net(Path path, bool sigmoid, bool weighted) {
  Network net(64, 7, path);
  for (int layer = 0; layer < 2; ++layer) net.add_dense(256, "relu");
  net.add_dense(sigmoid ? 1 : 10, sigmoid ? "sigmoid" : "softmax");
  Loss loss = parse_loss(sigmoid ? "bce" : "cross_entropy");
  if (weighted) loss.class_weight = RowVector::LinSpaced(sigmoid ? 2 : 10, 0.5, 4);
  net.set_loss(loss);
  OptimizerConfig sgd_with_momentum;
  sgd_with_momentum.momentum = 0.9;
  sgd_with_momentum.learning_rate = 0.05;
  net.set_optimizer(make_optimizer(sgd_with_momentum));
  return net;
}
}  // namespace

TEST_CASE("fast path: a class-weighted loss gives the reference's step, softmax and sigmoid, on 1 and 2 threads") {
  // The loss is computed once for both paths (Network::backward), so this proves the fast path gets
  // the weighted dZ too; and the weighted step differs from the unweighted one, so the weights were
  // applied at all.
  Batch data;
  Matrix binary(data.Y.rows(), 1);  // 0/1 targets for the sigmoid
  for (Index i = 0; i < binary.rows(); ++i) binary(i, 0) = data.Y(i, 0) < 3 ? 1 : 0;
  int compared = 0;
  for (int threads : {1, 2}) {
    set_threads(threads);
    if (mlp::threads() != threads) continue;
    for (const bool sigmoid : {false, true}) {
      CAPTURE(threads);
      CAPTURE(sigmoid);
      const Matrix& Y = sigmoid ? binary : data.Y;
      Network reference = make_weighted_net(Path::Reference, sigmoid, true);
      Network fast = make_weighted_net(Path::Fast, sigmoid, true);
      Network unweighted = make_weighted_net(Path::Fast, sigmoid, false);
      for (int step = 0; step < 2; ++step)
        for (Network* net : {&reference, &fast, &unweighted}) net->train_step(data.X, Y);
      CHECK(relative_difference(reference.dense(2)->dZ(), fast.dense(2)->dZ()) < 1e-5);
      for (std::size_t k = 0; k < reference.parameters().size(); ++k) {
        CAPTURE(reference.parameters()[k].name);
        CHECK(relative_difference(reference.parameters()[k].v(), fast.parameters()[k].v()) < 1e-5);
        CHECK(relative_difference(reference.parameters()[k].g(), fast.parameters()[k].g()) < 1e-5);
      }
      CHECK(relative_difference(unweighted.dense(2)->dZ(), fast.dense(2)->dZ()) > 1e-2);
      ++compared;
    }
  }
  set_threads(1);
  CHECK(compared >= 2);
}
