// Inverted dropout: in training each unit is kept with probability 1 − rate and scaled by
// 1/(1 − rate), so evaluation needs no rescaling and is the identity.
#pragma once

#include "mlp/layer.hpp"

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

class Dropout : public Layer {
 public:
  Dropout(Index units, double rate);

  const char* type() const override { return "Dropout"; }
  Index input_size() const override { return units_; }
  Index output_size() const override { return units_; }
  std::string describe() const override;

  ConstMatrixView forward(const ConstMatrixRef& X, bool training, Rng& rng) override;
  ConstMatrixView backward(const ConstMatrixRef& X, const ConstMatrixRef& dY) override;

  ConstMatrixView output() const override { return {Y_.data(), batch_, units_}; }
  ConstMatrixView input_gradient() const override { return {dX_.data(), batch_, units_}; }
  double rate() const { return rate_; }
  // For tests: use this (B, units) mask of 0 and 1/(1 − rate) instead of drawing one.
  void fix_mask(const Matrix& mask) { fixed_mask_ = mask; }
  ConstMatrixView mask() const { return {mask_.data(), batch_, units_}; }  // (B, units)

 private:
  Index units_;
  double rate_;
  bool training_ = false;
  Index batch_ = 0;
  Matrix mask_;  // (≥B, units): 0 or 1/(1 − rate)
  Matrix Y_;     // (≥B, units)
  Matrix dX_;    // (≥B, units)
  Matrix fixed_mask_;
};

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
