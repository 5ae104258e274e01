// `mlp summary MODEL`: the page a person reads (its sections, the preprocessing of each column,
// the training options, the metrics per set and the held-out confusion matrix, all within 100
// columns and checked against the model file's own numbers), `--json` for scripts, and models
// that lack parts of their record (older files, checkpoints, hand-edited ones).
#include "cli_util.hpp"

#include <cstdio>
#include <functional>
#include <tuple>

using namespace cli;

namespace {

json model_file(const TempDir& d, const std::string& name) { return json::parse(d.read(name)); }

std::string format(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::size_t code_points(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// `mlp summary FILE`, which must succeed with nothing on stderr and no line wider than 100 columns.
std::string page_of(const TempDir& d, const std::string& file) {
  const Run s = d.mlp("summary " + file);
  INFO("mlp summary ", file, "\nstdout:\n", s.out, "stderr:\n", s.err);
  REQUIRE(s.status == 0);
  CHECK(s.err.empty());
  for (const auto& line : lines(s.out)) CHECK_MESSAGE(code_points(line) <= 100, "wider than 100 columns: ", line);
  return s.out;
}

// The lines of the section whose heading starts with `heading`, up to the next blank line; empty
// when there is no such section.
std::vector<std::string> section(const std::string& page, const std::string& heading) {
  std::vector<std::string> body;
  bool inside = false;
  for (const auto& line : lines(page)) {
    if (inside && line.empty()) break;
    if (inside) body.push_back(line);
    if (!inside && line.rfind(heading, 0) == 0) inside = true;
  }
  return body;
}

// The section's line whose first word (after the indent) is `name`; "" when none.
std::string row(const std::vector<std::string>& body, const std::string& name) {
  for (const auto& line : body)
    if (line.rfind("  " + name + " ", 0) == 0) return line;
  return "";
}

// The numbers of a line of the confusion matrix, after its label.
std::vector<long> counts(const std::string& line, const std::string& label) {
  std::vector<long> v;
  std::stringstream in(line.substr(2 + label.size()));
  for (long n; in >> n;) v.push_back(n);
  return v;
}

}  // namespace

TEST_CASE("cli summary: a classification model's page has its sections in order, with the model file's numbers") {
  TempDir d;
  REQUIRE(d.mlp("train " + shell_quote(kIris) + " --seed 1 --epochs 5 -q --save m.json").status == 0);
  const json model = model_file(d, "m.json");
  const std::string page = page_of(d, "m.json");
  INFO(page);
  CHECK(page.rfind("m.json\n======\n", 0) == 0);  // the title: the file, underlined
  std::size_t at = 0;
  for (const char* heading : {"\ntask ", "\nArchitecture\n", "\nPreprocessing: standard scaling", "\nTraining\n",
                              "\nMetrics\n", "\nConfusion matrix, validation set (30 rows"}) {
    const std::size_t found = page.find(heading, at);
    CHECK_MESSAGE(found != std::string::npos, "missing, or out of order: ", heading);
    if (found != std::string::npos) at = found;
  }
  CHECK(contains(page, "task        classification of species into 3 classes"));
  CHECK(contains(page, "Total params: 2499"));  // (4*64 + 64) + (64*32 + 32) + (32*3 + 3)

  // One row per feature column with its mean and sd as fitted, then the target and its classes,
  // then what a missing cell means.
  const auto prep = section(page, "Preprocessing");
  REQUIRE(prep.size() == 7);
  CHECK(prep[6] == "  missing values (--missing error): an error naming the cell");
  CHECK(std::regex_match(prep[0], std::regex(R"(  column +kind +inputs +values)")));
  for (const json& f : model["preprocessing"]["features"]) {
    const std::string name = f["name"];
    CAPTURE(name);
    CHECK(std::regex_match(row(prep, name),
                           std::regex("  " + name + " +numeric +1  mean " + format("%.4g", f["shift"].get<double>()) +
                                      ", sd " + format("%.4g", f["scale"].get<double>()))));
  }
  CHECK(std::regex_match(row(prep, "species"),
                         std::regex(R"(  species +target +3 classes: setosa, versicolor, virginica)")));

  // The options that define the run, as `name  value` lines.
  const auto training = section(page, "Training");
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{{"optimizer", "adam"},
                                                                                    {"lr", "0.001"},
                                                                                    {"batch-size", "32"},
                                                                                    {"epochs", "5"},
                                                                                    {"weight-decay", "0"},
                                                                                    {"early-stopping", "off"},
                                                                                    {"val-split", "0.2"},
                                                                                    {"seed", "1"}})
    CHECK_MESSAGE(std::regex_match(row(training, name), std::regex("  " + name + " +" + value)), name, " ", value);

  // The metrics of both sets, the file's numbers.
  const json& metrics = model["training"]["metrics"];
  const auto table = section(page, "Metrics");
  REQUIRE(table.size() >= 3);
  CHECK(std::regex_match(table[0], std::regex(R"(  set +rows +accuracy +precision +recall +f1 +log loss)")));
  for (const auto& [set, rows] :
       std::vector<std::pair<std::string, std::string>>{{"train", "120"}, {"validation", "30"}})
    CHECK_MESSAGE(std::regex_match(row(table, set),
                                   std::regex("  " + set + " +" + rows + " +" +
                                              format("%.4f", metrics[set]["accuracy"].get<double>()) + " +" +
                                              format("%.4f", metrics[set]["precision_macro"].get<double>()) + " +.*")),
                  set);
}

TEST_CASE("cli summary: the confusion matrix has a row per class, the held-out set's counts, summing to its rows") {
  TempDir d;
  // 5 epochs: some rows are still wrong, so the sets' matrices differ and a wrong one shows.
  REQUIRE(d.mlp("train " + shell_quote(kIris) + " --seed 1 --epochs 5 -q --save val.json").status == 0);
  REQUIRE(d.mlp("train " + shell_quote(kIris) + " --seed 1 --epochs 5 --test-split 0.2 -q --save test.json").status ==
          0);
  for (const auto& [file, set, rows] : std::vector<std::tuple<std::string, std::string, long>>{
           {"val.json", "validation", 30}, {"test.json", "test", 30}}) {
    CAPTURE(file);
    const json confusion = model_file(d, file)["training"]["metrics"][set]["confusion"];
    const std::string page = page_of(d, file);
    INFO(page);
    const auto matrix = section(page, "Confusion matrix, " + set + " set (" + std::to_string(rows) + " rows");
    REQUIRE(matrix.size() == 4);  // the header, then one row per class
    CHECK(std::regex_match(matrix[0], std::regex(R"(  true \\ predicted +setosa +versicolor +virginica)")));
    long total = 0;
    const std::vector<std::string> classes = {"setosa", "versicolor", "virginica"};
    for (std::size_t i = 0; i < classes.size(); ++i) {
      CAPTURE(classes[i]);
      REQUIRE(matrix[i + 1].rfind("  " + classes[i] + " ", 0) == 0);
      const auto row_counts = counts(matrix[i + 1], classes[i]);
      REQUIRE(row_counts.size() == 3);
      for (std::size_t j = 0; j < 3; ++j) CHECK(row_counts[j] == confusion[i][j].get<long>());
      for (long n : row_counts) total += n;
    }
    CHECK(total == rows);
  }
}

TEST_CASE("cli summary: a regression model's page shows the target's scaling and r2, rmse and mae per set") {
  TempDir d;
  REQUIRE(d.mlp("train " + shell_quote(kDiabetes) + " --seed 1 --epochs 3 --test-split 0.2 -q --save r.json").status ==
          0);
  const json model = model_file(d, "r.json");
  const std::string page = page_of(d, "r.json");
  INFO(page);
  CHECK(contains(page, "task        regression of progression\n"));
  const json& prep = model["preprocessing"];
  CHECK(std::regex_match(row(section(page, "Preprocessing"), "progression"),
                         std::regex("  progression +target +mean " + format("%.4g", prep["target_shift"][0]) + ", sd " +
                                    format("%.4g", prep["target_scale"][0]) + ": .*")));
  const auto table = section(page, "Metrics");
  REQUIRE(table.size() == 4);
  CHECK(std::regex_match(table[0], std::regex(R"(  set +r2 +rmse +mae +mse)")));
  for (const std::string set : {"train", "validation", "test"}) {
    const json& m = model["training"]["metrics"][set];
    CHECK_MESSAGE(
        std::regex_match(row(table, set),
                         std::regex("  " + set + " +" + format("%.4f", m["r2"]) + " +" + format("%.6g", m["rmse"]) +
                                    " +" + format("%.6g", m["mae"]) + " +" + format("%.6g", m["mse"]))),
        set);
  }
  CHECK(!contains(page, "Confusion matrix"));
  CHECK(!contains(page, "accuracy"));

  // Min-max scaling: each numeric column's minimum and range.
  REQUIRE(d.mlp("train " + shell_quote(kDiabetes) + " --scale minmax --epochs 1 -q --save minmax.json").status == 0);
  const json age = model_file(d, "minmax.json")["preprocessing"]["features"][0];
  const std::string minmax = page_of(d, "minmax.json");
  CHECK(contains(minmax, "\nPreprocessing: minmax scaling, input = (x - min) / range"));
  CHECK(std::regex_match(row(section(minmax, "Preprocessing"), "age"),
                         std::regex("  age +numeric +1  min " + format("%.4g", age["shift"]) + ", range " +
                                    format("%.4g", age["scale"]))));

  // Several targets: each set's means, then each target's own line.
  REQUIRE(d.mlp("train " + shell_quote(kIris) +
                " --target sepal_length,petal_width --categorical species --epochs 2 -q --save two.json")
              .status == 0);
  const auto two = section(page_of(d, "two.json"), "Metrics");
  REQUIRE(two.size() == 7);
  CHECK(two[1].rfind("  train, mean ", 0) == 0);
  CHECK(two[2].rfind("    sepal_length ", 0) == 0);
  CHECK(two[3].rfind("    petal_width ", 0) == 0);
  CHECK(two[4].rfind("  validation, mean ", 0) == 0);
}

TEST_CASE("cli summary: --json parses and holds the architecture, the preprocessing and the training record") {
  TempDir d;
  REQUIRE(d.mlp("train " + shell_quote(kIris) + " --layers 8:tanh --dropout 0.1 --seed 1 --epochs 2 -q --save m.json")
              .status == 0);
  const json model = model_file(d, "m.json");
  const Run r = d.mlp("summary m.json --json");
  const json j = parse_json(r);
  CHECK(r.err.empty());
  CHECK(j["file"] == "m.json");
  CHECK(j["task"] == "classification");
  const json& a = j["architecture"];
  CHECK(a["input_size"] == 4);
  CHECK(a["parameters"] == 67);  // (4*8 + 8) + (8*3 + 3)
  CHECK(a["loss"] == "cross_entropy");
  REQUIRE(a["layers"].size() == 3);
  CHECK(a["layers"][0] ==
        json({{"name", "dense_1"}, {"type", "dense"}, {"units", 8}, {"activation", "tanh"}, {"parameters", 40}}));
  CHECK(a["layers"][1]["type"] == "dropout");
  CHECK(a["layers"][1]["rate"] == 0.1);
  CHECK(a["layers"][2]["activation"] == "softmax");
  CHECK(j["preprocessing"] == model["preprocessing"]);
  CHECK(j["training"] == model["training"]);
  CHECK(j["training"]["metrics"]["validation"].contains("confusion"));
  CHECK(!contains(r.out, "\"weight\""));  // the weights stay in the model file
}

TEST_CASE("cli summary: a name with a comma, space or quote is quoted, and a long category list ends with the count") {
  TempDir d;
  std::vector<std::string> cities = {"Paris, France", "New York", "Rome", "say \"hi\""};
  for (int i = 0; i < 40; ++i) cities.push_back("town" + std::to_string(10 + i));
  const std::vector<std::string> labels = {"big one", "small, tiny", "plain"};
  // Quoted as in CSV, which is how the page shows a name with a space, a comma or a quote too.
  const auto quoted = [](const std::string& s) {
    if (s.find_first_of(" ,\"") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  std::string csv = "x,city,label\n";
  for (std::size_t i = 0; i < 240; ++i)
    csv += std::to_string(i % 17) + "," + quoted(cities[i % cities.size()]) + "," +
           quoted(labels[(i / 3) % labels.size()]) + "\n";
  d.write("cities.csv", csv);
  const Run t = d.mlp("train cities.csv --categorical city --epochs 2 --seed 1 -q --save c.json");
  INFO(t.err);
  REQUIRE(t.status == 0);
  const std::string page = page_of(d, "c.json");
  INFO(page);
  const std::string city = row(section(page, "Preprocessing"), "city");
  REQUIRE(std::regex_search(city, std::regex(R"(^  city +one-hot +44  )")));
  CHECK(contains(city, "\"New York\", \"Paris, France\", Rome, \"say \"\"hi\"\"\", town10"));
  // The names shown and the number left out make all 44.
  std::smatch more;
  REQUIRE(std::regex_search(city, more, std::regex(R"(, \.\.\. \((\d+) more\)$)")));
  int shown = 0;
  for (const auto& c : cities) shown += contains(city, " " + quoted(c) + ",");
  CHECK(shown + std::stoi(more[1]) == 44);
  CHECK(contains(row(section(page, "Preprocessing"), "label"), "3 classes: \"big one\", plain, \"small, tiny\""));
  const auto matrix = section(page, "Confusion matrix");
  REQUIRE(matrix.size() == 4);
  CHECK(std::regex_match(matrix[0], std::regex(R"(  true \\ predicted +"big one" +plain +"small, tiny")")));
  CHECK(matrix[3].rfind("  \"small, tiny\" ", 0) == 0);
}

TEST_CASE("cli summary: many long class names number the confusion matrix's columns, within 100 columns") {
  TempDir d;
  std::string csv = "a,b,kind\n";
  for (int i = 0; i < 300; ++i)
    csv += std::to_string(i % 15) + "," + std::to_string(i % 7) + ",species number " + std::to_string(10 + i % 15) +
           " with a long name\n";
  d.write("many.csv", csv);
  REQUIRE(d.mlp("train many.csv --epochs 2 --seed 1 -q --save m.json").status == 0);
  const std::string page = page_of(d, "m.json");  // checks the width
  INFO(page);
  const auto matrix = section(page, "Confusion matrix, validation set (60 rows");
  REQUIRE(matrix.size() == 16);
  CHECK(std::regex_match(matrix[0], std::regex(R"(  true \\ predicted +0 +1 +2 .* 13 +14)")));
  long total = 0;
  for (int i = 0; i < 15; ++i) {
    const std::string label = (i < 10 ? " " : "") + std::to_string(i) + " \"species number " + std::to_string(10 + i);
    CAPTURE(label);
    REQUIRE(matrix[static_cast<std::size_t>(i) + 1].rfind("  " + label, 0) == 0);
    const std::string line = matrix[static_cast<std::size_t>(i) + 1];
    const auto row_counts = counts(line, line.substr(2, line.rfind('"') - 1));
    CHECK(row_counts.size() == 15);
    for (long n : row_counts) total += n;
  }
  CHECK(total == 60);
}

TEST_CASE("cli summary: --epochs auto's choice is a table of the weight decays tried, the chosen one marked") {
  TempDir d;
  REQUIRE(d.mlp("train " + shell_quote(kIris) + " --seed 1 -q --save auto.json").status == 0);
  const json selection = model_file(d, "auto.json")["training"]["selection"];
  const std::string page = page_of(d, "auto.json");
  INFO(page);
  const auto table = section(page, "Chosen by --epochs auto");
  // what the folds mean (iris: 150 rows, 5-fold cross-validation), header, runs, the comparison,
  // what came after (a linear model: its cosine decay on a line of its own)
  REQUIRE(selection["folds"] == 5);
  const bool linear = selection["layers"] == "none";
  REQUIRE(table.size() == 2 + selection["tried"].size() + 3 + (linear ? 1 : 0));
  CHECK(table[0] == "  5-fold cross-validation: val loss is the mean over all rows, each by the run that");
  CHECK(table[1] == "  did not train on it; best epoch the median of the 5 runs', epochs run their sum");
  CHECK(
      std::regex_match(table[2], std::regex(R"( +layers +weight decay +best epoch \(median\) +epochs run +val loss)")));
  int marked = 0;
  for (std::size_t i = 0; i < selection["tried"].size(); ++i) {
    const json& run = selection["tried"][i];
    const std::string line = table[i + 3];
    CAPTURE(line);
    CHECK(std::regex_match(
        line, std::regex("  [ *]  " + run["layers"].get<std::string>() + " +" + format("%g", run["weight_decay"]) +
                         " +" + std::to_string(run["best_epoch"].get<int>()) + " +" +
                         std::to_string(run["epochs_run"].get<int>()) + " +" + format("%.4f", run["val_loss"]) + "")));
    if (line.rfind("  *", 0) == 0) {
      ++marked;
      CHECK(run["weight_decay"] == selection["weight_decay"]);
      CHECK(run["layers"] == selection["layers"]);
    }
  }
  CHECK(marked == 1);
  const json& c = selection["comparison"];
  const std::size_t compared = selection["tried"].size() + 3;
  CHECK(table[compared] ==
        "  network vs linear val loss: " + std::string(c["difference"].get<double>() >= 0 ? "lower" : "higher") +
            " by " + format("%.4f", std::fabs(c["difference"].get<double>())) + ", standard error " +
            format("%.4f", c["standard_error"]) + ", 150 rows: " + c["kept"].get<std::string>() + " kept");
  CHECK(contains(table[compared + 1],
                 std::string(linear ? "2.5" : "1.25") + " x " + std::to_string(selection["best_epoch"].get<int>())));
  if (linear) CHECK(table.back() == "  the learning rate decaying on a cosine");
  CHECK(contains(row(section(page, "Training"), "weight-decay"), format("%g", selection["weight_decay"])));
  // The validation numbers are the choosing run's, and the page says so.
  CHECK(row(section(page, "Metrics"), "validation").rfind("  validation *", 0) == 0);
  CHECK(contains(page, "Confusion matrix, validation set *"));

  // A model file from before the linear model was tried: no layers, no comparison, the old table.
  json old = model_file(d, "auto.json");
  json& sel = old["training"]["selection"];
  sel.erase("layers");
  sel.erase("comparison");
  sel.erase("refit_factor");  // 1.25, not written before 2026-12-02
  sel.erase("folds");         // one validation split, before --folds
  old["training"]["options"]["lr_schedule"] = "constant";
  json tried = json::array();
  for (json run : sel["tried"])
    if (run["layers"] == "64,32") run.erase("layers"), run.erase("fold_best_epochs"), tried.push_back(run);
  sel["tried"] = tried;
  d.write("old.json", old.dump());
  const auto old_table = section(page_of(d, "old.json"), "Chosen by --epochs auto");
  REQUIRE(old_table.size() == tried.size() + 2);  // header, runs, what came after
  CHECK(std::regex_match(old_table[0], std::regex(R"( +weight decay +best epoch +epochs run +val loss)")));
  CHECK(contains(old_table.back(), "for 1.25 x " + std::to_string(sel["best_epoch"].get<int>())));
}

TEST_CASE("cli summary: a model without parts of its training record still summarises") {
  TempDir d;
  REQUIRE(d.mlp("train " + shell_quote(kIris) + " --seed 1 --epochs 3 -q --save m.json").status == 0);
  const json model = model_file(d, "m.json");
  const auto variant = [&](const std::string& name, const std::function<void(json&)>& edit) {
    json m = model;
    edit(m);
    d.write(name, m.dump());
    return page_of(d, name);
  };
  // An older file: fewer options, no confusion matrices.
  const std::string older = variant("older.json", [](json& m) {
    for (const char* key : {"beta1", "beta2", "val", "test", "early_stopping", "lr_schedule", "dropout"})
      m["training"]["options"].erase(key);
    for (auto& [set, metrics] : m["training"]["metrics"].items()) metrics.erase("confusion");
  });
  CHECK(contains(older, "\nArchitecture\n"));
  CHECK(std::regex_search(older, std::regex(R"(\n  optimizer +adam\n)")));
  CHECK(!contains(older, "early-stopping"));
  CHECK(std::regex_search(older, std::regex(R"(\n  validation +30 +\d\.\d{4})")));  // rows from the supports
  CHECK(contains(older, "\nConfusion matrix\n  not recorded in this model file\n"));
  // No training record at all.
  const std::string bare = variant("bare.json", [](json& m) { m.erase("training"); });
  CHECK(contains(bare, "\nTraining\n  not recorded in this model file\n"));
  CHECK(contains(bare, "\nMetrics\n  not recorded"));
  CHECK(contains(bare, "species       target"));
  // docs/model-format.md's example: the metrics of one set, not named.
  const std::string flat = variant("flat.json", [](json& m) {
    m["training"] = {{"seed", 42}, {"epochs_run", 30}, {"metrics", {{"accuracy", 0.95}}}};
  });
  CHECK(std::regex_search(flat, std::regex(R"(\n  recorded +- +0\.9500 )")));
  CHECK(std::regex_search(flat, std::regex(R"(\n  epochs +30\n)")));
  // Fields of another type than mlp writes: left out, never a crash.
  const std::string odd = variant("odd.json", [](json& m) {
    m["training"]["options"] = "adam";
    m["training"]["selection"] = {{"tried", 3}};
    m["training"]["metrics"]["validation"]["confusion"] = {{1, 2}, {3}};
    m["training"]["metrics"]["validation"]["accuracy"] = "high";
  });
  CHECK(contains(odd, "\nConfusion matrix\n  not recorded"));
  // A checkpoint: the state it holds, and no metrics.
  REQUIRE(d.mlp("train " + shell_quote(kIris) + " --seed 1 --epochs 2 -q --checkpoint ck.json").status == 0);
  const std::string ck = page_of(d, "ck.json");
  CHECK(contains(ck, "checkpoint  the state after epoch 2;"));
  CHECK(contains(ck, "\nMetrics\n  not recorded"));
}

TEST_CASE("cli summary: a file that is not a model is refused, with --json too, as the other commands refuse it") {
  TempDir d;
  d.write("not_json.json", "{\"format\": \"mlp-model\",");
  for (const std::string& command : {std::string("summary absent.json"), std::string("summary absent.json --json"),
                                     std::string("summary not_json.json --json")}) {
    const Run r = d.mlp(command);
    check_rejected(command, r,
                   {"mlp: error: ", command.find("absent") != std::string::npos ? "absent.json" : "not_json.json"}, "");
    CHECK(r.out.empty());
  }
}

TEST_CASE("cli summary: the missing-value choice with its fill values, the class weights, log loss and ROC AUC") {
  TempDir d;
  std::string csv = "a,b,y\n";
  for (int i = 0; i < 60; ++i)
    csv += (i == 4 ? std::string("NA") : format("%.2f", (i % 7) - 3.0)) + "," + format("%.2f", (i % 5) - 2.0) + "," +
           (i % 4 == 0 ? "rare" : "common") + "\n";
  d.write("m.csv", csv);
  const Run t = d.mlp("train m.csv --missing median --class-weight balanced --epochs 5 -q --save m.json");
  INFO(t.err);
  REQUIRE(t.status == 0);
  const json m = model_file(d, "m.json");
  const std::string page = page_of(d, "m.json");
  const double fill = m["preprocessing"]["features"][0]["fill"].get<double>();
  CHECK(contains(page, "missing: " + format("%.4g", fill)));
  CHECK(contains(page, "missing values (--missing median): a number takes the training median"));
  const json& w = m["training"]["class_weights"];
  CHECK(contains(page, "class-weight    common " + format("%.3g", w["common"].get<double>()) + ", rare " +
                           format("%.3g", w["rare"].get<double>()) + " (balanced)"));
  const json& v = m["training"]["metrics"]["validation"];
  CHECK(contains(page, "log loss  ROC AUC"));
  CHECK(
      contains(page, format("%.4f", v["log_loss"].get<double>()) + "   " + format("%.4f", v["roc_auc"].get<double>())));
  // Without --missing, the page says what a missing cell would be.
  REQUIRE(d.mlp("train " + shell_quote(kIris) + " --epochs 2 -q --save iris.json").status == 0);
  const std::string iris = page_of(d, "iris.json");
  CHECK(contains(iris, "missing values (--missing error): an error naming the cell"));
  CHECK_FALSE(contains(iris, "ROC AUC"));
  CHECK(contains(iris, "log loss"));
}
