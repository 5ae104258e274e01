// The interface every layer implements: forward and backward for a batch, and its parameters.
// A layer owns its output and gradient buffers; they grow to the largest batch seen and are then
// reused, so a training step allocates nothing (see types.hpp for the layout).
#pragma once

#include "mlp/parameter.hpp"
#include "mlp/rng.hpp"
#include "mlp/types.hpp"

#include <string>
#include <vector>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

class Layer {
 public:
  virtual ~Layer() = default;

  virtual const char* type() const = 0;  // "Dense", "Dropout"
  virtual Index input_size() const = 0;
  virtual Index output_size() const = 0;

  // Y = layer(X). X (B, in) → Y (B, out). The view stays valid until the next forward.
  // training switches dropout on; rng is the network's one random stream.
  virtual ConstMatrixView forward(const ConstMatrixRef& X, bool training, Rng& rng) = 0;

  // The last forward's Y (B, out): the next layer's input, needed again by backward.
  virtual ConstMatrixView output() const = 0;
  // The last backward's dX (B, in): the previous layer's dY.
  virtual ConstMatrixView input_gradient() const = 0;

  // Given the same X as the last forward and dY = ∂L/∂Y (B, out), sets the parameter gradients
  // (overwriting, so no zero_grad is needed) and returns dX = ∂L/∂X (B, in).
  virtual ConstMatrixView backward(const ConstMatrixRef& X, const ConstMatrixRef& dY) = 0;

  // Appends this layer's (value, gradient) pairs.
  virtual void parameters(std::vector<Parameter>& out) { (void)out; }
  virtual Index parameter_count() const { return 0; }
  virtual std::string describe() const { return ""; }  // the "Activation" column of summary()

  std::string name;  // "dense_1", set by the network
};

// Grows a (rows, cols) buffer to hold at least `rows` rows; returns a view of the first `rows`.
// Allocates only when a batch is larger than any before it.
inline MatrixView batch_view(Matrix& buffer, Index rows, Index cols) {
  if (buffer.rows() < rows || buffer.cols() != cols) buffer.resize(rows, cols);
  return MatrixView(buffer.data(), rows, cols);
}

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
