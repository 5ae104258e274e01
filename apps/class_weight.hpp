// --class-weight: how `mlp train` weighs the classes of an imbalanced classification, from the text
// a user types to one weight per class of the model. The loss does the weighing (Loss::class_weight,
// include/mlp/loss.hpp); this file only reads the option and names what is wrong with it.
#pragma once

#include "mlp/types.hpp"

#include <string>
#include <vector>

namespace mlp::app {

// "balanced"; or weights by class name, "no=1,yes=5" (a class left out weighs 1, as in
// scikit-learn's class_weight dict); or by position in the model's class order, "1,5" (the
// classes sorted, numeric labels in numeric order: `mlp summary` lists them).
struct ClassWeightSpec {
  bool balanced = false;
  std::vector<std::string> names;  // by name: the class of each weight; empty: by position
  std::vector<double> weights;
};

// Throws mlp::Error for text that is none of the three forms, a weight that is not a positive,
// finite number, or a class named twice. Needs no data: `mlp train` checks it before reading any.
ClassWeightSpec parse_class_weight(const std::string& text);

// The weight of each class, in the model's class order, over the training labels (N, 1) (for
// balanced: N / (C · N_c)). Throws mlp::Error for a class name that is not one of `classes`
// (listing them, with the nearest) or a count of weights that is not the number of classes.
RowVector resolve_class_weight(const std::string& text, const std::vector<std::string>& classes,
                               const ConstMatrixRef& labels);

// "no 0.526, yes 10": each class with its weight, as the header of `mlp train` shows them.
std::string describe_class_weight(const RowVector& weights, const std::vector<std::string>& classes);

}  // namespace mlp::app
