// Metrics against values worked out by hand with sklearn.metrics' definitions (zero_division=0,
// default labels for the macro averages, force_finite R²), their text and their JSON.
#include "mlp/error.hpp"
#include "mlp/io/metrics.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <sstream>
#include <vector>

using namespace mlp;

namespace {
Matrix matrix(Index rows, Index cols, std::initializer_list<double> values) {
  Matrix m(rows, cols);
  Index i = 0;
  for (double v : values) m(i / cols, i % cols) = static_cast<Scalar>(v), ++i;
  REQUIRE(i == rows * cols);
  return m;
}
// Values pass through Scalar (float in the default build) before the double sums: 1e-6 relative
// is far above float rounding of these small exact inputs and far below any wrong formula.
doctest::Approx near(double x) { return doctest::Approx(x).epsilon(1e-6); }
}  // namespace

TEST_CASE("metrics: three classes by hand") {
  //   truth     = cat cat cat cat dog dog bird bird
  //   predicted = cat cat dog dog dog cat bird bird
  // confusion [true][predicted]:   cat dog bird
  //                          cat     2   2   0
  //                          dog     1   1   0
  //                          bird    0   0   2
  // cat : TP 2, FP 1, FN 2 → P 2/3, R 2/4 = 1/2, F1 2·2/(4+1+2) = 4/7, support 4
  // dog : TP 1, FP 2, FN 1 → P 1/3, R 1/2,       F1 2/(2+2+1)    = 2/5, support 2
  // bird: TP 2, FP 0, FN 0 → P 1,   R 1,         F1 1,                  support 2
  // accuracy 5/8; macro P (2/3+1/3+1)/3 = 2/3, macro R (1/2+1/2+1)/3 = 2/3,
  // macro F1 (4/7+2/5+1)/3 = 23/35, weighted F1 (4·4/7 + 2·2/5 + 2·1)/8 = 89/140.
  const auto r = classification_report({0, 0, 0, 0, 1, 1, 2, 2}, {0, 0, 1, 1, 1, 0, 2, 2}, {"cat", "dog", "bird"});
  CHECK(r.confusion == std::vector<std::vector<long>>{{2, 2, 0}, {1, 1, 0}, {0, 0, 2}});
  CHECK(r.support == std::vector<long>{4, 2, 2});
  CHECK(r.accuracy == near(5.0 / 8));
  CHECK(r.precision[0] == near(2.0 / 3));
  CHECK(r.recall[0] == near(1.0 / 2));
  CHECK(r.f1[0] == near(4.0 / 7));
  CHECK(r.precision[1] == near(1.0 / 3));
  CHECK(r.recall[1] == near(1.0 / 2));
  CHECK(r.f1[1] == near(2.0 / 5));
  CHECK(r.precision[2] == near(1.0));
  CHECK(r.recall[2] == near(1.0));
  CHECK(r.f1[2] == near(1.0));
  CHECK(r.precision_macro == near(2.0 / 3));
  CHECK(r.recall_macro == near(2.0 / 3));
  CHECK(r.f1_macro == near(23.0 / 35));
  CHECK(r.f1_weighted == near(89.0 / 140));
}

TEST_CASE("metrics: undefined precision and recall are 0") {
  // Everything predicted as a: b is never predicted, so its precision 0/0 is reported as 0.
  // a: TP 2, FP 2, FN 0 → P 1/2, R 1, F1 2/3.  macro P = (1/2 + 0)/2 = 1/4, macro F1 = 1/3.
  const auto r = classification_report({0, 0, 1, 1}, {0, 0, 0, 0}, {"a", "b"});
  CHECK(r.precision[1] == 0.0);
  CHECK(r.recall[1] == 0.0);
  CHECK(r.f1[1] == 0.0);
  CHECK(r.f1[0] == near(2.0 / 3));
  CHECK(r.precision_macro == near(0.25));
  CHECK(r.f1_macro == near(1.0 / 3));
  CHECK_FALSE(std::isnan(r.f1_weighted));

  // c is predicted but has no true samples: its recall 0/0 is 0 and it counts in the macro.
  const auto p = classification_report({0, 1}, {0, 2}, {"a", "b", "c"});
  CHECK(p.recall[2] == 0.0);
  CHECK(p.support[2] == 0);
  CHECK(p.recall_macro == near(1.0 / 3));  // (1 + 0 + 0)/3

  // c occurs nowhere: it shows as zeros but does not drag the macro averages down (sklearn's
  // default labels are those present in truth or predictions).
  const auto q = classification_report({0, 1}, {0, 1}, {"a", "b", "c"});
  CHECK(q.f1[2] == 0.0);
  CHECK(q.f1_macro == near(1.0));
  CHECK(q.precision_macro == near(1.0));
}

