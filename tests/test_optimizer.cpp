// The optimizers' update rules against hand computations, clipping, and schedules.
#include "mlp/error.hpp"
#include "mlp/optimizer.hpp"
#include "mlp/schedule.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace mlp;

namespace {
struct OneParam {
  Vector w = Vector::Zero(2), g = Vector::Zero(2);
  std::vector<Parameter> params() { return {{"w", w.data(), g.data(), 2}}; }
};
}  // namespace

TEST_CASE("optimizer: sgd, momentum and nesterov follow torch.optim.SGD") {
  for (bool nesterov : {false, true}) {
    CAPTURE(nesterov);
    OneParam p;
    p.w << 1, -1;
    OptimizerConfig c;
    c.learning_rate = 0.1;
    c.momentum = 0.9;
    c.nesterov = nesterov;
    c.weight_decay = 0.01;
    auto opt = make_optimizer(c);
    Vector w = p.w, v = Vector::Zero(2);
    for (int step = 0; step < 3; ++step) {
      p.g << 0.5, 0.25 * step;
      Vector g = p.g + 0.01 * w;
      v = 0.9 * v + g;
      w -= 0.1 * (nesterov ? Vector(g + 0.9 * v) : v);
      opt->step(p.params());
      CHECK((p.w - w).norm() < 1e-6);
    }
  }
}

TEST_CASE("optimizer: adam matches its update rule") {
  OneParam p;
  p.w << 1, 2;
  OptimizerConfig c;
  c.name = "adam";
  c.learning_rate = 0.01;
  auto opt = make_optimizer(c);
  double m = 0, v = 0, w = 1;
  for (int t = 1; t <= 3; ++t) {
    p.g << 0.3, -0.2;
    m = 0.9 * m + 0.1 * 0.3;
    v = 0.999 * v + 0.001 * 0.09;
    w -= 0.01 * (m / (1 - std::pow(0.9, t))) / (std::sqrt(v / (1 - std::pow(0.999, t))) + 1e-8);
    opt->step(p.params());
    CHECK(p.w(0) == doctest::Approx(w).epsilon(1e-5));
  }
}

TEST_CASE("optimizer: clipping by global norm rescales all gradients together") {
  OneParam a, b;
  a.g << 3, 0;
  b.g << 0, 4;  // global norm 5
  std::vector<Parameter> both = {{"a", a.w.data(), a.g.data(), 2}, {"b", b.w.data(), b.g.data(), 2}};
  OptimizerConfig c;
  c.learning_rate = 1.0;
  c.clip_norm = 1.0;
  auto opt = make_optimizer(c);
  opt->step(both);
  CHECK(opt->last_gradient_norm() == doctest::Approx(5.0));
  CHECK(a.w(0) == doctest::Approx(-0.6));  // direction kept, length 1
  CHECK(b.w(1) == doctest::Approx(-0.8));
}

TEST_CASE("optimizer: a gradient under the clipping norm gives exactly the unclipped step") {
  for (const char* name : {"sgd", "adam"}) {
    CAPTURE(name);
    OneParam clipped, plain;
    clipped.g << 0.3, -0.4;  // global norm 0.5 < clip_norm 1: the factor must stay exactly 1
    plain.g = clipped.g;
    OptimizerConfig c;
    c.name = name;
    c.learning_rate = 0.1;
    auto unclipped = make_optimizer(c);
    c.clip_norm = 1.0;
    auto clipping = make_optimizer(c);
    for (int step = 0; step < 2; ++step) {
      clipping->step(clipped.params());
      unclipped->step(plain.params());
      CHECK(clipping->last_gradient_norm() == doctest::Approx(0.5));
      CHECK(clipped.w == plain.w);  // bit for bit: the same arithmetic with a factor of 1
    }
  }
}

TEST_CASE("optimizer: adam with weight decay and clipping matches torch.optim.Adam by hand") {
  // torch.optim.Adam(weight_decay=wd) after clip_grad_norm_: g = clip·∂L/∂w + wd·w, then the
  // usual moments. Adam is blind to one constant factor on every g, so the gradients change size
  // from step to step (some above clip_norm, some below) and the decay term is of the same order.
  OneParam p;
  p.w << 1, -2;
  OptimizerConfig c;
  c.name = "adam";
  c.learning_rate = 0.1;
  c.weight_decay = 0.5;
  c.clip_norm = 1.0;
  auto opt = make_optimizer(c);
  const double grads[3][2] = {{3, 4}, {0.3, -0.4}, {-1.2, 0.5}};  // norms 5, 0.5, 1.3
  double w[2] = {1, -2}, m[2] = {0, 0}, v[2] = {0, 0};
  for (int t = 1; t <= 3; ++t) {
    CAPTURE(t);
    const double* dw = grads[t - 1];
    const double norm = std::hypot(dw[0], dw[1]);
    const double clip = norm > 1.0 ? 1.0 / norm : 1.0;
    for (int k = 0; k < 2; ++k) {
      const double g = clip * dw[k] + 0.5 * w[k];
      m[k] = 0.9 * m[k] + 0.1 * g;
      v[k] = 0.999 * v[k] + 0.001 * g * g;
      const double m_hat = m[k] / (1 - std::pow(0.9, t)), v_hat = v[k] / (1 - std::pow(0.999, t));
      w[k] -= 0.1 * m_hat / (std::sqrt(v_hat) + 1e-8);
    }
    p.g << static_cast<Scalar>(dw[0]), static_cast<Scalar>(dw[1]);
    opt->step(p.params());
    CHECK(opt->last_gradient_norm() == doctest::Approx(norm));
    CHECK(p.w(0) == doctest::Approx(w[0]).epsilon(1e-5));  // float arithmetic against double
    CHECK(p.w(1) == doctest::Approx(w[1]).epsilon(1e-5));
  }
}

TEST_CASE("optimizer: bad settings are errors") {
  OptimizerConfig c;
  c.learning_rate = -1;
  CHECK_THROWS_WITH_AS(make_optimizer(c), doctest::Contains("learning rate"), Error);
  c = OptimizerConfig();
  c.name = "rmsprop";
  CHECK_THROWS_WITH_AS(make_optimizer(c), doctest::Contains("sgd, adam"), Error);
  c = OptimizerConfig();
  c.nesterov = true;
  CHECK_THROWS_AS(make_optimizer(c), Error);
}

TEST_CASE("schedule: each rate follows its formula") {
  CHECK(parse_schedule("constant").rate(0.1, 50, 100) == doctest::Approx(0.1));
  CHECK(parse_schedule("step:10:0.5").rate(0.1, 25, 100) == doctest::Approx(0.025));
  CHECK(parse_schedule("exponential:0.9").rate(1.0, 2, 100) == doctest::Approx(0.81));
  CHECK(parse_schedule("cosine").rate(1.0, 50, 100) == doctest::Approx(0.5));
  CHECK(parse_schedule("cosine:0.1").rate(1.0, 0, 100) == doctest::Approx(1.0));
  CHECK(parse_schedule(parse_schedule("step:5:0.1").spec()).rate(1.0, 5, 10) == doctest::Approx(0.1));
  CHECK_THROWS_WITH_AS(parse_schedule("linear"), doctest::Contains("valid"), Error);
  CHECK_THROWS_AS(parse_schedule("step:0"), Error);
  CHECK_THROWS_AS(parse_schedule("step:1:2:3"), Error);
}
