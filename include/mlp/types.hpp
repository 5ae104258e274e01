// The one data layout of mlp, written down once.
//
//   * Batch-major: a batch of B samples with F features is a (B, F) matrix, one row per sample.
//   * Dense weights are (out, in), as in torch.nn.Linear, so a layer computes  Y = X·Wᵀ + b
//     with X (B, in), W (out, in), b (1, out), Y (B, out).
//   * All matrices are row-major, so a row (a sample) is contiguous in memory, and a model's
//     weights are laid out exactly as PyTorch lays out a Linear layer's.
//   * Scalar is float unless the engine is built with MLP_DOUBLE (the target mlp_engine_f64):
//     gradient checks use that double build, training uses float.
#pragma once

#include <Eigen/Core>

#include <cstdint>

#ifdef MLP_DOUBLE
#define MLP_SCALAR_NAMESPACE f64
#else
#define MLP_SCALAR_NAMESPACE f32
#endif

namespace mlp {
// The float and double builds live in different inline namespaces, so linking both into one
// program by mistake is a link error instead of a silent mix-up.
inline namespace MLP_SCALAR_NAMESPACE {

#ifdef MLP_DOUBLE
using Scalar = double;
#else
using Scalar = float;
#endif

using Index = Eigen::Index;
using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowVector = Eigen::Matrix<Scalar, 1, Eigen::Dynamic>;  // (1, n): a bias, a per-unit parameter
using ColVector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;  // (n, 1)
using Vector = ColVector;

// Read-only and writable views of a matrix or of a block of whole rows of one (a mini-batch),
// so callers can pass X.middleRows(i, B) without a copy.
using ConstMatrixRef = Eigen::Ref<const Matrix>;
using MatrixRef = Eigen::Ref<Matrix>;
using ConstRowRef = Eigen::Ref<const RowVector>;  // a (1, n) row or a segment of one

// A layer's buffers are allocated for the largest batch seen so far and reused; the current
// batch is a view of their first B rows. Views are what layers hand out.
using MatrixView = Eigen::Map<Matrix>;
using ConstMatrixView = Eigen::Map<const Matrix>;

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
