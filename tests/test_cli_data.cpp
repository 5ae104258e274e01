// Data as users have it, through the mlp command: missing values (--missing), a text cell in a
// numeric column, how the task is decided, files to predict with extra columns or no header,
// --keep, --threshold, categories not seen in training, and names with spaces or commas.
#include <doctest/doctest.h>

#include "cli_util.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

using namespace cli;

namespace {

// A small two-class data set: a, b numeric, city categorical (names with a space and a comma),
// y = yes when a + b > 0. Cells are replaced where `edit` says (row, column) -> text.
std::string two_class_csv(int rows, const std::map<std::pair<int, int>, std::string>& edit = {}) {
  const char* cities[] = {"New York", "\"Paris, FR\"", "Rome"};
  std::string s = "a,b,city,y\n";
  for (int i = 0; i < rows; ++i) {
    const double a = std::sin(1.7 * i + 0.3) * 2, b = std::cos(2.3 * i) * 2;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", a);
    std::string A = buf;
    std::snprintf(buf, sizeof buf, "%.3f", b);
    std::string B = buf;
    std::string C = cities[i % 3], Y = a + b > 0 ? "yes" : "no";
    std::string* cell[] = {&A, &B, &C, &Y};
    for (int c = 0; c < 4; ++c)
      if (auto it = edit.find({i, c}); it != edit.end()) *cell[c] = it->second;
    s += A + "," + B + "," + C + "," + Y + "\n";
  }
  return s;
}

Run ok(const TempDir& d, const std::string& args) {
  const Run r = d.mlp(args);
  INFO("mlp ", args, "\nstderr: ", r.err);
  REQUIRE(r.status == 0);
  return r;
}

void rejected(const TempDir& d, const std::string& args, const std::vector<std::string>& words,
              const std::string& where = "") {
  check_rejected(args, d.mlp(args), words, where);
}

// The CSV cells of each output line.
std::vector<std::vector<std::string>> rows_of(const std::string& out) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& l : lines(out))
    if (!l.empty()) rows.push_back(split(l));
  return rows;
}

}  // namespace

TEST_CASE("data: a missing cell is refused by default, naming the cell and the --missing choices") {
  TempDir d;
  for (const std::string marker : {"NA", "NaN", "null", "", "?"}) {
    CAPTURE(marker);
    d.write("m.csv", two_class_csv(40, {{{5, 1}, marker}}));
    // Row 5 is on line 7; column b starts after "a," and a's text.
    const std::string line = lines(d.read("m.csv"))[6];
    const std::string col = std::to_string(line.find(',') + 2);
    rejected(d, "train m.csv --categorical city --save x.json",
             {"column 'b' is missing a value", marker.empty() ? "an empty cell" : "'" + marker + "'", "--missing drop",
              "--missing mean", "--missing median"},
             "m.csv:7:" + col + ": ");
    CHECK_FALSE(d.exists("x.json"));
  }
  // A missing target is refused even where features are filled in: a label is never invented.
  d.write("t.csv", two_class_csv(40, {{{3, 3}, "NA"}}));
  for (const std::string how : {"error", "mean", "median"}) {
    CAPTURE(how);
    rejected(d, "train t.csv --categorical city --missing " + how, {"target 'y' is missing a value", "--missing drop"},
             "t.csv:5:");
  }
  rejected(d, "train t.csv --categorical city --missing sometimes", {"--missing", "sometimes"});
}

