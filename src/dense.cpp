// Dense layer: forward and backward side by side.
//   forward:  Z = X·Wᵀ + b        A = f(Z)
//   backward: dZ = dA ⊙ f′(Z)     dW = dZᵀ·X     db = Σ_batch dZ     dX = dZ·W
#include "mlp/dense.hpp"

#include "mlp/error.hpp"

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

ConstMatrixView Dense::forward(const ConstMatrixRef& X, bool, Rng&) {
  batch_ = X.rows();
  MatrixView Z = batch_view(Z_, batch_, W.rows());
  MatrixView A = batch_view(A_, batch_, W.rows());
  Z.noalias() = X * W.transpose();  // (B, in)·(in, out)
  Z.rowwise() += b;
  activation.info->forward(Z, p, A);
  return this->A();
}

ConstMatrixView Dense::backward(const ConstMatrixRef& X, const ConstMatrixRef& dA) {
  MatrixView dZ = batch_view(dZ_, batch_, W.rows());
  if (activation.learn) dp.setZero();  // the activation's backward adds into dp
  activation.info->backward(Z(), A(), p, dA, dZ, activation.learn ? &dp : nullptr);
  return backward_common(X);
}

ConstMatrixView Dense::backward_from_logits(const ConstMatrixRef& X, const ConstMatrixRef& dZ_in) {
  MatrixView dZ = batch_view(dZ_, batch_, W.rows());
  dZ = dZ_in;
  return backward_common(X);
}

ConstMatrixView Dense::backward_common(const ConstMatrixRef& X) {
  ConstMatrixView dZ = this->dZ();
  dW.noalias() = dZ.transpose() * X;  // (out, B)·(B, in)
  db.noalias() = dZ.colwise().sum();
  if (!compute_input_gradient) return {dX_.data(), 0, W.cols()};
  MatrixView dX = batch_view(dX_, batch_, W.cols());
  dX.noalias() = dZ * W;  // (B, out)·(out, in)
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
