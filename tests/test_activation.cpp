// Known values of every activation and its derivative, the spec parser, and numerical stability.
#include "mlp/activation.hpp"
#include "mlp/error.hpp"
#include "mlp/loss.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <vector>

using namespace mlp;

namespace {
// f(x) and f′(x) of a spec at one point, through the table's own forward/backward.
std::pair<double, double> at(const std::string& spec, double x) {
  Activation a = parse_activation(spec);
  Matrix Z(1, 1), A(1, 1), dZ(1, 1), dA = Matrix::Ones(1, 1);
  Z(0, 0) = static_cast<Scalar>(x);
  RowVector p;
  if (a.info->has_param()) p = RowVector::Constant(1, static_cast<Scalar>(a.param));
  a.info->forward(Z, p, A);
  ActivationGrad g{Z, A, p, dA, dZ, nullptr};
  a.info->backward(g);
  return {A(0, 0), dZ(0, 0)};
}
void expect(const std::string& spec, double x, double f, double df) {
  CAPTURE(spec);
  CAPTURE(x);
  auto [got_f, got_df] = at(spec, x);
  CHECK(got_f == doctest::Approx(f).epsilon(1e-5));
  CHECK(got_df == doctest::Approx(df).epsilon(1e-5));
}
}  // namespace

TEST_CASE("activation: known values of f and f'") {
  const double e = std::exp(1.0);
  const double sig1 = 1 / (1 + std::exp(-1.0));
  expect("identity", -2, -2, 1);
  expect("relu", -2, 0, 0);
  expect("relu", 3, 3, 1);
  expect("relu", 0, 0, 0);  // the documented choice: relu'(0) = 0
  expect("leaky_relu", -2, -0.02, 0.01);
  expect("leaky_relu:0.3", -2, -0.6, 0.3);
  expect("leaky_relu:0.3", 2, 2, 1);
  expect("prelu", -2, -0.5, 0.25);
  expect("elu", -1, 1 / e - 1, 1 / e);
  expect("elu:0.5", -1, 0.5 * (1 / e - 1), 0.5 / e);
  expect("elu", 2, 2, 1);
  expect("selu", 1, 1.0507009873554805, 1.0507009873554805);
  expect("selu", -1, 1.0507009873554805 * 1.6732632423543772 * (1 / e - 1),
         1.0507009873554805 * 1.6732632423543772 / e);
  expect("sigmoid", 0, 0.5, 0.25);
  expect("sigmoid", 1, sig1, sig1 * (1 - sig1));
  expect("tanh", 0, 0, 1);
  expect("tanh", 1, std::tanh(1.0), 1 - std::tanh(1.0) * std::tanh(1.0));
  expect("softplus", 0, std::log(2.0), 0.5);
  expect("swish", 1, sig1, sig1 + sig1 * (1 - sig1));
  expect("silu", 0, 0, 0.5);
  expect("swish:2", 1, 1 / (1 + std::exp(-2.0)),
         0.0 + 1 / (1 + std::exp(-2.0)) + 2 * (1 / (1 + std::exp(-2.0))) * (1 - 1 / (1 + std::exp(-2.0))));
  expect("gelu", 0, 0, 0.5);
  expect("gelu", 1, 0.8413447460685429, 0.8413447460685429 + 0.24197072451914337);
}

