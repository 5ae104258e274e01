// Dense, fast: the same forward and backward as src/dense.cpp, with two changes of shape.
//
// 1. Threads split a layer by units: thread k owns a block of W's rows (and of Z's, A's and
//    dZ's columns, and of dW's rows), so each packs and multiplies only its part of W and no
//    result is shared. dX, which needs every unit, is split by input columns instead. Below
//    kParallelWork multiply-adds a layer runs on one thread: a thread would cost more than it
//    saves (bench/README.md, W2 on 2 threads).
// 2. An activation without a per-unit parameter works element by element, so when one thread
//    has the whole layer its contiguous (B, units) blocks are handed over as single (1, B·units)
//    rows: Eigen vectorises along a row, and a layer of 8 units then still fills whole vector
//    registers instead of running scalar code (bench/README.md, W1).
#include "fast/parallel_dense.hpp"

#include "fast/parallel.hpp"

#include <limits>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {
namespace fast {

constexpr Index kParallelWork = Index{1} << 17;
constexpr Index kUnitGrain = 16;  // a block of units is a multiple of 16 floats: whole cache lines
constexpr Index kNever = std::numeric_limits<Index>::max();

// A softmax row needs all its units, and a learned parameter's gradient sums over the batch into
// one row: such layers stay on one thread.
Index ParallelDense::min_units_per_split() const {
  const bool split = batch_ * W.size() >= kParallelWork && activation.info->elementwise && !activation.learn;
  return split ? 2 * kUnitGrain : kNever;
}

bool ParallelDense::flat_activation(Index units) const {
  return units == W.rows() && !activation.info->has_param() && activation.info->elementwise;
}

namespace {
ConstMatrixView flat(const ConstMatrixRef& m) { return {m.data(), 1, m.size()}; }
MatrixView flat(MatrixView& m) { return {m.data(), 1, m.size()}; }
}  // namespace

ConstRowRef ParallelDense::params(Index o, Index n) const {
  return p.size() ? ConstRowRef(p.segment(o, n)) : ConstRowRef(p);
}

ConstMatrixView ParallelDense::forward(const ConstMatrixRef& X, bool, Rng&) {
  batch_ = X.rows();
  MatrixView Z = batch_view(Z_, batch_, W.rows());
  MatrixView A = batch_view(A_, batch_, W.rows());
  parallel_for(W.rows(), min_units_per_split(), kUnitGrain, [&](Index o, Index end) {
    const Index n = end - o;
    auto z = Z.middleCols(o, n);
    z.noalias() = X * W.middleRows(o, n).transpose();  // Z = X·Wᵀ + b for units [o, end)
    z.rowwise() += b.segment(o, n);
    if (flat_activation(n))
      activation.info->forward(flat(Z), p, flat(A));
    else
      activation.info->forward(z, params(o, n), A.middleCols(o, n));
  });
  return this->A();
}

ConstMatrixView ParallelDense::backward(const ConstMatrixRef& X, const ConstMatrixRef& dA) {
  MatrixView dZ = batch_view(dZ_, batch_, W.rows());
  if (activation.learn) dp.setZero();
  ConstMatrixView Zv = Z(), Av = A();
  parallel_for(W.rows(), min_units_per_split(), kUnitGrain, [&](Index o, Index end) {
    const Index n = end - o;
    if (flat_activation(n) && (dA.rows() <= 1 || dA.outerStride() == n)) {
      MatrixView dZ_flat = flat(dZ);
      ActivationGrad g{flat(Zv), flat(Av), p, flat(dA), dZ_flat, nullptr};
      activation.info->backward(g);
    } else {
      ActivationGrad g{Zv.middleCols(o, n), Av.middleCols(o, n), params(o, n),
                       dA.middleCols(o, n), dZ.middleCols(o, n), activation.learn ? &dp : nullptr};
      activation.info->backward(g);
    }
    weight_gradients(X, o, n);
  });
  return input_gradient_of();
}

ConstMatrixView ParallelDense::backward_from_logits(const ConstMatrixRef& X, const ConstMatrixRef& dZ_in) {
  MatrixView dZ = batch_view(dZ_, batch_, W.rows());
  dZ = dZ_in;
  parallel_for(W.rows(), min_units_per_split(), kUnitGrain,
               [&](Index o, Index end) { weight_gradients(X, o, end - o); });
  return input_gradient_of();
}

// dW = dZᵀ·X and db = Σ dZ for units [o, o + n).
void ParallelDense::weight_gradients(const ConstMatrixRef& X, Index o, Index n) {
  ConstMatrixView dZ = this->dZ();
  dW.middleRows(o, n).noalias() = dZ.middleCols(o, n).transpose() * X;  // (n, B)·(B, in)
  db.segment(o, n).noalias() = dZ.middleCols(o, n).colwise().sum();
}

// dX = dZ·W, split by input columns.
ConstMatrixView ParallelDense::input_gradient_of() {
  if (!compute_input_gradient) return input_gradient();
  MatrixView dX = batch_view(dX_, batch_, W.cols());
  ConstMatrixView dZ = this->dZ();
  const bool split = batch_ * W.size() >= kParallelWork;
  parallel_for(W.cols(), split ? 2 * kUnitGrain : kNever, kUnitGrain, [&](Index i, Index end) {
    dX.middleCols(i, end - i).noalias() = dZ * W.middleCols(i, end - i);  // (B, out)·(out, n)
  });
  return input_gradient();
}

}  // namespace fast
}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