TEST_CASE("metrics: a perfect prediction") {
  const std::vector<int> y{2, 0, 1, 1, 0, 2, 2};
  const auto r = classification_report(y, y, {"x", "y", "z"});
  CHECK(r.accuracy == 1.0);
  for (std::size_t c = 0; c < 3; ++c) {
    CHECK(r.precision[c] == 1.0);
    CHECK(r.recall[c] == 1.0);
    CHECK(r.f1[c] == 1.0);
    for (std::size_t t = 0; t < 3; ++t) CHECK(r.confusion[c][t] == (c == t ? r.support[c] : 0));
  }
  CHECK(r.f1_macro == 1.0);
  CHECK(r.f1_weighted == near(1.0));
}

TEST_CASE("metrics: classification errors a user can act on") {
  CHECK_THROWS_AS(classification_report({0, 3}, {0, 1}, {"a", "b"}), Error);
  CHECK_THROWS_AS(classification_report({0, 1}, {0, -1}, {"a", "b"}), Error);
  CHECK_THROWS_AS(classification_report({0, 1}, {0}, {"a", "b"}), Error);
  CHECK_THROWS_AS(classification_report({}, {}, {"a", "b"}), Error);
  // Without names the classes are their indices, up to the largest one seen.
  const auto r = classification_report({0, 2}, {1, 2}, {});
  CHECK(r.classes == std::vector<std::string>{"0", "1", "2"});
}

TEST_CASE("metrics: R² of the mean predictor is 0, of a perfect one 1") {
  const Matrix y = matrix(4, 1, {1, 2, 3, 4});
  CHECK(r2_score(Matrix::Constant(4, 1, Scalar(2.5)), y) == near(0.0));
  CHECK(r2_score(y, y) == 1.0);
  // Worse than the mean is negative: residuals 1,1,1,1 → SS_res 4, SS_tot 5 → 1 − 4/5.
  CHECK(r2_score(matrix(4, 1, {2, 3, 4, 5}), y) == near(0.2));
  // A constant target (SS_tot = 0): 1 when predicted exactly, else 0 (never NaN or −inf).
  const Matrix c = Matrix::Constant(3, 1, Scalar(2));
  CHECK(r2_score(c, c) == 1.0);
  CHECK(r2_score(matrix(3, 1, {2, 2, 3}), c) == 0.0);
}

TEST_CASE("metrics: multi-target regression averages over targets") {
  // Target a is predicted exactly: mse 0, mae 0, R² 1.
  // Target b: residuals 2, −2, 0, 0 → mse 8/4 = 2, rmse √2, mae 1;
  //           mean 25, SS_tot 225+25+25+225 = 500 → R² 1 − 8/500 = 0.984.
  const Matrix truth = matrix(4, 2, {1, 10, 2, 20, 3, 30, 4, 40});
  const Matrix pred = matrix(4, 2, {1, 12, 2, 18, 3, 30, 4, 40});
  const auto r = regression_report(truth, pred, {"a", "b"});
  CHECK(r.mse[0] == 0.0);
  CHECK(r.r2[0] == 1.0);
  CHECK(r.mse[1] == near(2.0));
  CHECK(r.rmse[1] == near(std::sqrt(2.0)));
  CHECK(r.mae[1] == near(1.0));
  CHECK(r.r2[1] == near(0.984));
  CHECK(r.mse_mean == near(1.0));
  CHECK(r.rmse_mean == near(std::sqrt(2.0) / 2));  // mean of the RMSEs, not √(mean mse)
  CHECK(r.mae_mean == near(0.5));
  CHECK(r.r2_mean == near(0.992));
  CHECK(r2_score(pred, truth) == near(0.992));

  const auto unnamed = regression_report(truth, pred, {});
  CHECK(unnamed.targets == std::vector<std::string>{"y0", "y1"});
  CHECK_THROWS_AS(regression_report(truth, pred.leftCols(1), {}), Error);
  CHECK_THROWS_AS(regression_report(truth, pred, {"only_one"}), Error);
  CHECK_THROWS_AS(r2_score(Matrix(0, 1), Matrix(0, 1)), Error);
}