TEST_CASE("activation: known values of the bounded, hard and smooth newcomers, kinks included") {
  const double e = std::exp(1.0);
  expect("relu6", -1, 0, 0);
  expect("relu6", 3, 3, 1);
  expect("relu6", 7, 6, 0);
  expect("relu6", 0, 0, 0);  // both kinks belong to the flat pieces
  expect("relu6", 6, 6, 0);
  expect("hardtanh", -2, -1, 0);
  expect("hardtanh", 0.5, 0.5, 1);
  expect("hardtanh", -1, -1, 0);
  expect("hardtanh", 1, 1, 0);
  expect("hardsigmoid", 0, 0.5, 1.0 / 6);
  expect("hardsigmoid", 1.5, 0.75, 1.0 / 6);
  expect("hardsigmoid", -3, 0, 0);
  expect("hardsigmoid", 3, 1, 0);
  expect("hardswish", 0, 0, 0.5);
  expect("hardswish", 1, 4.0 / 6, 1.0 / 3 + 0.5);
  expect("hardswish", -4, 0, 0);
  expect("hardswish", -3, 0, 0);  // the flat side
  expect("hardswish", 3, 3, 1);   // the linear side
  expect("hardswish", 4, 4, 1);
  expect("mish", 0, 0, 0.6);                                            // tanh(ln 2) = 3/5
  const double t1 = ((1 + e) * (1 + e) - 1) / ((1 + e) * (1 + e) + 1);  // tanh(ln(1 + e))
  expect("mish", 1, t1, t1 + (1 - t1 * t1) / (1 + 1 / e));
  expect("celu", -1, 1 / e - 1, 1 / e);
  expect("celu:0.5", -1, 0.5 * (1 / (e * e) - 1), 1 / (e * e));
  expect("celu:0.5", 0, 0, 1);  // f' is continuous at 0 whatever alpha
  expect("celu:0.5", 2, 2, 1);
  expect("softsign", 1, 0.5, 0.25);
  expect("softsign", -3, -0.75, 1.0 / 16);
  expect("softsign", 0, 0, 1);
  expect("gelu_tanh", 0, 0, 0.5);
  const double beta = std::sqrt(2 / 3.14159265358979323846), u = beta * (1 + 0.044715), t = std::tanh(u);
  expect("gelu_tanh", 1, 0.5 * (1 + t), 0.5 * (1 + t) + 0.5 * (1 - t * t) * beta * (1 + 3 * 0.044715));
  expect("gelu_tanh", -1000, 0, 0);  // 1 + tanh(u) is exactly 0: 0, not NaN
  expect("mish", -1000, 0, 0);       // softplus without overflow
  expect("mish", 1000, 1000, 1);
}

TEST_CASE("activation: f' jumps exactly at the kinks the table lists, and nowhere else from -8 to 8") {
  std::vector<double> x;  // step 1/256: every kink is a grid point
  for (int i = -8 * 256; i <= 8 * 256; ++i) x.push_back(i / 256.0);
  for (const auto& info : activations()) {
    if (!info.elementwise) continue;
    CAPTURE(info.name);
    CHECK(info.smooth() == info.kinks.empty());
    Activation a = parse_activation(info.name);
    a.param *= 0.5;  // at its default alpha = 1, ELU's f' happens to be continuous
    const ActivationValues v = activation_values(a, x);
    // A smooth f' moves by at most max|f''|/256 < 0.01 per step; every jump here is 0.16 or more.
    std::vector<bool> seen(info.kinks.size(), false);
    for (std::size_t i = 0; i + 1 < x.size(); ++i) {
      if (std::abs(v.df[i + 1] - v.df[i]) < 0.05) continue;
      bool listed = false;
      for (std::size_t k = 0; k < info.kinks.size(); ++k)
        if (x[i] <= info.kinks[k] && info.kinks[k] <= x[i + 1]) listed = seen[k] = true;
      CHECK_MESSAGE(listed, "f' jumps between " << x[i] << " and " << x[i + 1] << ", not at a listed kink");
    }
    for (std::size_t k = 0; k < info.kinks.size(); ++k)
      CHECK_MESSAGE(seen[k], "f' does not jump at the listed kink " << info.kinks[k]);
  }
}

TEST_CASE("activation: softmax rows sum to 1 and match the formula") {
  Activation a = parse_activation("softmax");
  Matrix Z(2, 3), A(2, 3);
  Z << 1, 2, 3, 0, 0, 0;
  a.info->forward(Z, RowVector(), A);
  const double s = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  CHECK(A(0, 2) == doctest::Approx(std::exp(3.0) / s));
  CHECK(A(1, 0) == doctest::Approx(1.0 / 3));
  CHECK(A.row(0).sum() == doctest::Approx(1.0));
}

