// Numerical gradient checks (double build) of every activation in the table, every loss, Dense,
// Dropout, learnable activation parameters, and a whole network — and proof that the checker
// catches a derivative that is off by 1% and refuses an all-zero gradient.
#include "gradcheck.hpp"
#include "mlp/error.hpp"
#include "mlp/network.hpp"

#include <doctest/doctest.h>

using namespace mlp;

using gradcheck::make_activation_case;
using gradcheck::sample;

TEST_CASE("gradcheck: every activation in the table, dZ") {
  Rng rng(1);
  for (const auto& info : activations()) {
    CAPTURE(info.name);
    auto c = make_activation_case(parse_activation(info.name), rng);
    c.analytic();
    Matrix analytic = c.dZ;
    auto r = gradcheck::check(c.Z.data(), analytic.data(), c.Z.size(), [&] { return c.loss(); });
    CAPTURE(r.relative_error);
    CHECK(r.ok());
  }
}

TEST_CASE("gradcheck: every activation parameter (PReLU slope, Swish beta, ELU/leaky alpha)") {
  Rng rng(2);
  int checked = 0;
  for (const auto& info : activations()) {
    if (!info.has_param() || info.param.learnable == Learnable::Never) continue;
    CAPTURE(info.name);
    auto c = make_activation_case(parse_activation(info.name), rng);
    c.analytic();
    RowVector analytic = c.dp;
    auto r = gradcheck::check(c.p.data(), analytic.data(), c.p.size(), [&] { return c.loss(); });
    CAPTURE(r.relative_error);
    CHECK(r.ok());
    ++checked;
  }
  CHECK(checked >= 4);  // leaky_relu, prelu, elu, swish
}

TEST_CASE("gradcheck: the checker fails a derivative off by 1%, and an all-zero gradient") {
  Rng rng(3);
  auto c = make_activation_case(parse_activation("tanh"), rng);
  c.analytic();
  Matrix wrong = c.dZ * 1.01;
  auto r = gradcheck::check(c.Z.data(), wrong.data(), c.Z.size(), [&] { return c.loss(); });
  CHECK(r.relative_error > 100 * gradcheck::kTolerance);
  CHECK_FALSE(r.ok());

  Matrix zero = Matrix::Zero(c.Z.rows(), c.Z.cols());
  auto flat = gradcheck::check(c.Z.data(), zero.data(), zero.size(), [] { return 0.0; });
  CHECK(flat.relative_error == 0.0);  // analytic and numeric agree perfectly...
  CHECK_FALSE(flat.ok());             // ...and the guard still refuses it
}

TEST_CASE("gradcheck: every loss in the table") {
  Rng rng(4);
  for (const auto& info : losses()) {
    CAPTURE(info.name);
    Loss loss = parse_loss(info.name);
    const Index B = 6, k = 3;
    Matrix P = sample(B, k, rng, -3, 3);
    Matrix Y = sample(B, k, rng, -3, 3);
    if (info.from_logits) {  // targets: one-hot for cross_entropy, 0/1 for bce
      Y.setZero();
      for (Index r = 0; r < B; ++r) Y(r, static_cast<Index>(rng.below(k))) = 1;
    }
    if (std::string(info.name) == "huber") {  // keep |p − y| away from delta where f″ jumps
      for (Index i = 0; i < P.size(); ++i)
        if (std::abs(std::abs(P.data()[i] - Y.data()[i]) - loss.param) < 0.05) P.data()[i] += 0.2;
    }
    Matrix dP(B, k);
    loss.gradient(P, Y, dP);
    auto r = gradcheck::check(P.data(), dP.data(), P.size(), [&] { return loss.value(P, Y); });
    CAPTURE(r.relative_error);
    CHECK(r.ok());
  }
}

