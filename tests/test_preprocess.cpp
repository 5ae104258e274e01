// Feature and target scaling, checked by their statistics: standard scaling uses the training rows'
// mean and population standard deviation (divided by n, as sklearn's StandardScaler), minmax their
// range, and rows outside the training set never move the statistics.
#include "mlp/error.hpp"
#include "mlp/io/csv.hpp"
#include "mlp/io/preprocess.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

using namespace mlp;

namespace {

// Rows 0-7 are the training rows. Over them x = 2 4 4 4 5 5 7 9 has mean 5 and population sd
// exactly 2 (sample sd 2.138); y = 2x - 3.5 has mean 6.5 and sd 4; c is constant. Rows 8-9 hold
// values far outside, which a fit that looked at them would show at once.
const char* kTable =
    "x,c,y\n"
    "2,3,0.5\n"
    "4,3,4.5\n"
    "4,3,4.5\n"
    "4,3,4.5\n"
    "5,3,6.5\n"
    "5,3,6.5\n"
    "7,3,10.5\n"
    "9,3,14.5\n"
    "100,8,500.5\n"
    "-50,-8,-300.5\n";

const std::vector<std::size_t> kTrain = {0, 1, 2, 3, 4, 5, 6, 7};

PreprocessOptions options(Scaling scaling) {
  PreprocessOptions o;
  o.scaling = scaling;
  o.task = PreprocessOptions::TaskChoice::Regression;
  return o;
}

// Mean and population sd (divide by n) of column k of M.
double column_mean(const Matrix& M, Index k) { return static_cast<double>(M.col(k).mean()); }
double column_sd(const Matrix& M, Index k) {
  const double m = column_mean(M, k);
  return std::sqrt((M.col(k).array().cast<double>() - m).square().mean());
}

}  // namespace

TEST_CASE("preprocess: standard scaling fits the training rows' mean and population sd") {
  const csv::Table table = csv::parse(kTable, "scaling.csv");
  const Preprocessing prep = fit_preprocessing(table, kTrain, options(Scaling::Standard));
  REQUIRE(prep.features.size() == 2);
  CHECK(prep.features[0].name == "x");
  CHECK(prep.features[0].shift == doctest::Approx(5.0));
  CHECK(prep.features[0].scale == doctest::Approx(2.0));  // not sqrt(32/7) = 2.138: divide by n
  CHECK(prep.features[1].shift == doctest::Approx(3.0));
  CHECK(prep.features[1].scale == 1.0);  // a constant column: sd 0 becomes 1, never a division by 0
}

TEST_CASE("preprocess: standard-scaled training inputs have mean 0 and sd 1, a constant column is 0") {
  const csv::Table table = csv::parse(kTable, "scaling.csv");
  const Preprocessing prep = fit_preprocessing(table, kTrain, options(Scaling::Standard));
  const Matrix X = make_inputs(table, prep, kTrain);  // (8, 2)
  REQUIRE(X.rows() == 8);
  REQUIRE(X.cols() == 2);
  CHECK(column_mean(X, 0) == doctest::Approx(0.0).epsilon(1e-6));
  CHECK(column_sd(X, 0) == doctest::Approx(1.0).epsilon(1e-6));
  CHECK(X(0, 0) == doctest::Approx(-1.5));  // (2 - 5) / 2
  CHECK(X(7, 0) == doctest::Approx(2.0));   // (9 - 5) / 2
  CHECK(X.col(1).isZero());
  // Rows outside the fit are scaled with the training statistics, as unseen data.
  const Matrix rest = make_inputs(table, prep, {8, 9});
  CHECK(rest(0, 0) == doctest::Approx(47.5));   // (100 - 5) / 2
  CHECK(rest(1, 1) == doctest::Approx(-11.0));  // (-8 - 3) / 1
}

TEST_CASE("preprocess: minmax maps the training rows onto [0, 1], a constant column to 0") {
  const csv::Table table = csv::parse(kTable, "minmax.csv");
  const Preprocessing prep = fit_preprocessing(table, kTrain, options(Scaling::MinMax));
  CHECK(prep.features[0].shift == doctest::Approx(2.0));
  CHECK(prep.features[0].scale == doctest::Approx(7.0));
  const Matrix X = make_inputs(table, prep, kTrain);
  CHECK(X.col(0).minCoeff() == doctest::Approx(0.0));
  CHECK(X.col(0).maxCoeff() == doctest::Approx(1.0));
  CHECK(X(4, 0) == doctest::Approx(3.0 / 7.0));  // (5 - 2) / 7
  CHECK(X.col(1).isZero());
}

TEST_CASE("preprocess: scaling none passes the numbers through") {
  const csv::Table table = csv::parse(kTable, "none.csv");
  const Preprocessing prep = fit_preprocessing(table, kTrain, options(Scaling::None));
  const Matrix X = make_inputs(table, prep, kTrain);
  CHECK(X(0, 0) == 2);
  CHECK(X(7, 0) == 9);
  CHECK(X(3, 1) == 3);
}

