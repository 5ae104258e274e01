// How good a trained network is: accuracy, precision/recall/F1 and the confusion matrix for
// classification, MSE/RMSE/MAE/R² for regression, as reports, human text and JSON. The
// definitions are scikit-learn's (sklearn.metrics), so numbers can be checked against it.
// All sums are accumulated in double, whatever Scalar is.
#pragma once

#include "mlp/trainer.hpp"
#include "mlp/types.hpp"

#include <nlohmann/json_fwd.hpp>  // to use to_json's result, include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

// ---- classification ------------------------------------------------------------------------

// Per-class precision = TP/(TP+FP), recall = TP/(TP+FN), f1 = 2TP/(2TP+FP+FN); a ratio whose
// denominator is 0 is reported as 0, as sklearn's zero_division=0.
// Macro averages are over the classes that occur in the truth or in the predictions (sklearn's
// default labels), so a class absent from an evaluation set does not drag them to 0;
// f1_weighted weights each class's f1 by its support.
struct ClassificationReport {
  std::vector<std::string> classes;  // (k) names, index = class
  double accuracy = 0.0;
  std::vector<double> precision, recall, f1;  // (k)
  std::vector<long> support;                  // (k) true samples per class
  double precision_macro = 0.0, recall_macro = 0.0, f1_macro = 0.0, f1_weighted = 0.0;
  std::vector<std::vector<long>> confusion;  // (k, k) [true][predicted]
  // From the predicted probabilities (add_probability_scores; absent when only classes were given):
  // log loss for any number of classes, ROC AUC for two (NaN when the truth holds one class only).
  std::optional<double> log_loss, roc_auc;
};

// truth and predicted hold class indices 0..k-1, k = classes.size(). If classes is empty the
// classes are named "0", "1", ... up to the largest index seen. Throws mlp::Error on an index
// out of range, on lengths that differ, or on no samples.
ClassificationReport classification_report(const std::vector<int>& truth, const std::vector<int>& predicted,
                                           const std::vector<std::string>& classes);

// ROC AUC of a binary classification: the chance that a random positive (truth 1) scores above a
// random negative (truth 0), a tie counting half. It is the Mann-Whitney statistic: with the N
// scores ranked 1..N, tied scores sharing their average rank, R₁ the positives' rank sum and n₁, n₀
// the positives and negatives,  AUC = (R₁ − n₁(n₁ + 1)/2) / (n₁ n₀),  as roc_auc_score gives.
// scores (N), e.g. P(class 1); truth (N) 0 or 1. NaN when the truth holds a single class (sklearn
// refuses it: undefined). Throws mlp::Error on lengths that differ, no samples, a label not 0 or 1.
double roc_auc(const std::vector<double>& scores, const std::vector<int>& truth);

// Log loss: the mean over the N rows of −ln p_i, p_i the probability given to row i's true class,
// clipped to [1e-15, 1 − 1e-15] as sklearn's log_loss (eps=1e-15) so that a confident mistake costs
// ln(1e15) ≈ 34.5 rather than infinity. probabilities (N, k) rows of class probabilities (softmax),
// or (N, 1) the probability of class 1 (a sigmoid output); truth (N) class indices. Rows are not
// renormalised (a softmax row sums to 1 to float rounding). Throws mlp::Error on shapes that differ,
// no samples, or a class index out of range.
double log_loss(const ConstMatrixRef& probabilities, const std::vector<int>& truth);

// The network's outputs (N, k) as above: fills report.log_loss, and report.roc_auc for two classes
// with P(second class) as the score (the sigmoid's output, or the softmax's second column).
void add_probability_scores(ClassificationReport& report, const ConstMatrixRef& probabilities,
                            const std::vector<int>& truth);

// Accuracy (with ROC AUC and log loss when the report has them), a per-class table (precision
// recall f1 support) and the confusion matrix, rows = true class, columns = predicted class; class
// names are cut to 12 characters.
std::string format_classification(const ClassificationReport& report);

