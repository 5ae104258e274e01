// W2 of the benchmark: Fashion-MNIST, 784-256-128-10, ReLU, softmax + cross-entropy, SGD lr 0.05
// momentum 0.9, batch 64, shuffled. Starts from the initial weights in INIT (float32, torch
// layout: W1 b1 W2 b2 W3 b3), so its loss curve can be compared with PyTorch's.
// Usage: w2_fashion DATA_DIR INIT.bin EPOCHS THREADS SEED [adam] [diagnostics]  → one JSON line per
// epoch and a summary. With "adam", the optimizer is `mlp train`'s default, Adam lr 0.001 (as
// torch_w2.py's adam). With "diagnostics", every step also gathers mlp::Diagnostics (their cost is
// a target: ≤ 10% of the training time).
#include "fashion.hpp"
#include "mlp/diagnostics.hpp"
#include "mlp/io/metrics.hpp"
#include "mlp/threads.hpp"
#include "mlp/trainer.hpp"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>

int main(int argc, char** argv) {
  bool diagnose = false, adam = false, usage = argc < 6;
  for (int k = 6; k < argc; ++k) {
    const std::string flag = argv[k];
    diagnose |= flag == "diagnostics";
    adam |= flag == "adam";
    usage |= flag != "diagnostics" && flag != "adam";
  }
  if (usage) {
    std::fprintf(stderr, "usage: %s DATA_DIR INIT.bin EPOCHS THREADS SEED [adam] [diagnostics]\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const int epochs = std::atoi(argv[3]), threads = std::atoi(argv[4]);
  mlp::set_threads(threads);
  mlp::Matrix X, Y, Xt, Yt;
  bench::load_idx(dir + "/train-images-idx3-ubyte", dir + "/train-labels-idx1-ubyte", X, Y);
  bench::load_idx(dir + "/t10k-images-idx3-ubyte", dir + "/t10k-labels-idx1-ubyte", Xt, Yt);

  mlp::Network net(784, std::strtoull(argv[5], nullptr, 10));
  net.add_dense(256, "relu");
  net.add_dense(128, "relu");
  net.add_dense(10, "softmax");
  net.set_loss(mlp::parse_loss("cross_entropy"));
  mlp::OptimizerConfig optimizer;  // SGD lr 0.05 momentum 0.9, or Adam lr 0.001
  if (adam) {
    optimizer.name = "adam";
    optimizer.learning_rate = 0.001;
  } else {
    optimizer.learning_rate = 0.05;
    optimizer.momentum = 0.9;
  }
  net.set_optimizer(mlp::make_optimizer(optimizer));
  {  // the shared initial weights
    const auto init = bench::slurp(argv[2]);
    std::size_t offset = 0;
    for (const auto& p : net.parameters()) {
      const std::size_t bytes = static_cast<std::size_t>(p.size) * sizeof(float);
      if (offset + bytes > init.size()) throw mlp::Error(std::string(argv[2]) + ": too short for 784-256-128-10");
      std::memcpy(p.value, init.data() + offset, bytes);
      offset += bytes;
    }
  }
  mlp::FitOptions o;
  o.epochs = epochs;
  o.batch_size = 64;
  o.on_epoch = [](const mlp::EpochReport& r) {
    std::printf("{\"epoch\": %d, \"loss\": %.6f, \"seconds\": %.4f, \"samples_per_s\": %.1f}\n", r.epoch, r.train_loss,
                r.seconds, r.samples_per_second);
    std::fflush(stdout);
  };
  std::optional<mlp::Diagnostics> diagnostics;
  if (diagnose) o.diagnostics = &diagnostics.emplace(net);
  const auto result = mlp::fit(net, X, Y, mlp::Matrix(0, 784), mlp::Matrix(0, 1), o);
  const double acc = mlp::accuracy(net.predict(Xt), Yt);
  double best = 0;
  for (const auto& r : result.history) best = std::max(best, r.samples_per_second);
  std::printf(
      "{\"summary\": true, \"threads\": %d, \"epochs\": %d, \"seconds\": %.3f, \"samples_per_s\": %.1f, "
      "\"best_epoch_samples_per_s\": %.1f, \"test_accuracy\": %.4f}\n",
      threads, epochs, result.seconds, double(X.rows()) * epochs / result.seconds, best, acc);
}