TEST_CASE("metrics: predicted classes from sigmoid and softmax outputs") {
  // One column is P(class 1): strictly above 0.5 is class 1.
  CHECK(predicted_classes(matrix(4, 1, {0.1, 0.5, 0.51, 0.9})) == std::vector<int>{0, 0, 1, 1});
  // Several columns: argmax, the first one on a tie.
  CHECK(predicted_classes(matrix(3, 3, {0.2, 0.7, 0.1, 0.5, 0.2, 0.3, 0.4, 0.2, 0.4})) == std::vector<int>{1, 0, 0});

  CHECK(accuracy(matrix(4, 1, {0.1, 0.5, 0.51, 0.9}), matrix(4, 1, {0, 1, 1, 0})) == near(0.5));
  CHECK(accuracy(matrix(2, 2, {0.9, 0.1, 0.3, 0.7}), matrix(2, 1, {0, 1})) == 1.0);
  CHECK_THROWS_AS(accuracy(matrix(2, 2, {0.9, 0.1, 0.3, 0.7}), matrix(3, 1, {0, 1, 1})), Error);
}

TEST_CASE("metrics: the text report names the classes and shows the numbers") {
  const auto r = classification_report({0, 0, 0, 0, 1, 1, 2, 2}, {0, 0, 1, 1, 1, 0, 2, 2},
                                       {"cat", "dog", "a_very_long_class_name"});
  const std::string text = format_classification(r);
  CAPTURE(text);
  CHECK(text.find("cat") != std::string::npos);
  CHECK(text.find("dog") != std::string::npos);
  CHECK(text.find("a_very_long_") != std::string::npos);
  CHECK(text.find("a_very_long_c") == std::string::npos);  // cut to 12 characters
  CHECK(text.find("0.6250") != std::string::npos);         // accuracy 5/8
  CHECK(text.find("0.6667") != std::string::npos);         // cat's precision 2/3
  CHECK(text.find("0.5714") != std::string::npos);         // cat's f1 4/7

  // The confusion matrix: a header of predicted names, then one row per true class, aligned.
  const auto at = text.find("confusion");
  REQUIRE(at != std::string::npos);
  std::istringstream lines(text.substr(at));
  std::string title, header, cat_row, dog_row, long_row;
  std::getline(lines, title);
  std::getline(lines, header);
  std::getline(lines, cat_row);
  std::getline(lines, dog_row);
  std::getline(lines, long_row);
  CHECK(header.find("cat") < header.find("dog"));
  CHECK(cat_row.rfind("cat", 0) == 0);
  CHECK(long_row.rfind("a_very_long_ ", 0) == 0);
  CHECK(header.size() == cat_row.size());
  CHECK(cat_row.size() == dog_row.size());
  CHECK(dog_row.size() == long_row.size());
  // cat row 2 2 0: its last count sits under the last column's right edge.
  CHECK(cat_row.back() == '0');
  CHECK(long_row.back() == '2');

  const auto reg = regression_report(matrix(4, 2, {1, 10, 2, 20, 3, 30, 4, 40}),
                                     matrix(4, 2, {1, 12, 2, 18, 3, 30, 4, 40}), {"price", "rooms"});
  const std::string rtext = format_regression(reg);
  CAPTURE(rtext);
  CHECK(rtext.find("price") != std::string::npos);
  CHECK(rtext.find("rooms") != std::string::npos);
  CHECK(rtext.find("1.41421") != std::string::npos);  // rmse √2
  CHECK(rtext.find("0.9840") != std::string::npos);   // R² of rooms
  CHECK(rtext.find("0.9920") != std::string::npos);   // mean R²
}

TEST_CASE("metrics: JSON has every key") {
  const auto r = classification_report({0, 0, 0, 0, 1, 1, 2, 2}, {0, 0, 1, 1, 1, 0, 2, 2}, {"cat", "dog", "bird"});
  const nlohmann::json j = to_json(r);
  for (const char* key :
       {"accuracy", "f1_macro", "precision_macro", "recall_macro", "f1_weighted", "per_class", "confusion", "classes"})
    CHECK_MESSAGE(j.contains(key), key);
  CHECK(j["accuracy"].get<double>() == near(5.0 / 8));
  CHECK(j["classes"] == nlohmann::json({"cat", "dog", "bird"}));
  CHECK(j["confusion"][0][1].get<long>() == 2);
  for (const char* key : {"precision", "recall", "f1", "support"}) CHECK(j["per_class"]["dog"].contains(key));
  CHECK(j["per_class"]["cat"]["support"].get<long>() == 4);
  CHECK(j["per_class"]["dog"]["precision"].get<double>() == near(1.0 / 3));

  const auto reg = regression_report(matrix(4, 2, {1, 10, 2, 20, 3, 30, 4, 40}),
                                     matrix(4, 2, {1, 12, 2, 18, 3, 30, 4, 40}), {"price", "rooms"});
  const nlohmann::json g = to_json(reg);
  for (const char* key : {"mse", "rmse", "mae", "r2", "per_target"}) CHECK_MESSAGE(g.contains(key), key);
  CHECK(g["r2"].get<double>() == near(0.992));
  for (const char* key : {"mse", "rmse", "mae", "r2"}) CHECK(g["per_target"]["rooms"].contains(key));
  CHECK(g["per_target"]["rooms"]["mse"].get<double>() == near(2.0));
}

