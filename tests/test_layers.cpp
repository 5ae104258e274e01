// Initialisation schemes and dropout, checked by their statistics.
#include "mlp/dense.hpp"
#include "mlp/dropout.hpp"
#include "mlp/error.hpp"
#include "mlp/init.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace mlp;

TEST_CASE("init: each scheme draws with its variance, normal or uniform") {
  struct Expect {
    const char* name;
    double variance;  // for W (out=200, in=300)
    bool uniform;
  };
  const double in = 300, out = 200;
  const Expect cases[] = {{"he_normal", 2 / in, false},
                          {"he_uniform", 2 / in, true},
                          {"xavier_normal", 2 / (in + out), false},
                          {"xavier_uniform", 2 / (in + out), true},
                          {"lecun_normal", 1 / in, false},
                          {"lecun_uniform", 1 / in, true}};
  for (const auto& c : cases) {
    CAPTURE(c.name);
    Rng rng(1);
    Matrix W(200, 300);
    initialize(W, parse_init(c.name), rng);
    const double mean = W.mean();
    const double var = (W.array() - static_cast<Scalar>(mean)).square().mean();
    CHECK(std::abs(mean) < 0.01 * std::sqrt(c.variance) * 10);
    // Relative: the variances are 0.003-0.007, so an absolute tolerance would pass any of them.
    // 60,000 draws give a standard error of ~0.6% (sqrt(2/n) for a normal), so 3% is 5 of them.
    CHECK_MESSAGE(std::abs(var / c.variance - 1) < 0.03, "variance ", var, ", expected ", c.variance);
    const double bound = std::sqrt(3 * c.variance);
    if (c.uniform)
      CHECK(W.cwiseAbs().maxCoeff() <= bound * (1 + 1e-6));
    else
      CHECK(W.cwiseAbs().maxCoeff() > bound);  // a normal's tails go beyond the uniform's edge
  }
  CHECK(parse_init("he") == InitKind::HeNormal);
  CHECK(parse_init("glorot") == InitKind::XavierUniform);
  CHECK_THROWS_WITH_AS(parse_init("zeros"), doctest::Contains("he_normal"), Error);
}

TEST_CASE("init: the default follows the layer's activation") {
  CHECK(parse_activation("relu").info->default_init == InitKind::HeNormal);
  CHECK(parse_activation("leaky_relu").info->default_init == InitKind::HeNormal);
  CHECK(parse_activation("tanh").info->default_init == InitKind::XavierUniform);
  CHECK(parse_activation("sigmoid").info->default_init == InitKind::XavierUniform);
  CHECK(parse_activation("selu").info->default_init == InitKind::LecunNormal);
  Rng a(7), b(7);
  Dense relu(300, 200, parse_activation("relu"), a);
  Matrix W(200, 300);
  initialize(W, InitKind::HeNormal, b);
  CHECK(relu.W == W);  // the same draws as he_normal from the same seed
  CHECK(relu.b.isZero());
}

TEST_CASE("dropout: drops the given fraction in training, rescales, and is the identity in eval") {
  Rng rng(3);
  Dropout drop(1000, 0.3);
  Matrix X = Matrix::Ones(50, 1000);
  Matrix Y = drop.forward(X, true, rng);
  const double dropped = (Y.array() == 0).cast<double>().mean();
  CHECK(dropped == doctest::Approx(0.3).epsilon(0.03));
  CHECK(Y.maxCoeff() == doctest::Approx(1 / 0.7));        // kept units scaled by 1/(1 − rate)
  CHECK(Y.mean() == doctest::Approx(1.0).epsilon(0.02));  // so the expected output is unchanged
  Matrix dX = drop.backward(X, Matrix::Ones(50, 1000));
  CHECK((dX.array() == 0).cast<double>().mean() == doctest::Approx(dropped));  // same mask backward
  CHECK(Matrix(drop.forward(X, false, rng)) == X);
  CHECK_THROWS_AS(Dropout(10, 1.0), Error);
  CHECK_THROWS_AS(Dropout(10, -0.1), Error);
}
