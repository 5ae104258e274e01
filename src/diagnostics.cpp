// Diagnostics of training (diagnostics.hpp): after each step, a few reductions over each hidden
// layer's A and f′(Z), which are still in cache, and the weight norms the optimizer measured
// while updating; at each epoch's end, the shares and means; at the end, warnings in words.
#include "mlp/diagnostics.hpp"

#include "mlp/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

namespace {

using RowVectorView = Eigen::Map<RowVector>;
// A (1, n) view of a row buffer that grows once to n.
RowVectorView row_view(RowVector& buffer, Index n) {
  if (buffer.size() != n) buffer.resize(n);
  return {buffer.data(), n};
}

// Thresholds of the warnings, and of "saturated". A healthy run crosses none of them: the
// defaults on the bundled data sets and 8-layer relu and tanh nets were checked not to.
constexpr double kFlatDerivative = 0.01;    // |f′(z)| below this: no gradient to speak of
constexpr double kSaturatedSamples = 0.9;   // ...on at least this share of the samples
constexpr double kWarnDead = 0.5;           // share of a layer's units dead
constexpr double kWarnSaturated = 0.5;      // share of a layer's units saturated
constexpr double kWarnGradientRatio = 100;  // first hidden layer's ‖dW‖ vs the last's, either way
constexpr double kWarnUpdateRatio = 0.1;    // ‖ΔW‖/‖W‖ per step; ~1e-3 is the usual healthy size

// This step's per-unit counts for one sample's row of A and f′(Z): off (no output, no gradient) and
// flat (|f′| small while the output is not 0).
void count_off_and_flat(const Scalar* __restrict a, const Scalar* __restrict fp, Index units, Scalar* __restrict off,
                        Scalar* __restrict flat) {
  for (Index u = 0; u < units; ++u) {
    const Scalar slope = std::abs(fp[u]);
    off[u] += (a[u] <= Scalar(0) && slope == Scalar(0)) ? Scalar(1) : Scalar(0);
    flat[u] += (slope < Scalar(kFlatDerivative) && a[u] != Scalar(0)) ? Scalar(1) : Scalar(0);
  }
}

std::string percent(double share) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", 100 * share);
  return buf;
}

// 13200 → "13000", 0.0665 → "0.067": two significant digits, without an exponent for ratios.
std::string ratio_text(double v) {
  char buf[32];
  const double digits = std::floor(std::log10(v));
  const double unit = std::pow(10.0, digits - 1);
  std::snprintf(buf, sizeof buf, "%.*f", digits >= 1 ? 0 : static_cast<int>(1 - digits), std::round(v / unit) * unit);
  return buf;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

}  // namespace

Diagnostics::Diagnostics(Network& net) : net_(net) {
  if (!net.optimizer()) throw Error("diagnostics need the network's optimizer (set it first)");
  std::vector<const Dense*> dense;
  for (std::size_t i = 0; i < net.size(); ++i)
    if (const Dense* d = net.dense(i)) dense.push_back(d);
  const auto& params = net.parameters();
  for (std::size_t k = 0; k + 1 < dense.size(); ++k) {  // every Dense layer but the output
    Watch w;
    w.dense = dense[k];
    w.layer = static_cast<int>(k) + 1;
    for (std::size_t i = 0; i < params.size(); ++i)
      if (params[i].value == dense[k]->W.data()) w.weight = i;
    w.off = w.flat = Eigen::Array<double, 1, Eigen::Dynamic>::Zero(dense[k]->output_size());
    watch_.push_back(std::move(w));
  }
  net.optimizer()->measure_steps(Optimizer::Measure::Update);  // the first step of the first epoch
}

Diagnostics::~Diagnostics() {
  if (net_.optimizer()) net_.optimizer()->measure_steps(Optimizer::Measure::Nothing);
}