TEST_CASE("metrics: the paired difference of two models' row losses and its standard error, by hand") {
  // d = 0.5, 0.5, -0.5, 1.0: mean 0.375; squared deviations 0.015625, 0.015625, 0.765625, 0.390625
  // sum to 1.1875; sd = sqrt(1.1875 / 3); standard error sd / sqrt(4).
  const PairedDifference p = paired_difference({1, 2, 3, 4}, {0.5, 1.5, 3.5, 3.0});
  CHECK(p.mean == doctest::Approx(0.375).epsilon(1e-12));
  CHECK(p.standard_error == doctest::Approx(std::sqrt(1.1875 / 3) / 2).epsilon(1e-12));
  // The other way round: the mean changes sign, the standard error does not.
  const PairedDifference q = paired_difference({0.5, 1.5, 3.5, 3.0}, {1, 2, 3, 4});
  CHECK(q.mean == doctest::Approx(-0.375).epsilon(1e-12));
  CHECK(q.standard_error == doctest::Approx(p.standard_error).epsilon(1e-12));
  // A constant difference has no spread; one row has no standard error.
  const PairedDifference c = paired_difference({3, 4, 5}, {1, 2, 3});
  CHECK(c.mean == doctest::Approx(2));
  CHECK(c.standard_error == 0);
  const PairedDifference one = paired_difference({3}, {1});
  CHECK(one.mean == 0);
  CHECK(one.standard_error == 0);
  CHECK_THROWS_AS(paired_difference({1, 2}, {1}), Error);
}

TEST_CASE("metrics: ROC AUC by hand, as the Mann-Whitney statistic") {
  // Scores 0.1 0.4 0.35 0.8, truth 0 0 1 1: ranks 1 3 2 4, the positives' rank sum 2 + 4 = 6,
  // AUC = (6 − 2·3/2)/(2·2) = 3/4. Pairwise: 0.35 beats 0.1 but not 0.4, 0.8 beats both: 3 of 4.
  CHECK(roc_auc({0.1, 0.4, 0.35, 0.8}, {0, 0, 1, 1}) == near(0.75));
  CHECK(roc_auc({0.1, 0.35, 0.4, 0.8}, {0, 0, 1, 1}) == near(1.0));  // every positive above every negative
  CHECK(roc_auc({0.9, 0.8, 0.2, 0.1}, {0, 0, 1, 1}) == near(0.0));   // every positive below
}

TEST_CASE("metrics: ROC AUC gives tied scores their average rank, half credit per tied pair") {
  // Scores 0.2 0.5 0.5 0.9, truth 0 1 0 1: the two 0.5s share rank (2 + 3)/2 = 2.5; positives
  // 2.5 + 4 = 6.5, AUC = (6.5 − 3)/4 = 7/8. Pairwise: (0.5, 0.2) 1, (0.5, 0.5) 1/2, (0.9, ·) 1 + 1.
  CHECK(roc_auc({0.2, 0.5, 0.5, 0.9}, {0, 1, 0, 1}) == near(0.875));
  // A run of three ties across the classes, in another order: scores 0.3 0.3 0.3 0.1 0.7,
  // truth 1 0 1 0 1. Ranks: 0.1 → 1, the 0.3s → 3, 0.7 → 5; positives 3 + 3 + 5 = 11,
  // AUC = (11 − 6)/(3·2) = 5/6. Pairwise over (positive, negative): 0.3 vs 0.3 ½ twice, vs 0.1 1
  // twice, 0.7 vs both 1: (1 + 2 + 2)/6.
  CHECK(roc_auc({0.3, 0.3, 0.3, 0.1, 0.7}, {1, 0, 1, 0, 1}) == near(5.0 / 6));
  CHECK(roc_auc({0.5, 0.5, 0.5, 0.5}, {0, 1, 0, 1}) == near(0.5));  // all tied: no better than chance
}

TEST_CASE("metrics: ROC AUC of one class only is undefined, and bad input is an error") {
  CHECK(std::isnan(roc_auc({0.1, 0.9}, {1, 1})));
  CHECK(std::isnan(roc_auc({0.1, 0.9}, {0, 0})));
  CHECK_THROWS_WITH_AS(roc_auc({0.1, 0.9}, {0, 1, 1}), doctest::Contains("2 scores but 3"), Error);
  CHECK_THROWS_WITH_AS(roc_auc({}, {}), doctest::Contains("no samples"), Error);
  CHECK_THROWS_WITH_AS(roc_auc({0.1, 0.9}, {0, 2}), doctest::Contains("not 0 or 1"), Error);
}

