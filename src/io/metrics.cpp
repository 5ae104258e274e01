// Classification and regression metrics, their text tables and their JSON. Definitions are in
// metrics.hpp; everything is counted in long and summed in double.
#include "mlp/io/metrics.hpp"

#include "mlp/error.hpp"
#include "mlp/io/preprocess.hpp"

#include <nlohmann/json.hpp>

#include <memory>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

namespace {

double ratio(double num, double den) { return den > 0.0 ? num / den : 0.0; }  // zero_division=0

double mean(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

// R² of one column; the SS_tot = 0 case follows sklearn's force_finite=True.
double r2_from_sums(double ss_res, double ss_tot) {
  if (ss_tot == 0.0) return ss_res == 0.0 ? 1.0 : 0.0;
  return 1.0 - ss_res / ss_tot;
}

struct ColumnErrors {
  double mse, mae, r2;
};

ColumnErrors column_errors(const ConstMatrixRef& truth, const ConstMatrixRef& predicted, Index j) {
  const Index n = truth.rows();
  double mean_truth = 0.0;
  for (Index i = 0; i < n; ++i) mean_truth += static_cast<double>(truth(i, j));
  mean_truth /= static_cast<double>(n);
  double ss_res = 0.0, ss_tot = 0.0, abs_sum = 0.0;
  for (Index i = 0; i < n; ++i) {
    const double y = static_cast<double>(truth(i, j));
    const double r = static_cast<double>(predicted(i, j)) - y;
    ss_res += r * r;
    abs_sum += std::abs(r);
    ss_tot += (y - mean_truth) * (y - mean_truth);
  }
  return {ss_res / static_cast<double>(n), abs_sum / static_cast<double>(n), r2_from_sums(ss_res, ss_tot)};
}

void require_same_shape(const char* what, Index truth_rows, Index truth_cols, Index pred_rows, Index pred_cols) {
  if (truth_rows != pred_rows || truth_cols != pred_cols)
    throw Error(std::string(what) + ": truth is (" + std::to_string(truth_rows) + ", " + std::to_string(truth_cols) +
                ") but predictions are (" + std::to_string(pred_rows) + ", " + std::to_string(pred_cols) +
                "); evaluate the predictions of the same rows and targets as the truth");
  if (truth_rows == 0) throw Error(std::string(what) + ": no samples to evaluate; give a non-empty data set");
}

// ---- text layout: widths count UTF-8 code points, so "café" lines up like "cafe" ------------
std::size_t width(const std::string& s) {
  std::size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}

std::string cut(const std::string& s, std::size_t max_width = 12) {
  std::size_t w = 0, i = 0;
  for (; i < s.size(); ++i) {
    const bool starts_code_point = (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
    if (starts_code_point && w++ == max_width) break;
  }
  return s.substr(0, i);
}

std::string left(const std::string& s, std::size_t w) { return s + std::string(w - std::min(w, width(s)), ' '); }
std::string right(const std::string& s, std::size_t w) { return std::string(w - std::min(w, width(s)), ' ') + s; }

std::string fixed4(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", x);
  return buf;
}

std::string general6(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

}  // namespace

// ---- classification ------------------------------------------------------------------------

ClassificationReport classification_report(const std::vector<int>& truth, const std::vector<int>& predicted,
                                           const std::vector<std::string>& classes) {
  if (truth.size() != predicted.size())
    throw Error("classification_report: " + std::to_string(truth.size()) + " true labels but " +
                std::to_string(predicted.size()) + " predictions; evaluate the predictions of the same rows");
  if (truth.empty()) throw Error("classification_report: no samples to evaluate; give a non-empty data set");

  ClassificationReport r;
  r.classes = classes;
  if (r.classes.empty()) {
    const int largest =
        std::max(*std::max_element(truth.begin(), truth.end()), *std::max_element(predicted.begin(), predicted.end()));
    for (int c = 0; c <= largest; ++c) r.classes.push_back(std::to_string(c));
  }
  const std::size_t k = r.classes.size();
  auto check = [k](const char* which, const std::vector<int>& v) {
    for (std::size_t i = 0; i < v.size(); ++i)
      if (v[i] < 0 || static_cast<std::size_t>(v[i]) >= k)
        throw Error(std::string("classification_report: ") + which + "[" + std::to_string(i) +
                    "] = " + std::to_string(v[i]) + " is not a class index 0.." + std::to_string(k - 1) +
                    "; encode labels with the model's own class list");
  };
  check("truth", truth);
  check("predicted", predicted);

  r.confusion.assign(k, std::vector<long>(k, 0));
  for (std::size_t i = 0; i < truth.size(); ++i) ++r.confusion[truth[i]][predicted[i]];

  r.precision.assign(k, 0.0);
  r.recall.assign(k, 0.0);
  r.f1.assign(k, 0.0);
  r.support.assign(k, 0);
  long correct = 0, present = 0;
  const double n = static_cast<double>(truth.size());
  for (std::size_t c = 0; c < k; ++c) {
    long predicted_as_c = 0;
    for (std::size_t t = 0; t < k; ++t) {
      r.support[c] += r.confusion[c][t];
      predicted_as_c += r.confusion[t][c];
    }
    const double tp = static_cast<double>(r.confusion[c][c]);
    const double fp = static_cast<double>(predicted_as_c) - tp;
    const double fn = static_cast<double>(r.support[c]) - tp;
    r.precision[c] = ratio(tp, tp + fp);
    r.recall[c] = ratio(tp, tp + fn);
    r.f1[c] = ratio(2.0 * tp, 2.0 * tp + fp + fn);  // = harmonic mean of precision and recall
    correct += r.confusion[c][c];
    if (r.support[c] > 0 || predicted_as_c > 0) {
      ++present;
      r.precision_macro += r.precision[c];
      r.recall_macro += r.recall[c];
      r.f1_macro += r.f1[c];
    }
    r.f1_weighted += r.f1[c] * static_cast<double>(r.support[c]) / n;
  }
  r.accuracy = static_cast<double>(correct) / n;
  r.precision_macro /= static_cast<double>(present);  // present ≥ 1: there is at least one sample
  r.recall_macro /= static_cast<double>(present);
  r.f1_macro /= static_cast<double>(present);
  return r;
}

double roc_auc(const std::vector<double>& scores, const std::vector<int>& truth) {
  if (scores.size() != truth.size())
    throw Error("roc_auc: " + std::to_string(scores.size()) + " scores but " + std::to_string(truth.size()) +
                " true labels; score the same rows as the truth");
  if (truth.empty()) throw Error("roc_auc: no samples to evaluate; give a non-empty data set");
  const std::size_t n = scores.size();
  std::vector<std::size_t> by_score(n);
  for (std::size_t i = 0; i < n; ++i) by_score[i] = i;
  std::sort(by_score.begin(), by_score.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  // Ranks 1..n in score order; a run of equal scores at positions [i, j) shares rank (i+1 + j)/2.
  double positive_rank_sum = 0, positives = 0;
  for (std::size_t i = 0, j; i < n; i = j) {
    for (j = i + 1; j < n && scores[by_score[j]] == scores[by_score[i]];) ++j;
    const double rank = 0.5 * (static_cast<double>(i + 1) + static_cast<double>(j));
    for (std::size_t k = i; k < j; ++k) {
      const int y = truth[by_score[k]];
      if (y != 0 && y != 1)
        throw Error("roc_auc: truth[" + std::to_string(by_score[k]) + "] = " + std::to_string(y) +
                    " is not 0 or 1; ROC AUC is for two classes");
      if (y == 1) {
        positive_rank_sum += rank;
        ++positives;
      }
    }
  }
  const double negatives = static_cast<double>(n) - positives;
  if (positives == 0 || negatives == 0) return std::nan("");  // one class only: undefined
  return (positive_rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

double log_loss(const ConstMatrixRef& P, const std::vector<int>& truth) {
  if (static_cast<std::size_t>(P.rows()) != truth.size())
    throw Error("log_loss: " + std::to_string(P.rows()) + " rows of probabilities but " + std::to_string(truth.size()) +
                " true labels; give the probabilities of the same rows");
  if (truth.empty()) throw Error("log_loss: no samples to evaluate; give a non-empty data set");
  const Index k = P.cols() == 1 ? 2 : P.cols();  // one column: P(class 1) of two classes
  constexpr double kEps = 1e-15;
  double sum = 0;
  for (Index i = 0; i < P.rows(); ++i) {
    const int y = truth[static_cast<std::size_t>(i)];
    if (y < 0 || y >= k)
      throw Error("log_loss: truth[" + std::to_string(i) + "] = " + std::to_string(y) + " is not a class index 0.." +
                  std::to_string(k - 1));
    const double p = P.cols() == 1 ? (y == 1 ? static_cast<double>(P(i, 0)) : 1.0 - static_cast<double>(P(i, 0)))
                                   : static_cast<double>(P(i, y));
    sum -= std::log(std::clamp(p, kEps, 1.0 - kEps));
  }
  return sum / static_cast<double>(P.rows());
}

void add_probability_scores(ClassificationReport& r, const ConstMatrixRef& P, const std::vector<int>& truth) {
  r.log_loss = log_loss(P, truth);
  if (r.classes.size() != 2) return;
  std::vector<double> score(static_cast<std::size_t>(P.rows()));
  for (Index i = 0; i < P.rows(); ++i) score[static_cast<std::size_t>(i)] = static_cast<double>(P(i, P.cols() - 1));
  r.roc_auc = roc_auc(score, truth);
}

std::string format_classification(const ClassificationReport& r) {
  const std::size_t k = r.classes.size();
  long n = 0, correct = 0;
  for (std::size_t c = 0; c < k; ++c) {
    n += r.support[c];
    correct += r.confusion[c][c];
  }
  std::string out =
      "accuracy: " + fixed4(r.accuracy) + " (" + std::to_string(correct) + " of " + std::to_string(n) + ")\n";
  if (r.roc_auc)
    out += "roc auc: " +
           (std::isnan(*r.roc_auc) ? std::string("undefined (the truth holds one class only)")
                                   : fixed4(*r.roc_auc) + " (scores: P(" + cut(r.classes[1]) + "))") +
           "\n";
  if (r.log_loss) out += "log loss: " + fixed4(*r.log_loss) + "\n";
  out += "\n";

  std::size_t name_w = width("weighted avg");
  for (const auto& name : r.classes) name_w = std::max(name_w, width(cut(display_name(name))));
  const std::size_t col_w = 9;
  auto row = [&](const std::string& name, const std::string& p, const std::string& rc, const std::string& f,
                 const std::string& s) {
    out += left(name, name_w) + right(p, col_w + 1) + right(rc, col_w + 1) + right(f, col_w + 1) + right(s, col_w + 1) +
           "\n";
  };
  row("class", "precision", "recall", "f1", "support");
  for (std::size_t c = 0; c < k; ++c)
    row(cut(display_name(r.classes[c])), fixed4(r.precision[c]), fixed4(r.recall[c]), fixed4(r.f1[c]),
        std::to_string(r.support[c]));
  row("macro avg", fixed4(r.precision_macro), fixed4(r.recall_macro), fixed4(r.f1_macro), std::to_string(n));
  row("weighted avg", "", "", fixed4(r.f1_weighted), std::to_string(n));

  // Confusion matrix: each column as wide as its (cut) name or its largest count.
  out += "\nconfusion matrix (rows: true class, columns: predicted class)\n";
  std::size_t label_w = 0;
  for (const auto& name : r.classes) label_w = std::max(label_w, width(cut(display_name(name))));
  std::vector<std::size_t> w(k);
  for (std::size_t c = 0; c < k; ++c) {
    w[c] = width(cut(display_name(r.classes[c])));
    for (std::size_t t = 0; t < k; ++t) w[c] = std::max(w[c], std::to_string(r.confusion[t][c]).size());
  }
  out += std::string(label_w, ' ');
  for (std::size_t c = 0; c < k; ++c) out += "  " + right(cut(display_name(r.classes[c])), w[c]);
  out += "\n";
  for (std::size_t t = 0; t < k; ++t) {
    out += left(cut(display_name(r.classes[t])), label_w);
    for (std::size_t c = 0; c < k; ++c) out += "  " + right(std::to_string(r.confusion[t][c]), w[c]);
    out += "\n";
  }
  return out;
}

// ---- regression ----------------------------------------------------------------------------

RegressionReport regression_report(const Matrix& truth, const Matrix& predicted,
                                   const std::vector<std::string>& targets) {
  require_same_shape("regression_report", truth.rows(), truth.cols(), predicted.rows(), predicted.cols());
  const Index t = truth.cols();
  if (!targets.empty() && static_cast<Index>(targets.size()) != t)
    throw Error("regression_report: " + std::to_string(targets.size()) + " target names for " + std::to_string(t) +
                " target columns; give one name per column");
  RegressionReport r;
  r.targets = targets;
  for (Index j = 0; j < t; ++j) {
    if (targets.empty()) r.targets.push_back("y" + std::to_string(j));
    const ColumnErrors e = column_errors(truth, predicted, j);
    r.mse.push_back(e.mse);
    r.rmse.push_back(std::sqrt(e.mse));
    r.mae.push_back(e.mae);
    r.r2.push_back(e.r2);
  }
  r.mse_mean = mean(r.mse);
  r.rmse_mean = mean(r.rmse);
  r.mae_mean = mean(r.mae);
  r.r2_mean = mean(r.r2);
  return r;
}

std::string format_regression(const RegressionReport& r) {
  std::size_t name_w = width("target");
  for (const auto& name : r.targets) name_w = std::max(name_w, width(cut(display_name(name))));
  const std::size_t col_w = 12;
  std::string out;
  auto row = [&](const std::string& name, const std::string& mse, const std::string& rmse, const std::string& mae,
                 const std::string& r2) {
    out += left(name, name_w) + right(mse, col_w + 1) + right(rmse, col_w + 1) + right(mae, col_w + 1) +
           right(r2, col_w + 1) + "\n";
  };
  row("target", "mse", "rmse", "mae", "r2");
  for (std::size_t j = 0; j < r.targets.size(); ++j)
    row(cut(r.targets[j]), general6(r.mse[j]), general6(r.rmse[j]), general6(r.mae[j]), fixed4(r.r2[j]));
  if (r.targets.size() > 1)
    row("mean", general6(r.mse_mean), general6(r.rmse_mean), general6(r.mae_mean), fixed4(r.r2_mean));
  return out;
}

// ---- during training -----------------------------------------------------------------------

std::vector<int> predicted_classes(const Matrix& outputs) {
  std::vector<int> classes(static_cast<std::size_t>(outputs.rows()));
  for (Index i = 0; i < outputs.rows(); ++i) {
    if (outputs.cols() == 1) {
      classes[i] = outputs(i, 0) > Scalar(0.5) ? 1 : 0;
    } else {
      Index best = 0;
      outputs.row(i).maxCoeff(&best);  // the first maximum on a tie, as numpy's argmax
      classes[i] = static_cast<int>(best);
    }
  }
  return classes;
}

double accuracy(const Matrix& outputs, const ConstMatrixRef& labels) {
  if (labels.cols() != 1 || labels.rows() != outputs.rows())
    throw Error("accuracy: labels are (" + std::to_string(labels.rows()) + ", " + std::to_string(labels.cols()) +
                ") but outputs have " + std::to_string(outputs.rows()) +
                " rows; give one class index per row of outputs, as an (N, 1) column");
  if (labels.rows() == 0) throw Error("accuracy: no samples to evaluate; give a non-empty data set");
  const std::vector<int> predicted = predicted_classes(outputs);
  long correct = 0;
  for (Index i = 0; i < labels.rows(); ++i) correct += std::lround(labels(i, 0)) == predicted[i];
  return static_cast<double>(correct) / static_cast<double>(labels.rows());
}

double r2_score(const Matrix& predicted, const ConstMatrixRef& truth) {
  require_same_shape("r2_score", truth.rows(), truth.cols(), predicted.rows(), predicted.cols());
  double sum = 0.0;
  for (Index j = 0; j < truth.cols(); ++j) sum += column_errors(truth, predicted, j).r2;
  return sum / static_cast<double>(truth.cols());
}

RunningMetric running_accuracy() {
  // Shared by the three functions; the counts live as long as any of them.
  struct Counts {
    long hits = 0, seen = 0;
  };
  auto c = std::make_shared<Counts>();
  RunningMetric m;
  m.reset = [c] { *c = Counts{}; };
  m.add = [c](const ConstMatrixRef& P, const ConstMatrixRef& Y) {
    for (Index i = 0; i < P.rows(); ++i) {  // the predicted class as predicted_classes gives it
      Index best = 0;
      if (P.cols() == 1)
        best = P(i, 0) > Scalar(0.5) ? 1 : 0;
      else
        P.row(i).maxCoeff(&best);
      c->hits += static_cast<Scalar>(best) == Y(i, 0);
    }
    c->seen += P.rows();
  };
  m.value = [c] { return c->seen ? static_cast<double>(c->hits) / static_cast<double>(c->seen) : 0.0; };
  m.sums = [c] { return std::vector<double>{static_cast<double>(c->hits), static_cast<double>(c->seen)}; };
  m.set_sums = [c](const std::vector<double>& v) {
    if (v.size() != 2 || !(v[0] >= 0 && v[0] <= v[1]) || !(v[1] < 9e15))
      throw Error("the running accuracy's sums must be two counts, hits <= seen");
    *c = Counts{static_cast<long>(v[0]), static_cast<long>(v[1])};
  };
  return m;
}

RunningMetric running_r2(const ConstMatrixRef& truth) {
  struct Sums {
    Eigen::Array<double, 1, Eigen::Dynamic> ss_res, ss_tot;  // (1, t)
  };
  auto s = std::make_shared<Sums>();
  s->ss_res.setZero(truth.cols());
  s->ss_tot.resize(truth.cols());
  for (Index j = 0; j < truth.cols(); ++j) {
    const double mean = truth.col(j).cast<double>().mean();
    s->ss_tot(j) = (truth.col(j).cast<double>().array() - mean).square().sum();
  }
  RunningMetric m;
  m.reset = [s] { s->ss_res.setZero(); };
  m.add = [s](const ConstMatrixRef& P, const ConstMatrixRef& Y) {
    for (Index j = 0; j < P.cols(); ++j) s->ss_res(j) += static_cast<double>((P.col(j) - Y.col(j)).squaredNorm());
  };
  m.value = [s] {
    double sum = 0.0;
    for (Index j = 0; j < s->ss_res.size(); ++j) sum += r2_from_sums(s->ss_res(j), s->ss_tot(j));
    return s->ss_res.size() ? sum / static_cast<double>(s->ss_res.size()) : 0.0;
  };
  m.sums = [s] { return std::vector<double>(s->ss_res.data(), s->ss_res.data() + s->ss_res.size()); };
  m.set_sums = [s](const std::vector<double>& v) {
    if (static_cast<Index>(v.size()) != s->ss_res.size())
      throw Error("the running R² needs " + std::to_string(s->ss_res.size()) + " sums, one per target");
    for (std::size_t j = 0; j < v.size(); ++j) {
      if (!(v[j] >= 0)) throw Error("the running R²'s sums must be >= 0");
      s->ss_res(static_cast<Index>(j)) = v[j];
    }
  };
  return m;
}

// ---- JSON ----------------------------------------------------------------------------------

nlohmann::json to_json(const ClassificationReport& r) {
  nlohmann::json per_class = nlohmann::json::object();
  for (std::size_t c = 0; c < r.classes.size(); ++c)
    per_class[r.classes[c]] = {
        {"precision", r.precision[c]}, {"recall", r.recall[c]}, {"f1", r.f1[c]}, {"support", r.support[c]}};
  nlohmann::json j = {{"accuracy", r.accuracy},         {"precision_macro", r.precision_macro},
                      {"recall_macro", r.recall_macro}, {"f1_macro", r.f1_macro},
                      {"f1_weighted", r.f1_weighted},   {"classes", r.classes},
                      {"per_class", per_class},         {"confusion", r.confusion}};
  if (r.log_loss) j["log_loss"] = *r.log_loss;
  if (r.roc_auc) j["roc_auc"] = std::isnan(*r.roc_auc) ? nlohmann::json(nullptr) : nlohmann::json(*r.roc_auc);
  return j;
}

PairedDifference paired_difference(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size())
    throw Error("paired_difference: " + std::to_string(a.size()) + " losses against " + std::to_string(b.size()));
  PairedDifference p;
  const double n = static_cast<double>(a.size());
  if (a.size() < 2) return p;
  for (std::size_t i = 0; i < a.size(); ++i) p.mean += a[i] - b[i];
  p.mean /= n;
  double ss = 0;
  for (std::size_t i = 0; i < a.size(); ++i) ss += (a[i] - b[i] - p.mean) * (a[i] - b[i] - p.mean);
  p.standard_error = std::sqrt(ss / (n - 1) / n);
  return p;
}

nlohmann::json to_json(const RegressionReport& r) {
  nlohmann::json per_target = nlohmann::json::object();
  for (std::size_t j = 0; j < r.targets.size(); ++j)
    per_target[r.targets[j]] = {{"mse", r.mse[j]}, {"rmse", r.rmse[j]}, {"mae", r.mae[j]}, {"r2", r.r2[j]}};
  return {
      {"mse", r.mse_mean}, {"rmse", r.rmse_mean}, {"mae", r.mae_mean}, {"r2", r.r2_mean}, {"per_target", per_target}};
}

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
