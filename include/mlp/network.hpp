// A sequential stack of layers with a loss and an optimizer: forward, backward, train_step.
// The network owns the one random stream (seed) that drives initialisation, shuffling and dropout.
// Reading order: forward() runs the layers first to last, backward() runs them last to first
// (network.cpp), each Dense layer as in src/dense.cpp.
#pragma once

#include "mlp/dense.hpp"
#include "mlp/dropout.hpp"
#include "mlp/loss.hpp"
#include "mlp/optimizer.hpp"

#include <memory>
#include <string>
#include <vector>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

// How a network computes its Dense layers. Fast (the default): fast::ParallelDense, the equations
// of src/dense.cpp split between threads (src/fast/). Reference: src/dense.cpp itself, to read, to
// change and experiment with, and to check the fast path against: both give the same step to
// float rounding (tests/test_fast_path.cpp).
enum class Path { Fast, Reference };

class Network {
 public:
  explicit Network(Index input_size, std::uint64_t seed = 42, Path path = Path::Fast);
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;
  Network(Network&&) = default;
  Network& operator=(Network&&) = default;

  // Building, first layer first. Weights are drawn from the network's rng in call order.
  Dense& add_dense(Index units, const Activation& activation);
  Dense& add_dense(Index units, const Activation& activation, InitKind init);
  Dense& add_dense(Index units, const std::string& activation_spec);
  Dropout& add_dropout(double rate);
  void set_loss(const Loss& loss);
  void set_optimizer(std::unique_ptr<Optimizer> optimizer);

  // Output (B, outputs) of the last layer. For a loss from logits this is the output
  // activation's result (probabilities), as a user expects from predict.
  ConstMatrixView forward(const ConstMatrixRef& X, bool training = false);
  // Forward + loss + backward + optimizer step on one batch; returns the batch loss (before the
  // update). X (B, inputs), Y (B, outputs) or, for cross_entropy, (B, 1) class labels.
  Scalar train_step(const ConstMatrixRef& X, const ConstMatrixRef& Y);
  // The loss of the last forward's output against Y (no update).
  Scalar loss_of_last_forward(const ConstMatrixRef& Y) const;
  // Backprop from the loss of the last forward into every parameter gradient (no update).
  void backward(const ConstMatrixRef& X, const ConstMatrixRef& Y);
  // Predictions for any number of rows, computed in chunks so memory stays bounded.
  Matrix predict(const ConstMatrixRef& X);
  // Mean loss over a whole data set (eval mode, chunked); with class weights the weighted mean.
  double evaluate_loss(const ConstMatrixRef& X, const ConstMatrixRef& Y);
  // The loss of each row on its own (N), as PyTorch's reduction='none' (eval mode, chunked).
  // Class weights do not enter: loss().sample_weight(Y, r) gives row r's.
  std::vector<double> row_losses(const ConstMatrixRef& X, const ConstMatrixRef& Y);

  // Every (value, gradient) pair, in layer order; built once, reused by every step.
  const std::vector<Parameter>& parameters() const { return params_; }
  Index parameter_count() const;
  Index input_size() const { return input_size_; }
  Index output_size() const;
  std::size_t size() const { return layers_.size(); }
  Layer& layer(std::size_t i) { return *layers_[i]; }
  const Layer& layer(std::size_t i) const { return *layers_[i]; }
  Dense* dense(std::size_t i) { return dynamic_cast<Dense*>(layers_[i].get()); }
  const Loss& loss() const { return loss_; }
  bool has_loss() const { return loss_.info != nullptr; }
  Optimizer* optimizer() { return optimizer_.get(); }
  const Optimizer* optimizer() const { return optimizer_.get(); }
  Rng& rng() { return rng_; }
  const Rng& rng() const { return rng_; }
  Path path() const { return path_; }

  // A Keras-like table: layer, output shape, parameters, activation.
  std::string summary() const;

 private:
  void check_loss_fits() const;
  ConstMatrixRef input_of(std::size_t layer, const ConstMatrixRef& X) const;
  Dense& output_layer();
  const Dense& output_layer() const;

  Index input_size_;
  Rng rng_;
  Path path_;
  std::vector<std::unique_ptr<Layer>> layers_;
  Dense* output_ = nullptr;  // the last layer when it is a Dense one (a loss needs that)
  std::vector<Parameter> params_;
  Loss loss_;
  std::unique_ptr<Optimizer> optimizer_;
  Matrix dP_;      // (≥B, outputs) gradient of the loss
  Matrix logits_;  // (≥B, outputs) scratch for predictions from logits
  Index dense_count_ = 0, dropout_count_ = 0;
  Index batch_ = 0;
};

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