TEST_CASE("data: --missing drop leaves out the rows, says how many, and predict writes an empty prediction for them") {
  TempDir d;
  d.write("m.csv", two_class_csv(60, {{{2, 0}, "NA"}, {{7, 1}, ""}, {{9, 2}, "NA"}, {{11, 3}, "null"}}));
  const Run r = ok(d, "train m.csv --categorical city --missing drop --epochs 100 --val-split 0 --save m.json");
  CHECK(contains(r.out, "--missing drop: left out 4 of 60 rows with a missing value"));
  CHECK(contains(r.out, "split: 56 train"));
  const json model = json::parse(d.read("m.json"));
  CHECK(model["preprocessing"]["missing"] == "drop");
  CHECK(model["training"]["options"]["missing"] == "drop");
  d.write("p.csv", "a,b,city\n1,1,Rome\nNA,1,Rome\n-1,-1,Rome\n");
  const Run p = ok(d, "predict m.json p.csv");
  const auto out = rows_of(p.out);
  REQUIRE(lines(p.out).size() == 4);  // the header and one line per row, the dropped one too
  CHECK(lines(p.out)[2] == "\"\"");   // an empty field, not a blank line a reader would skip
  CHECK(out[1][0] == "yes");
  CHECK(out[3][0] == "no");
  CHECK(contains(p.err, "1 row with a missing value gets an empty prediction"));
  CHECK(contains(p.err, "line 3"));
  // evaluate leaves such rows out, and says so.
  d.write("e.csv", "a,b,city,y\n1,1,Rome,yes\nNA,1,Rome,yes\n-1,-1,Rome,no\n");
  const Run e = ok(d, "evaluate m.json e.csv --json");
  CHECK(parse_json(e)["rows"] == 2);
  CHECK(contains(e.err, "left out 1 row with a missing value (line 3)"));
  // The pictures of two features leave such rows out rather than fail after training.
  std::string two = "u,v,y\n";
  for (int i = 0; i < 60; ++i)
    two += (i % 13 == 4 ? std::string("NA") : std::to_string((i % 9) - 4)) + "," + std::to_string((i % 7) - 3) + "," +
           std::to_string(((i % 9) - 4) * ((i % 7) - 3) > 0) + "\n";
  d.write("two.csv", two);
  for (const std::string how : {"drop", "mean"}) {
    CAPTURE(how);
    ok(d, "train two.csv --missing " + how + " --epochs 5 --report r.html --save t.json");
    CHECK(contains(d.read("r.html"), "<svg"));
    if (how == "drop")  // the report's row count says which rows were left out
      CHECK(contains(d.read("r.html"), "60 rows (5 with a missing value left out by --missing drop)"));
    ok(d, "plot boundary t.json two.csv -o b.svg");
    CHECK_FALSE(contains(d.read("b.svg"), "nan"));
  }
}

TEST_CASE("data: --missing mean and median fill in the training rows' value, which the model keeps for predict") {
  TempDir d;
  // Column a has four missing cells; with --val-split 0 every row is a training row.
  std::map<std::pair<int, int>, std::string> edit = {
      {{1, 0}, "NA"}, {{4, 0}, ""}, {{8, 0}, "NaN"}, {{13, 0}, "?"}, {{5, 2}, "NA"}};
  d.write("m.csv", two_class_csv(50, edit));
  std::vector<double> a;  // the values present
  for (const auto& row : rows_of(d.read("m.csv")))
    if (row[0] != "a" && row[0] != "NA" && row[0] != "" && row[0] != "NaN" && row[0] != "?")
      a.push_back(std::stod(row[0]));
  REQUIRE(a.size() == 46);
  double mean = 0;
  for (double v : a) mean += v;
  mean /= static_cast<double>(a.size());
  std::sort(a.begin(), a.end());
  const double median = (a[22] + a[23]) / 2;
  for (const auto& [how, expected] : {std::pair<std::string, double>{"mean", mean}, {"median", median}}) {
    CAPTURE(how);
    ok(d, "train m.csv --categorical city --missing " + how + " --epochs 5 --val-split 0 --save " + how + ".json");
    const json model = json::parse(d.read(how + ".json"));
    CHECK(model["preprocessing"]["missing"] == how);
    const json& fa = model["preprocessing"]["features"][0];
    CHECK(fa["name"] == "a");
    // The cells are read as float: the mean of 46 three-decimal numbers is within 1e-6 of it.
    CHECK(fa["fill"].get<double>() == doctest::Approx(expected).epsilon(1e-6));
    CHECK(fa["shift"].is_number());
    // A missing a predicts exactly as a written at the fill value; a missing city as no city.
    char fill[64];
    std::snprintf(fill, sizeof fill, "%.9g", fa["fill"].get<double>());
    d.write("p.csv", std::string("a,b,city\nNA,0.5,Rome\n") + fill + ",0.5,Rome\n,-2,NA\n");
    const Run p = ok(d, "predict " + how + ".json p.csv --proba");
    const auto out = rows_of(p.out);
    REQUIRE(out.size() == 4);
    CHECK(out[1] == out[2]);
    CHECK(out[3][0] != "");
  }
  // A model trained without a way to fill in says so at predict time.
  ok(d, "train m.csv --categorical city --missing drop --epochs 5 --save drop.json");
  d.write("full.csv", two_class_csv(30));
  ok(d, "train full.csv --categorical city --epochs 5 --save plain.json");
  d.write("q.csv", "a,b,city\nNA,0.5,Rome\n");
  rejected(d, "predict plain.json q.csv", {"column 'a' is missing a value", "--missing error", "--missing mean"},
           "q.csv:2:1: ");
}