void Diagnostics::after_step() {
  const auto& norms = net_.optimizer()->step_norms();
  for (Watch& w : watch_) {
    const Dense& d = *w.dense;
    const Index B = d.batch(), units = d.output_size();
    // f′(Z): the activation's own backward with dA = 1 (the learned parameter's gradient is not
    // wanted here, so dp is null).
    if (w.ones.rows() < B) w.ones = Matrix::Ones(B, units);
    MatrixView fp = batch_view(w.derivative, B, units);
    ActivationGrad g{d.Z(), d.A(), d.p, w.ones.topRows(B), fp, nullptr};
    d.activation.info->backward(g);

    // Per unit, the samples on which it was off (no output, no gradient) or flat (|f′| small while
    // its output is not 0): row by row, a plain loop along each contiguous row of units, which the
    // compiler vectorises (Eigen's select and boolean casts would run element by element).
    const ConstMatrixView A = d.A();
    RowVectorView off = row_view(w.step_off, units), flat = row_view(w.step_flat, units);
    off.setZero();
    flat.setZero();
    for (Index r = 0; r < B; ++r) count_off_and_flat(A.row(r).data(), fp.row(r).data(), units, off.data(), flat.data());
    w.off += off.array().cast<double>();
    w.flat += flat.array().cast<double>();
    w.zeros += static_cast<double>((A.array() == Scalar(0)).count());
    w.sum += static_cast<double>(A.sum());
    w.sum_sq += static_cast<double>(A.squaredNorm());
    const auto& n = norms[w.weight];
    w.grad_norm += std::sqrt(n.grad_sq);
    if (n.update_measured) w.update_ratio += n.value_sq > 0 ? std::sqrt(n.delta_sq / n.value_sq) : 0.0;
  }
  if (!watch_.empty()) {
    samples_ += static_cast<double>(watch_.front().dense->batch());
    if (norms[watch_.front().weight].update_measured) ++sampled_;
  }
  ++steps_;
  net_.optimizer()->measure_steps(steps_ % kUpdateSample == 0 ? Optimizer::Measure::Update
                                                              : Optimizer::Measure::Gradient);
}

EpochStats Diagnostics::end_epoch(int epoch) {
  EpochStats e;
  e.epoch = epoch;
  for (const Watch& w : watch_) {
    const Dense& d = *w.dense;
    LayerStats s;
    s.layer = w.layer;
    s.name = d.name;
    s.activation = d.activation.spec();
    s.units = d.output_size();
    const double units = static_cast<double>(s.units), values = samples_ * units;
    const auto dead = w.off >= samples_;
    s.dead = dead.cast<double>().sum() / units;
    s.saturated = (!dead && w.flat >= kSaturatedSamples * samples_).cast<double>().sum() / units;
    s.sparsity = values > 0 ? w.zeros / values : 0;
    s.mean = values > 0 ? w.sum / values : 0;
    s.sd = values > 0 ? std::sqrt(std::max(0.0, w.sum_sq / values - s.mean * s.mean)) : 0;
    s.grad_norm = steps_ > 0 ? w.grad_norm / static_cast<double>(steps_) : 0;
    s.update_ratio = sampled_ > 0 ? w.update_ratio / static_cast<double>(sampled_) : 0;
    if (d.activation.learn) s.param_mean = static_cast<double>(d.p.mean());
    e.layers.push_back(s);
  }
  history_.push_back(e);
  reset_epoch();
  return e;
}

void Diagnostics::reset_epoch() {
  for (Watch& w : watch_) {
    w.off.setZero();
    w.flat.setZero();
    w.zeros = w.sum = w.sum_sq = w.grad_norm = w.update_ratio = 0;
  }
  samples_ = 0;
  steps_ = 0;
  sampled_ = 0;
  net_.optimizer()->measure_steps(Optimizer::Measure::Update);  // the next epoch's first step
}

std::vector<std::string> Diagnostics::warnings() const { return diagnostic_warnings(history_); }

