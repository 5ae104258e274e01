// Every loss, one entry each: its formula and gradient as text, and the code computing value and
// gradient side by side. P is the network output (B, k), Y the targets; N = P.size(). The two
// classification losses also weigh each sample by its class (Loss::class_weight, loss.hpp).
#include "mlp/loss.hpp"

#include "mlp/error.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

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
  l.value = [](const ConstMatrixRef& P, const ConstMatrixRef& Y, const Loss&) {
    return (P - Y).squaredNorm() / count(P);
  };
  l.use = "Regression; the default for numeric targets.";
  l.gradient_formula = "dL/dp = 2(p - y)/N";
  l.gradient = [](const ConstMatrixRef& P, const ConstMatrixRef& Y, const Loss&, MatrixRef dP) {
    dP = (Scalar(2) / count(P)) * (P - Y);  // dP = 2(P − Y)/N
  };
  return l;
}

LossInfo mae() {
  LossInfo l = entry("mae");
  l.formula = "mean(|p - y|)";
  l.value = [](const ConstMatrixRef& P, const ConstMatrixRef& Y, const Loss&) {
    return (P - Y).cwiseAbs().sum() / count(P);
  };
  l.use = "Regression robust to outliers (predicts the median).";
  l.gradient_formula = "dL/dp = sign(p - y)/N (0 at p = y)";
  l.gradient = [](const ConstMatrixRef& P, const ConstMatrixRef& Y, const Loss&, MatrixRef dP) {
    dP = (P - Y).array().sign() / count(P);
  };
  return l;
}

LossInfo huber() {
  LossInfo l = entry("huber");
  l.formula = "mean(0.5 r^2 if |r| <= delta else delta (|r| - 0.5 delta)), r = p - y";
  l.value = [](const ConstMatrixRef& P, const ConstMatrixRef& Y, const Loss& loss) {
    const Scalar d = static_cast<Scalar>(loss.param);
    const auto r = (P - Y).array().abs();
    return (r <= d).select(Scalar(0.5) * r.square(), d * (r - Scalar(0.5) * d)).sum() / count(P);
  };
  l.use = "Regression: quadratic near 0 like mse, linear for outliers like mae.";
  l.param_name = "delta";
  l.param_default = 1.0;
  l.gradient_formula = "dL/dp = clamp(r, -delta, delta)/N";
  l.gradient = [](const ConstMatrixRef& P, const ConstMatrixRef& Y, const Loss& loss, MatrixRef dP) {
    const Scalar d = static_cast<Scalar>(loss.param);
    dP = (P - Y).array().cwiseMax(-d).cwiseMin(d) / count(P);
  };
  return l;
}

// bce's class weights w = (w_0, w_1): a target y ∈ {0, 1} weighs w_0 (1 − y) + w_1 y. Y (B, 1).
auto bce_weights(const ConstMatrixRef& Y, const RowVector& w) {
  return w(0) * (Scalar(1) - Y.array()) + w(1) * Y.array();
}

LossInfo bce() {
  LossInfo l = entry("bce");
  // Written with max(z, 0) and e^−|z|, so e^z is never evaluated for large z: ±1000 stays finite.
  l.formula = "mean(max(z,0) - z y + log(1 + exp(-|z|))), z the logits";
  l.value = [](const ConstMatrixRef& Z, const ConstMatrixRef& Y, const Loss& loss) {
    const auto z = Z.array();
    const auto L = z.cwiseMax(Scalar(0)) - z * Y.array() + (-z.abs()).exp().log1p();  // (B, k) per element
    if (!loss.weighted()) return L.sum() / count(Z);
    const auto w = bce_weights(Y, loss.class_weight);  // (B, 1)
    return (w * L).sum() / w.sum();                    // Σ w_i L_i / Σ w_i
  };
  l.use = "Binary (or multi-label) classification with a sigmoid output; targets 0/1.";
  l.from_logits = true;
  l.output_activation = "sigmoid";
  l.gradient_formula = "dL/dz = (sigmoid(z) - y)/N";
  l.gradient = [](const ConstMatrixRef& Z, const ConstMatrixRef& Y, const Loss& loss, MatrixRef dZ) {
    const auto residual = Scalar(1) / (Scalar(1) + (-Z.array()).exp()) - Y.array();  // σ(Z) − Y
    if (!loss.weighted()) {
      dZ = residual / count(Z);  // dZ = (σ(Z) − Y)/N
      return;
    }
    const auto w = bce_weights(Y, loss.class_weight);  // (B, 1)
    dZ = w * residual / w.sum();                       // dZ = w ⊙ (σ(Z) − Y)/Σw
  };
  // bce_weights, one row at a time.
  l.sample_weight = [](const ConstMatrixRef& Y, Index r, const RowVector& w) {
    return w(0) * (Scalar(1) - Y(r, 0)) + w(1) * Y(r, 0);
  };
  l.classes = [](Index outputs) { return outputs == 1 ? Index{2} : Index{0}; };
  return l;
}

// Cross-entropy takes Y as (B, C) one-hot rows or probabilities, or as (B, 1) integer labels.
bool integer_labels(const ConstMatrixRef& Z, const ConstMatrixRef& Y) { return Y.cols() == 1 && Z.cols() > 1; }

