// k-fold cross-validation: which rows each fold holds out. `mlp train --epochs auto` chooses on
// five folds of a small data set (apps/train.cpp; docs/defaults.md has why).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mlp {

// Deals rows 0 .. rows-1 into k folds (2 <= k <= rows): shuffled by the seed, then dealt in turn,
// one row to each fold. With class labels (labels[r]: row r's class; empty for a regression) they
// are dealt class by class, so that every fold holds each class's share to within one row: the
// stratified folds of scikit-learn's StratifiedKFold. Fold sizes differ by at most one row; each
// fold's rows are in the order they were dealt. Throws mlp::Error for a k out of range, or labels
// of another length than rows.
std::vector<std::vector<std::size_t>> make_folds(std::size_t rows, int k, const std::vector<int>& labels,
                                                 std::uint64_t seed);

}  // namespace mlp
