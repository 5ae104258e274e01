// Inverted dropout: Y = X ⊙ M, dX = dY ⊙ M, with M drawn once per forward in training.
#include "mlp/dropout.hpp"

#include "mlp/error.hpp"

#include <cstdio>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

Dropout::Dropout(Index units, double rate) : units_(units), rate_(rate) {
  if (!(rate >= 0.0 && rate < 1.0)) throw Error("dropout rate must be in [0, 1)");
}

std::string Dropout::describe() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "rate %.3g", rate_);
  return buf;
}

ConstMatrixView Dropout::forward(const ConstMatrixRef& X, bool training, Rng& rng) {
  batch_ = X.rows();
  training_ = training && rate_ > 0.0;
  MatrixView Y = batch_view(Y_, batch_, units_);
  if (!training_) {
    Y = X;
    return output();
  }
  MatrixView M = batch_view(mask_, batch_, units_);
  if (fixed_mask_.size() > 0) {
    M = fixed_mask_.topRows(batch_);
  } else {
    const Scalar keep_scale = static_cast<Scalar>(1.0 / (1.0 - rate_));
    for (Index r = 0; r < batch_; ++r)
      for (Index c = 0; c < units_; ++c) M(r, c) = rng.uniform() < rate_ ? Scalar(0) : keep_scale;
  }
  Y = X.cwiseProduct(M);
  return output();
}

ConstMatrixView Dropout::backward(const ConstMatrixRef&, const ConstMatrixRef& dY) {
  MatrixView dX = batch_view(dX_, batch_, units_);
  if (training_)
    dX = dY.cwiseProduct(mask());
  else
    dX = dY;
  return input_gradient();
}

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
