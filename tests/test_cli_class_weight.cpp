// `mlp train --class-weight`: balanced weights lift the minority class's recall on imbalanced data;
// the weights by name and by position, in the model's class order; the weighted validation loss
// recomputed from `mlp predict --proba`; the option kept by the model file, --write-config,
// --resume and `mlp compare`; and each mistake refused with what to do.
#include "cli_util.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace cli;

namespace {

// Two features, classes "no" and "yes" (or any two labels) with `minority` of `rows` rows "yes":
// "no" ~ N((0, 0), I), "yes" ~ N((2, 0.5), I). An unweighted model, minimising the plain mean,
// says "yes" only where P(yes | x) > 1/2, i.e. (for 5% yes) x1 beyond about 2.5: it finds under
// half of the yes rows. With balanced weights the boundary moves to about x1 = 1.1 and it finds
// most. Made with a fixed generator (mt19937's sequence is fixed by the standard; Box-Muller by
// hand), so every platform writes the same file.
std::string imbalanced_csv(int rows, int minority, std::uint32_t seed, const std::string& no = "no",
                           const std::string& yes = "yes") {
  std::mt19937 gen(seed);
  const auto uniform = [&] { return (static_cast<double>(gen()) + 0.5) / 4294967296.0; };
  const auto normal = [&] { return std::sqrt(-2 * std::log(uniform())) * std::cos(6.283185307179586 * uniform()); };
  std::string csv = "x1,x2,label\n";
  char line[96];
  for (int i = 0; i < rows; ++i) {
    const bool is_yes = i % (rows / minority) == 0 && i / (rows / minority) < minority;  // spread through the file
    const double x1 = normal() + (is_yes ? 2.0 : 0.0), x2 = normal() + (is_yes ? 0.5 : 0.0);
    std::snprintf(line, sizeof line, "%.6f,%.6f,%s\n", x1, x2, (is_yes ? yes : no).c_str());
    csv += line;
  }
  return csv;
}

// The class of each row of a CSV written by imbalanced_csv.
std::vector<std::string> labels_of(const std::string& csv) {
  std::vector<std::string> labels;
  const auto all = lines(csv);
  for (std::size_t i = 1; i < all.size(); ++i)
    if (!all[i].empty()) labels.push_back(split(all[i]).back());
  return labels;
}

// A model file's weights and biases, the part two runs must share to be the same run.
json layers(const TempDir& d, const std::string& model) { return json::parse(d.read(model)).at("layers"); }

// A --history file without its seconds column (the one thing two equal runs may differ in).
std::string history_without_time(const std::string& csv) {
  std::string out;
  for (const std::string& line : lines(csv)) {
    auto cells = split(line);
    if (cells.size() > 5) cells.erase(cells.begin() + 5);  // epoch,train_loss,val_loss,val_acc,lr,seconds,...
    for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + cells[i];
    out += "\n";
  }
  return out;
}

Run train(const TempDir& d, const std::string& args) {
  const Run r = d.mlp("train " + args);
  INFO("mlp train ", args, "\n", r.err);
  REQUIRE(r.status == 0);
  return r;
}

}  // namespace

TEST_CASE("class weight: balanced raises the minority class's recall over the unweighted run, on 95/5 data") {
  // 2000 training rows (100 yes) and a test file of 4000 (200 yes): the recall of yes is measured
  // on 200 rows, so one row moves it by 0.005. The expected recalls (about 0.3 without weights,
  // 0.8 with) are far apart; asking for 0.2 more on each of three seeds is robust, not a coin toss.
  TempDir d;
  d.write("train.csv", imbalanced_csv(2000, 100, 1));
  d.write("test.csv", imbalanced_csv(4000, 200, 2));
  for (const char* seed : {"1", "2", "3"}) {
    CAPTURE(seed);
    const std::string run = "train.csv --test test.csv --layers 16 --epochs 40 --seed " + std::string(seed) + " --json";
    const json plain = parse_json(train(d, run));
    const json balanced = parse_json(train(d, run + " --class-weight balanced"));
    REQUIRE(plain.value("split", "") == "test");
    const double recall_plain = plain.at("per_class").at("yes").at("recall").get<double>();
    const double recall_balanced = balanced.at("per_class").at("yes").at("recall").get<double>();
    CAPTURE(recall_plain);
    CAPTURE(recall_balanced);
    CHECK(recall_balanced > recall_plain + 0.2);
    // The price: more "no" rows called yes, so the majority's recall falls, but not to nothing.
    CHECK(balanced.at("per_class").at("no").at("recall").get<double>() <
          plain.at("per_class").at("no").at("recall").get<double>());
    CHECK(balanced.at("per_class").at("no").at("recall").get<double>() > 0.7);
  }
}

