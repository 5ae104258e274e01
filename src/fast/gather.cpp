// The shuffled mini-batch gather (gather.hpp). The rows are scattered over the whole data set,
// so each one is a cache (and TLB) miss: the copy asks for a row a few iterations ahead, and wide
// rows are copied by two threads when two are set.
#include "fast/gather.hpp"

#include "fast/parallel.hpp"

#include <algorithm>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {
namespace fast {

namespace {
constexpr Index kPrefetchAhead = 4;

void prefetch_row(const ConstMatrixRef& X, Index row) {
  const char* p = reinterpret_cast<const char*>(X.row(row).data());
  const Index bytes = X.cols() * static_cast<Index>(sizeof(Scalar));
  for (Index b = 0; b < bytes; b += 64) __builtin_prefetch(p + b);
}
}  // namespace

void gather_batch(const ConstMatrixRef& X, const ConstMatrixRef& Y, const std::vector<Index>& order, Index first,
                  Index rows, Matrix& Xb, Matrix& Yb) {
  auto source = [&](Index i) { return order[static_cast<std::size_t>(first + i)]; };
  parallel_for(rows, X.cols() >= 256 ? 16 : rows + 1, 1, [&](Index r, Index end) {
    for (Index i = r; i < end; ++i) {
      if (i + kPrefetchAhead < end) prefetch_row(X, source(i + kPrefetchAhead));
      Xb.row(i) = X.row(source(i));
      Yb.row(i) = Y.row(source(i));
    }
  });
  // Only the first line of each next row: prefetching whole rows here stalls, as 3,000 lines
  // overflow the CPU's queue of outstanding misses (bench/README.md, W2).
  const Index n = static_cast<Index>(order.size());
  for (Index i = first + rows; i < std::min(n, first + 2 * rows); ++i)
    __builtin_prefetch(X.row(order[static_cast<std::size_t>(i)]).data());
}

}  // namespace fast
}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