LossInfo cross_entropy() {
  LossInfo l = entry("cross_entropy");
  // lse(z) = m + ln Σ e^(z − m) with m = max z: no overflow.
  l.formula = "mean over samples of logsumexp(z) - sum(y z), z the logits";
  l.value = [](const ConstMatrixRef& Z, const ConstMatrixRef& Y, const Loss& loss) {
    const bool labels = integer_labels(Z, Y);
    Scalar total = 0, weight = 0;  // Σ w_r L_r and Σ w_r, where w_r = 1 without class weights (weight = B)
    for (Index r = 0; r < Z.rows(); ++r) {
      const Scalar m = Z.row(r).maxCoeff();
      const Scalar lse = m + std::log((Z.row(r).array() - m).exp().sum());
      const Scalar L = labels ? lse - Z(r, static_cast<Index>(Y(r, 0))) : lse * Y.row(r).sum() - Z.row(r).dot(Y.row(r));
      const Scalar w = loss.sample_weight(Y, r);
      total += w * L;
      weight += w;
    }
    return total / weight;
  };
  l.use = "Multi-class classification with a softmax output; one-hot or integer-label targets.";
  l.from_logits = true;
  l.output_activation = "softmax";
  l.gradient_formula = "dL/dz = (softmax(z) sum(y) - y)/B, i.e. (softmax(z) - onehot)/B";
  l.gradient = [](const ConstMatrixRef& Z, const ConstMatrixRef& Y, const Loss& loss, MatrixRef dZ) {
    const bool labels = integer_labels(Z, Y);
    const Scalar inv_b = Scalar(1) / static_cast<Scalar>(loss.weight(Y));  // 1/B (1/Σw with class weights)
    for (Index r = 0; r < Z.rows(); ++r) {
      const Scalar s = loss.sample_weight(Y, r) * inv_b;  // 1/B, or w_r/Σw
      const Scalar m = Z.row(r).maxCoeff();
      dZ.row(r) = (Z.row(r).array() - m).exp();
      const Scalar mass = labels ? Scalar(1) : Y.row(r).sum();
      dZ.row(r) *= mass * s / dZ.row(r).sum();  // dZ = softmax(Z)·Σy/B (w_r/Σw for 1/B when weighted)
      if (labels)
        dZ(r, static_cast<Index>(Y(r, 0))) -= s;  // dZ −= Y/B, Y one-hot
      else
        dZ.row(r) -= s * Y.row(r);  // dZ −= Y/B
    }
  };
  // A label's weight; for a one-hot (or probability) row, Σ_c w_c y_c.
  l.sample_weight = [](const ConstMatrixRef& Y, Index r, const RowVector& w) {
    return Y.cols() == 1 ? w(static_cast<Index>(Y(r, 0))) : Y.row(r).dot(w);
  };
  l.classes = [](Index outputs) { return outputs >= 2 ? outputs : Index{0}; };
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

double Loss::weight(const ConstMatrixRef& Y) const {
  if (!weighted()) return static_cast<double>(Y.rows());
  double sum = 0;
  for (Index r = 0; r < Y.rows(); ++r) sum += static_cast<double>(info->sample_weight(Y, r, class_weight));
  return sum;
}

void Loss::check_class_weight(Index outputs) const {
  if (!weighted()) return;
  if (!info->takes_class_weight())
    throw Error(std::string("loss '") + name() +
                "' takes no class weights: they weigh the samples of each class of a classification (losses "
                "cross_entropy and bce)");
  const Index classes = info->classes(outputs);
  if (classes == 0)
    throw Error(std::string("loss '") + name() + "' over " + std::to_string(outputs) +
                " outputs takes no class weights (bce: one sigmoid output for two classes)");
  if (class_weight.size() != classes)
    throw Error(std::to_string(class_weight.size()) + " class weights for " + std::to_string(classes) +
                " classes; give one weight per class");
  for (Index c = 0; c < classes; ++c)
    if (!(std::isfinite(class_weight(c)) && class_weight(c) > 0))
      throw Error("the weight of class " + std::to_string(c) + " is " + std::to_string(class_weight(c)) +
                  "; each class weight must be a positive, finite number");
}

RowVector balanced_class_weight(const ConstMatrixRef& labels, Index classes) {
  std::vector<double> count(static_cast<std::size_t>(std::max<Index>(classes, 0)), 0.0);
  for (Index i = 0; i < labels.rows(); ++i) {
    const double y = static_cast<double>(labels(i, 0));
    if (!(y >= 0 && y < static_cast<double>(classes)) || y != std::floor(y))
      throw Error("label " + std::to_string(y) + " of row " + std::to_string(i) + " is not a class index 0.." +
                  std::to_string(classes - 1));
    ++count[static_cast<std::size_t>(y)];
  }
  RowVector w(classes);
  for (Index c = 0; c < classes; ++c) {
    if (count[static_cast<std::size_t>(c)] == 0)
      throw Error("class " + std::to_string(c) +
                  " has no sample, so its balanced weight N/(C·0) would be infinite; give the weights by hand");
    w(c) = static_cast<Scalar>(static_cast<double>(labels.rows()) /
                               (static_cast<double>(classes) * count[static_cast<std::size_t>(c)]));
  }
  return w;
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
