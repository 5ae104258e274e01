// Every loss: value and gradient side by side, one table row each.
#include "mlp/loss.hpp"

#include "mlp/error.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

namespace {

Scalar count(const ConstMatrixRef& P) { return static_cast<Scalar>(P.size()); }

// ---- mse: mean (p − y)²; ∂/∂p = 2(p − y)/N ---------------------------------------------------
Scalar mse_value(const ConstMatrixRef& P, const ConstMatrixRef& Y, double) {
  return (P - Y).squaredNorm() / count(P);
}
void mse_gradient(const ConstMatrixRef& P, const ConstMatrixRef& Y, double, MatrixRef dP) {
  dP = (Scalar(2) / count(P)) * (P - Y);
}

// ---- mae: mean |p − y|; ∂/∂p = sign(p − y)/N (0 at p = y) --------------------------------------
Scalar mae_value(const ConstMatrixRef& P, const ConstMatrixRef& Y, double) {
  return (P - Y).cwiseAbs().sum() / count(P);
}
void mae_gradient(const ConstMatrixRef& P, const ConstMatrixRef& Y, double, MatrixRef dP) {
  dP = (P - Y).array().sign() / count(P);
}

// ---- huber(δ): mean of ½r² for |r| ≤ δ, δ(|r| − ½δ) beyond; ∂/∂p = clamp(r, −δ, δ)/N -----------
Scalar huber_value(const ConstMatrixRef& P, const ConstMatrixRef& Y, double delta) {
  const Scalar d = static_cast<Scalar>(delta);
  const auto r = (P - Y).array().abs();
  return (r <= d).select(Scalar(0.5) * r.square(), d * (r - Scalar(0.5) * d)).sum() / count(P);
}
void huber_gradient(const ConstMatrixRef& P, const ConstMatrixRef& Y, double delta, MatrixRef dP) {
  const Scalar d = static_cast<Scalar>(delta);
  dP = (P - Y).array().cwiseMax(-d).cwiseMin(d) / count(P);
}

// ---- bce from logits z: mean of max(z,0) − z·y + ln(1 + e^−|z|); ∂/∂z = (σ(z) − y)/N ----------
// The rewritten form never evaluates e^z for large z, so ±1000 gives a finite loss.
Scalar bce_value(const ConstMatrixRef& Z, const ConstMatrixRef& Y, double) {
  const auto z = Z.array();
  return (z.cwiseMax(Scalar(0)) - z * Y.array() + (-z.abs()).exp().log1p()).sum() / count(Z);
}
void bce_gradient(const ConstMatrixRef& Z, const ConstMatrixRef& Y, double, MatrixRef dP) {
  dP = (Scalar(1) / (Scalar(1) + (-Z.array()).exp()) - Y.array()) / count(Z);
}

// ---- cross_entropy from logits z (softmax fused): per sample lse(z) − Σ y·z, with
// lse(z) = m + ln Σ e^(z − m), m = max z; ∂/∂z = (softmax(z)·Σy − y)/B = (softmax − onehot)/B.
// Y is either (B, C) one-hot/probabilities or (B, 1) integer class labels.
bool integer_labels(const ConstMatrixRef& Z, const ConstMatrixRef& Y) { return Y.cols() == 1 && Z.cols() > 1; }

Scalar ce_value(const ConstMatrixRef& Z, const ConstMatrixRef& Y, double) {
  const bool labels = integer_labels(Z, Y);
  Scalar total = 0;
  for (Index r = 0; r < Z.rows(); ++r) {
    const Scalar m = Z.row(r).maxCoeff();
    const Scalar lse = m + std::log((Z.row(r).array() - m).exp().sum());
    if (labels)
      total += lse - Z(r, static_cast<Index>(Y(r, 0)));
    else
      total += lse * Y.row(r).sum() - Z.row(r).dot(Y.row(r));
  }
  return total / static_cast<Scalar>(Z.rows());
}
void ce_gradient(const ConstMatrixRef& Z, const ConstMatrixRef& Y, double, MatrixRef dP) {
  const bool labels = integer_labels(Z, Y);
  const Scalar inv_b = Scalar(1) / static_cast<Scalar>(Z.rows());
  for (Index r = 0; r < Z.rows(); ++r) {
    const Scalar m = Z.row(r).maxCoeff();
    dP.row(r) = (Z.row(r).array() - m).exp();
    const Scalar mass = labels ? Scalar(1) : Y.row(r).sum();
    dP.row(r) *= mass * inv_b / dP.row(r).sum();
    if (labels)
      dP(r, static_cast<Index>(Y(r, 0))) -= inv_b;
    else
      dP.row(r) -= inv_b * Y.row(r);
  }
}

}  // namespace

const std::vector<LossInfo>& losses() {
  static const std::vector<LossInfo> table = {
      {"mse", "mean((p - y)^2)", "Regression; the default for numeric targets.", false, "", 0.0, false, nullptr,
       mse_value, mse_gradient},
      {"mae", "mean(|p - y|)", "Regression robust to outliers (predicts the median).", false, "", 0.0, false,
       nullptr, mae_value, mae_gradient},
      {"huber", "mean(0.5 r^2 if |r| <= delta else delta (|r| - 0.5 delta)), r = p - y",
       "Regression: quadratic near 0 like mse, linear for outliers like mae.", true, "delta", 1.0, false, nullptr,
       huber_value, huber_gradient},
      {"bce", "mean(max(z,0) - z y + log(1 + exp(-|z|))), z the logits",
       "Binary (or multi-label) classification with a sigmoid output; targets 0/1.", false, "", 0.0, true,
       "sigmoid", bce_value, bce_gradient},
      {"cross_entropy", "mean over samples of logsumexp(z) - sum(y z), z the logits",
       "Multi-class classification with a softmax output; one-hot or integer-label targets.", false, "", 0.0,
       true, "softmax", ce_value, ce_gradient},
  };
  return table;
}

std::string loss_names() {
  std::string s;
  for (const auto& l : losses()) s += (s.empty() ? "" : ", ") + std::string(l.name) + (l.has_param ? "[:" + std::string(l.param_name) + "]" : "");
  return s;
}

std::string Loss::spec() const {
  if (!info->has_param) return info->name;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s:%.9g", info->name, param);
  return buf;
}

Loss parse_loss(const std::string& spec) {
  const std::size_t colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  Loss loss;
  for (const auto& l : losses())
    if (name == l.name) loss.info = &l;
  if (!loss.info) throw Error("unknown loss '" + name + "'; valid losses: " + loss_names());
  loss.param = loss.info->param_default;
  if (colon == std::string::npos) return loss;
  if (!loss.info->has_param) throw Error("loss '" + name + "' takes no parameter (got '" + spec + "')");
  const std::string text = spec.substr(colon + 1);
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) || v <= 0)
    throw Error("loss '" + spec + "': " + loss.info->param_name + " must be a positive number");
  loss.param = v;
  return loss;
}

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
