// Class weights of the classification losses (Loss::class_weight), in numbers worked out by hand:
// the weighted mean Σ w_y L / Σ w_y of PyTorch's CrossEntropyLoss(weight=w), its gradient, what a
// batch weighs, scikit-learn's "balanced" weights, and the weights a loss refuses. The gradients
// against central differences are in test_gradients.cpp (double build).
#include "mlp/error.hpp"
#include "mlp/network.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>

using namespace mlp;

namespace {

Loss weighted(const char* name, std::initializer_list<double> weights) {
  Loss loss = parse_loss(name);
  loss.class_weight.resize(static_cast<Index>(weights.size()));
  Index c = 0;
  for (double w : weights) loss.class_weight(c++) = static_cast<Scalar>(w);
  return loss;
}

// Values pass through float: 1e-6 relative is far above its rounding here, far below any wrong factor.
doctest::Approx near(double x) { return doctest::Approx(x).epsilon(1e-6); }

// (rows, 2) inputs drawn uniformly from [-range, range), row by row.
Matrix uniform_inputs(std::uint64_t seed, Index rows, double range) {
  Rng rng(seed);
  Matrix X(rows, 2);
  for (Index i = 0; i < rows; ++i)
    for (Index j = 0; j < 2; ++j) X(i, j) = static_cast<Scalar>(rng.uniform(-range, range));
  return X;
}

}  // namespace

TEST_CASE("loss: class-weighted cross_entropy is sum of w_y L over sum of w_y, by hand") {
  // Row 0: logits (0, 0), label 0: softmax (1/2, 1/2), L_0 = ln 2.
  // Row 1: logits (ln 3, 0), label 1: softmax (3/4, 1/4), L_1 = ln 4 = 2 ln 2.
  // Weights (1, 3): L = (1·ln 2 + 3·2 ln 2)/(1 + 3) = 7 ln 2 / 4 (unweighted: 3 ln 2 / 2).
  Matrix Z(2, 2), labels(2, 1), onehot(2, 2);
  Z << 0, 0, std::log(3.0), 0;
  labels << 0, 1;
  onehot << 1, 0, 0, 1;
  const Loss plain = parse_loss("cross_entropy"), w = weighted("cross_entropy", {1, 3});
  CHECK(plain.value(Z, labels) == near(1.5 * std::log(2.0)));
  CHECK(w.value(Z, labels) == near(1.75 * std::log(2.0)));
  CHECK(w.value(Z, onehot) == near(1.75 * std::log(2.0)));  // one-hot rows weigh as their label
  // dZ_r = w_r/Σw · (softmax(z_r) − onehot_r): row 0 1/4·(−1/2, 1/2), row 1 3/4·(3/4, −3/4).
  Matrix dZ(2, 2), expected(2, 2);
  expected << -0.125, 0.125, 9.0 / 16, -9.0 / 16;
  for (const Matrix* Y : {&labels, &onehot}) {
    w.gradient(Z, *Y, dZ);
    CHECK((dZ - expected).cwiseAbs().maxCoeff() < 1e-6);
  }
  CHECK(w.weight(labels) == near(4.0));
  CHECK(w.weight(onehot) == near(4.0));
  CHECK(plain.weight(labels) == 2.0);  // rows, without class weights
}

TEST_CASE("loss: class-weighted bce weighs a target y by w_0 (1 - y) + w_1 y, by hand") {
  // Row 0: z = 0, y = 0: σ = 1/2, L_0 = ln 2.  Row 1: z = ln 3, y = 1: σ = 3/4, L_1 = ln(4/3).
  // Weights (1, 3): L = (ln 2 + 3 ln(4/3))/4; dZ = w ⊙ (σ(z) − y)/Σw = (1/8, −3/16).
  Matrix Z(2, 1), Y(2, 1);
  Z << 0, std::log(3.0);
  Y << 0, 1;
  const Loss w = weighted("bce", {1, 3});
  CHECK(w.value(Z, Y) == near((std::log(2.0) + 3 * std::log(4.0 / 3)) / 4));
  Matrix dZ(2, 1);
  w.gradient(Z, Y, dZ);
  CHECK(dZ(0, 0) == near(0.125));
  CHECK(dZ(1, 0) == near(-3.0 / 16));
  CHECK(w.weight(Y) == near(4.0));
}

TEST_CASE("loss: equal class weights, whatever their size, give the unweighted loss and gradient") {
  // The mean is normalised by Σw: weights (c, c, c) cancel. Without the normalisation they would
  // scale the loss by c.
  Rng rng(3);
  Matrix Z(7, 3), Y(7, 1), dZ(7, 3), dZ_plain(7, 3);
  for (Index i = 0; i < Z.size(); ++i) Z.data()[i] = static_cast<Scalar>(rng.uniform(-2, 2));
  for (Index r = 0; r < 7; ++r) Y(r, 0) = static_cast<Scalar>(r % 3);
  const Loss plain = parse_loss("cross_entropy");
  plain.gradient(Z, Y, dZ_plain);
  for (double c : {1.0, 2.5, 0.01}) {
    CAPTURE(c);
    const Loss w = weighted("cross_entropy", {c, c, c});
    CHECK(w.value(Z, Y) == near(plain.value(Z, Y)));
    w.gradient(Z, Y, dZ);
    CHECK((dZ - dZ_plain).cwiseAbs().maxCoeff() < 1e-6);
  }
}

