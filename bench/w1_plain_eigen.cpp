// W1 of the benchmark, baseline side: the same XOR net as xor_epochs.cpp (2-8-1, tanh, sigmoid,
// MSE, full-batch SGD lr 0.5) as a hand-written Eigen loop with no framework, so the gap to it is
// mlp's own per-step overhead. Run twice: with dynamic-size matrices (what a framework must use:
// the target compares against this one) and with fixed-size ones (the compiler knows every shape).
// The initial weights are taken from an mlp::Network built with the same seed, so all three
// W1 implementations start from the same point; that is the only use of mlp here.
// Usage: w1_plain_eigen [EPOCHS=10000] [SEED=1] [INIT_OUT.bin]  → one JSON line per variant;
// INIT_OUT.bin receives those weights (float32, torch layout W1 b1 W2 b2) for bench/torch_w1.py.
#include "mlp/network.hpp"

#include <Eigen/Core>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

// One net, its buffers sized once. kB, kIn, kH, kOut are the shapes or Eigen::Dynamic.
template <int kB, int kIn, int kH, int kOut>
struct XorNet {
  template <int R, int C>
  using M = Eigen::Matrix<float, R, C>;
  M<kB, kIn> X;         // (B, in)
  M<kB, kOut> Y;        // (B, out)
  M<kH, kIn> W1, dW1;   // (H, in)
  M<1, kH> b1, db1;     // (1, H)
  M<kOut, kH> W2, dW2;  // (out, H)
  M<1, kOut> b2, db2;   // (1, out)
  M<kB, kH> A1, dZ1;    // (B, H) hidden activations and their pre-activation gradient
  M<kB, kOut> P, dZ2;   // (B, out) predictions and the output pre-activation gradient

  XorNet(const std::vector<float>& init) {
    const int B = 4, in = 2, H = 8, out = 1;
    X.resize(B, in), Y.resize(B, out), W1.resize(H, in), dW1.resize(H, in), b1.resize(1, H), db1.resize(1, H);
    W2.resize(out, H), dW2.resize(out, H), b2.resize(1, out), db2.resize(1, out);
    A1.resize(B, H), dZ1.resize(B, H), P.resize(B, out), dZ2.resize(B, out);
    X << 0, 0, 0, 1, 1, 0, 1, 1;
    Y << 0, 1, 1, 0;
    const float* p = init.data();  // torch layout: W1 (H, in) row-major, b1, W2 (out, H), b2
    for (int r = 0; r < H; ++r)
      for (int c = 0; c < in; ++c) W1(r, c) = *p++;
    for (int c = 0; c < H; ++c) b1(0, c) = *p++;
    for (int c = 0; c < H; ++c) W2(0, c) = *p++;
    b2(0, 0) = *p;
  }

  // One full-batch SGD step; returns the MSE before the update.
  float step(float lr) {
    const float n = static_cast<float>(P.size());
    A1.noalias() = X * W1.transpose();  // forward
    A1.rowwise() += b1;
    A1 = A1.array().tanh();
    P.noalias() = A1 * W2.transpose();
    P.rowwise() += b2;
    P = (1.0f + (-P.array()).exp()).inverse();
    const float loss = (P - Y).squaredNorm() / n;
    dZ2 = (2.0f / n) * (P - Y).array() * P.array() * (1.0f - P.array());  // MSE' · σ'
    dW2.noalias() = dZ2.transpose() * A1;                                 // backward
    db2 = dZ2.colwise().sum();
    dZ1.noalias() = dZ2 * W2;
    dZ1.array() *= 1.0f - A1.array().square();  // tanh' = 1 − tanh²
    dW1.noalias() = dZ1.transpose() * X;
    db1 = dZ1.colwise().sum();
    W1 -= lr * dW1;  // update
    b1 -= lr * db1;
    W2 -= lr * dW2;
    b2 -= lr * db2;
    return loss;
  }
};

template <class Net>
void run(const char* variant, const std::vector<float>& init, int epochs) {
  Net net(init);
  float first = 0, loss = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int e = 0; e < epochs; ++e) {
    loss = net.step(0.5f);
    if (e == 0) first = loss;
  }
  const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "{\"impl\": \"plain_eigen_%s\", \"epochs\": %d, \"us_per_epoch\": %.4f, \"first_loss\": %.6f, "
      "\"final_loss\": %.6f}\n",
      variant, epochs, us / epochs, first, loss);
}

}  // namespace

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 10000;
  const std::uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1;
  std::vector<float> init;
  {  // the initial weights mlp draws for this net and seed (see xor_epochs.cpp)
    mlp::Network net(2, seed);
    net.add_dense(8, "tanh");
    net.add_dense(1, "sigmoid");
    for (const auto& p : net.parameters()) init.insert(init.end(), p.value, p.value + p.size);
  }
  if (init.size() != 2 * 8 + 8 + 8 + 1) {
    std::fprintf(stderr, "unexpected parameter count %zu for 2-8-1\n", init.size());
    return 1;
  }
  if (argc > 3) {
    std::FILE* f = std::fopen(argv[3], "wb");
    if (!f || std::fwrite(init.data(), sizeof(float), init.size(), f) != init.size()) {
      std::fprintf(stderr, "%s: cannot write the initial weights\n", argv[3]);
      return 1;
    }
    std::fclose(f);
  }
  run<XorNet<Eigen::Dynamic, Eigen::Dynamic, Eigen::Dynamic, Eigen::Dynamic>>("dynamic", init, epochs);
  run<XorNet<4, 2, 8, 1>>("fixed", init, epochs);
}
