// The network as a whole: XOR is learned with a non-linearity and cannot be without one, a seed
// reproduces a run bit for bit, a training step allocates nothing, summary() shows the model.
#include "mlp/diagnostics.hpp"
#include "mlp/error.hpp"
#include "mlp/io/metrics.hpp"
#include "mlp/threads.hpp"
#include "mlp/trainer.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <type_traits>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

using namespace mlp;

// ---- a counting allocator: glibc's malloc family, interposed for this test binary ----------
// Eigen, operator new and the standard library all allocate through these, so counting them
// counts every heap allocation the engine makes. Not under AddressSanitizer, which interposes
// malloc itself (scripts/sanitize.sh): there the allocation tests say they are skipped.
#if defined(__SANITIZE_ADDRESS__)
#define MLP_COUNT_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MLP_COUNT_ALLOCATIONS 0
#endif
#endif
#ifndef MLP_COUNT_ALLOCATIONS
#define MLP_COUNT_ALLOCATIONS 1
#endif
#if MLP_COUNT_ALLOCATIONS
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
}
#endif
namespace {
bool g_counting = false;
long g_allocations = 0;
}  // namespace
#if MLP_COUNT_ALLOCATIONS
extern "C" {
void* malloc(std::size_t n) {
  if (g_counting) ++g_allocations;
  return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) {
  if (g_counting) ++g_allocations;
  return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) {
  if (g_counting) ++g_allocations;
  return __libc_realloc(p, n);
}
void* aligned_alloc(std::size_t alignment, std::size_t n) {
  if (g_counting) ++g_allocations;
  return __libc_memalign(alignment, n);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t n) {
  if (g_counting) ++g_allocations;
  *out = __libc_memalign(alignment, n);
  return *out ? 0 : 12;  // ENOMEM
}
}
#endif

namespace {

struct Xor {
  Matrix X{4, 2}, Y{4, 1};
  Xor() {
    X << 0, 0, 0, 1, 1, 0, 1, 1;
    Y << 0, 1, 1, 0;
  }
};

double xor_accuracy(const std::string& hidden, std::uint64_t seed) {
  Xor data;
  Network net(2, seed);
  net.add_dense(16, hidden);  // 16 units: with 8, ReLU loses a seed in 25 to dead units
  net.add_dense(1, "sigmoid");
  net.set_loss(parse_loss("bce"));
  OptimizerConfig sgd;
  sgd.learning_rate = 0.1;
  sgd.momentum = 0.9;
  net.set_optimizer(make_optimizer(sgd));
  FitOptions o;
  o.epochs = 1000;
  o.batch_size = 4;
  o.shuffle = false;
  fit(net, data.X, data.Y, Matrix(0, 2), Matrix(0, 1), o);
  Matrix P = net.predict(data.X);
  int right = 0;
  for (Index i = 0; i < 4; ++i) right += ((P(i, 0) > 0.5) == (data.Y(i, 0) > 0.5));
  return right / 4.0;
}

Network mnist_like(std::uint64_t seed, const char* hidden, const char* optimizer, double dropout,
                   Path path = Path::Fast) {
  Network net(784, seed, path);
  net.add_dense(256, hidden);
  if (dropout > 0) net.add_dropout(dropout);
  net.add_dense(128, hidden);
  net.add_dense(10, "softmax");
  net.set_loss(parse_loss("cross_entropy"));
  OptimizerConfig c;
  c.name = optimizer;
  c.learning_rate = 0.01;
  c.momentum = std::string(optimizer) == "sgd" ? 0.9 : 0.0;
  c.nesterov = c.momentum > 0;
  c.weight_decay = 1e-4;
  c.clip_norm = 1.0;
  net.set_optimizer(make_optimizer(c));
  return net;
}

}  // namespace

TEST_CASE("network: XOR is learned to 100% with tanh and with relu hidden units") {
  for (std::uint64_t seed : {1, 2, 3}) {
    CHECK(xor_accuracy("tanh", seed) == 1.0);
    CHECK(xor_accuracy("relu", seed) == 1.0);
  }
}

TEST_CASE("network: with identity hidden units XOR cannot be learned (the net is linear)") {
  // A linear model separates at most 3 of XOR's 4 points, whatever the seed.
  for (std::uint64_t seed : {1, 2, 3}) CHECK(xor_accuracy("identity", seed) <= 0.75);
}