TEST_CASE("class weight: the header shows each class's weight, and the model file and --json record them") {
  // 2000 rows, 100 yes; the stratified 20% validation split leaves 1520 no and 80 yes to train on:
  // balanced weights 1600/(2·1520) = 0.526 and 1600/(2·80) = 10.
  TempDir d;
  d.write("data.csv", imbalanced_csv(2000, 100, 1));
  const Run r = train(d, "data.csv --epochs 2 --class-weight balanced --save m.json");
  CHECK(contains(r.out, "classification with 2 classes, class weights: no 0.526, yes 10 (balanced)\n"));
  const json training = json::parse(d.read("m.json")).at("training");
  CHECK(training.at("options").at("class_weight") == "balanced");
  CHECK(training.at("class_weights").at("no").get<double>() == doctest::Approx(1600.0 / 3040).epsilon(1e-6));
  CHECK(training.at("class_weights").at("yes").get<double>() == doctest::Approx(10.0).epsilon(1e-6));
  CHECK(json::parse(d.read("m.json")).at("loss") == "bce");  // the model's loss itself is unchanged
  const json j = parse_json(train(d, "data.csv --epochs 2 --class-weight no=1,yes=5 --json"));
  CHECK(j.at("class_weights") == json({{"no", 1.0}, {"yes", 5.0}}));
  // Without the option: no weights anywhere.
  const Run plain = train(d, "data.csv --epochs 2 --save p.json");
  CHECK_FALSE(contains(plain.out, "class weights"));
  CHECK_FALSE(json::parse(d.read("p.json")).at("training").contains("class_weights"));
}

TEST_CASE("class weight: by name and by position give the same run, in the model's class order") {
  TempDir d;
  d.write("data.csv", imbalanced_csv(600, 60, 3));
  const std::string run = "data.csv --epochs 5 --seed 4 --optimizer sgd --history ";
  train(d, run + "named.csv --class-weight yes=5,no=1 --save named.json");
  train(d, run + "placed.csv --class-weight 1,5 --save placed.json");  // no, yes: sorted
  train(d, run + "swapped.csv --class-weight 5,1 --save swapped.json");
  train(d, run + "only.csv --class-weight yes=5 --save only.json");  // a class left out weighs 1
  CHECK(layers(d, "named.json") == layers(d, "placed.json"));
  CHECK(layers(d, "named.json") == layers(d, "only.json"));
  CHECK(history_without_time(d.read("named.csv")) == history_without_time(d.read("placed.csv")));
  CHECK(layers(d, "named.json") != layers(d, "swapped.json"));  // the order matters: the check can fail
  // Numeric labels in numeric order: 2 before 10 (as text, "10" would come first).
  d.write("numbers.csv", imbalanced_csv(600, 60, 3, "2", "10"));
  const Run r = train(d, "numbers.csv --epochs 2 --class-weight 1,5");
  CHECK(contains(r.out, "class weights: 2 1, 10 5\n"));
}