TEST_CASE("activation: spec parsing and its errors") {
  CHECK(parse_activation("leaky_relu:0.3").param == doctest::Approx(0.3));
  CHECK(parse_activation("silu").info->name == std::string("swish"));
  CHECK(parse_activation("swish:1.5:learn").learn);
  CHECK(parse_activation("swish:learn").param == 1.0);
  CHECK(parse_activation("prelu").learn);
  CHECK_FALSE(parse_activation("elu:0.5").learn);
  for (const auto& info : activations()) {  // every spec round-trips through its text form
    Activation a = parse_activation(info.name);
    Activation b = parse_activation(a.spec());
    CHECK(b.info == a.info);
    CHECK(b.param == a.param);
    CHECK(b.learn == a.learn);
  }
  CHECK_THROWS_WITH_AS(parse_activation("rleu"), doctest::Contains("unknown activation 'rleu'"), Error);
  CHECK_THROWS_WITH_AS(parse_activation("rleu"), doctest::Contains("leaky_relu"), Error);  // lists the valid ones
  CHECK_THROWS_WITH_AS(parse_activation("leaky_relu:abc"), doctest::Contains("not a number"), Error);
  CHECK_THROWS_WITH_AS(parse_activation("leaky_relu:-1"), doctest::Contains("alpha must be in"), Error);
  CHECK_THROWS_WITH_AS(parse_activation("relu:0.3"), doctest::Contains("takes no parameter"), Error);
  CHECK_THROWS_WITH_AS(parse_activation("swish:1:2"), doctest::Contains("expected"), Error);
  CHECK_THROWS_AS(parse_activation(""), Error);
  CHECK_THROWS_AS(parse_activation("elu:nan"), Error);
}

TEST_CASE("activation: every activation stays finite at +-1000") {
  for (const auto& info : activations()) {
    CAPTURE(info.name);
    Activation a = parse_activation(info.name);
    Matrix Z(2, 2), A(2, 2), dZ(2, 2), dA = Matrix::Ones(2, 2);
    Z << 1000, -1000, -1000, 1000;
    RowVector p, dp;
    if (info.has_param()) {
      p = RowVector::Constant(2, static_cast<Scalar>(a.param));
      dp = RowVector::Zero(2);
    }
    info.forward(Z, p, A);
    ActivationGrad g{Z, A, p, dA, dZ, info.has_param() ? &dp : nullptr};
    info.backward(g);
    CHECK(A.allFinite());
    CHECK(dZ.allFinite());
    if (info.has_param()) CHECK(dp.allFinite());
  }
}

TEST_CASE("loss: softmax cross-entropy and BCE on logits of +-1000 stay finite") {
  Matrix Z(2, 3), dZ(2, 3);
  Z << 1000, -1000, 0, -1000, 1000, 1000;
  Matrix Y(2, 3);
  Y << 0, 1, 0, 1, 0, 0;  // the worst case: the target's logit is the smallest
  for (const char* name : {"cross_entropy", "bce"}) {
    CAPTURE(name);
    Loss l = parse_loss(name);
    const Scalar v = l.value(Z, Y);
    l.gradient(Z, Y, dZ);
    CHECK(std::isfinite(v));
    CHECK(v > 100);  // confidently wrong costs a lot, not NaN
    CHECK(dZ.allFinite());
  }
  Loss ce = parse_loss("cross_entropy");
  Matrix right(1, 3), onehot(1, 3), g(1, 3);
  right << 1000, -1000, 0;
  onehot << 1, 0, 0;
  CHECK(ce.value(right, onehot) == doctest::Approx(0.0));
  ce.gradient(right, onehot, g);
  CHECK(g.cwiseAbs().maxCoeff() < 1e-6);
}

TEST_CASE("loss: known values and parse errors") {
  Matrix P(1, 2), Y(1, 2);
  P << 1, 3;
  Y << 0, 0;
  CHECK(parse_loss("mse").value(P, Y) == doctest::Approx(5.0));
  CHECK(parse_loss("mae").value(P, Y) == doctest::Approx(2.0));
  CHECK(parse_loss("huber:1").value(P, Y) == doctest::Approx((0.5 + 2.5) / 2));
  Matrix z(1, 1), y(1, 1);
  z << 0;
  y << 1;
  CHECK(parse_loss("bce").value(z, y) == doctest::Approx(std::log(2.0)));
  CHECK_THROWS_WITH_AS(parse_loss("hinge"), doctest::Contains("valid losses"), Error);
  CHECK_THROWS_WITH_AS(parse_loss("huber:-1"), doctest::Contains("positive"), Error);
  CHECK_THROWS_AS(parse_loss("mse:2"), Error);
}

TEST_CASE("activation: docs/activations.md lists every activation in the table") {
  std::ifstream in(std::string(MLP_SOURCE_DIR) + "/docs/activations.md");
  REQUIRE(in.good());
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& a : activations()) {
    CAPTURE(a.name);
    CHECK(doc.find(std::string("\n") + a.name) != std::string::npos);  // regenerate: scripts/gen-activation-docs.sh
    CHECK(doc.find(a.formula) != std::string::npos);
  }
}
