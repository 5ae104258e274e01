// Every loss, one entry each: its formula and gradient as text, and the code computing value and
// gradient side by side. P is the network output (B, k), Y the targets; N = P.size().
#include "mlp/loss.hpp"

#include "mlp/error.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

namespace {

Scalar count(const ConstMatrixRef& P) { return static_cast<Scalar>(P.size()); }

// A table entry with its name; its other fields are set one by one, by name.
LossInfo entry(const char* name) {
  LossInfo l;
  l.name = name;
  return l;
}

LossInfo mse() {
  LossInfo l = entry("mse");
  l.formula = "mean((p - y)^2)";
  l.value = [](const ConstMatrixRef& P, const ConstMatrixRef& Y, double) { return (P - Y).squaredNorm() / count(P); };
  l.use = "Regression; the default for numeric targets.";
  l.gradient_formula = "dL/dp = 2(p - y)/N";
  l.gradient = [](const ConstMatrixRef& P, const ConstMatrixRef& Y, double, MatrixRef dP) {
    dP = (Scalar(2) / count(P)) * (P - Y);  // dP = 2(P − Y)/N
  };
  return l;
}

LossInfo mae() {
  LossInfo l = entry("mae");
  l.formula = "mean(|p - y|)";
  l.value = [](const ConstMatrixRef& P, const ConstMatrixRef& Y, double) {
    return (P - Y).cwiseAbs().sum() / count(P);
  };
  l.use = "Regression robust to outliers (predicts the median).";
  l.gradient_formula = "dL/dp = sign(p - y)/N (0 at p = y)";
  l.gradient = [](const ConstMatrixRef& P, const ConstMatrixRef& Y, double, MatrixRef dP) {
    dP = (P - Y).array().sign() / count(P);
  };
  return l;
}

LossInfo huber() {
  LossInfo l = entry("huber");
  l.formula = "mean(0.5 r^2 if |r| <= delta else delta (|r| - 0.5 delta)), r = p - y";
  l.value = [](const ConstMatrixRef& P, const ConstMatrixRef& Y, double delta) {
    const Scalar d = static_cast<Scalar>(delta);
    const auto r = (P - Y).array().abs();
    return (r <= d).select(Scalar(0.5) * r.square(), d * (r - Scalar(0.5) * d)).sum() / count(P);
  };
  l.use = "Regression: quadratic near 0 like mse, linear for outliers like mae.";
  l.param_name = "delta";
  l.param_default = 1.0;
  l.gradient_formula = "dL/dp = clamp(r, -delta, delta)/N";
  l.gradient = [](const ConstMatrixRef& P, const ConstMatrixRef& Y, double delta, MatrixRef dP) {
    const Scalar d = static_cast<Scalar>(delta);
    dP = (P - Y).array().cwiseMax(-d).cwiseMin(d) / count(P);
  };
  return l;
}

LossInfo bce() {
  LossInfo l = entry("bce");
  // Written with max(z, 0) and e^−|z|, so e^z is never evaluated for large z: ±1000 stays finite.
  l.formula = "mean(max(z,0) - z y + log(1 + exp(-|z|))), z the logits";
  l.value = [](const ConstMatrixRef& Z, const ConstMatrixRef& Y, double) {
    const auto z = Z.array();
    return (z.cwiseMax(Scalar(0)) - z * Y.array() + (-z.abs()).exp().log1p()).sum() / count(Z);
  };
  l.use = "Binary (or multi-label) classification with a sigmoid output; targets 0/1.";
  l.from_logits = true;
  l.output_activation = "sigmoid";
  l.gradient_formula = "dL/dz = (sigmoid(z) - y)/N";
  l.gradient = [](const ConstMatrixRef& Z, const ConstMatrixRef& Y, double, MatrixRef dZ) {
    dZ = (Scalar(1) / (Scalar(1) + (-Z.array()).exp()) - Y.array()) / count(Z);  // dZ = (σ(Z) − Y)/N
  };
  return l;
}

// Cross-entropy takes Y as (B, C) one-hot rows or probabilities, or as (B, 1) integer labels.
bool integer_labels(const ConstMatrixRef& Z, const ConstMatrixRef& Y) { return Y.cols() == 1 && Z.cols() > 1; }

LossInfo cross_entropy() {
  LossInfo l = entry("cross_entropy");
  // lse(z) = m + ln Σ e^(z − m) with m = max z: no overflow.
  l.formula = "mean over samples of logsumexp(z) - sum(y z), z the logits";
  l.value = [](const ConstMatrixRef& Z, const ConstMatrixRef& Y, double) {
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
  };
  l.use = "Multi-class classification with a softmax output; one-hot or integer-label targets.";
  l.from_logits = true;
  l.output_activation = "softmax";
  l.gradient_formula = "dL/dz = (softmax(z) sum(y) - y)/B, i.e. (softmax(z) - onehot)/B";
  l.gradient = [](const ConstMatrixRef& Z, const ConstMatrixRef& Y, double, MatrixRef dZ) {
    const bool labels = integer_labels(Z, Y);
    const Scalar inv_b = Scalar(1) / static_cast<Scalar>(Z.rows());
    for (Index r = 0; r < Z.rows(); ++r) {
      const Scalar m = Z.row(r).maxCoeff();
      dZ.row(r) = (Z.row(r).array() - m).exp();
      const Scalar mass = labels ? Scalar(1) : Y.row(r).sum();
      dZ.row(r) *= mass * inv_b / dZ.row(r).sum();  // dZ = softmax(Z)·Σy/B
      if (labels)
        dZ(r, static_cast<Index>(Y(r, 0))) -= inv_b;  // dZ −= Y/B, Y one-hot
      else
        dZ.row(r) -= inv_b * Y.row(r);  // dZ −= Y/B
    }
  };
  return l;
}

}  // namespace

const std::vector<LossInfo>& losses() {
  static const std::vector<LossInfo> table = {mse(), mae(), huber(), bce(), cross_entropy()};
  return table;
}

std::string loss_names() {
  std::string s;
  for (const auto& l : losses())
    s += (s.empty() ? "" : ", ") + std::string(l.name) + (l.has_param() ? "[:" + std::string(l.param_name) + "]" : "");
  return s;
}

std::string Loss::spec() const {
  if (!info->has_param()) return info->name;
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
  if (!loss.info->has_param()) throw Error("loss '" + name + "' takes no parameter (got '" + spec + "')");
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
