// The fast path of a Dense layer: the equations of src/dense.cpp, split between threads and
// shaped so that narrow layers still use whole vector registers. Networks built for training
// (Network's default Path::Fast) create these instead of plain Dense layers; everything else
// (the weights, the buffers, what a step leaves readable) is Dense's own. The results equal the
// reference to float rounding: tests/test_fast_path.cpp checks every activation, on 1 and 2
// threads, in narrow and wide layers.
#pragma once

#include "mlp/dense.hpp"

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {
namespace fast {

class ParallelDense final : public Dense {
 public:
  using Dense::Dense;

  ConstMatrixView forward(const ConstMatrixRef& X, bool training, Rng& rng) override;
  ConstMatrixView backward(const ConstMatrixRef& X, const ConstMatrixRef& dA) override;
  ConstMatrixView backward_from_logits(const ConstMatrixRef& X, const ConstMatrixRef& dZ) override;

 private:
  Index min_units_per_split() const;
  bool flat_activation(Index units) const;
  ConstRowRef params(Index first_unit, Index units) const;
  void weight_gradients(const ConstMatrixRef& X, Index first_unit, Index units);
  ConstMatrixView input_gradient_of();
};

}  // namespace fast
}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