TEST_CASE("gradcheck: cross_entropy with integer labels equals one-hot") {
  Rng rng(5);
  Loss ce = parse_loss("cross_entropy");
  Matrix Z = sample(4, 3, rng, -2, 2);
  Matrix labels(4, 1), onehot = Matrix::Zero(4, 3);
  for (Index r = 0; r < 4; ++r) {
    labels(r, 0) = static_cast<double>(r % 3);
    onehot(r, r % 3) = 1;
  }
  CHECK(ce.value(Z, labels) == doctest::Approx(ce.value(Z, onehot)).epsilon(1e-12));
  Matrix g1(4, 3), g2(4, 3);
  ce.gradient(Z, labels, g1);
  ce.gradient(Z, onehot, g2);
  CHECK((g1 - g2).norm() < 1e-12);
  auto r = gradcheck::check(Z.data(), g1.data(), Z.size(), [&] { return ce.value(Z, labels); });
  CHECK(r.ok());
}

TEST_CASE("gradcheck: the class-weighted losses, and the checker failing a weighted gradient off by 1%") {
  // Unequal weights (0.3, 2, 5.5): a gradient that dropped a sample's weight, or divided by B
  // instead of Σw, is off by far more than 1%; so is one 1% off, which must fail.
  Rng rng(12);
  const Index B = 6;
  struct Case {
    const char* loss;
    Index k;       // outputs
    Index y_cols;  // 1: integer labels (or bce's 0/1); k: one-hot rows
  };
  for (const Case c : {Case{"cross_entropy", 3, 1}, Case{"cross_entropy", 3, 3}, Case{"bce", 1, 1}}) {
    CAPTURE(c.loss);
    CAPTURE(c.y_cols);
    Loss loss = parse_loss(c.loss);
    loss.class_weight = RowVector(c.k == 1 ? 2 : c.k);
    loss.class_weight(0) = 0.3;
    loss.class_weight(1) = 2;
    if (c.k == 3) loss.class_weight(2) = 5.5;
    Matrix Z = sample(B, c.k, rng, -3, 3);
    Matrix Y = Matrix::Zero(B, c.y_cols);
    for (Index r = 0; r < B; ++r) {
      const Index y = static_cast<Index>(r % loss.class_weight.size());  // every class present
      if (c.y_cols == 1)
        Y(r, 0) = static_cast<Scalar>(y);
      else
        Y(r, y) = 1;
    }
    Matrix dZ(B, c.k);
    loss.gradient(Z, Y, dZ);
    const auto value = [&] { return static_cast<double>(loss.value(Z, Y)); };
    const auto r = gradcheck::check(Z.data(), dZ.data(), Z.size(), value);
    CAPTURE(r.relative_error);
    CHECK(r.ok());
    Matrix off = dZ * 1.01;
    CHECK_FALSE(gradcheck::check(Z.data(), off.data(), Z.size(), value).ok());
    // The weights matter: the unweighted gradient is not this one.
    Matrix plain(B, c.k);
    parse_loss(c.loss).gradient(Z, Y, plain);
    CHECK((plain - dZ).norm() > 0.1 * dZ.norm());
  }
}

TEST_CASE("gradcheck: a whole network with a class-weighted loss, every parameter, on both paths") {
  for (Path path : {Path::Reference, Path::Fast})
    for (const char* loss_name : {"cross_entropy", "bce"}) {
      CAPTURE(loss_name);
      CAPTURE(path == Path::Fast);
      const bool bce = std::string(loss_name) == "bce";
      Network net(4, 13, path);
      net.add_dense(5, "tanh");
      net.add_dense(bce ? 1 : 3, bce ? "sigmoid" : "softmax");
      Loss loss = parse_loss(loss_name);
      loss.class_weight = bce ? RowVector(2) : RowVector(3);
      loss.class_weight(0) = 0.4;
      loss.class_weight(1) = 3;
      if (!bce) loss.class_weight(2) = 1.7;
      net.set_loss(loss);
      Rng rng(14);
      Matrix X = sample(7, 4, rng, -1, 1);
      Matrix Y(7, 1);
      for (Index r = 0; r < 7; ++r) Y(r, 0) = static_cast<Scalar>(r % (bce ? 2 : 3));
      for (const auto& p : gradcheck::check_network(net, X, Y)) {
        CAPTURE(p.name);
        CAPTURE(p.result.relative_error);
        CHECK(p.result.ok());
      }
    }
}

