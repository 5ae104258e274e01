// A trainable parameter as the optimizer sees it: a (value, gradient) pair of equal-sized,
// contiguous arrays. The optimizer knows nothing else of the layer that owns them.
#pragma once

#include "mlp/types.hpp"

#include <string>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

struct Parameter {
  std::string name;  // "dense_1.W", "dense_1.b", "dense_1.alpha"
  Scalar* value;     // points into the owning layer's storage
  Scalar* grad;      // ∂L/∂value, overwritten by each backward
  Index size;

  Eigen::Map<Vector> v() const { return {value, size}; }
  Eigen::Map<Vector> g() const { return {grad, size}; }
};

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
