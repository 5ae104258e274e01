// The thread count behind parallel_for.
#include "fast/parallel.hpp"

#include <Eigen/Core>

#include <algorithm>

namespace mlp {

namespace {
int g_threads = 1;
}

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
