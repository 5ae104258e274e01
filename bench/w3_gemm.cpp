// W3 of the benchmark: the GEMM-only time of one W2 training step — the same 8 matrix products at
// the same shapes and layout, with the same Eigen build — giving the samples/s that no
// implementation with these kernels can beat on this machine.
// Usage: w3_gemm THREADS [SECONDS]  → one JSON line.
#include "mlp/types.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>

using mlp::Matrix;

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  const double budget = argc > 2 ? std::atof(argv[2]) : 3.0;
  Eigen::setNbThreads(threads);
  const int B = 64;
  Matrix X = Matrix::Random(B, 784), W1 = Matrix::Random(256, 784), W2 = Matrix::Random(128, 256),
         W3 = Matrix::Random(10, 128);
  Matrix Z1(B, 256), Z2(B, 128), Z3(B, 10), dW1(256, 784), dW2(128, 256), dW3(10, 128), dX2(B, 256), dX3(B, 128);
  auto step = [&] {
    Z1.noalias() = X * W1.transpose();  // forward
    Z2.noalias() = Z1 * W2.transpose();
    Z3.noalias() = Z2 * W3.transpose();
    dW3.noalias() = Z3.transpose() * Z2;  // backward (dZ stands in for itself: same shapes)
    dX3.noalias() = Z3 * W3;
    dW2.noalias() = dX3.transpose() * Z1;
    dX2.noalias() = dX3 * W2;
    dW1.noalias() = dX2.transpose() * X;  // the first layer's dX is never computed
  };
  // Warm up for 50 steps or a tenth of the budget, whichever ends first (a busy machine can make a
  // 2-thread step 50× slower, and the quick mode in ctest must stay quick), then measure: one
  // clock read per step costs nothing next to a step's ~0.5 ms.
  using Clock = std::chrono::steady_clock;
  const auto w0 = Clock::now();
  for (int i = 0; i < 50 && std::chrono::duration<double>(Clock::now() - w0).count() < budget / 10; ++i) step();
  long steps = 0;
  const auto t0 = Clock::now();
  double elapsed = 0;
  while (elapsed < budget) {
    step();
    ++steps;
    elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  }
  const double flops = 2.0 * B * (784 * 256 + 256 * 128 + 128 * 10) * 3 - 2.0 * B * 784 * 256;
  std::printf("{\"threads\": %d, \"us_per_step\": %.2f, \"samples_per_s\": %.1f, \"gflops\": %.1f, \"check\": %g}\n",
              threads, 1e6 * elapsed / steps, B * steps / elapsed, flops * steps / elapsed / 1e9, double(Z3.sum()) * 0);
}
