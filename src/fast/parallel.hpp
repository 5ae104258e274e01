// Threads for the training step. mlp splits its own work (the rows of a batch, the rows of a
// weight gradient, a parameter's elements) into one contiguous range per thread, so every matrix
// product stays a single large product per thread and no result needs a reduction. Eigen's own
// threading is switched off: at MLP sizes it scales poorly and allocates on every product.
// With one thread (the default) nothing here costs anything: f runs inline.
#pragma once

#include "fast/denormals.hpp"
#include "mlp/threads.hpp"
#include "mlp/types.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {
namespace fast {

// Calls f(begin, end) on disjoint ranges covering [0, n), one per thread; ranges are aligned to
// `grain` elements (so a thread's rows start on a cache line, say). Runs inline when one
// thread is set or when n is below min_parallel, where a thread would cost more than it saves.
template <class F>
void parallel_for(Index n, Index min_parallel, Index grain, F&& f) {
  const int t = threads();
  if (t <= 1 || n < min_parallel) {
    f(Index{0}, n);
    return;
  }
#ifdef _OPENMP
#pragma omp parallel num_threads(t)
  {
    const FlushDenormals flush;  // as the calling thread (Network::train_step)
    const Index id = omp_get_thread_num(), count = omp_get_num_threads();
    Index chunk = (n + count - 1) / count;
    chunk = (chunk + grain - 1) / grain * grain;
    const Index begin = std::min(n, id * chunk), end = std::min(n, begin + chunk);
    if (begin < end) f(begin, end);
  }
#else
  f(Index{0}, n);
#endif
}

// An optimizer's update of one parameter: its elements are independent, so each thread takes a
// block of them. Parameters under 32,768 elements are updated on one thread.
template <class F>
void split_elements(Index n, F&& f) {
  parallel_for(n, Index{1} << 15, 16, f);
}

}  // namespace fast
}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
