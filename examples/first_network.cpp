// The first program to read: one Dense layer with ReLU on a 2×2 input, then XOR learned by a
// 2-8-1 network. Build: cmake --build build; run: build/examples/first_network
#include "mlp/trainer.hpp"

#include <iostream>

int main() {
  mlp::Rng rng(1);
  mlp::Dense layer(2, 3, mlp::parse_activation("relu"), rng);  // W (3, 2), b (3)
  mlp::Matrix X(2, 2);                                         // two samples, one per row
  X << 1, 2, -1, 0.5;
  std::cout << "W =\n" << layer.W << "\nrelu(X·Wᵀ + b) =\n" << layer.forward(X, false, rng) << "\n\n";

  mlp::Matrix inputs(4, 2), targets(4, 1);
  inputs << 0, 0, 0, 1, 1, 0, 1, 1;
  targets << 0, 1, 1, 0;
  mlp::Network net(2, /*seed=*/1);
  net.add_dense(8, "tanh");
  net.add_dense(1, "sigmoid");
  net.set_loss(mlp::parse_loss("bce"));
  mlp::OptimizerConfig sgd;
  sgd.learning_rate = 0.5;
  sgd.momentum = 0.9;
  net.set_optimizer(mlp::make_optimizer(sgd));
  for (int epoch = 1; epoch <= 500; ++epoch) {
    const float loss = net.train_step(inputs, targets);  // forward, backward, update
    if (epoch % 100 == 0) std::cout << "epoch " << epoch << "  loss " << loss << "\n";
  }
  const mlp::Matrix p = net.predict(inputs);
  int right = 0;
  for (int i = 0; i < 4; ++i) right += (p(i, 0) > 0.5f) == (targets(i, 0) > 0.5f);
  std::cout << net.summary() << "XOR predictions:\n" << p << "\nXOR accuracy: " << right << "/4\n";
}
