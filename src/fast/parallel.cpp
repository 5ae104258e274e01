// The thread count behind parallel_for.
#include "fast/parallel.hpp"

#include <Eigen/Core>

#include <algorithm>

namespace mlp {

namespace {
// Eigen would otherwise split each matrix product between OpenMP's threads on its own, allocating
// as it goes: the library's threads are its own (parallel_for), and Eigen's stay at one from the
// start, not only after a first set_threads (tests/test_network.cpp, "allocates nothing").
int single_threaded_eigen() {
  Eigen::setNbThreads(1);
  return 1;
}
int g_threads = single_threaded_eigen();
}  // namespace

void set_threads(int n) {
#ifdef _OPENMP
  g_threads = std::max(1, std::min(n, omp_get_num_procs() * 4));
#else
  g_threads = 1;
#endif
  Eigen::setNbThreads(1);
}

int threads() { return g_threads; }

}  // namespace mlp