TEST_CASE("class weight: equal weights of any size leave the run as it is, the mean being normalised by their sum") {
  // Σ 4 L / Σ 4 = Σ L / B. Powers of two scale floats exactly, so the run is the same bit for bit;
  // a loss divided by B instead of Σw would be 4 times larger, and SGD's steps with it.
  TempDir d;
  d.write("data.csv", imbalanced_csv(600, 60, 3));
  for (const char* loss : {"", " --loss cross_entropy"}) {
    CAPTURE(loss);
    const std::string run = "data.csv --epochs 5 --seed 4 --optimizer sgd" + std::string(loss) + " --history ";
    train(d, run + "plain.csv --save plain.json");
    train(d, run + "fours.csv --save fours.json --class-weight 4,4");
    train(d, run + "ones.csv --save ones.json --class-weight no=1,yes=1");
    CHECK(layers(d, "fours.json") == layers(d, "plain.json"));
    CHECK(layers(d, "ones.json") == layers(d, "plain.json"));
    CHECK(history_without_time(d.read("fours.csv")) == history_without_time(d.read("plain.csv")));
  }
}

TEST_CASE("class weight: the validation loss is the weighted mean, as recomputed from predict --proba") {
  // --val FILE and no early stopping: the last epoch's val_loss is the saved model's loss on that
  // file, Σ w_y (−ln p_y) / Σ w_y with p from `mlp predict --proba`, for bce (a sigmoid) and
  // cross_entropy (a softmax over two). The loss is summed in float over 400 rows (relative error
  // up to ~1e-5): 1e-4 allows for it, and the unweighted mean is several percent away.
  TempDir d;
  d.write("train.csv", imbalanced_csv(800, 80, 5));
  d.write("val.csv", imbalanced_csv(400, 40, 6));
  const std::map<std::string, double> weight = {{"no", 1.0}, {"yes", 3.0}};
  for (const char* loss : {"bce", "cross_entropy"}) {
    CAPTURE(loss);
    train(d,
          "train.csv --val val.csv --early-stopping 0 --epochs 6 --class-weight 1,3 --history h.csv --save m.json "
          "--loss " +
              std::string(loss));
    const auto history = lines(d.read("h.csv"));
    const double val_loss = std::stod(split(history.back())[2]);
    const Run p = d.mlp("predict m.json val.csv --proba");
    REQUIRE(p.status == 0);
    const auto rows = lines(p.out);
    const auto truth = labels_of(d.read("val.csv"));
    REQUIRE(rows.size() == truth.size() + 1);
    REQUIRE(rows[0] == "prediction,no,yes");
    double weighted = 0, weights = 0, plain = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
      const auto cells = split(rows[i + 1]);
      const double p = std::stod(cells[truth[i] == "no" ? 1 : 2]);
      weighted += weight.at(truth[i]) * -std::log(p);
      weights += weight.at(truth[i]);
      plain += -std::log(p);
    }
    CHECK(val_loss == doctest::Approx(weighted / weights).epsilon(1e-4));
    CHECK(std::abs(val_loss - plain / static_cast<double>(truth.size())) > 0.01 * val_loss);  // not the plain mean
  }
}

TEST_CASE("class weight: --write-config writes it and --resume keeps it") {
  TempDir d;
  d.write("data.csv", imbalanced_csv(600, 60, 3));
  // A config file re-runs the weighted run.
  const Run first = train(d, "data.csv --epochs 3 --class-weight no=1,yes=5 --json --write-config c.toml");
  CHECK(contains(d.read("c.toml"), "class-weight=\"no=1,yes=5\"\n"));
  const Run again = train(d, "--config c.toml --json");
  json a = parse_json(first), b = parse_json(again);
  a.erase("seconds");
  b.erase("seconds");
  CHECK(a == b);
  // Resumed without the option, the checkpoint's weights go on: the same model as straight through.
  train(d, "data.csv --epochs 6 --class-weight balanced -q --save straight.json");
  train(d, "data.csv --epochs 6 -q --save unweighted.json");
  train(d, "data.csv --epochs 3 --class-weight balanced -q --checkpoint ck.json");
  train(d, "data.csv --resume ck.json --epochs 6 -q --save resumed.json");
  CHECK(layers(d, "resumed.json") == layers(d, "straight.json"));
  CHECK(layers(d, "resumed.json") != layers(d, "unweighted.json"));  // the check can fail
  CHECK(json::parse(d.read("resumed.json")).at("training").at("options").at("class_weight") == "balanced");
  // Other weights contradict the checkpoint.
  const std::string other = "train data.csv --resume ck.json --epochs 6 --class-weight 1,2";
  check_rejected(other, d.mlp(other), {"--class-weight 1,2 contradicts the checkpoint", "--class-weight balanced"}, "");
}