TEST_CASE("data: a text cell in a numeric column names the cell and says to fix it first, --categorical second") {
  TempDir d;
  d.write("abc.csv", two_class_csv(30, {{{4, 1}, "abc"}}));
  const Run r = d.mlp("train abc.csv --categorical city");
  check_rejected("train abc.csv", r, {"column 'b' holds numbers, but this cell is text ('abc')", "fix the cell"},
                 "abc.csv:6:");
  REQUIRE(contains(r.err, "--categorical 'b'"));
  CHECK(r.err.find("fix the cell") < r.err.find("--categorical 'b'"));
  // A decimal comma, quoted in a comma-separated file, or a whole column of them with ';'.
  d.write("comma.csv", two_class_csv(30, {{{4, 1}, "\"5,1\""}}));
  rejected(d, "train comma.csv --categorical city", {"'5,1' has a decimal comma", "5.1"}, "comma.csv:6:");
  d.write("semi.csv", "a;b;y\n1,5;2;x\n2,25;1;z\n0,5;3;x\n");
  rejected(d, "train semi.csv --delimiter ';'", {"column 'a' writes its numbers with a decimal comma", "'1,5'"},
           "semi.csv:2:1: ");
  // A column of words is categories: --categorical comes first.
  d.write("words.csv", "a,colour,y\n1,red,x\n2,blue,z\n3,red,x\n");
  rejected(d, "train words.csv", {"column 'colour' is not numeric ('red')", "--categorical 'colour'"},
           "words.csv:2:3: ");
  // The same at predict time, for a model trained on numbers there.
  d.write("ok.csv", two_class_csv(30));
  ok(d, "train ok.csv --categorical city --epochs 3 --save m.json");
  d.write("p.csv", "a,b,city\n1,2,Rome\n1,x2,Rome\n");
  rejected(d, "predict m.json p.csv", {"column 'b' holds numbers, but this cell is text ('x2')", "fix the cell"},
           "p.csv:3:3: ");
}

TEST_CASE("data: the task is decided by what the target holds, printed with how to choose otherwise") {
  TempDir d;
  // Counts 0-14: numbers, not classes. Three labels 1-3: classes. Text: classes. Fractions: numbers.
  std::string counts = "x,count\n", labels = "x,label\n", fractions = "x,y\n";
  for (int i = 0; i < 60; ++i) {
    counts += std::to_string(i) + "," + std::to_string(i % 15) + "\n";
    labels += std::to_string(i) + "," + std::to_string(1 + i % 3) + "\n";
    fractions += std::to_string(i) + "," + std::to_string(i % 4) + ".5\n";
  }
  d.write("counts.csv", counts);
  d.write("labels.csv", labels);
  d.write("fractions.csv", fractions);
  const Run c = ok(d, "train counts.csv --epochs 2");
  CHECK(contains(c.out, "regression"));
  CHECK(contains(c.out, "task: regression: target 'count' holds 15 distinct whole numbers"));
  CHECK(contains(c.out, "--task classification"));
  const Run l = ok(d, "train labels.csv --epochs 2");
  CHECK(contains(l.out, "classification with 3 classes"));
  CHECK(contains(l.out, "task: classification: target 'label' holds 3 distinct whole numbers"));
  CHECK(contains(l.out, "--task regression"));
  const Run f = ok(d, "train fractions.csv --epochs 2");
  CHECK(contains(f.out, "task: regression: target 'y' holds numbers that are not all whole"));
  const Run iris = ok(d, "train " + shell_quote(kIris) + " --epochs 2");
  CHECK(contains(iris.out, "task: classification: target 'species' holds text"));
  // Given, it is obeyed, and no reason is printed.
  const Run forced = ok(d, "train counts.csv --epochs 2 --task classification");
  CHECK(contains(forced.out, "classification with 15 classes"));
  CHECK_FALSE(contains(forced.out, "task: "));
  // --json keeps stdout for the JSON; the decision is still shown, on stderr.
  const Run j = ok(d, "train counts.csv --epochs 2 --json");
  CHECK(parse_json(j)["task"] == "regression");
  CHECK(contains(j.err, "task: regression"));
}

