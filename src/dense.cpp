// Dense layer: forward and backward side by side.
//   forward:  Z = X·Wᵀ + b        A = f(Z)
//   backward: dZ = dA ⊙ f′(Z)     dW = dZᵀ·X     db = Σ_batch dZ     dX = dZ·W
#include "mlp/dense.hpp"

#include "mlp/error.hpp"
#include "mlp/parallel.hpp"

#include <limits>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

Dense::Dense(Index in, Index out, const Activation& act, InitKind init, Rng& rng)
    : W(out, in), b(RowVector::Zero(out)), dW(Matrix::Zero(out, in)), db(RowVector::Zero(out)), activation(act) {
  if (in <= 0 || out <= 0) throw Error("a Dense layer needs at least one input and one unit");
  initialize(W, init, rng);
  if (act.info->has_param) {
    p = RowVector::Constant(out, static_cast<Scalar>(act.param));
    dp = RowVector::Zero(out);
  }
}

Dense::Dense(Index in, Index out, const Activation& act, Rng& rng)
    : Dense(in, out, act, act.info->default_init, rng) {}

// Threads split a layer by units: thread k owns a block of W's rows (and of Z's, A's and dZ's
// columns, and of dW's rows), so each packs and multiplies only its half of W and no result is
// shared. dX, which needs every unit, is split by input columns instead. Below kParallelWork
// multiply-adds a layer runs on one thread: a thread would cost more than it saves.
constexpr Index kParallelWork = Index{1} << 17;
constexpr Index kUnitGrain = 16;  // a block of units is a multiple of 16 floats: whole cache lines

namespace {
Index min_units(const Dense& d, Index batch) {
  const bool split = batch * d.W.size() >= kParallelWork && !d.activation.info->rowwise && !d.activation.learn;
  return split ? 2 * kUnitGrain : std::numeric_limits<Index>::max();
}
}  // namespace

// An activation without a per-unit parameter works element by element, so when one thread has
// the whole layer its contiguous (B, units) blocks are handed over as single (1, B·units) rows: a
// layer of 8 units then still fills whole vector registers instead of running scalar code.
bool Dense::flat_activation(Index units) const {
  return units == W.rows() && !activation.info->has_param && !activation.info->rowwise;
}
namespace {
ConstMatrixView flat(const ConstMatrixRef& m) { return {m.data(), 1, m.size()}; }
MatrixView flat(MatrixView& m) { return {m.data(), 1, m.size()}; }
}  // namespace

ConstMatrixView Dense::forward(const ConstMatrixRef& X, bool, Rng&) {
  batch_ = X.rows();
  MatrixView Z = batch_view(Z_, batch_, W.rows());
  MatrixView A = batch_view(A_, batch_, W.rows());
  parallel_for(W.rows(), min_units(*this, batch_), [&](Index o, Index end) {
    const Index n = end - o;
    auto z = Z.middleCols(o, n);
    z.noalias() = X * W.middleRows(o, n).transpose();  // (B, in)·(in, n)
    z.rowwise() += b.segment(o, n);
    if (flat_activation(n))
      activation.info->forward(flat(Z), p, flat(A));
    else
      activation.info->forward(z, params(o, n), A.middleCols(o, n));
  }, kUnitGrain);
  return this->A();
}

ConstMatrixView Dense::backward(const ConstMatrixRef& X, const ConstMatrixRef& dA) {
  MatrixView dZ = batch_view(dZ_, batch_, W.rows());
  if (activation.learn) dp.setZero();  // the activation's backward adds into dp
  ConstMatrixView Zv = Z(), Av = A();
  parallel_for(W.rows(), min_units(*this, batch_), [&](Index o, Index end) {
    const Index n = end - o;
    if (flat_activation(n) && (dA.rows() <= 1 || dA.outerStride() == n))
      activation.info->backward(flat(Zv), flat(Av), p, flat(dA), flat(dZ), nullptr);
    else
      activation.info->backward(Zv.middleCols(o, n), Av.middleCols(o, n), params(o, n),
                                dA.middleCols(o, n), dZ.middleCols(o, n), activation.learn ? &dp : nullptr);
    weight_gradients(X, o, n);
  }, kUnitGrain);
  return input_gradient_of();
}

ConstMatrixView Dense::backward_from_logits(const ConstMatrixRef& X, const ConstMatrixRef& dZ_in) {
  MatrixView dZ = batch_view(dZ_, batch_, W.rows());
  dZ = dZ_in;
  parallel_for(W.rows(), min_units(*this, batch_), [&](Index o, Index end) { weight_gradients(X, o, end - o); },
               kUnitGrain);
  return input_gradient_of();
}

ConstRowRef Dense::params(Index o, Index n) const { return p.size() ? ConstRowRef(p.segment(o, n)) : ConstRowRef(p); }

void Dense::weight_gradients(const ConstMatrixRef& X, Index o, Index n) {
  ConstMatrixView dZ = this->dZ();
  dW.middleRows(o, n).noalias() = dZ.middleCols(o, n).transpose() * X;  // (n, B)·(B, in)
  db.segment(o, n).noalias() = dZ.middleCols(o, n).colwise().sum();
}

ConstMatrixView Dense::input_gradient_of() {
  if (!compute_input_gradient) return {dX_.data(), 0, W.cols()};
  MatrixView dX = batch_view(dX_, batch_, W.cols());
  ConstMatrixView dZ = this->dZ();
  const bool split = batch_ * W.size() >= kParallelWork;
  parallel_for(W.cols(), split ? 2 * kUnitGrain : std::numeric_limits<Index>::max(), [&](Index i, Index end) {
    dX.middleCols(i, end - i).noalias() = dZ * W.middleCols(i, end - i);  // (B, out)·(out, n)
  }, kUnitGrain);
  return input_gradient();
}

void Dense::parameters(std::vector<Parameter>& out) {
  out.push_back({name + ".W", W.data(), dW.data(), W.size()});
  out.push_back({name + ".b", b.data(), db.data(), b.size()});
  if (activation.learn) out.push_back({name + "." + activation.info->param.name, p.data(), dp.data(), p.size()});
}

Index Dense::parameter_count() const { return W.size() + b.size() + (activation.learn ? p.size() : 0); }

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