TEST_CASE("class weight: mlp compare passes it on to every run, in process and in a plan") {
  TempDir d;
  const std::string run = "compare " + shell_quote(kIris) + " --activations relu,tanh --seeds 1 --epochs 3";
  const Run plain = d.mlp(run);
  const Run weighted = d.mlp(run + " --class-weight setosa=1,versicolor=1,virginica=9");
  INFO(weighted.err);
  REQUIRE(plain.status == 0);
  REQUIRE(weighted.status == 0);
  CHECK(plain.out.substr(0, plain.out.find("runs in")) != weighted.out.substr(0, weighted.out.find("runs in")));
  const Run plan = d.mlp(run + " --class-weight 1,1,9 --plan p.txt");
  INFO(plan.err);
  REQUIRE(plan.status == 0);
  const auto commands = lines(d.read("p.txt"));
  REQUIRE(commands.size() == 2);
  for (const std::string& c : commands) CHECK(contains(c, "--class-weight=1,1,9"));
  const std::string regression =
      "compare " + shell_quote(kDiabetes) + " --activations relu --epochs 2 --class-weight 1,2";
  check_rejected(regression, d.mlp(regression), {"--class-weight applies to classification"}, "");
}

TEST_CASE("class weight: each mistake is refused with what to do, before any training") {
  TempDir d;
  d.write("data.csv", imbalanced_csv(200, 20, 3));
  struct Case {
    std::string args;
    std::vector<std::string> words;
  };
  const std::vector<Case> cases = {
      {shell_quote(kDiabetes) + " --class-weight balanced",
       {"--class-weight applies to classification", "this is a regression", "--task classification"}},
      {"data.csv --task regression --class-weight 1,2", {"--class-weight applies to classification"}},
      {"data.csv --class-weight no=1,yess=5", {"no class 'yess'", "did you mean 'yes'?", "the classes: 'no', 'yes'"}},
      {"data.csv --class-weight no=1,maybe=5", {"no class 'maybe'", "the classes: 'no', 'yes'"}},
      {"data.csv --class-weight 1,2,3",
       {"3 weights for 2 classes ('no', 'yes', in that order)", "one weight per class"}},
      {"data.csv --class-weight 5", {"1 weight for 2 classes"}},
      {"data.csv --class-weight no=0,yes=5", {"the weight of 'no' is 0", "positive, finite number"}},
      {"data.csv --class-weight 1,-2", {"weight 2 of 2 is -2", "positive, finite number"}},
      {"data.csv --class-weight no=inf,yes=1", {"the weight of 'no' is inf", "positive, finite"}},
      {"data.csv --class-weight 1,nan", {"weight 2 of 2 is nan", "positive, finite"}},
      {"data.csv --class-weight yes=1,yes=5", {"class 'yes' is named twice", "one weight"}},
      {"data.csv --class-weight no=1,5", {"some weights have a class name and some not"}},
      {"data.csv --class-weight balance", {"'balance' is not a weight; did you mean balanced?"}},
      {"data.csv --class-weight no=abc", {"'abc' is not a number (the weight of 'no')"}},
      {"data.csv --class-weight 1,,2", {"an empty weight"}},
  };
  for (const Case& c : cases) {
    const std::string command = "train " + c.args + " --epochs 2 --save m.json";
    const Run r = d.mlp(command);
    check_rejected(command, r, c.words, "");
    CHECK(contains(r.err, "mlp: error: --class-weight"));
    CHECK_FALSE(d.exists("m.json"));
    CHECK_FALSE(contains(r.out, "epoch 1/"));  // refused before any training
  }
}
