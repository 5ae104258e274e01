// W1 of the benchmark: XOR, 2-8-1, tanh hidden, sigmoid output, MSE, full-batch SGD lr 0.5,
// 10,000 epochs; prints microseconds per epoch. Per-step overhead is what this measures.
#include "mlp/network.hpp"

#include <chrono>
#include <cstdio>

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 10000;
  mlp::Matrix X(4, 2), Y(4, 1);
  X << 0, 0, 0, 1, 1, 0, 1, 1;
  Y << 0, 1, 1, 0;
  mlp::Network net(2, 1);
  net.add_dense(8, "tanh");
  net.add_dense(1, "sigmoid");
  net.set_loss(mlp::parse_loss("mse"));
  mlp::OptimizerConfig sgd;
  sgd.learning_rate = 0.5;
  net.set_optimizer(mlp::make_optimizer(sgd));
  float loss = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int e = 0; e < epochs; ++e) loss = net.train_step(X, Y);
  const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  std::printf("xor 2-8-1: %d epochs in %.1f ms, %.3f us/epoch, final loss %.5f\n", epochs, us / 1000, us / epochs, loss);
}
