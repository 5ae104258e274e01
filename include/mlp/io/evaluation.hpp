// How well a trained network does on a labelled data set, the way `mlp train` and `mlp evaluate`
// both report it: accuracy, ROC AUC (two classes), log loss, per-class scores and the confusion
// matrix for classes, MSE, RMSE, MAE and R² in the targets' own units for regression.
#pragma once

#include "mlp/io/preprocess.hpp"
#include "mlp/network.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

struct Evaluation {
  nlohmann::json json;  // to_json of the classification or regression report (metrics.hpp)
  std::string text;     // format_classification / format_regression
};

// X (N, inputs) and Y (N, ·) as make_inputs and make_targets give them.
Evaluation evaluate_network(Network& net, const Preprocessing& prep, const ConstMatrixRef& X, const ConstMatrixRef& Y);
// The same from predictions P (N, outputs) already made: e.g. each row predicted by the run of a
// cross-validation that did not train on it.
Evaluation evaluate_predictions(const Preprocessing& prep, const ConstMatrixRef& P, const ConstMatrixRef& Y);

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