// ---- regression ----------------------------------------------------------------------------

// Per target j over the N samples, with r = predicted − truth:
//   mse = mean r²,  rmse = √mse,  mae = mean |r|,  r2 = 1 − SS_res/SS_tot
// where SS_res = Σ r², SS_tot = Σ (truth − mean truth)². A constant target (SS_tot = 0) has
// r2 = 1 if it is predicted exactly (SS_res = 0), else 0, as sklearn's force_finite=True.
// The *_mean fields average the per-target values (sklearn's multioutput='uniform_average';
// rmse_mean is the mean of the per-target RMSEs, not √mse_mean).
struct RegressionReport {
  std::vector<std::string> targets;        // (t) names
  std::vector<double> mse, rmse, mae, r2;  // (t)
  double mse_mean = 0.0, rmse_mean = 0.0, mae_mean = 0.0, r2_mean = 0.0;
};

// truth and predicted are (N, t), in target units (not standardized). If targets is empty the
// targets are named "y0", "y1", ... Throws mlp::Error on shapes that differ or on no samples.
RegressionReport regression_report(const Matrix& truth, const Matrix& predicted,
                                   const std::vector<std::string>& targets);

// A table of mse rmse mae r2 per target, and their means when there are several targets.
std::string format_regression(const RegressionReport& report);

// ---- during training -----------------------------------------------------------------------

// The predicted class of each row of the network's outputs (N, k): the argmax (the first one on
// a tie) when k ≥ 2, and (p > 0.5) when k = 1 (a sigmoid output giving P(class 1)).
std::vector<int> predicted_classes(const Matrix& outputs);

// Fraction of rows of outputs (N, k) whose predicted class equals labels (N, 1), class indices
// stored as Scalar. Throws mlp::Error if the row counts differ or N = 0.
double accuracy(const Matrix& outputs, const ConstMatrixRef& labels);

// R² of each column of predicted (N, t) against truth (N, t), averaged over the columns, with
// the SS_tot = 0 rule of RegressionReport. Throws mlp::Error if the shapes differ or N = 0.
double r2_score(const Matrix& predicted, const ConstMatrixRef& truth);

// The training accuracy and R² as running metrics (trainer.hpp): accuracy counts the batches'
// correct predictions; R² sums their squared errors per column and compares them with the spread
// of `truth` (N, t), the whole training set's targets, so that an epoch's value is R² of the
// predictions as each batch was trained on.
RunningMetric running_accuracy();
RunningMetric running_r2(const ConstMatrixRef& truth);

// ---- two models on the same rows -----------------------------------------------------------

// Two models' losses on the same N rows, a_i and b_i: the paired differences d_i = a_i − b_i,
// their mean (the difference of the two mean losses) and its standard error sd(d)/√N, sd with the
// N − 1 denominator. Paired, because both models meet the same hard and easy rows. `mlp train`
// keeps a network over a linear model only if the network is lower by more than one standard
// error (Hastie, Tibshirani & Friedman, The Elements of Statistical Learning, 7.10).
// Fewer than 2 rows: both 0. Throws mlp::Error on lengths that differ.
struct PairedDifference {
  double mean = 0, standard_error = 0;
};
PairedDifference paired_difference(const std::vector<double>& a, const std::vector<double>& b);

// ---- JSON ----------------------------------------------------------------------------------

// {"accuracy", "precision_macro", "recall_macro", "f1_macro", "f1_weighted", "classes",
//  "per_class": {name: {"precision", "recall", "f1", "support"}}, "confusion": [[...], ...]}
// and, when the report has them, "log_loss" and "roc_auc" (null when undefined).
nlohmann::json to_json(const ClassificationReport& report);
// {"mse", "rmse", "mae", "r2" (the means), "per_target": {name: {"mse", "rmse", "mae", "r2"}}}
nlohmann::json to_json(const RegressionReport& report);

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
