// A fully connected layer with its activation:  Z = X·Wᵀ + b,  A = f(Z).
// This is the file to read for backprop: backward() is the chain rule, four lines.
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
  // The same, starting from dZ = ∂L/∂Z: used when the loss is computed from logits (softmax +
  // cross-entropy, sigmoid + BCE), whose gradient with respect to Z is simply P − Y.
  ConstMatrixView backward_from_logits(const ConstMatrixRef& X, const ConstMatrixRef& dZ);

  ConstMatrixView output() const override { return A(); }
  ConstMatrixView input_gradient() const override { return {dX_.data(), batch_, W.cols()}; }
  void parameters(std::vector<Parameter>& out) override;
  Index parameter_count() const override;
  std::string describe() const override { return activation.spec(); }

  // The first layer's dX is never used; skipping it saves one of the three products.
  bool compute_input_gradient = true;

  // ---- parameters and their gradients (set by backward) ----
  Matrix W;          // (out, in)
  RowVector b;       // (1, out)
  Matrix dW;         // (out, in)
  RowVector db;      // (1, out)
  Activation activation;
  RowVector p;       // (1, out) the activation's per-unit parameter (empty if it has none)
  RowVector dp;      // (1, out) its gradient, when learned

  // ---- what the last step saw, read-only, for looking inside the network ----
  ConstMatrixView Z() const { return {Z_.data(), batch_, W.rows()}; }    // (B, out) pre-activation
  ConstMatrixView A() const { return {A_.data(), batch_, W.rows()}; }    // (B, out) activation
  ConstMatrixView dZ() const { return {dZ_.data(), batch_, W.rows()}; }  // (B, out) ∂L/∂Z
  Index batch() const { return batch_; }

 private:
  void weight_gradients(const ConstMatrixRef& X, Index first_unit, Index units);  // dW, db for a block of units
  ConstMatrixView input_gradient_of();                                             // dX = dZ·W
  ConstRowRef params(Index first_unit, Index units) const;                         // p for a block of units
  bool flat_activation(Index units) const;                                          // see dense.cpp
  Index batch_ = 0;
  Matrix Z_, A_, dZ_;  // (≥B, out)
  Matrix dX_;          // (≥B, in)
};

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