TEST_CASE("loss: balanced class weights are N over C times N_c, as scikit-learn's compute_class_weight") {
  // compute_class_weight("balanced", classes=[0, 1, 2], y=[0, 0, 0, 0, 0, 0, 1, 1, 2]):
  // 9/(3·6) = 0.5, 9/(3·2) = 1.5, 9/(3·1) = 3.
  Matrix y(9, 1);
  y << 0, 0, 0, 0, 0, 0, 1, 1, 2;
  const RowVector w = balanced_class_weight(y, 3);
  REQUIRE(w.size() == 3);
  CHECK(w(0) == near(0.5));
  CHECK(w(1) == near(1.5));
  CHECK(w(2) == near(3.0));
  // Every class then carries the same total weight, N/C = 3.
  CHECK(6 * w(0) == near(3.0));
  CHECK(1 * w(2) == near(3.0));
  CHECK_THROWS_WITH_AS(balanced_class_weight(y, 4), doctest::Contains("class 3 has no sample"), Error);
  y(0, 0) = 5;
  CHECK_THROWS_WITH_AS(balanced_class_weight(y, 3), doctest::Contains("not a class index"), Error);
}

TEST_CASE("loss: class weights a network refuses, each with what to do") {
  const auto net_with = [](const char* output, Index units, const Loss& loss) {
    Network net(2, 1);
    net.add_dense(units, output);
    net.set_loss(loss);
  };
  CHECK_NOTHROW(net_with("softmax", 3, weighted("cross_entropy", {1, 2, 3})));
  CHECK_NOTHROW(net_with("sigmoid", 1, weighted("bce", {1, 2})));
  CHECK_THROWS_WITH_AS(net_with("identity", 1, weighted("mse", {1, 2})), doctest::Contains("takes no class weights"),
                       Error);
  CHECK_THROWS_WITH_AS(net_with("softmax", 3, weighted("cross_entropy", {1, 2})),
                       doctest::Contains("2 class weights for 3 classes"), Error);
  CHECK_THROWS_WITH_AS(net_with("sigmoid", 2, weighted("bce", {1, 2})), doctest::Contains("over 2 outputs"), Error);
  CHECK_THROWS_WITH_AS(net_with("softmax", 2, weighted("cross_entropy", {1, 0})), doctest::Contains("positive, finite"),
                       Error);
  CHECK_THROWS_WITH_AS(net_with("softmax", 2, weighted("cross_entropy", {1, INFINITY})),
                       doctest::Contains("positive, finite"), Error);
}

TEST_CASE("loss: a class-weighted validation loss is the weighted mean over every row, past one chunk") {
  // 600 rows go through evaluate_loss in chunks of 256; each chunk's mean must count by its weight
  // (Σ w), not its rows, for the result to be Σ w_y L / Σ w_y over the whole set.
  Network net(2, 5);
  net.add_dense(3, "softmax");
  Loss loss = weighted("cross_entropy", {0.2, 1, 7});
  net.set_loss(loss);
  const Matrix X = uniform_inputs(6, 600, 1);
  Matrix Y(600, 1);
  for (Index i = 0; i < 600; ++i) Y(i, 0) = i < 512 ? 0 : 2;  // the rare class only in the last, short chunk
  double total = 0, weight = 0;
  for (Index i = 0; i < 600; ++i) {
    net.forward(X.middleRows(i, 1));
    const double w = loss.class_weight(static_cast<Index>(Y(i, 0)));
    total += w * static_cast<double>(net.loss_of_last_forward(Y.middleRows(i, 1)));  // one row: L_i itself
    weight += w;
  }
  CHECK(net.evaluate_loss(X, Y) == doctest::Approx(total / weight).epsilon(1e-5));
}

TEST_CASE("loss: row_losses gives each row's own loss, past one chunk, without the class weights") {
  // 600 rows in chunks of 256: row i's entry must be the loss of a forward pass of that row alone,
  // and the weighted mean of the entries evaluate_loss's value.
  Network net(2, 8);
  net.add_dense(4, "tanh");
  net.add_dense(3, "softmax");
  Loss loss = weighted("cross_entropy", {0.5, 1, 3});
  net.set_loss(loss);
  const Matrix X = uniform_inputs(9, 600, 2);
  Matrix Y(600, 1);
  for (Index i = 0; i < 600; ++i) Y(i, 0) = static_cast<Scalar>(i % 3);
  const std::vector<double> rows = net.row_losses(X, Y);
  REQUIRE(rows.size() == 600u);
  double total = 0, weight = 0;
  for (Index i = 0; i < 600; ++i) {
    net.forward(X.middleRows(i, 1));
    CAPTURE(i);
    CHECK(rows[static_cast<std::size_t>(i)] ==
          doctest::Approx(static_cast<double>(net.loss_of_last_forward(Y.middleRows(i, 1)))).epsilon(1e-5));
    const double w = loss.class_weight(static_cast<Index>(Y(i, 0)));
    total += w * rows[static_cast<std::size_t>(i)];
    weight += w;
  }
  CHECK(rows[0] != doctest::Approx(rows[1]));  // rows differ: not one value repeated
  CHECK(net.evaluate_loss(X, Y) == doctest::Approx(total / weight).epsilon(1e-5));
}
