// The loss table: every loss mlp knows, one row each with its value and gradient side by side.
// All losses are means over the batch (mse, mae, huber, bce: over every element, as PyTorch's
// reduction='mean'; cross_entropy: over samples). Targets Y are (B, outputs); cross_entropy also
// takes integer class labels as a (B, 1) column. The two classification losses also take class
// weights (Loss::class_weight), which make the mean a weighted one.
#pragma once

#include "mlp/types.hpp"

#include <string>
#include <vector>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

struct Loss;

// L(P, Y) for predictions P (B, k) and targets Y; `loss` gives the parameter and class weights.
using LossValue = Scalar (*)(const ConstMatrixRef& P, const ConstMatrixRef& Y, const Loss& loss);
// dP = ∂L/∂P (B, k), the mean's 1/N (or 1/Σw) included.
using LossGradient = void (*)(const ConstMatrixRef& P, const ConstMatrixRef& Y, const Loss& loss, MatrixRef dP);
// With class weights w (C): the weight w_{y_r} of sample r, read from its target row Y.row(r).
using SampleWeight = Scalar (*)(const ConstMatrixRef& Y, Index r, const RowVector& w);

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
  // Class weights, for the classification losses (nullptr for the others): the weight of a
  // sample's class, and how many classes an output layer of `outputs` units has (0: class weights
  // do not apply, as for bce over several sigmoid outputs).
  SampleWeight sample_weight = nullptr;
  Index (*classes)(Index outputs) = nullptr;

  bool has_param() const { return param_name != nullptr; }
  bool takes_class_weight() const { return sample_weight != nullptr; }
};

const std::vector<LossInfo>& losses();
std::string loss_names();

struct Loss {
  const LossInfo* info = nullptr;
  double param = 0.0;
  // (C) the weight of each class, for an imbalanced classification; empty: every class weighs 1.
  // Sample i's loss L_i is multiplied by its class's weight w_{y_i}, and the mean over a batch
  // becomes Σ w_{y_i} L_i / Σ w_{y_i}, as PyTorch's CrossEntropyLoss(weight=w) with its default
  // reduction='mean'. For bce (one sigmoid output, two classes) w = (w_0, w_1) and sample i weighs
  // w_0 (1 − y_i) + w_1 y_i: PyTorch's BCEWithLogitsLoss(weight=...) given those per-sample weights,
  // then divided by their sum (PyTorch divides by B there; here both losses normalise alike).
  RowVector class_weight;

  std::string spec() const;  // "mse", "huber:1" (the class weights are not part of it)
  const char* name() const { return info->name; }
  bool weighted() const { return class_weight.size() > 0; }
  Scalar value(const ConstMatrixRef& P, const ConstMatrixRef& Y) const { return info->value(P, Y, *this); }
  void gradient(const ConstMatrixRef& P, const ConstMatrixRef& Y, MatrixRef dP) const {
    info->gradient(P, Y, *this, dP);
  }
  // Sample r's weight: w_{y_r}, or 1 without class weights.
  Scalar sample_weight(const ConstMatrixRef& Y, Index r) const {
    return weighted() ? info->sample_weight(Y, r, class_weight) : Scalar(1);
  }
  // What value() divides by, counted in rows: B without class weights, else Σ w_{y_i}. The loss
  // over several batches is Σ_b value_b · weight_b / Σ_b weight_b (Network::evaluate_loss, fit()).
  double weight(const ConstMatrixRef& Y) const;
  // Throws mlp::Error unless the class weights fit an output layer of `outputs` units: a loss that
  // takes them, one weight per class, each positive and finite.
  void check_class_weight(Index outputs) const;
};

// scikit-learn's compute_class_weight("balanced"): w_c = N / (C · N_c) for N labels (N, 1) holding
// class indices 0..C−1, N_c of them class c. Every class then carries the same total weight, N/C.
// Throws mlp::Error for a label out of range or a class with no sample (its weight would be infinite).
RowVector balanced_class_weight(const ConstMatrixRef& labels, Index classes);

// Parses "mse", "huber:0.5", "cross_entropy", ...; throws mlp::Error listing the valid names.
Loss parse_loss(const std::string& spec);

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