TEST_CASE("data: predict ignores extra columns, names them once, and --keep copies columns next to the prediction") {
  TempDir d;
  d.write("train.csv", two_class_csv(40));
  ok(d, "train train.csv --categorical city --epochs 100 --save m.json");
  d.write("p.csv", "id,a,note,b,city\n007,1,\"x, y\",1,Rome\n008,-1,z,-1,New York\n");
  const Run p = ok(d, "predict m.json p.csv");
  CHECK(rows_of(p.out)[0] == std::vector<std::string>{"prediction"});
  CHECK(lines(p.out).size() == 3);
  CHECK(contains(p.err, "ignoring columns 'id', 'note'"));
  CHECK(std::count(p.err.begin(), p.err.end(), '\n') == 1);  // once, not once per row
  const Run k = ok(d, "predict m.json p.csv --keep id,note");
  const auto out = lines(k.out);
  REQUIRE(out.size() == 3);
  CHECK(out[0] == "id,note,prediction");
  CHECK(out[1] == "007,\"x, y\",yes");  // as written (not 7), quoted where it must be
  CHECK(out[2] == "008,z,no");
  CHECK(k.err.empty());
  // --keep given twice is the same as a list; the file's order is the user's order.
  CHECK(ok(d, "predict m.json p.csv --keep note --keep id").out == "note,id,prediction\n\"x, y\",007,yes\nz,008,no\n");
  rejected(d, "predict m.json p.csv --keep idd", {"--keep idd", "no column 'idd'", "did you mean 'id'"});
  // The data file after --keep is still the data file: --keep takes one comma list.
  CHECK(ok(d, "predict m.json --keep id p.csv").out == "id,prediction\n007,yes\n008,no\n");
  // evaluate ignores them too.
  d.write("e.csv", "id,a,b,city,y\n1,1,1,Rome,yes\n");
  const Run e = ok(d, "evaluate m.json e.csv --json");
  CHECK(contains(e.err, "ignoring column 'id'"));
}

// two_class_csv's rows with an id, a name (a different one in each row) and a note (a few words,
// some cells missing) in front: columns a user leaves out with --ignore.
std::string with_id_columns(int rows) {
  const auto base = lines(two_class_csv(rows));
  const char* notes[] = {"checked", "NA", "late", "checked", ""};
  std::string s = "id,name,note," + base[0] + "\n";
  for (int i = 1; i <= rows; ++i)
    s += std::to_string(1000 + 7 * i) + ",person " + std::to_string(i) + "," + notes[i % 5] + "," +
         base[static_cast<std::size_t>(i)] + "\n";
  return s;
}