TEST_CASE("network: the same seed gives bit-identical weights after training") {
  set_threads(1);
  Rng data_rng(9);
  Matrix X(200, 784), Y(200, 1);
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = static_cast<Scalar>(data_rng.uniform());
  for (Index i = 0; i < 200; ++i) Y(i, 0) = static_cast<Scalar>(data_rng.below(10));
  auto train = [&](std::uint64_t seed) {
    Network net = mnist_like(seed, "relu", "sgd", 0.3);  // init, shuffle and dropout all random
    FitOptions o;
    o.epochs = 2;
    o.batch_size = 32;
    fit(net, X, Y, Matrix(0, 784), Matrix(0, 1), o);
    std::vector<Scalar> w;
    for (const auto& p : net.parameters()) w.insert(w.end(), p.value, p.value + p.size);
    return w;
  };
  auto a = train(5), b = train(5), c = train(6);
  REQUIRE(a.size() == b.size());
  CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(Scalar)) == 0);
  CHECK(std::memcmp(a.data(), c.data(), a.size() * sizeof(Scalar)) != 0);
}

TEST_CASE("network: once buffers are sized, a training step allocates nothing") {
  if (!MLP_COUNT_ALLOCATIONS) {
    MESSAGE("skipped: AddressSanitizer interposes malloc");
    return;
  }
  Rng rng(3);
  Matrix X(64, 784), Y(64, 1);
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = static_cast<Scalar>(rng.uniform());
  for (Index i = 0; i < 64; ++i) Y(i, 0) = static_cast<Scalar>(rng.below(10));
  struct Variant {
    const char* hidden;
    const char* optimizer;
    double dropout;
  };
  // Both paths; the fast one on 1 and (where OpenMP is built in) 2 threads.
  struct Run {
    Path path;
    int threads;
  };
  for (Run run : {Run{Path::Reference, 1}, Run{Path::Fast, 1}, Run{Path::Fast, 2}}) {
    set_threads(run.threads);
    if (threads() != run.threads) {
      MESSAGE("skipped: 2 threads (this build has no OpenMP)");
      continue;
    }
    for (auto v : {Variant{"relu", "sgd", 0.0}, Variant{"swish:1:learn", "adam", 0.2}, Variant{"prelu", "sgd", 0.5},
                   Variant{"gelu", "adam", 0.0}, Variant{"tanh", "sgd", 0.0}}) {
      CAPTURE(v.hidden);
      CAPTURE(run.threads);
      CAPTURE(run.path == Path::Fast);
      Network net = mnist_like(1, v.hidden, v.optimizer, v.dropout, run.path);
      g_allocations = 0;
      g_counting = true;
      net.train_step(X, Y);  // the first step sizes every buffer and the optimizer state...
      g_counting = false;
      CHECK(g_allocations > 0);  // ...and is seen doing so: the counter works
      g_allocations = 0;
      g_counting = true;
      for (int i = 0; i < 3; ++i) net.train_step(X, Y);
      net.train_step(X.topRows(17), Y.topRows(17));  // a smaller last batch reuses the buffers
      net.train_step(X, Y);
      g_counting = false;
      CHECK(g_allocations == 0);
    }
  }
  set_threads(1);
}

TEST_CASE("network: diagnostics and the running training metric allocate nothing either") {
  if (!MLP_COUNT_ALLOCATIONS) {
    MESSAGE("skipped: AddressSanitizer interposes malloc");
    return;
  }
  Rng rng(4);
  Matrix X(64, 784), Y(64, 1);
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = static_cast<Scalar>(rng.uniform());
  for (Index i = 0; i < 64; ++i) Y(i, 0) = static_cast<Scalar>(rng.below(10));
  // No set_threads here: the library's default threading must not allocate either.
  for (const char* hidden : {"relu", "prelu", "sigmoid"}) {
    CAPTURE(hidden);
    Network net = mnist_like(1, hidden, "adam", 0.0);
    Diagnostics diag(net);
    RunningMetric accuracy = running_accuracy();
    auto outputs = [&net] { return net.layer(net.size() - 1).output(); };
    net.train_step(X, Y);  // sizes the network's buffers and the diagnostics'
    diag.after_step();
    diag.end_epoch(1);
    accuracy.reset();
    g_allocations = 0;
    g_counting = true;
    for (int i = 0; i < 3; ++i) {
      net.train_step(X, Y);
      diag.after_step();
      accuracy.add(outputs(), Y);
    }
    net.train_step(X.topRows(17), Y.topRows(17));
    diag.after_step();
    accuracy.add(outputs(), Y.topRows(17));
    g_counting = false;
    CHECK(g_allocations == 0);
    CHECK(accuracy.value() >= 0);
  }
}