TEST_CASE("gradcheck: Dense layer dW, db, dX") {
  Rng rng(6);
  Dense layer(4, 3, parse_activation("tanh"), rng);
  Matrix X = sample(5, 4, rng, -1, 1), R = sample(5, 3, rng, -1, 1);
  auto loss = [&] { return (layer.forward(X, true, rng).array() * R.array()).sum(); };
  loss();
  layer.backward(X, R);
  Matrix dW = layer.dW, dX = layer.input_gradient();
  RowVector db = layer.db;
  CHECK(gradcheck::check(layer.W.data(), dW.data(), dW.size(), loss).ok());
  CHECK(gradcheck::check(layer.b.data(), db.data(), db.size(), loss).ok());
  CHECK(gradcheck::check(X.data(), dX.data(), dX.size(), loss).ok());
}

TEST_CASE("gradcheck: Dropout with a fixed mask") {
  Rng rng(7);
  Dropout drop(4, 0.5);
  Matrix mask(3, 4);
  for (Index i = 0; i < mask.size(); ++i) mask.data()[i] = (i % 3 == 0) ? 0.0 : 2.0;
  drop.fix_mask(mask);
  Matrix X = sample(3, 4, rng, -1, 1), R = sample(3, 4, rng, -1, 1);
  auto loss = [&] { return (drop.forward(X, true, rng).array() * R.array()).sum(); };
  loss();
  Matrix dX = drop.backward(X, R);
  CHECK(gradcheck::check(X.data(), dX.data(), dX.size(), loss).ok());
  // In eval mode dropout is the identity.
  CHECK((Matrix(drop.forward(X, false, rng)) - X).norm() == 0.0);
}

TEST_CASE("gradcheck: a whole 3-layer network, every parameter, with each output loss, on both paths") {
  struct Setup {
    const char* hidden1;
    const char* hidden2;
    const char* output;
    const char* loss;
  };
  const Setup setups[] = {{"tanh", "prelu", "softmax", "cross_entropy"},
                          {"swish:1:learn", "elu", "sigmoid", "bce"},
                          {"gelu", "leaky_relu:0.1", "identity", "mse"}};
  for (Path path : {Path::Reference, Path::Fast})
    for (const auto& s : setups) {
      CAPTURE(s.loss);
      CAPTURE(path == Path::Fast);
      Network net(4, 11, path);
      net.add_dense(5, s.hidden1);
      net.add_dense(6, s.hidden2);
      net.add_dense(3, s.output);
      net.set_loss(parse_loss(s.loss));
      Rng rng(8);
      Matrix X = sample(7, 4, rng, -1, 1, 0.0);
      Matrix Y = sample(7, 3, rng, 0, 1);
      if (std::string(s.loss) != "mse") Y = (Y.array() > 0.5).select(Matrix::Ones(7, 3), Matrix::Zero(7, 3));
      if (std::string(s.loss) == "cross_entropy") {
        Y.setZero();
        for (Index r = 0; r < 7; ++r) Y(r, r % 3) = 1;
      }
      for (const auto& p : gradcheck::check_network(net, X, Y)) {
        CAPTURE(p.name);
        CAPTURE(p.result.relative_error);
        CHECK(p.result.ok());
      }
    }
}

TEST_CASE("gradcheck: check_network fails every parameter of a network whose gradients are 1% off") {
  Network net(3, 5, Path::Reference);
  net.add_dense(4, "tanh");
  net.add_dense(2, "identity");
  net.set_loss(parse_loss("mse"));
  Rng rng(9);
  Matrix X = sample(5, 3, rng, -1, 1), Y = sample(5, 2, rng, -1, 1);
  const auto right = gradcheck::check_network(net, X, Y);
  const auto wrong = gradcheck::check_network(net, X, Y, 1.01);  // what `mlp gradcheck --perturb-analytic` runs
  REQUIRE(right.size() == 4);
  REQUIRE(wrong.size() == 4);
  for (std::size_t i = 0; i < wrong.size(); ++i) {
    CAPTURE(wrong[i].name);
    CHECK(right[i].result.ok());
    CHECK_FALSE(wrong[i].result.ok());
    // |1.01 g - g| / (|1.01 g| + |g|) = 0.01 / 2.01, up to the numeric gradient's own ~1e-10 error.
    CHECK(wrong[i].result.relative_error == doctest::Approx(0.01 / 2.01).epsilon(1e-4));
  }
}
