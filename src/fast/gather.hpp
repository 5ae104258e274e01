// Gathering a shuffled mini-batch: copying scattered rows of the training matrix into one
// contiguous batch. Done plainly it is a loop of row copies; this version also keeps the memory
// system busy ahead of the copy, which the trainer's epoch loop need not know about.
#pragma once

#include "mlp/types.hpp"

#include <vector>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {
namespace fast {

// Xb.row(i) = X.row(order[first + i]) and Yb.row(i) = Y.row(order[first + i]) for i < rows.
// Then it requests the first cache line of each row of the next batch (order[first + rows] on,
// up to `rows` of them), so their address translations and first fetches overlap the step that
// follows. Xb and Yb must have at least `rows` rows.
void gather_batch(const ConstMatrixRef& X, const ConstMatrixRef& Y, const std::vector<Index>& order, Index first,
                  Index rows, Matrix& Xb, Matrix& Yb);

}  // namespace fast
}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
