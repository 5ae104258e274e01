// W1 of the benchmark, mlp side: XOR, 2-8-1, tanh hidden, sigmoid output, MSE, full-batch SGD
// lr 0.5. Measures the per-step overhead of the framework on a net too small for the arithmetic
// to matter.
// Usage: xor_epochs [EPOCHS=10000] [SEED=1] [step|fit] [sgd|adam]  → one JSON line.
//   step: a loop of Network::train_step, the engine alone (the default).
//   fit:  mlp::fit() with what `mlp train` hands it (a running R², a batch and an epoch callback,
//         an interrupt check, the history), shuffling the four rows each epoch.
//   adam: `mlp train`'s default optimizer at the same lr 0.5 (its units saturate).
#include "mlp/io/metrics.hpp"
#include "mlp/trainer.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 10000;
  const std::uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1;
  const std::string mode = argc > 3 ? argv[3] : "step", optimizer = argc > 4 ? argv[4] : "sgd";
  if (epochs < 1 || (mode != "step" && mode != "fit") || (optimizer != "sgd" && optimizer != "adam")) {
    std::fprintf(stderr, "usage: %s [EPOCHS] [SEED] [step|fit] [sgd|adam]\n", argv[0]);
    return 2;
  }
  mlp::Matrix X(4, 2), Y(4, 1);  // (B, in), (B, out)
  X << 0, 0, 0, 1, 1, 0, 1, 1;
  Y << 0, 1, 1, 0;
  mlp::Network net(2, seed);
  net.add_dense(8, "tanh");
  net.add_dense(1, "sigmoid");
  net.set_loss(mlp::parse_loss("mse"));
  mlp::OptimizerConfig config;
  config.name = optimizer;
  config.learning_rate = 0.5;
  net.set_optimizer(mlp::make_optimizer(config));
  double first = 0, loss = 0;
  const auto t0 = std::chrono::steady_clock::now();
  if (mode == "step") {
    for (int e = 0; e < epochs; ++e) {
      loss = net.train_step(X, Y);  // the loss before this step's update
      if (e == 0) first = loss;
    }
  } else {
    mlp::FitOptions o;
    o.epochs = epochs;
    o.batch_size = 4;
    o.train_metric = mlp::running_r2(Y);
    long batches = 0, lines = 0;
    o.on_batch = [&batches](int, mlp::Index, mlp::Index, double) { ++batches; };
    o.on_epoch = [&lines, epochs](const mlp::EpochReport& r) { lines += r.epoch % (epochs / 100 + 1) == 0; };
    o.interrupted = [] { return false; };
    const mlp::Matrix none(0, 2);
    const auto result = mlp::fit(net, X, Y, none, none.leftCols(1), o);
    first = result.history.front().train_loss;
    loss = result.history.back().train_loss;
  }
  const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "{\"impl\": \"mlp\", \"mode\": \"%s\", \"optimizer\": \"%s\", \"epochs\": %d, \"us_per_epoch\": %.4f, "
      "\"first_loss\": %.6f, \"final_loss\": %.6f}\n",
      mode.c_str(), optimizer.c_str(), epochs, us / epochs, first, loss);
}
