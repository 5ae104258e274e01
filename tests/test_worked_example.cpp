// A worked example to check on paper: a 2-2-1 network on one sample, every number of one forward
// pass, backward pass and SGD step written out as a student would, and compared with the engine.
#include "mlp/network.hpp"

#include <doctest/doctest.h>

using namespace mlp;

namespace {
// The engine runs in float here, the build users train with. The literals are the exact values
// (worked in double) to 9 significant digits; float rounds each of these few operations at ~6e-8
// relative, and the same computation in PyTorch's float32 is off by at most 1.2e-7. 1e-6 of each
// value (scale(0): relative even for the small gradients) is above that, far below any wrong formula.
doctest::Approx near(double x) { return doctest::Approx(x).epsilon(1e-6).scale(0); }
}  // namespace

TEST_CASE("worked example: a 2-2-1 sigmoid network by hand through one SGD step") {
  // The network, weights (out, in) as everywhere in mlp (types.hpp):
  //   hidden: 2 sigmoid units   W1 = [[0.1, -0.2],    b1 = (0.1, -0.1)
  //                                   [0.4,  0.3]]
  //   output: 1 sigmoid unit    W2 = [[-0.5, 0.6]]    b2 = (0.2)
  // One sample x = (1, 2) with target y = 1, loss mse: L = (p - y)² (the mean of one element).
  // σ(z) = 1/(1 + e^-z), and σ'(z) = σ(z)(1 - σ(z)).
  for (Path path : {Path::Reference, Path::Fast}) {
    CAPTURE(path == Path::Fast);
    Network net(2, 1, path);
    Dense& hidden = net.add_dense(2, "sigmoid");
    Dense& output = net.add_dense(1, "sigmoid");
    hidden.W << 0.1f, -0.2f, 0.4f, 0.3f;
    hidden.b << 0.1f, -0.1f;
    output.W << -0.5f, 0.6f;
    output.b << 0.2f;
    net.set_loss(parse_loss("mse"));
    OptimizerConfig sgd;
    sgd.name = "sgd";
    sgd.learning_rate = 0.1;  // no momentum: w ← w − 0.1·dw
    net.set_optimizer(make_optimizer(sgd));
    Matrix x(1, 2), y(1, 1);
    x << 1, 2;
    y << 1;

    // Forward, loss, backward and update; every layer's Z, A, dZ, dW, db stay readable after it.
    const double loss = net.train_step(x, y);

    // ---- forward ----
    // z1 = W1·x + b1
    CHECK(hidden.Z()(0, 0) == near(-0.2));  // 0.1·1 + (−0.2)·2 + 0.1
    CHECK(hidden.Z()(0, 1) == near(0.9));   // 0.4·1 + 0.3·2 + (−0.1)
    // a1 = σ(z1)
    CHECK(hidden.A()(0, 0) == near(0.450166003));  // 1/(1 + e^0.2)
    CHECK(hidden.A()(0, 1) == near(0.710949503));  // 1/(1 + e^−0.9)
    // z2 = W2·a1 + b2
    CHECK(output.Z()(0, 0) == near(0.401486700));  // (−0.5)·0.450166003 + 0.6·0.710949503 + 0.2
    // p = σ(z2), the network's output
    CHECK(output.A()(0, 0) == near(0.599044803));  // 1/(1 + e^−0.4014867)
    // L = (p − y)²
    CHECK(loss == near(0.16076507));  // (0.599044803 − 1)²

    // ---- backward ----
    // ∂L/∂p = 2(p − y)/N with N = 1 (mlp keeps it inside the step; the loss recomputes it here)
    Matrix dP(1, 1);
    net.loss().gradient(output.A(), y, dP);
    CHECK(dP(0, 0) == near(-0.801910393));  // 2·(0.599044803 − 1)
    // dZ2 = ∂L/∂p · σ'(z2) = ∂L/∂p · p(1 − p)
    CHECK(output.dZ()(0, 0) == near(-0.192610959));  // −0.801910393 · 0.599044803 · 0.400955197
    // dW2 = dZ2ᵀ·a1
    CHECK(output.dW(0, 0) == near(-0.0867069056));  // −0.192610959 · 0.450166003
    CHECK(output.dW(0, 1) == near(-0.136936666));   // −0.192610959 · 0.710949503
    // db2 = dZ2 (summed over a batch of one)
    CHECK(output.db(0) == near(-0.192610959));
    // dA1 = dZ2·W2, the output layer's input gradient
    CHECK(output.input_gradient()(0, 0) == near(0.0963054796));  // −0.192610959 · (−0.5)
    CHECK(output.input_gradient()(0, 1) == near(-0.115566575));  // −0.192610959 · 0.6
    // dZ1 = dA1 ⊙ σ'(z1) = dA1 ⊙ a1(1 − a1)
    CHECK(hidden.dZ()(0, 0) == near(0.0238372022));   // 0.0963054796 · 0.450166003 · 0.549833997
    CHECK(hidden.dZ()(0, 1) == near(-0.0237489668));  // −0.115566575 · 0.710949503 · 0.289050497
    // dW1 = dZ1ᵀ·x
    CHECK(hidden.dW(0, 0) == near(0.0238372022));   // 0.0238372022 · 1
    CHECK(hidden.dW(0, 1) == near(0.0476744045));   // 0.0238372022 · 2
    CHECK(hidden.dW(1, 0) == near(-0.0237489668));  // −0.0237489668 · 1
    CHECK(hidden.dW(1, 1) == near(-0.0474979336));  // −0.0237489668 · 2
    // db1 = dZ1
    CHECK(hidden.db(0) == near(0.0238372022));
    CHECK(hidden.db(1) == near(-0.0237489668));

    // ---- one SGD step: w ← w − lr·dw, lr = 0.1 ----
    CHECK(hidden.W(0, 0) == near(0.0976162798));  // 0.1 − 0.1·0.0238372022
    CHECK(hidden.W(0, 1) == near(-0.20476744));   // −0.2 − 0.1·0.0476744045
    CHECK(hidden.W(1, 0) == near(0.402374897));   // 0.4 − 0.1·(−0.0237489668)
    CHECK(hidden.W(1, 1) == near(0.304749793));   // 0.3 − 0.1·(−0.0474979336)
    CHECK(hidden.b(0) == near(0.0976162798));     // 0.1 − 0.1·0.0238372022
    CHECK(hidden.b(1) == near(-0.0976251033));    // −0.1 − 0.1·(−0.0237489668)
    CHECK(output.W(0, 0) == near(-0.491329309));  // −0.5 − 0.1·(−0.0867069056)
    CHECK(output.W(0, 1) == near(0.613693667));   // 0.6 − 0.1·(−0.136936666)
    CHECK(output.b(0) == near(0.219261096));      // 0.2 − 0.1·(−0.192610959)
  }
}
