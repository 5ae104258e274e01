// The evaluation report shared by `mlp train` and `mlp evaluate` (evaluation.hpp).
#include "mlp/io/evaluation.hpp"

#include "mlp/io/metrics.hpp"

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

Evaluation evaluate_network(Network& net, const Preprocessing& prep, const ConstMatrixRef& X, const ConstMatrixRef& Y) {
  return evaluate_predictions(prep, net.predict(X), Y);
}

Evaluation evaluate_predictions(const Preprocessing& prep, const ConstMatrixRef& P, const ConstMatrixRef& Y) {
  Evaluation e;
  if (prep.task == Task::Classification) {
    std::vector<int> truth(static_cast<std::size_t>(Y.rows()));
    for (Index i = 0; i < Y.rows(); ++i) truth[static_cast<std::size_t>(i)] = static_cast<int>(Y(i, 0));
    auto r = classification_report(truth, predicted_classes(P), prep.classes);
    add_probability_scores(r, P, truth);
    e.json = to_json(r);
    e.text = format_classification(r);
  } else {
    const auto r = regression_report(unscale_targets(prep, Y), unscale_targets(prep, P), prep.targets);
    e.json = to_json(r);
    e.text = format_regression(r);
  }
  return e;
}

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