TEST_CASE("metrics: log loss by hand, from a sigmoid column and from softmax rows, clipped at 1e-15") {
  // Sigmoid P(class 1) 0.9 0.2 0.6, truth 1 0 0: −(ln 0.9 + ln 0.8 + ln 0.4)/3.
  CHECK(log_loss(matrix(3, 1, {0.9, 0.2, 0.6}), {1, 0, 0}) ==
        near(-(std::log(0.9) + std::log(0.8) + std::log(0.4)) / 3));
  // Softmax rows, truth 0 and 1: −(ln 0.7 + ln 0.1)/2.
  CHECK(log_loss(matrix(2, 3, {0.7, 0.2, 0.1, 0.1, 0.1, 0.8}), {0, 1}) == near(-(std::log(0.7) + std::log(0.1)) / 2));
  // A certain mistake costs −ln(1e-15) = 34.54, not infinity; a certain hit ~1e-15, not −0.
  CHECK(log_loss(matrix(1, 1, {1.0}), {0}) == near(-std::log(1e-15)));
  CHECK(log_loss(matrix(1, 2, {0.0, 1.0}), {0}) == near(-std::log(1e-15)));
  const double hit = log_loss(matrix(1, 1, {1.0}), {1});
  CHECK(hit > 0);
  CHECK(hit < 1e-14);
  CHECK_THROWS_WITH_AS(log_loss(matrix(2, 1, {0.5, 0.5}), {0}), doctest::Contains("2 rows of probabilities but 1"),
                       Error);
  CHECK_THROWS_WITH_AS(log_loss(matrix(1, 3, {0.2, 0.3, 0.5}), {3}), doctest::Contains("not a class index 0..2"),
                       Error);
}

TEST_CASE("metrics: ROC AUC and log loss in the report, its text and its JSON") {
  // Two classes: AUC from P(second class), whether a sigmoid column or the softmax's second one.
  const Matrix sigmoid = matrix(4, 1, {0.1, 0.4, 0.35, 0.8});
  const Matrix softmax = matrix(4, 2, {0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8});
  const std::vector<int> truth = {0, 0, 1, 1};
  for (const Matrix* P : {&sigmoid, &softmax}) {
    auto r = classification_report(truth, predicted_classes(*P), {"no", "yes"});
    CHECK_FALSE(r.roc_auc.has_value());  // from classes alone: no probabilities, no AUC
    CHECK_FALSE(to_json(r).contains("roc_auc"));
    add_probability_scores(r, *P, truth);
    REQUIRE(r.roc_auc.has_value());
    REQUIRE(r.log_loss.has_value());
    CHECK(*r.roc_auc == near(0.75));
    CHECK(*r.log_loss == near(-(std::log(0.9) + std::log(0.6) + std::log(0.35) + std::log(0.8)) / 4));
    const nlohmann::json j = to_json(r);
    CHECK(j["roc_auc"].get<double>() == near(0.75));
    CHECK(j["log_loss"].get<double>() == near(*r.log_loss));
    const std::string text = format_classification(r);
    CAPTURE(text);
    CHECK(text.find("roc auc: 0.7500 (scores: P(yes))") != std::string::npos);
    CHECK(text.find("log loss: 0.4723\n") != std::string::npos);  // 0.472288
  }
  // Three classes: log loss, no AUC.
  auto three = classification_report({0, 2}, {0, 2}, {"a", "b", "c"});
  add_probability_scores(three, matrix(2, 3, {0.7, 0.2, 0.1, 0.1, 0.1, 0.8}), {0, 2});
  CHECK_FALSE(three.roc_auc.has_value());
  CHECK(*three.log_loss == near(-(std::log(0.7) + std::log(0.8)) / 2));
  CHECK_FALSE(to_json(three).contains("roc_auc"));
  CHECK(format_classification(three).find("roc auc") == std::string::npos);
  // Two classes with one in the truth: the AUC is undefined, null in JSON, said so in the text.
  auto one = classification_report({1, 1}, {1, 0}, {"no", "yes"});
  add_probability_scores(one, matrix(2, 1, {0.9, 0.3}), {1, 1});
  CHECK(to_json(one).at("roc_auc").is_null());
  CHECK(format_classification(one).find("roc auc: undefined") != std::string::npos);
}
