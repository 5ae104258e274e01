// End-to-end tests of the `mlp` command line: each test runs the built binary in a fresh temporary
// directory and checks its exit status, stdout and stderr, and the files it writes (or must not
// write). The promises tested are the user's: accuracy with default options, --json output,
// reproducibility, and clear, located errors that never crash and never clobber a model file.
#include "cli_util.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <regex>
#include <set>

using namespace cli;

namespace {

// A failing `train` must leave no model behind: none (and no temporary) at a fresh --save path,
// and an existing file at --save byte for byte as it was.
void check_train_rejects(const TempDir& d, const std::string& args, const std::vector<std::string>& words,
                         const std::string& where = "") {
  const std::string fresh = "train " + args + " --save new_model.json";
  const Run r = d.mlp(fresh);
  check_rejected(fresh, r, words, where);
  CHECK_MESSAGE(d.files_starting("new_model.json").empty(), "a model (or temporary) was written by: mlp ", fresh);

  const std::string before = "{\"format\": \"mlp-model\", \"note\": \"an earlier model, to be left alone\"}\n";
  d.write("old_model.json", before);
  const std::string again = "train " + args + " --save old_model.json";
  const Run r2 = d.mlp(again);
  INFO(describe(again, r2));
  CHECK(r2.status == r.status);
  CHECK_MESSAGE(d.read("old_model.json") == before, "the existing --save file was changed by: mlp ", again);
  CHECK(d.files_starting("old_model.json").size() == 1);  // no temporary left beside it
}

// Same for predict: no output file at a fresh -o path, an existing one untouched.
void check_predict_rejects(const TempDir& d, const std::string& args, const std::vector<std::string>& words) {
  const std::string fresh = "predict " + args + " -o new_predictions.csv";
  const Run r = d.mlp(fresh);
  check_rejected(fresh, r, words, "");
  CHECK(d.files_starting("new_predictions.csv").empty());
  const std::string before = "prediction\nearlier\n";
  d.write("old_predictions.csv", before);
  const Run r2 = d.mlp("predict " + args + " -o old_predictions.csv");
  CHECK(r2.status == r.status);
  CHECK(d.read("old_predictions.csv") == before);
}

// A small iris model saved as model.json in `d` (5 epochs: quick, and wrong on some rows, so a
// comparison of predictions can fail).
void save_small_iris_model(const TempDir& d, const std::string& name = "model.json", const std::string& seed = "1") {
  const Run r = d.mlp("train " + shell_quote(kIris) + " --epochs 5 --seed " + seed + " -q --save " + name);
  INFO(r.err);
  REQUIRE(r.status == 0);
  REQUIRE(d.exists(name));
}

// iris.csv with its columns transformed by `edit` (header and rows alike).
void write_iris_variant(const TempDir& d, const std::string& name,
                        const std::function<std::vector<std::string>(std::vector<std::string>, bool header)>& edit) {
  std::string text;
  bool header = true;
  for (const auto& line : lines(read_text(kIris))) {
    if (line.empty()) continue;
    const auto cells = edit(split(line), header);
    header = false;
    for (std::size_t i = 0; i < cells.size(); ++i) text += (i ? "," : "") + cells[i];
    text += "\n";
  }
  d.write(name, text);
}

// The true labels of iris.csv, in file order.
std::vector<std::string> iris_labels() {
  std::vector<std::string> labels;
  const auto all = lines(read_text(kIris));
  for (std::size_t i = 1; i < all.size(); ++i)
    if (!all[i].empty()) labels.push_back(split(all[i]).back());
  return labels;
}

// A number as the text reports print it, "%.4f".
std::string fmt_4(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", x);
  return buf;
}

// The held-out metrics without the wall-clock time, which is the one thing allowed to differ.
json without_time(json j) {
  j.erase("seconds");
  return j;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Default options are good options. The runs are deterministic (fixed seed), so these are exact
// regressions: each bound is the issue's target, not a tolerance.

TEST_CASE("cli: defaults reach 0.93 held-out accuracy on iris") {
  TempDir d;
  const Run r = d.mlp("train " + shell_quote(kIris) + " --seed 1 --json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const json j = parse_json(r);
  CHECK(j.value("split", "") != "train");  // a held-out figure, not training accuracy
  CHECK(j.value("accuracy", 0.0) >= 0.93);
}

TEST_CASE("cli: defaults reach 0.95 held-out accuracy on breast_cancer") {
  TempDir d;
  const Run r = d.mlp("train " + shell_quote(kBreastCancer) + " --seed 1 --json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const json j = parse_json(r);
  CHECK(j.value("split", "") != "train");
  CHECK(j.value("task", "") == "classification");
  CHECK(j.value("accuracy", 0.0) >= 0.95);
}

TEST_CASE("cli: defaults reach r2 0.4 on diabetes, with regression metrics in the JSON") {
  TempDir d;
  const Run r = d.mlp("train " + shell_quote(kDiabetes) + " --seed 1 --json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const json j = parse_json(r);
  CHECK(j.value("task", "") == "regression");
  CHECK(j.value("split", "") != "train");
  CHECK(j.value("r2", -1.0) >= 0.4);
  for (const char* key : {"r2", "mse", "mae"}) CHECK_MESSAGE((j.contains(key) && j[key].is_number()), key);
  REQUIRE(j.contains("per_target"));
  REQUIRE(j["per_target"].contains("progression"));
  for (const char* key : {"r2", "mse", "mae"}) CHECK(j["per_target"]["progression"].contains(key));
  CHECK(!j.contains("accuracy"));
}

// ---------------------------------------------------------------------------------------------
// Output formats.

TEST_CASE("cli: train --json prints one JSON object on stdout with per-class metrics") {
  TempDir d;
  const Run r = d.mlp("train " + shell_quote(kIris) + " --seed 1 --epochs 20 --early-stopping 0 --json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(lines(r.out).size() == 1);  // the object alone: progress went to stderr
  const json j = parse_json(r);
  CHECK(j.value("task", "") == "classification");
  CHECK(j["accuracy"].is_number());
  CHECK(j["f1_macro"].is_number());
  REQUIRE(j.contains("per_class"));
  for (const char* c : {"setosa", "versicolor", "virginica"}) {
    CAPTURE(c);
    REQUIRE(j["per_class"].contains(c));
    for (const char* key : {"precision", "recall", "f1", "support"}) CHECK(j["per_class"][c].contains(key));
  }
  CHECK(j.value("epochs_run", 0) == 20);
  CHECK(contains(r.err, "epoch 20/20"));  // the progress is still shown, on stderr
}

TEST_CASE("cli: evaluate --json prints one JSON object with per-class metrics") {
  TempDir d;
  save_small_iris_model(d);
  const Run r = d.mlp("evaluate model.json " + shell_quote(kIris) + " --json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(lines(r.out).size() == 1);
  const json j = parse_json(r);
  CHECK(j["accuracy"].is_number());
  CHECK(j["f1_macro"].is_number());
  CHECK(j.value("rows", 0) == 150);
  for (const char* c : {"setosa", "versicolor", "virginica"}) CHECK(j["per_class"].contains(c));
}

TEST_CASE("cli: evaluate of a binary model gives ROC AUC and log loss, as recomputed from predict --proba") {
  // breast_cancer after 3 epochs: good but imperfect, so both numbers are neither 0 nor trivial;
  // with its default sigmoid output, and with a softmax over the two classes (whose second column
  // is the score). The recomputation is independent of mlp's: AUC by counting every (malignant,
  // benign) pair, a tie counting half; log loss from the printed probabilities (9 digits: exact
  // for float).
  TempDir d;
  const std::string data = shell_quote(kBreastCancer);
  std::vector<std::string> truth;
  for (const auto& line : lines(read_text(kBreastCancer))) truth.push_back(split(line).back());
  truth.erase(truth.begin());  // the header
  for (const char* output : {"", " --loss cross_entropy"}) {
    CAPTURE(output);
    REQUIRE(d.mlp("train " + data + output + " --epochs 3 --seed 1 -q --save bc.json").status == 0);
    const Run e = d.mlp("evaluate bc.json " + data + " --json");
    INFO(e.err);
    REQUIRE(e.status == 0);
    const json j = parse_json(e);
    REQUIRE(j.contains("roc_auc"));
    REQUIRE(j.contains("log_loss"));
    const double auc = j["roc_auc"].get<double>(), loss = j["log_loss"].get<double>();
    CHECK(auc >= 0);
    CHECK(auc <= 1);
    CHECK(loss > 0);

    const Run p = d.mlp("predict bc.json " + data + " --proba");
    REQUIRE(p.status == 0);
    const auto out = lines(p.out);
    REQUIRE(out[0] == "prediction,benign,malignant");  // classes sorted: malignant is the positive one
    REQUIRE(out.size() == truth.size() + 1);
    std::vector<double> positive, negative;
    double log_loss = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
      const auto cells = split(out[i + 1]);
      const double p_malignant = std::stod(cells[2]), p_true = std::stod(cells[truth[i] == "malignant" ? 2 : 1]);
      (truth[i] == "malignant" ? positive : negative).push_back(p_malignant);
      log_loss -= std::log(std::clamp(p_true, 1e-15, 1 - 1e-15));
    }
    double pairs = 0;
    for (double s : positive)
      for (double t : negative) pairs += s > t ? 1.0 : s == t ? 0.5 : 0.0;
    CHECK(auc == doctest::Approx(pairs / static_cast<double>(positive.size() * negative.size())).epsilon(1e-12));
    CHECK(loss == doctest::Approx(log_loss / static_cast<double>(truth.size())).epsilon(1e-7));
    CHECK(auc < 1);  // imperfect: the pairs above are not all of one kind

    // The text says the same.
    const Run text = d.mlp("evaluate bc.json " + data);
    CHECK(contains(text.out, "roc auc: " + fmt_4(auc) + " (scores: P(malignant))\n"));
    CHECK(contains(text.out, "log loss: " + fmt_4(loss) + "\n"));
  }
  // train reports them too, from the same code, for every set.
  const Run t = d.mlp("train " + data + " --epochs 3 --seed 1 --json");
  REQUIRE(t.status == 0);
  const json tj = parse_json(t);
  for (const char* set : {"train", "validation"}) {
    CAPTURE(set);
    CHECK(tj["metrics"][set]["roc_auc"].is_number());
    CHECK(tj["metrics"][set]["log_loss"].get<double>() > 0);
  }
  // Three classes: log loss, and no ROC AUC.
  save_small_iris_model(d);
  const json iris = parse_json(d.mlp("evaluate model.json " + shell_quote(kIris) + " --json"));
  CHECK(iris["log_loss"].get<double>() > 0);
  CHECK_FALSE(iris.contains("roc_auc"));
}

TEST_CASE("cli: human output of train and evaluate contains no JSON") {
  TempDir d;
  const Run t = d.mlp("train " + shell_quote(kIris) + " --seed 1 --epochs 5 --save model.json");
  INFO(t.err);
  REQUIRE(t.status == 0);
  const Run e = d.mlp("evaluate model.json " + shell_quote(kIris));
  REQUIRE(e.status == 0);
  for (const Run* r : {&t, &e}) {
    INFO(r->out);
    CHECK(contains(r->out, "accuracy"));
    CHECK(!contains(r->out, "{"));
    CHECK(!contains(r->out, "\"accuracy\""));
  }
}

TEST_CASE("cli: output to a pipe contains no control characters") {
  TempDir d;
  // Enough batches for a progress bar to be drawn if mlp wrongly thought it had a terminal.
  for (const std::string extra : {"", " --json"}) {
    const Run r =
        d.mlp("train " + shell_quote(kIris) + " --seed 1 --epochs 30 --early-stopping 0 --batch-size 4" + extra);
    CAPTURE(extra);
    REQUIRE(r.status == 0);
    CHECK(contains(r.out + r.err, "epoch 30/30"));
    for (const std::string* s : {&r.out, &r.err}) {
      CHECK(!contains(*s, "\r"));
      CHECK(!contains(*s, "\033"));
    }
  }
}

// The bars drawn on a terminal in `text`: each stretch after "\r\033[K" that is a bar (has samples/s;
// the lines printed after a bar is erased start the same way).
std::vector<std::string> drawn_bars(const std::string& text) {
  std::vector<std::string> bars;
  for (std::size_t at = text.find("\r\033[K"); at != std::string::npos; at = text.find("\r\033[K", at + 1)) {
    const std::size_t start = at + 4, end = text.find_first_of("\r\n", start);
    const std::string piece = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (contains(piece, "samples/s")) bars.push_back(piece);
  }
  return bars;
}

TEST_CASE("cli: on a terminal the bar fits the width and says which run --epochs auto is on") {
  if (std::system("command -v script >/dev/null 2>&1") != 0) {
    WARN_MESSAGE(false, "script(1) not found: no terminal to draw on");
    return;
  }
  TempDir d;
  for (const int columns : {60, 200}) {
    CAPTURE(columns);
    // script(1) gives mlp a terminal; its window has no size here, so $COLUMNS sets the width.
    const std::string command = "TERM=xterm COLUMNS=" + std::to_string(columns) + " " + shell_quote(MLP_BINARY) +
                                " train " + shell_quote(kIris) + " --seed 1 --batch-size 4";
    const std::string out_file = d.file("tty.txt");
    REQUIRE(std::system(
                ("script -qec " + shell_quote(command) + " /dev/null > " + shell_quote(out_file) + " 2>&1 </dev/null")
                    .c_str()) == 0);
    const std::vector<std::string> bars = drawn_bars(d.read("tty.txt"));
    REQUIRE(bars.size() > 20);
    std::set<std::string> runs;
    std::vector<int> done;  // "runs K/40 done": the choice's runs on several cores at once
    bool final_run = false;
    for (const std::string& b : bars) {
      CAPTURE(b);
      CHECK(static_cast<int>(b.size()) <= columns - 1);  // a line that wraps is not redrawn in place
      if (b.rfind("run ", 0) == 0) runs.insert(b.substr(0, b.find("  ")));
      std::smatch m;
      if (std::regex_search(b, m, std::regex("^runs ([0-9]+)/40 done  "))) done.push_back(std::stoi(m[1]));
      if (b.rfind("epoch ", 0) == 0 && contains(b, "samples/s")) final_run = true;
      if (columns == 200 && contains(b, "samples/s")) {  // room for the whole bar: 30 wide
        const std::size_t open = b.find('['), close = b.find(']');
        REQUIRE(open != std::string::npos);
        REQUIRE(close != std::string::npos);
        CHECK(close - open - 1 == 30);
      }
    }
    // iris: four weight decays for the network and four for the linear model, five folds each (150
    // rows: 5-fold cross-validation), then the refit, unlabelled. On one core each run in turn; on
    // more, the runs go at once and the label counts those done.
    if (done.empty()) {
      std::set<std::string> expected;
      for (int i = 1; i <= 40; ++i) expected.insert("run " + std::to_string(i) + "/40");
      CHECK(runs == expected);
    } else {
      CHECK(runs.empty());
      CHECK(std::is_sorted(done.begin(), done.end()));
      CHECK(done.back() < 40);
      CHECK(std::set<int>(done.begin(), done.end()).size() >= 10);
    }
    CHECK(final_run);
  }
}

TEST_CASE("cli: --quiet prints only the final result") {
  TempDir d;
  const Run loud = d.mlp("train " + shell_quote(kIris) + " --seed 1 --epochs 5");
  const Run r = d.mlp("train " + shell_quote(kIris) + " --seed 1 --epochs 5 --quiet");
  REQUIRE(loud.status == 0);
  REQUIRE(r.status == 0);
  REQUIRE(contains(loud.out, "epoch 5/5"));  // so the absence below means something
  INFO(r.out);
  for (const auto& line : lines(r.out + r.err)) CHECK_MESSAGE(line.rfind("epoch", 0) != 0, line);
  CHECK(!contains(r.out, "Layer (type)"));
  CHECK(r.err.empty());
  CHECK(contains(r.out, "accuracy"));
  CHECK(r.out.size() < loud.out.size());
}

namespace {
std::string fixed4(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

// `mlp train ARGS -q` and the same run without -q and with --json: -q's stdout, line by line, is
// exactly `expected` (regexes), lines the full output has together, and its numbers are the JSON's.
std::vector<std::string> check_quiet(const TempDir& d, const std::string& args,
                                     const std::vector<std::string>& expected) {
  const Run q = d.mlp("train " + args + " -q"), loud = d.mlp("train " + args), j = d.mlp("train " + args + " --json");
  INFO("mlp train ", args, " -q\nstdout:\n", q.out, "stderr:\n", q.err);
  REQUIRE(q.status == 0);
  REQUIRE(loud.status == 0);
  CHECK(q.err.empty());
  const auto got = lines(q.out), full = lines(loud.out);
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    CHECK_MESSAGE(std::regex_match(got[i], std::regex(expected[i])), got[i], " !~ ", expected[i]);
  REQUIRE(full.size() > got.size() + 3);    // the full report has more to say
  CHECK(contains(loud.out, "\n" + q.out));  // the same lines, together, in the full report
  const json summary = parse_json(j);
  if (summary.contains("accuracy"))
    CHECK(contains(got[0], "accuracy: " + fixed4(summary["accuracy"].get<double>())));
  else
    CHECK(contains(got[0], "r2: " + fixed4(summary["r2"].get<double>()) + "  rmse: "));
  return got;
}
}  // namespace

TEST_CASE("cli: -q prints exactly the held-out accuracy line, and the model's file with --save") {
  TempDir d;
  const std::string iris = shell_quote(kIris) + " --seed 1 --epochs 5";
  check_quiet(d, iris, {R"(validation accuracy: [01]\.\d{4})"});
  check_quiet(d, iris + " --test-split 0.2", {R"(test accuracy: [01]\.\d{4})"});
  check_quiet(d, iris + " --val-split 0", {R"(train accuracy: [01]\.\d{4})"});
  check_quiet(d, iris + " --save m.json", {R"(validation accuracy: [01]\.\d{4})", "model saved to m\\.json"});
  CHECK(d.exists("m.json"));
  // The other files are written without a word; the per-layer table is not printed.
  check_quiet(d, iris + " --save m.json --report r.html --diagnostics diag.csv --history h.csv",
              {R"(validation accuracy: [01]\.\d{4})", "model saved to m\\.json"});
  CHECK(d.exists("r.html"));
  CHECK(d.exists("diag.csv"));
}

TEST_CASE("cli: -q prints exactly the held-out r2, rmse and mae line of a regression") {
  TempDir d;
  const std::string number = R"(-?[0-9][0-9.e+-]*)";
  const std::string line = "validation r2: -?\\d+\\.\\d{4}  rmse: " + number + "  mae: " + number;
  const std::string diabetes = shell_quote(kDiabetes) + " --seed 1 --epochs 3";
  const auto got = check_quiet(d, diabetes, {line});
  check_quiet(d, diabetes + " --save r.json", {line, "model saved to r\\.json"});
  // Several targets: the means, and it says so.
  check_quiet(d, shell_quote(kIris) + " --target sepal_length,petal_width --categorical species --epochs 3",
              {line + R"(  \(means over 2 targets\))"});
  // The rmse and mae are those of --json.
  const json j = parse_json(d.mlp("train " + diabetes + " --json"));
  std::smatch m;
  REQUIRE(std::regex_search(got[0], m, std::regex("rmse: (\\S+)  mae: (\\S+)")));
  CHECK(std::stod(m[1]) == doctest::Approx(j["rmse"].get<double>()).epsilon(1e-5));
  CHECK(std::stod(m[2]) == doctest::Approx(j["mae"].get<double>()).epsilon(1e-5));
}

TEST_CASE("cli: --history writes a header and one row per epoch") {
  TempDir d;
  const Run r = d.mlp("train " + shell_quote(kIris) + " --seed 1 --epochs 7 -q --history h.csv");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto rows = lines(d.read("h.csv"));
  REQUIRE(rows.size() == 8);
  const auto header = split(rows[0]);
  CHECK(header.at(0) == "epoch");
  CHECK(std::find(header.begin(), header.end(), "train_loss") != header.end());
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto cells = split(rows[i]);
    CHECK(cells.size() == header.size());
    CHECK(cells.at(0) == std::to_string(i));
  }
}

// ---------------------------------------------------------------------------------------------
// Saved models: predict agrees with evaluate, and everything is reproducible.

TEST_CASE("cli: predict reproduces evaluate's accuracy") {
  TempDir d;
  save_small_iris_model(d);
  const Run e = d.mlp("evaluate model.json " + shell_quote(kIris) + " --json");
  REQUIRE(e.status == 0);
  const double accuracy = parse_json(e).value("accuracy", -1.0);
  const Run p = d.mlp("predict model.json " + shell_quote(kIris));
  INFO(p.err);
  REQUIRE(p.status == 0);
  const auto out = lines(p.out);
  const auto truth = iris_labels();
  REQUIRE(out.size() == truth.size() + 1);
  CHECK(out[0] == "prediction");
  std::size_t correct = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) correct += out[i + 1] == truth[i];
  CHECK(correct > 0);
  CHECK(correct < truth.size());  // 5 epochs leave mistakes, so the agreement below is not trivial
  CHECK(static_cast<double>(correct) / static_cast<double>(truth.size()) == doctest::Approx(accuracy).epsilon(1e-12));
}

TEST_CASE("cli: a saved model predicts the same every time, and as a retrain with the same seed") {
  TempDir d;
  save_small_iris_model(d, "a.json", "7");
  save_small_iris_model(d, "b.json", "7");
  save_small_iris_model(d, "other.json", "8");
  const Run a1 = d.mlp("predict a.json " + shell_quote(kIris) + " --proba");
  const Run a2 = d.mlp("predict a.json " + shell_quote(kIris) + " --proba");
  const Run b = d.mlp("predict b.json " + shell_quote(kIris) + " --proba");
  const Run other = d.mlp("predict other.json " + shell_quote(kIris) + " --proba");
  for (const Run* r : {&a1, &a2, &b, &other}) REQUIRE(r->status == 0);
  CHECK(lines(a1.out).size() == 151);
  CHECK(a1.out == a2.out);
  CHECK(a1.out == b.out);
  CHECK(a1.out != other.out);  // the comparison can tell two models apart
  // -o writes the same CSV as stdout.
  REQUIRE(d.mlp("predict a.json " + shell_quote(kIris) + " --proba -o p.csv").status == 0);
  CHECK(d.read("p.csv") == a1.out);
}

TEST_CASE("cli: predict --proba writes one probability per class, named after it, summing to 1") {
  TempDir d;
  // Three classes (softmax) and two (one sigmoid output, written as two columns).
  REQUIRE(d.mlp("make-dataset moons --samples 200 --seed 1 -o moons.csv").status == 0);
  REQUIRE(d.mlp("train moons.csv --epochs 5 -q --save moons.json").status == 0);
  save_small_iris_model(d);
  struct Case {
    std::string model, data;
    std::vector<std::string> columns;
  };
  const std::vector<Case> cases = {
      {"model.json", shell_quote(kIris), {"prediction", "setosa", "versicolor", "virginica"}},
      {"moons.json", "moons.csv", {"prediction", "0", "1"}}};
  for (const auto& c : cases) {
    CAPTURE(c.model);
    const Run r = d.mlp("predict " + c.model + " " + c.data + " --proba");
    INFO(r.err);
    REQUIRE(r.status == 0);
    const auto out = lines(r.out);
    REQUIRE(out.size() > 1);
    CHECK(split(out[0]) == c.columns);
    for (std::size_t i = 1; i < out.size(); ++i) {
      const auto cells = split(out[i]);
      REQUIRE(cells.size() == c.columns.size());
      double sum = 0, best = -1;
      std::string argmax;
      for (std::size_t k = 1; k < cells.size(); ++k) {
        const double p = std::stod(cells[k]);
        CHECK(p >= 0);
        CHECK(p <= 1);
        sum += p;
        if (p > best) best = p, argmax = c.columns[k];
      }
      // Probabilities are computed in float (relative error ~1e-7 per class) and printed with
      // 9 significant digits, so 1e-5 is loose enough for float yet catches any real mistake.
      CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));
      CHECK(cells[0] == argmax);
    }
  }
}

TEST_CASE("cli: multi-output regression reports and predicts every target") {
  TempDir d;
  // Two targets that are smooth functions of three features, so a default network fits both.
  std::mt19937 gen(5);
  std::uniform_real_distribution<double> u(-1, 1);
  std::ostringstream csv;
  csv << "x1,x2,x3,a,b\n";
  for (int i = 0; i < 300; ++i) {
    const double x1 = u(gen), x2 = u(gen), x3 = u(gen);
    csv << x1 << "," << x2 << "," << x3 << "," << (x1 + 2 * x2) << "," << (10 * x3 - 5 * x1 * x1) << "\n";
  }
  d.write("two.csv", csv.str());
  const Run t = d.mlp("train two.csv --target a,b --seed 1 --json --save two.json");
  INFO(t.err);
  REQUIRE(t.status == 0);
  const json tj = parse_json(t);
  CHECK(tj.value("task", "") == "regression");

  const Run e = d.mlp("evaluate two.json two.csv --json");
  INFO(e.err);
  REQUIRE(e.status == 0);
  const json j = parse_json(e);
  for (const char* key : {"r2", "mse", "mae"}) CHECK(j.contains(key));
  REQUIRE(j.contains("per_target"));
  CHECK(j["per_target"].size() == 2);
  for (const char* target : {"a", "b"}) {
    CAPTURE(target);
    REQUIRE(j["per_target"].contains(target));
    for (const char* key : {"r2", "mse", "mae"}) CHECK(j["per_target"][target].contains(key));
    CHECK(j["per_target"][target].value("r2", -1.0) > 0.9);  // both are easy, noise-free functions
  }

  const Run p = d.mlp("predict two.json two.csv");
  INFO(p.err);
  REQUIRE(p.status == 0);
  const auto out = lines(p.out);
  REQUIRE(out.size() == 301);
  CHECK(split(out[0]) == std::vector<std::string>{"a", "b"});
  for (std::size_t i = 1; i < out.size(); ++i) {
    const auto cells = split(out[i]);
    REQUIRE(cells.size() == 2);
    CHECK(std::isfinite(std::stod(cells[0])));
    CHECK(std::isfinite(std::stod(cells[1])));
  }
}

// ---------------------------------------------------------------------------------------------
// Config files.

TEST_CASE("cli: --write-config then --config reproduces the run") {
  TempDir d;
  const Run first =
      d.mlp("train " + shell_quote(kIris) + " --seed 3 --epochs 7 --layers 16 --json --write-config c.toml");
  INFO(first.err);
  REQUIRE(first.status == 0);
  REQUIRE(d.exists("c.toml"));
  const Run again = d.mlp("train --config c.toml --json");
  INFO("config file:\n", d.read("c.toml"));
  INFO("second run: status ", again.status, ", stderr: ", again.err);
  REQUIRE(again.status == 0);
  const json a = parse_json(first), b = parse_json(again);
  CHECK(b.value("epochs_run", 0) == 7);
  CHECK(without_time(a) == without_time(b));
}

TEST_CASE("cli: --write-config leaves out where the run writes, unless --write-config-all") {
  TempDir d;
  const std::string run =
      "train " + shell_quote(kIris) + " --epochs 2 -q --save m.json --history h.csv --report r.html";
  REQUIRE(d.mlp(run + " --write-config c.toml").status == 0);
  const std::string toml = d.read("c.toml");
  CHECK(contains(toml, "epochs=2"));
  for (const char* key : {"save=", "history=", "report=", "quiet="}) CHECK_MESSAGE(!contains(toml, key), key);
  // Re-run elsewhere: the first run's files stay as they were.
  fs::create_directory(d.path / "elsewhere");
  const std::string before = d.read("h.csv");
  const Run again = run_mlp("train --config ../c.toml --epochs 3 -q", (d.path / "elsewhere").string());
  INFO(again.err);
  REQUIRE(again.status == 0);
  CHECK(d.read("h.csv") == before);
  REQUIRE(d.mlp(run + " --write-config all.toml --write-config-all").status == 0);
  const std::string all = d.read("all.toml");
  for (const char* key : {"save=\"m.json\"", "history=\"h.csv\"", "report=\"r.html\"", "quiet=true"})
    CHECK_MESSAGE(contains(all, key), key);
}

TEST_CASE("cli: an option value in a --config file is honoured") {
  TempDir d;
  d.write("my.toml", "epochs = 3\nlayers = \"8\"\n");
  const Run r = d.mlp("train " + shell_quote(kIris) + " --config my.toml --seed 1 --json --save m.json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(parse_json(r).value("epochs_run", 0) == 3);
  const Run s = d.mlp("summary m.json");
  CHECK(contains(s.out, "(B, 8)"));
}

TEST_CASE("cli: every train option is recorded in the model file, from the one list that --write-config uses") {
  TempDir d;
  const Run r = d.mlp("train " + shell_quote(kIris) + " --seed 1 --epochs 2 --quiet --save m.json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const json options = json::parse(d.read("m.json"))["training"]["options"];
  const Run help = d.mlp("train --help");
  std::smatch m;
  std::string text = help.out;
  int checked = 0;
  for (std::regex option(R"(\s--([a-z][a-z0-9-]*))"); std::regex_search(text, m, option); text = m.suffix()) {
    std::string name = m[1];
    if (name == "help" || name == "config" || name == "write-config" || name == "write-config-all")
      continue;  // about this invocation only
    std::replace(name.begin(), name.end(), '-', '_');
    CAPTURE(name);
    CHECK(options.contains(name));
    ++checked;
  }
  CHECK(checked >= 30);
  // Resolved defaults are written as what was used, not as "0" or "".
  CHECK(options["lr"] == 0.001);
  CHECK(options["output_activation"] == "softmax");
  CHECK(options["loss"] == "cross_entropy");
}

TEST_CASE("cli: --reference trains with the textbook code to the same result as the fast path") {
  TempDir d;
  const std::string run = "train " + shell_quote(kIris) + " --seed 2 --epochs 30 --json";
  const Run fast = d.mlp(run), reference = d.mlp(run + " --reference");
  INFO(fast.err, reference.err);
  REQUIRE(fast.status == 0);
  REQUIRE(reference.status == 0);
  const json a = parse_json(fast), b = parse_json(reference);
  CHECK(a["accuracy"] == b["accuracy"]);
  CHECK(a["confusion"] == b["confusion"]);
  CHECK(a["metrics"]["train"]["accuracy"] == b["metrics"]["train"]["accuracy"]);
}

// ---------------------------------------------------------------------------------------------
// make-dataset and summary.

TEST_CASE("cli: make-dataset writes, for every kind, a CSV that train can learn") {
  TempDir d;
  // The kinds come from --help, so a new kind is tested without editing this file.
  const Run help = d.mlp("make-dataset --help");
  REQUIRE(help.status == 0);
  std::smatch m;
  REQUIRE(std::regex_search(help.out, m, std::regex(R"(kind TEXT:\{([a-z_,]+)\})")));
  const auto kinds = split(m[1].str());
  for (const char* known : {"xor", "spiral", "moons", "circles", "blobs"})
    CHECK(std::find(kinds.begin(), kinds.end(), known) != kinds.end());
  for (const auto& kind : kinds) {
    CAPTURE(kind);
    const Run mk = d.mlp("make-dataset " + kind + " --samples 400 --seed 1 -o " + kind + ".csv");
    INFO(mk.err);
    REQUIRE(mk.status == 0);
    const auto rows = lines(d.read(kind + ".csv"));
    CHECK(rows.size() == 401);
    CHECK(rows.at(0) == "x1,x2,label");
    // Same seed, same file.
    CHECK(d.mlp("make-dataset " + kind + " --samples 400 --seed 1").out == d.read(kind + ".csv"));
    const Run t = d.mlp("train " + kind + ".csv --seed 1 --json");
    INFO(t.err);
    REQUIRE(t.status == 0);
    // With the default noise every kind is nearly separable by a 64-32 network; seed 1 gives
    // 0.90 (xor, whose noise blurs the axes) to 1.0, so 0.85 leaves room without passing chance.
    CHECK(parse_json(t).value("accuracy", 0.0) >= 0.85);
  }
}

TEST_CASE("cli: make-dataset rejects an unknown kind") {
  TempDir d;
  const std::string command = "make-dataset swirl -o swirl.csv";
  const Run r = d.mlp(command);
  check_rejected(command, r, {"swirl"}, "");
  CHECK(!d.exists("swirl.csv"));
}

TEST_CASE("cli: summary shows layers, parameter count, classes and features") {
  TempDir d;
  const Run t = d.mlp("train " + shell_quote(kIris) + " --layers 8:tanh --epochs 2 -q --save m.json");
  REQUIRE(t.status == 0);
  const Run s = d.mlp("summary m.json");
  INFO(s.out, s.err);
  REQUIRE(s.status == 0);
  CHECK(contains(s.out, "dense_1"));
  CHECK(contains(s.out, "dense_2"));
  CHECK(contains(s.out, "tanh"));
  CHECK(contains(s.out, "67"));  // (4*8 + 8) + (8*3 + 3) parameters
  for (const char* name :
       {"setosa", "versicolor", "virginica", "sepal_length", "sepal_width", "petal_length", "petal_width"})
    CHECK_MESSAGE(contains(s.out, name), name);
}

TEST_CASE("cli: --categorical one-hot encodes a text column so train can use it") {
  TempDir d;
  std::mt19937 gen(3);
  const char* colors[] = {"red", "green", "blue"};
  std::string csv = "a,color,y\n";
  for (int i = 0; i < 90; ++i) {
    const std::string c = colors[gen() % 3];
    csv += std::to_string(gen() % 100) + "," + c + "," + (c == "red" ? "yes" : "no") + "\n";
  }
  d.write("cat.csv", csv);
  const Run plain = d.mlp("train cat.csv -q");
  CHECK(plain.status == 1);
  CHECK(contains(plain.err, "--categorical"));
  const Run r = d.mlp("train cat.csv --categorical color --seed 1 --json --save m.json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(parse_json(r).value("accuracy", 0.0) >= 0.95);  // y is a function of the color alone
  const Run s = d.mlp("summary m.json");
  CHECK(contains(s.out, "one-hot"));
  d.write("new.csv", "a,color\n5,red\n7,blue\n");
  const Run p = d.mlp("predict m.json new.csv");
  CHECK(p.out == "prediction\nyes\nno\n");
}

// ---------------------------------------------------------------------------------------------
// Bad input: status 1 (or a CLI11 usage code), a message saying where and what, and no model
// written over anything.

namespace {
// Four rows of two features and a binary label, with `bad_row` (the 3rd line of the file) replaced.
std::string small_csv(const std::string& bad_row) {
  return "a,b,y\n10,2,0\n" + bad_row + "\n50,6,0\n70,8,1\n90,1,0\n11,3,1\n";
}
}  // namespace

TEST_CASE("cli: bad input: a missing cell") {
  TempDir d;
  d.write("missing.csv", small_csv("30,,1"));
  check_train_rejects(d, "missing.csv", {"'b'", "missing"}, R"(missing\.csv:3:4: )");
}

TEST_CASE("cli: bad input: nan is a missing value, refused by default with the --missing choices") {
  TempDir d;
  d.write("nan.csv", small_csv("30,nan,1"));
  check_train_rejects(d, "nan.csv", {"'b'", "'nan'", "missing", "--missing drop", "mean", "median"},
                      R"(nan\.csv:3:4: )");
}

TEST_CASE("cli: bad input: inf") {
  TempDir d;
  d.write("inf.csv", small_csv("30,-inf,1"));
  check_train_rejects(d, "inf.csv", {"'b'", "inf", "finite"}, R"(inf\.csv:3:4: )");
}

TEST_CASE("cli: bad input: a ragged row") {
  TempDir d;
  d.write("ragged.csv", small_csv("30,4"));
  check_train_rejects(d, "ragged.csv", {"2 fields", "3"}, R"(ragged\.csv:3:\d+: )");
}

TEST_CASE("cli: bad input: an unterminated quote") {
  TempDir d;
  d.write("quote.csv", small_csv("30,\"4,1"));
  check_train_rejects(d, "quote.csv", {"quote"}, R"(quote\.csv:3:4: )");
}

TEST_CASE("cli: bad input: an empty file") {
  TempDir d;
  d.write("empty.csv", "");
  check_train_rejects(d, "empty.csv", {"empty.csv", "empty"});
}

TEST_CASE("cli: bad input: a header and no rows") {
  TempDir d;
  d.write("header.csv", "a,b,y\n");
  check_train_rejects(d, "header.csv", {"header.csv", "no data"});
}

TEST_CASE("cli: bad input: a single class") {
  TempDir d;
  d.write("one.csv", "a,b,y\n1,2,0\n3,4,0\n5,6,0\n7,8,0\n9,1,0\n");
  check_train_rejects(d, "one.csv", {"'y'", "class"});
}

TEST_CASE("cli: bad input: binary garbage") {
  TempDir d;
  std::mt19937 gen(11);
  std::string bytes;
  for (int i = 0; i < 512; ++i) bytes += static_cast<char>(gen() & 0xFF);
  bytes[5] = '\0';
  bytes[300] = '\0';
  d.write("garbage.csv", bytes);
  check_train_rejects(d, "garbage.csv", {"binary"}, R"(garbage\.csv:\d+:\d+: )");
}

TEST_CASE("cli: bad input: a non-numeric feature column suggests --categorical") {
  TempDir d;
  d.write("text.csv", "a,color,y\n10,red,0\n30,blue,1\n50,red,0\n70,blue,1\n");
  check_train_rejects(d, "text.csv", {"'color'", "--categorical"}, R"(text\.csv:2:4: )");
}

TEST_CASE("cli: bad input: a file that does not exist") {
  TempDir d;
  check_train_rejects(d, "nope.csv", {"nope.csv", "No such file"});
}

TEST_CASE("cli: bad input: a target that is not a column") {
  TempDir d;
  d.write("ok.csv", small_csv("30,4,1"));
  check_train_rejects(d, "ok.csv --target zz", {"'zz'", "column"});
}

TEST_CASE("cli: bad options") {
  TempDir d;
  d.write("ok.csv", small_csv("30,4,1"));
  struct Case {
    std::string args;
    std::vector<std::string> words;
  };
  const std::vector<Case> cases = {
      {"--lr -1", {"--lr", "-1"}},
      {"--layers 0", {"--layers", "'0'"}},
      {"--layers 64,abc", {"--layers", "'abc'"}},
      {"--batch-size 0", {"--batch-size"}},
      {"--val-split 1.5", {"--val-split", "1.5"}},
      {"--epochs 0", {"--epochs"}},
      {"--activation foo", {"'foo'", "identity", "relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh", "softplus"}},
      {"--activation leaky_relu:abc", {"'abc'", "number"}},
      {"--dropout 1", {"--dropout"}},
      {"--loss mse", {"mse", "classification"}},
      {"--early-stopping 5 --val-split 0", {"--early-stopping", "validation"}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.args);
    check_train_rejects(d, "ok.csv " + c.args, c.words);
  }
}

TEST_CASE("cli: bad input: predict on a file missing a training column") {
  TempDir d;
  save_small_iris_model(d);
  write_iris_variant(d, "no_petal_width.csv", [](std::vector<std::string> c, bool) {
    c.erase(c.begin() + 3);
    return c;
  });
  check_predict_rejects(d, "model.json no_petal_width.csv", {"'petal_width'", "missing"});
}

TEST_CASE("cli: bad input: evaluate on a file without the target") {
  TempDir d;
  save_small_iris_model(d);
  write_iris_variant(d, "unlabelled.csv", [](std::vector<std::string> c, bool) {
    c.pop_back();
    return c;
  });
  const std::string command = "evaluate model.json unlabelled.csv";
  check_rejected(command, d.mlp(command), {"'species'"}, "");
  // predict takes the same file.
  CHECK(d.mlp("predict model.json unlabelled.csv").status == 0);
}

TEST_CASE("cli: bad input: broken model files") {
  TempDir d;
  save_small_iris_model(d);
  const std::string good = d.read("model.json");
  d.write("truncated.json", good.substr(0, good.size() / 2));
  d.write("not_json.json", "this is not a model\n");
  d.write("other_format.json", "{\"format\": \"keras\", \"layers\": []}\n");
  d.write("array.json", "[1, 2, 3]\n");
  struct Case {
    std::string file;
    std::vector<std::string> words;
  };
  const std::vector<Case> cases = {{"truncated.json", {"truncated.json", "truncated"}},
                                   {"not_json.json", {"not_json.json", "JSON"}},
                                   {"other_format.json", {"other_format.json", "mlp-model"}},
                                   {"array.json", {"array.json", "not an mlp model"}},
                                   {"absent.json", {"absent.json", "No such file"}}};
  for (const auto& c : cases) {
    CAPTURE(c.file);
    for (const std::string& command : {"predict " + c.file + " " + shell_quote(kIris),
                                       "evaluate " + c.file + " " + shell_quote(kIris), "summary " + c.file}) {
      const Run r = d.mlp(command);
      check_rejected(command, r, c.words, "");
      CHECK(r.out.empty());
    }
  }
}

TEST_CASE("cli: a list option before DATA takes one comma list or a repetition, and leaves DATA alone") {
  TempDir d;
  const std::string iris = shell_quote(kIris);
  const Run a = d.mlp("train --target species " + iris + " --epochs 1 -q --save a.json");
  INFO(a.err);
  REQUIRE(a.status == 0);
  CHECK(json::parse(d.read("a.json"))["training"]["options"]["target"] == json::array({"species"}));
  const Run b = d.mlp("train --categorical species --target petal_width " + iris + " --epochs 1 -q --save b.json");
  INFO(b.err);
  REQUIRE(b.status == 0);
  CHECK(json::parse(d.read("b.json"))["training"]["options"]["categorical"] == json::array({"species"}));
  // A comma list and a repetition say the same.
  const std::string common = " --categorical species --epochs 2 --json -q";
  const Run list = d.mlp("train --target sepal_length,petal_width " + iris + common);
  const Run twice = d.mlp("train --target sepal_length --target petal_width " + iris + common);
  REQUIRE(list.status == 0);
  REQUIRE(twice.status == 0);
  json l = parse_json(list), t = parse_json(twice);
  l.erase("seconds");
  t.erase("seconds");
  CHECK(l == t);
  CHECK(l["per_target"].size() == 2);
}

TEST_CASE("cli: activation names are matched whatever their case") {
  TempDir d;
  const std::string iris = shell_quote(kIris);
  REQUIRE(d.mlp("train " + iris + " --activation ReLU --layers 8,8:Tanh --epochs 2 -q --save upper.json").status == 0);
  REQUIRE(d.mlp("train " + iris + " --activation relu --layers 8,8:tanh --epochs 2 -q --save lower.json").status == 0);
  const json upper = json::parse(d.read("upper.json")), lower = json::parse(d.read("lower.json"));
  CHECK(upper["layers"] == lower["layers"]);
  CHECK(upper["layers"][0]["activation"] == "relu");
}
