// The loss table: every loss mlp knows, one row each with its value and gradient side by side.
// All losses are means over the batch (mse, mae, huber, bce: over every element, as PyTorch's
// reduction='mean'; cross_entropy: over samples). Targets Y are (B, outputs); cross_entropy also
// takes integer class labels as a (B, 1) column.
#pragma once

#include "mlp/types.hpp"

#include <string>
#include <vector>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

// L(P, Y) for predictions P (B, k) and targets Y.
using LossValue = Scalar (*)(const ConstMatrixRef& P, const ConstMatrixRef& Y, double param);
// dP = ∂L/∂P (B, k), the mean's 1/N included.
using LossGradient = void (*)(const ConstMatrixRef& P, const ConstMatrixRef& Y, double param, MatrixRef dP);

struct LossInfo {
  const char* name = nullptr;
  const char* formula = nullptr;           // L, in plain text: the one place it is written
  const char* gradient_formula = nullptr;  // ∂L/∂P (or ∂L/∂Z from logits)
  const char* use = nullptr;
  const char* param_name = nullptr;  // huber's "delta"; nullptr: no parameter
  double param_default = 0.0;
  // The cross-entropies are computed from the output layer's pre-activation Z (logits), which is
  // both stabler (log-sum-exp) and simpler (gradient softmax − onehot): P is then Z, and the
  // gradient is ∂L/∂Z. The output layer's activation must be `output_activation`.
  bool from_logits = false;
  const char* output_activation = nullptr;  // required output activation, or nullptr for any
  LossValue value = nullptr;
  LossGradient gradient = nullptr;

  bool has_param() const { return param_name != nullptr; }
};

const std::vector<LossInfo>& losses();
std::string loss_names();

struct Loss {
  const LossInfo* info = nullptr;
  double param = 0.0;
  std::string spec() const;  // "mse", "huber:1"
  const char* name() const { return info->name; }
  Scalar value(const ConstMatrixRef& P, const ConstMatrixRef& Y) const { return info->value(P, Y, param); }
  void gradient(const ConstMatrixRef& P, const ConstMatrixRef& Y, MatrixRef dP) const {
    info->gradient(P, Y, param, dP);
  }
};

// Parses "mse", "huber:0.5", "cross_entropy", ...; throws mlp::Error listing the valid names.
Loss parse_loss(const std::string& spec);

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
