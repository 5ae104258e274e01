// A fully connected layer with its activation. This is the file to read for backprop; with
// B = batch size, in = inputs, out = units (the layout of types.hpp):
//   forward:   Z  = X·Wᵀ + b      (B, out)     A  = f(Z)        (B, out)
//   backward:  dZ = dA ⊙ f′(Z)    (B, out)     dW = dZᵀ·X       (out, in)
//              db = Σ_batch dZ    (1, out)     dX = dZ·W        (B, in)
// src/dense.cpp computes each of these in one line: it is the reference. A network built for
// training runs the same equations through fast::ParallelDense (src/fast/parallel_dense.hpp),
// which splits them between threads; tests/test_fast_path.cpp proves both give the same step.
#pragma once

#include "mlp/activation.hpp"
#include "mlp/init.hpp"
#include "mlp/layer.hpp"

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

class Dense : public Layer {
 public:
  Dense(Index in, Index out, const Activation& activation, InitKind init, Rng& rng);
  Dense(Index in, Index out, const Activation& activation, Rng& rng);  // init from the activation

  const char* type() const override { return "Dense"; }
  Index input_size() const override { return W.cols(); }
  Index output_size() const override { return W.rows(); }

  ConstMatrixView forward(const ConstMatrixRef& X, bool training, Rng& rng) override;
  ConstMatrixView backward(const ConstMatrixRef& X, const ConstMatrixRef& dA) override;
  // backward from its second line on, given dZ = ∂L/∂Z: used when the loss is computed from
  // logits (softmax + cross-entropy, sigmoid + BCE), whose gradient with respect to Z is P − Y.
  virtual ConstMatrixView backward_from_logits(const ConstMatrixRef& X, const ConstMatrixRef& dZ);

  ConstMatrixView output() const override { return A(); }
  ConstMatrixView input_gradient() const override {
    return {dX_.data(), compute_input_gradient ? batch_ : 0, W.cols()};
  }
  void parameters(std::vector<Parameter>& out) override;
  Index parameter_count() const override;
  std::string describe() const override { return activation.spec(); }

  // The first layer's dX is never used; skipping it saves one of the three products.
  bool compute_input_gradient = true;

  // ---- parameters and their gradients (set by backward) ----
  Matrix W;      // (out, in)
  RowVector b;   // (1, out)
  Matrix dW;     // (out, in)
  RowVector db;  // (1, out)
  Activation activation;
  RowVector p;   // (1, out) the activation's per-unit parameter (empty if it has none)
  RowVector dp;  // (1, out) its gradient, when learned

  // ---- what the last step saw, read-only, for looking inside the network ----
  ConstMatrixView Z() const { return {Z_.data(), batch_, W.rows()}; }    // (B, out) pre-activation
  ConstMatrixView A() const { return {A_.data(), batch_, W.rows()}; }    // (B, out) activation
  ConstMatrixView dZ() const { return {dZ_.data(), batch_, W.rows()}; }  // (B, out) ∂L/∂Z
  Index batch() const { return batch_; }

 protected:
  // The buffers grow to the largest batch seen and are reused (layer.hpp); the current batch is
  // a view of their first B rows.
  Index batch_ = 0;
  Matrix Z_, A_, dZ_;  // (≥B, out)
  Matrix dX_;          // (≥B, in)
};

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