TEST_CASE("data: --ignore leaves columns out as if the file had none: predict and summary say so") {
  TempDir d;
  d.write("full.csv", with_id_columns(40));
  d.write("plain.csv", two_class_csv(40));
  // Without --ignore, the text columns are named in one error, each with what to do with it (with
  // --missing mean: by default the note's gaps are the first error).
  rejected(d, "train full.csv --categorical city", {"column 'note' is missing a value"}, "full.csv:2:15: ");
  rejected(d, "train full.csv --categorical city --missing mean",
           {"column 'name' is not numeric ('person 1'), nor is 1 more column ('note')", "--categorical 'note'",
            "name each row", "--ignore 'name'"},
           "full.csv:2:6: ");
  const std::string common = " --categorical city --epochs 30 --val-split 0 --seed 3";
  ok(d, "train plain.csv" + common + " -q --save plain.json");
  // The note's missing cells do not matter: it is not read (--missing error is the default).
  ok(d, "train full.csv" + common + " --ignore id,name --ignore note -q --save full.json");
  const json model = json::parse(d.read("full.json"));
  std::vector<std::string> features;
  for (const auto& f : model["preprocessing"]["features"]) features.push_back(f["name"].get<std::string>());
  CHECK(features == std::vector<std::string>{"a", "b", "city"});
  CHECK(model["training"]["options"]["ignore"] == json::array({"id", "name", "note"}));
  // The same rows, the same features, the same seed: the same model, prediction for prediction.
  const std::string expected = ok(d, "predict plain.json plain.csv").out;
  const Run p = ok(d, "predict full.json full.csv");
  CHECK(p.out == expected);
  CHECK(contains(p.err, "ignoring columns 'id', 'name', 'note'"));
  // With --missing drop, an ignored column's gaps leave no row out either.
  ok(d, "train plain.csv" + common + " --missing drop -q --save plain_drop.json");
  const Run dropped = ok(d, "train full.csv" + common + " --missing drop --ignore id,name,note --save full_drop.json");
  CHECK(contains(dropped.out, "left out (--ignore): id, name, note"));
  CHECK_FALSE(contains(dropped.out, "--missing drop: left out"));
  CHECK(ok(d, "predict full_drop.json full.csv").out == ok(d, "predict plain_drop.json plain.csv").out);
  CHECK(contains(ok(d, "summary full.json").out, "left out (--ignore): id, name, note"));
  CHECK_FALSE(contains(ok(d, "summary plain.json").out, "left out"));
  // A column named by index is ignored as by name.
  ok(d, "train full.csv" + common + " --ignore 0,1,2 -q --save by_index.json");
  CHECK(ok(d, "predict by_index.json full.csv").out == expected);
  // What cannot be ignored.
  rejected(d, "train full.csv --categorical city --ignore nope", {"ignored column 'nope' is not a column", "'note'"});
  rejected(d, "train full.csv --categorical city --ignore id,name,note,y", {"'y' is a target", "--ignore"});
  rejected(d, "train full.csv --categorical city --ignore id,name,note,city",
           {"'city' is both --categorical and --ignore'd"});
  rejected(d, "train full.csv --ignore id,name,note,a,b,city", {"every feature column is --ignore'd"});
  // A column without a single value cannot be filled in: the error says to leave it out.
  d.write("empty.csv", "a,e,y\n1,,x\n2,,y\n3,NA,x\n4,,y\n5,,x\n6,,y\n");
  rejected(d, "train empty.csv --missing mean", {"column 'e' has no value in any training row", "--ignore 'e'"});
  ok(d, "train empty.csv --missing mean --ignore e --epochs 2 -q");
  // One column that names each row: --ignore first, --categorical second.
  rejected(d, "train full.csv --categorical city --ignore note",
           {"column 'name' is not numeric ('person 1'); it has a different value in most rows",
            "leave it out with --ignore 'name'"},
           "full.csv:2:6: ");
}

TEST_CASE("data: a file without a header is matched by position: the features, or the training file's columns") {
  TempDir d;
  d.write("train.csv", two_class_csv(40));
  ok(d, "train train.csv --categorical city --epochs 100 --save m.json");
  d.write("with_header.csv", "a,b,city\n1,1,Rome\n-1,-1,\"Paris, FR\"\n");
  const std::string expected = ok(d, "predict m.json with_header.csv").out;
  d.write("features.csv", "1,1,Rome\n-1,-1,\"Paris, FR\"\n");
  CHECK(ok(d, "predict m.json features.csv").out == expected);
  d.write("all.csv", "1,1,Rome,yes\n-1,-1,\"Paris, FR\",no\n");
  CHECK(ok(d, "predict m.json all.csv").out == expected);
  CHECK(parse_json(ok(d, "evaluate m.json all.csv --json"))["accuracy"] == 1.0);
  d.write("short.csv", "1,1\n-1,-1\n");
  rejected(d, "predict m.json short.csv",
           {"no header", "2 columns", "3 features ('a', 'b', 'city')", "4 columns ('a', 'b', 'city', 'y')"},
           "short.csv: ");
  // The target need not be last: the training file's order is kept in the model.
  d.write("first.csv", "y,a,b\nyes,1,1\nno,-1,-1\nyes,2,0\nno,0,-2\n");
  ok(d, "train first.csv --target y --epochs 3 --save f.json");
  d.write("first_nh.csv", "yes,1,1\nno,-1,-1\n");
  CHECK(parse_json(ok(d, "evaluate f.json first_nh.csv --json"))["rows"] == 2);
}