std::vector<std::string> diagnostic_warnings(const std::vector<EpochStats>& history) {
  std::vector<std::string> out;
  if (history.empty() || history.front().layers.empty()) return out;
  const EpochStats& last = history.back();

  // A share that is still over its threshold at the end: since which epoch it has stayed there.
  auto since = [&](std::size_t layer, double LayerStats::*field, double threshold) {
    int first = last.epoch;
    for (auto e = history.rbegin(); e != history.rend() && e->layers[layer].*field >= threshold; ++e) first = e->epoch;
    return first;
  };
  for (std::size_t l = 0; l < last.layers.size(); ++l) {
    const LayerStats& s = last.layers[l];
    const std::string layer = "layer " + std::to_string(s.layer) + " (" + s.activation + ")";
    if (s.dead >= kWarnDead)
      out.push_back(layer + ": " + percent(s.dead) + " of units dead since epoch " +
                    std::to_string(since(l, &LayerStats::dead, kWarnDead)) +
                    " (no gradient reaches them): lower --lr, or try leaky_relu, elu or prelu");
    if (s.saturated >= kWarnSaturated)
      out.push_back(layer + ": " + percent(s.saturated) + " of units saturated since epoch " +
                    std::to_string(since(l, &LayerStats::saturated, kWarnSaturated)) +
                    " (|f'| < 0.01 on 90% of samples): gradients vanish through it; try relu with he init, or "
                    "lower --lr");
    if (s.update_ratio >= kWarnUpdateRatio)
      out.push_back(layer + ": each step changes its weights by " + percent(s.update_ratio) +
                    " of their size (about 0.1% is usual): --lr is likely too high");
  }

  // Vanishing or exploding gradients: the first hidden layer's gradient against the last's, in
  // the first epoch, before training has had a chance to repair (or hide) it.
  const EpochStats& first = history.front();
  const LayerStats& bottom = first.layers.front();
  const LayerStats& top = first.layers.back();
  if (first.layers.size() >= 2 && top.grad_norm > 0 && bottom.grad_norm > 0) {
    const double ratio = bottom.grad_norm / top.grad_norm;
    const std::string which = "layer " + std::to_string(bottom.layer) + "'s gradient norm is ";
    const std::string of = " of layer " + std::to_string(top.layer) + "'s";
    if (ratio < 1 / kWarnGradientRatio)
      out.push_back(which + "1/" + ratio_text(1 / ratio) + of + " (" + number(bottom.grad_norm) + " vs " +
                    number(top.grad_norm) + "): gradients vanish; try relu with he init");
    else if (ratio > kWarnGradientRatio)
      out.push_back(which + ratio_text(ratio) + " times layer " + std::to_string(top.layer) + "'s" +
                    ": gradients explode; try --clip-norm 1, a lower --lr, "
                    "or xavier/he init");
  }
  return out;
}

std::string Diagnostics::table() const {
  if (history_.empty()) return "";
  // The gradient norm of the first epoch beside the last's: vanishing gradients show at the start,
  // and training may have repaired them (or not) by the end.
  const EpochStats &first = history_.front(), &last = history_.back();
  const std::string grad = first.epoch == last.epoch ? "grad norm"
                                                     : "grad norm, epoch " + std::to_string(first.epoch) + " -> " +
                                                           std::to_string(last.epoch);
  char line[240];
  std::snprintf(line, sizeof line, "layer  %-18s %6s %6s %7s %7s  %-27s %9s %7s %6s\n", "activation", "units", "dead",
                "sparse", "satur.", grad.c_str(), "update/w", "mean", "sd");
  std::string t = line;
  for (std::size_t l = 0; l < last.layers.size(); ++l) {
    const LayerStats& s = last.layers[l];
    char norms[64];
    if (first.epoch == last.epoch)
      std::snprintf(norms, sizeof norms, "%9s", number(s.grad_norm).c_str());
    else
      std::snprintf(norms, sizeof norms, "%9s -> %-9s", number(first.layers[l].grad_norm).c_str(),
                    number(s.grad_norm).c_str());
    std::snprintf(line, sizeof line, "%-6d %-18.18s %6lld %6s %7s %7s  %-27s %9.2g %7.3f %6.3f\n", s.layer,
                  s.activation.c_str(), static_cast<long long>(s.units), percent(s.dead).c_str(),
                  percent(s.sparsity).c_str(), percent(s.saturated).c_str(), norms, s.update_ratio, s.mean, s.sd);
    t += line;
  }
  return t;
}

std::string Diagnostics::csv() const {
  std::string out =
      "epoch,layer,name,activation,units,dead_share,sparsity,saturated_share,grad_norm,update_ratio,"
      "activation_mean,activation_sd,param_mean\n";
  char line[400];
  for (const EpochStats& e : history_)
    for (const LayerStats& s : e.layers) {
      std::snprintf(line, sizeof line, "%d,%d,%s,%s,%lld,%.6g,%.6g,%.6g,%.9g,%.9g,%.9g,%.9g,", e.epoch, s.layer,
                    s.name.c_str(), s.activation.c_str(), static_cast<long long>(s.units), s.dead, s.sparsity,
                    s.saturated, s.grad_norm, s.update_ratio, s.mean, s.sd);
      out += line;
      if (!std::isnan(s.param_mean)) {
        std::snprintf(line, sizeof line, "%.9g", s.param_mean);
        out += line;
      }
      out += "\n";
    }
  return out;
}

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
