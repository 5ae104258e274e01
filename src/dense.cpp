// Dense layer, the reference: every equation of dense.hpp is one line below, with its shapes
// (B = batch size, in = inputs, out = units). The fast path, src/fast/parallel_dense.cpp,
// computes the same lines split between threads.
#include "mlp/dense.hpp"

#include "mlp/error.hpp"

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

Dense::Dense(Index in, Index out, const Activation& act, InitKind init, Rng& rng)
    : W(out, in), b(RowVector::Zero(out)), dW(Matrix::Zero(out, in)), db(RowVector::Zero(out)), activation(act) {
  if (in <= 0 || out <= 0) throw Error("a Dense layer needs at least one input and one unit");
  initialize(W, init, rng);
  if (act.info->has_param()) {
    p = RowVector::Constant(out, static_cast<Scalar>(act.param));
    dp = RowVector::Zero(out);
  }
}

Dense::Dense(Index in, Index out, const Activation& act, Rng& rng) : Dense(in, out, act, act.info->default_init, rng) {}

ConstMatrixView Dense::forward(const ConstMatrixRef& X, bool, Rng&) {
  batch_ = X.rows();
  MatrixView Z = batch_view(Z_, batch_, W.rows()), A = batch_view(A_, batch_, W.rows());

  Z.noalias() = X * W.transpose();    // Z = X·Wᵀ       (B, out) = (B, in)·(in, out)
  Z.rowwise() += b;                   //   + b         (1, out), added to every row
  activation.info->forward(Z, p, A);  // A = f(Z)      (B, out)
  return this->A();
}

ConstMatrixView Dense::backward(const ConstMatrixRef& X, const ConstMatrixRef& dA) {
  MatrixView dZ = batch_view(dZ_, batch_, W.rows());
  if (activation.learn) dp.setZero();  // the activation adds ∂L/∂p into dp
  ActivationGrad g{Z(), A(), p, dA, dZ, activation.learn ? &dp : nullptr};

  activation.info->backward(g);  // dZ = dA ⊙ f′(Z)  (B, out)
  return backward_from_logits(X, dZ);
}

ConstMatrixView Dense::backward_from_logits(const ConstMatrixRef& X, const ConstMatrixRef& dZ_in) {
  MatrixView dZ = batch_view(dZ_, batch_, W.rows());
  if (dZ_in.data() != dZ.data()) dZ = dZ_in;  // given by the loss: kept, so dZ() shows it

  dW.noalias() = dZ.transpose() * X;  // dW = dZᵀ·X      (out, in) = (out, B)·(B, in)
  db = dZ.colwise().sum();            // db = Σ_batch dZ (1, out)
  if (!compute_input_gradient) return input_gradient();
  MatrixView dX = batch_view(dX_, batch_, W.cols());
  dX.noalias() = dZ * W;  // dX = dZ·W       (B, in) = (B, out)·(out, in)
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
