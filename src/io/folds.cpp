// k-fold cross-validation's folds (folds.hpp).
#include "mlp/io/folds.hpp"

#include "mlp/error.hpp"
#include "mlp/rng.hpp"

#include <algorithm>
#include <numeric>
#include <string>

namespace mlp {

std::vector<std::vector<std::size_t>> make_folds(std::size_t rows, int k, const std::vector<int>& labels,
                                                 std::uint64_t seed) {
  if (k < 2 || static_cast<std::size_t>(k) > rows)
    throw Error("make_folds: " + std::to_string(k) + " folds of " + std::to_string(rows) +
                " rows; each fold needs a row, and there must be two folds");
  if (!labels.empty() && labels.size() != rows)
    throw Error("make_folds: " + std::to_string(labels.size()) + " labels for " + std::to_string(rows) + " rows");
  std::vector<std::size_t> order(rows);
  std::iota(order.begin(), order.end(), std::size_t{0});
  Rng rng(seed);
  rng.shuffle(order);
  // Class by class (in the shuffled order within each), then dealt in turn: the deal goes on from
  // one class to the next, so the folds' sizes stay within one row of each other too.
  if (!labels.empty())
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return labels[a] < labels[b]; });
  std::vector<std::vector<std::size_t>> folds(static_cast<std::size_t>(k));
  for (std::size_t i = 0; i < rows; ++i) folds[i % folds.size()].push_back(order[i]);
  return folds;
}

}  // namespace mlp
