// make_folds (mlp/io/folds.hpp): k-fold cross-validation's folds, stratified by class.
#include "mlp/error.hpp"
#include "mlp/io/folds.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

using mlp::make_folds;

namespace {

// Every row 0 .. rows-1 in exactly one fold, and the folds' sizes within one row of each other.
void check_partition(const std::vector<std::vector<std::size_t>>& folds, std::size_t rows, int k) {
  REQUIRE(folds.size() == static_cast<std::size_t>(k));
  std::vector<int> seen(rows, 0);
  std::size_t smallest = rows, largest = 0;
  for (const auto& f : folds) {
    smallest = std::min(smallest, f.size());
    largest = std::max(largest, f.size());
    for (const std::size_t r : f) {
      REQUIRE(r < rows);
      ++seen[r];
    }
  }
  CHECK(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
  CHECK(largest - smallest <= 1);
}

}  // namespace

TEST_CASE("folds: every row in exactly one fold, the folds within one row of each other in size") {
  for (const std::size_t rows : {2u, 5u, 7u, 148u, 999u})
    for (const int k : {2, 3, 5})
      if (static_cast<std::size_t>(k) <= rows) {
        CAPTURE(rows);
        CAPTURE(k);
        check_partition(make_folds(rows, k, {}, 1), rows, k);
      }
}

TEST_CASE("folds: with class labels each fold holds each class's share, to within one row") {
  // Classes of 50, 30, 5 and 2 rows, interleaved as a file sorted by nothing in particular would be.
  std::vector<int> labels;
  for (int c = 0, sizes[] = {50, 30, 5, 2}; c < 4; ++c) labels.insert(labels.end(), sizes[c], c);
  std::vector<int> shuffled(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) shuffled[i] = labels[(i * 37) % labels.size()];
  for (const std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    CAPTURE(seed);
    const auto folds = make_folds(shuffled.size(), 5, shuffled, seed);
    check_partition(folds, shuffled.size(), 5);
    for (int c = 0; c < 4; ++c) {
      const double share = static_cast<double>(std::count(shuffled.begin(), shuffled.end(), c)) / 5;
      for (const auto& f : folds) {
        const auto n = std::count_if(f.begin(), f.end(), [&](std::size_t r) { return shuffled[r] == c; });
        CAPTURE(c);
        CHECK(std::fabs(static_cast<double>(n) - share) < 1);  // the class of 5: one in every fold
      }
    }
  }
}

TEST_CASE("folds: the seed decides the deal, the same seed the same folds") {
  CHECK(make_folds(100, 5, {}, 7) == make_folds(100, 5, {}, 7));
  CHECK(make_folds(100, 5, {}, 7) != make_folds(100, 5, {}, 8));
  // Shuffled, not rows 0, 5, 10, ... in fold 0.
  std::vector<std::size_t> every_fifth;
  for (std::size_t r = 0; r < 100; r += 5) every_fifth.push_back(r);
  CHECK(make_folds(100, 5, {}, 7)[0] != every_fifth);
}

TEST_CASE("folds: fewer than two folds, more folds than rows, or labels of another length are refused") {
  CHECK_THROWS_AS(make_folds(10, 1, {}, 1), mlp::Error);
  CHECK_THROWS_AS(make_folds(3, 4, {}, 1), mlp::Error);
  CHECK_THROWS_AS(make_folds(4, 2, {0, 1, 0}, 1), mlp::Error);
  CHECK_NOTHROW(make_folds(4, 4, {0, 1, 0, 1}, 1));
}