TEST_CASE("network: summary lists layers, shapes, parameter counts and activations") {
  Network net(4, 1);
  net.add_dense(16, "leaky_relu:0.3");
  net.add_dropout(0.2);
  net.add_dense(3, "softmax");
  net.set_loss(parse_loss("cross_entropy"));
  const std::string s = net.summary();
  CHECK(s.find("dense_1 (Dense)") != std::string::npos);
  CHECK(s.find("(B, 16)") != std::string::npos);
  CHECK(s.find("80") != std::string::npos);  // 4·16 + 16
  CHECK(s.find("leaky_relu:0.3") != std::string::npos);
  CHECK(s.find("dropout_1 (Dropout)") != std::string::npos);
  CHECK(s.find("Total params: 131") != std::string::npos);  // 80 + 16·3 + 3
  CHECK(net.parameter_count() == 131);
}

TEST_CASE("network: a loss from logits demands its output activation") {
  Network net(2, 1);
  net.add_dense(3, "relu");
  net.add_dense(2, "identity");
  CHECK_THROWS_WITH_AS(net.set_loss(parse_loss("cross_entropy")), doctest::Contains("softmax"), Error);
  CHECK_THROWS_AS(net.add_dense(0, "relu"), Error);
  CHECK_THROWS_WITH_AS(net.forward(Matrix::Zero(1, 3)), doctest::Contains("takes 2 inputs"), Error);
}

TEST_CASE("network: Z, A and gradients of each layer stay readable after a step") {
  Network net = mnist_like(2, "relu", "sgd", 0.0);
  Matrix X = Matrix::Random(8, 784), Y = Matrix::Zero(8, 1);
  net.train_step(X, Y);
  const Dense* d = net.dense(0);
  REQUIRE(d != nullptr);
  CHECK(d->Z().rows() == 8);
  CHECK(d->Z().cols() == 256);
  CHECK((Matrix(d->A()) - Matrix(d->Z().cwiseMax(Scalar(0)))).norm() == 0);  // A = relu(Z)
  CHECK(d->dW.norm() > 0);
}

// A weight whose gradient turns 0 keeps an Adam first moment m = 0.9ᵗ·m₀ that becomes a denormal
// float after ~800 steps; the training step flushes it to 0 instead (src/fast/denormals.hpp), and
// leaves the caller's floating-point mode as it found it.
TEST_CASE("network: a training step flushes denormals to zero and restores the caller's mode") {
#if defined(__SSE__)
  static_assert(std::is_same_v<Scalar, float>, "the tests run the float engine");
  Network net(1, 5);
  net.add_dense(1, "identity");
  net.set_loss(parse_loss("mse"));
  OptimizerConfig c;
  c.name = "adam";
  c.learning_rate = 1e-3;
  net.set_optimizer(make_optimizer(c));
  Matrix one(1, 1), zero(1, 1), y(1, 1);
  one << 1;
  zero << 0;
  y << 5;
  net.train_step(one, y);  // dW = ∂L/∂W·x ≠ 0 once
  const auto m_of_w = [&] {
    const Optimizer::State s = net.optimizer()->state();
    for (std::size_t k = 0; k < s.names.size(); ++k)
      if (s.names[k] == "m") return s.buffers[k][0](0);  // parameter 0 is the layer's W
    FAIL("adam keeps no 'm'");
    return Scalar(1);
  };
  const float m0 = m_of_w();
  REQUIRE(m0 != 0);
  // The step count after which 0.9ᵗ·m₀ is below the smallest normal float, and still above 0.
  const int denormal_after =
      static_cast<int>(std::log(std::numeric_limits<float>::min() / std::fabs(m0)) / std::log(0.9f)) + 2;
  const unsigned before = _mm_getcsr();
  for (int t = 0; t < denormal_after; ++t) net.train_step(zero, y);  // x = 0: dW = 0, m decays
  CHECK(_mm_getcsr() == before);
  CHECK(m_of_w() == 0.0f);  // without the flush: a denormal, |m| < FLT_MIN but not 0
  // The same decay outside a step does leave a denormal: the mode was put back.
  volatile float small = std::numeric_limits<float>::min();
  CHECK(small * 0.5f != 0.0f);
  CHECK(net.parameters()[0].name.find('W') != std::string::npos);
#else
  MESSAGE("skipped: not an x86 CPU with SSE");
#endif
}

TEST_CASE("network: a dropout layer last leaves no output layer for the loss, even after a dense one") {
  Network net(2, 1);
  net.add_dense(3, "tanh");
  net.set_loss(parse_loss("mse"));  // checked against the output layer: before the dropout
  net.set_optimizer(make_optimizer(OptimizerConfig{}));
  net.add_dropout(0.5);
  const Matrix X = Matrix::Ones(4, 2), Y = Matrix::Zero(4, 3);
  CHECK_THROWS_WITH_AS(net.train_step(X, Y), "the last layer of the network must be a Dense layer", Error);
  net.add_dense(3, "identity");  // a dense layer after it is the output layer again
  CHECK(std::isfinite(net.train_step(X, Y)));
}