TEST_CASE("preprocess: regression targets are standardised like features, and unscaled back") {
  const csv::Table table = csv::parse(kTable, "targets.csv");
  const Preprocessing prep = fit_preprocessing(table, kTrain, options(Scaling::Standard));
  REQUIRE(prep.task == Task::Regression);
  REQUIRE(prep.targets == std::vector<std::string>{"y"});
  REQUIRE(prep.target_shift.size() == 1);
  REQUIRE(prep.target_scale.size() == 1);
  CHECK(prep.target_shift[0] == doctest::Approx(6.5));
  CHECK(prep.target_scale[0] == doctest::Approx(4.0));  // population sd, from the training rows only
  const Matrix Y = make_targets(table, prep, kTrain);   // (8, 1)
  CHECK(column_mean(Y, 0) == doctest::Approx(0.0).epsilon(1e-6));
  CHECK(column_sd(Y, 0) == doctest::Approx(1.0).epsilon(1e-6));
  CHECK(Y(0, 0) == doctest::Approx(-1.5));  // (0.5 - 6.5) / 4
  const Matrix back = unscale_targets(prep, Y);
  CHECK(back(0, 0) == doctest::Approx(0.5));
  CHECK(back(7, 0) == doctest::Approx(14.5));
}

TEST_CASE("preprocess: a constant regression target scales to zeros") {
  const csv::Table table = csv::parse("x,y\n1,2.5\n2,2.5\n3,2.5\n", "flat.csv");
  const Preprocessing prep = fit_preprocessing(table, {0, 1, 2}, options(Scaling::Standard));
  CHECK(prep.target_shift[0] == doctest::Approx(2.5));
  CHECK(prep.target_scale[0] == 1.0);
  CHECK(make_targets(table, prep, {0, 1, 2}).isZero());
}

// make_inputs fills X a tile of 64 rows at a time (preprocess.cpp); over 200 rows taken out of
// order, every cell, numeric or one-hot, must still be the one of its own row and column, as the
// definitions say: (x − shift) / scale, and a 1 in the column of the row's category.
TEST_CASE("preprocess: inputs over several tiles of rows, in any row order, are each row's own") {
  std::string text = "a,colour,b,y\n";
  const char* colours[] = {"red", "green", "blue"};
  for (int r = 0; r < 200; ++r)
    text += std::to_string(r) + "," + colours[(r * 7) % 3] + "," + std::to_string(r * r % 97) + "," +
            std::to_string(r % 5) + "\n";
  const csv::Table table = csv::parse(text, "tiles.csv");
  std::vector<std::size_t> train(200);
  for (std::size_t r = 0; r < 200; ++r) train[r] = r;
  PreprocessOptions o = options(Scaling::Standard);
  o.categorical = {"colour"};
  const Preprocessing prep = fit_preprocessing(table, train, o);
  REQUIRE(prep.input_size() == 5);  // a, colour (blue, green, red), b
  std::vector<std::size_t> rows;
  for (std::size_t k = 0; k < 150; ++k) rows.push_back((k * 37 + 11) % 200);  // scattered, none twice
  const Matrix X = make_inputs(table, prep, rows);
  REQUIRE(X.rows() == 150);
  const FeatureColumn &a = prep.features[0], &colour = prep.features[1], &b = prep.features[2];
  REQUIRE(colour.categories == std::vector<std::string>{"blue", "green", "red"});
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const auto r = static_cast<double>(rows[k]);
    const auto i = static_cast<Index>(k);
    CAPTURE(rows[k]);
    CHECK(X(i, 0) == doctest::Approx((r - a.shift) / a.scale));
    const std::string c = colours[(rows[k] * 7) % 3];
    for (Index j = 0; j < 3; ++j) CHECK(X(i, 1 + j) == (colour.categories[static_cast<std::size_t>(j)] == c ? 1 : 0));
    CHECK(X(i, 4) == doctest::Approx((static_cast<double>(rows[k] * rows[k] % 97) - b.shift) / b.scale));
  }
  Matrix wrong(149, 5);
  CHECK_THROWS_AS(make_inputs_into(table, prep, rows, wrong), Error);
}

// A target between two features: the features sit side by side in X but not in the table, so
// they must not be copied as one run (make_inputs copies runs of adjacent numeric features).
TEST_CASE("preprocess: features around a target column keep their own values") {
  const csv::Table table = csv::parse("a,y,b,c\n1,0,10,100\n2,1,20,200\n3,0,30,300\n4,1,40,400\n", "around.csv");
  PreprocessOptions o = options(Scaling::None);
  o.targets = {"y"};
  const std::vector<std::size_t> rows = {3, 0, 2};
  const Preprocessing prep = fit_preprocessing(table, {0, 1, 2, 3}, o);
  REQUIRE(prep.input_size() == 3);
  const Matrix X = make_inputs(table, prep, rows);
  Matrix expected(3, 3);
  expected << 4, 40, 400, 1, 10, 100, 3, 30, 300;
  CHECK(X == expected);
}