TEST_CASE("data: predict --threshold sets the decision threshold of a two-class model") {
  TempDir d;
  d.write("train.csv", two_class_csv(60));
  ok(d, "train train.csv --categorical city --epochs 20 --save m.json");
  d.write("p.csv", "a,b,city\n0.1,0,Rome\n0.3,0,Rome\n1,0.5,Rome\n-0.2,0,Rome\n2,2,Rome\n");
  const auto plain = rows_of(ok(d, "predict m.json p.csv --proba").out);
  REQUIRE(plain[0] == std::vector<std::string>{"prediction", "no", "yes"});
  for (const double t : {0.05, 0.5, 0.9, 0.99}) {
    CAPTURE(t);
    char arg[32];
    std::snprintf(arg, sizeof arg, "%g", t);
    const auto out = rows_of(ok(d, "predict m.json p.csv --proba --threshold " + std::string(arg)).out);
    REQUIRE(out.size() == plain.size());
    for (std::size_t i = 1; i < out.size(); ++i) {
      CHECK(out[i][1] == plain[i][1]);  // the probabilities do not move
      CHECK(out[i][0] == (std::stod(out[i][2]) >= t ? "yes" : "no"));
    }
  }
  // 0.5 is the default decision.
  CHECK(ok(d, "predict m.json p.csv --threshold 0.5").out == ok(d, "predict m.json p.csv").out);
  rejected(d, "predict m.json p.csv --threshold 1.5", {"--threshold", "between 0 and 1"});
  rejected(d, "predict m.json p.csv --threshold 0", {"--threshold", "between 0 and 1"});
  ok(d, "train " + shell_quote(kIris) + " --epochs 2 --save iris.json");
  rejected(d, "predict iris.json " + shell_quote(kIris) + " --threshold 0.7", {"--threshold", "3 classes", "two"});
  ok(d, "train " + shell_quote(kDiabetes) + " --epochs 2 --save reg.json");
  rejected(d, "predict reg.json " + shell_quote(kDiabetes) + " --threshold 0.7", {"--threshold", "regression"});
}

TEST_CASE("data: predict and evaluate say which rows hold categories not seen in training") {
  TempDir d;
  d.write("train.csv", two_class_csv(30));
  ok(d, "train train.csv --categorical city --epochs 3 --save m.json");
  d.write("p.csv", "a,b,city,y\n1,1,Rome,yes\n1,1,Lyon,yes\n-1,-1,\"Oslo, NO\",no\n2,2,Lyon,yes\n");
  for (const std::string command : {"predict", "evaluate"}) {
    CAPTURE(command);
    const Run r = ok(d, command + " m.json p.csv");
    CHECK(contains(r.err, "column 'city' has 3 rows with a category not seen in training ('Lyon', 'Oslo, NO')"));
    CHECK(contains(r.err, "all zero"));
  }
  d.write("seen.csv", "a,b,city,y\n1,1,Rome,yes\n");
  CHECK(ok(d, "predict m.json seen.csv").err.empty());
  // In training, held-out rows with a category the training rows lack are said too.
  const Run t = ok(d, "train train.csv --categorical city --epochs 3 --val p.csv");
  CHECK(contains(t.err,
                 "validation rows: column 'city' has 3 rows with a category the training rows do not have "
                 "('Lyon', 'Oslo, NO')"));
  CHECK(ok(d, "train train.csv --categorical city --epochs 3 --val seen.csv").err.empty());
}

TEST_CASE("data: class and category names with spaces or commas print quoted in tables") {
  TempDir d;
  std::string s = "x,kind\n";
  for (int i = 0; i < 40; ++i)
    s += std::to_string(i % 2 ? i : -i) + "," + (i % 2 ? "\"big, round\"" : "New York") + "\n";
  d.write("k.csv", s);
  const Run r = ok(d, "train k.csv --epochs 3 --val-split 0.5");
  // The per-class table and the confusion matrix: one name per cell, in quotes.
  CHECK(contains(r.out, "\n\"big, round\" "));
  CHECK(contains(r.out, "\n\"New York\" "));
  CHECK_FALSE(contains(r.out, "\nbig, round"));
}
