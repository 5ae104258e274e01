// W1 of the benchmark, mlp side: XOR, 2-8-1, tanh hidden, sigmoid output, MSE, full-batch SGD
// lr 0.5. Measures the per-step overhead of the framework on a net too small for the arithmetic
// to matter. Usage: xor_epochs [EPOCHS=10000] [SEED=1]  → one JSON line.
#include "mlp/network.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 10000;
  const std::uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1;
  mlp::Matrix X(4, 2), Y(4, 1);  // (B, in), (B, out)
  X << 0, 0, 0, 1, 1, 0, 1, 1;
  Y << 0, 1, 1, 0;
  mlp::Network net(2, seed);
  net.add_dense(8, "tanh");
  net.add_dense(1, "sigmoid");
  net.set_loss(mlp::parse_loss("mse"));
  mlp::OptimizerConfig sgd;
  sgd.learning_rate = 0.5;
  net.set_optimizer(mlp::make_optimizer(sgd));
  float first = 0, loss = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int e = 0; e < epochs; ++e) {
    loss = net.train_step(X, Y);  // the loss before this step's update
    if (e == 0) first = loss;
  }
  const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "{\"impl\": \"mlp\", \"epochs\": %d, \"us_per_epoch\": %.4f, \"first_loss\": %.6f, \"final_loss\": %.6f}\n",
      epochs, us / epochs, first, loss);
}
