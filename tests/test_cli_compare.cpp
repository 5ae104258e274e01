// `mlp compare`: one row per activation, reproducible from the seeds and independent of --jobs,
// its CSV and SVG files, and a plan run through `xargs -P 2` that --collect turns into the table
// the in-process compare prints. Few epochs on iris: the whole file runs in a few seconds.
#include "cli_util.hpp"
#include "xml_util.hpp"

#include <cstdlib>
#include <regex>
#include <string>
#include <vector>

using namespace cli;

namespace {

const std::string kActivations = "relu,leaky_relu:0.3,tanh";
const std::string kRun = "compare " + shell_quote(kIris) + " --activations " + kActivations + " --seeds 2 --epochs 4";

// The table's rows, from the heading to the blank line after the last, without the time column:
// the only one that may differ between two runs of the same comparison.
std::vector<std::string> table(const std::string& out) {
  std::vector<std::string> rows;
  bool in_table = false;
  const std::regex time_cell(R"(\s+[0-9.]+( ± +[0-9.]+)?\s*$)");
  for (const std::string& line : lines(out)) {
    if (line.rfind("activation ", 0) == 0) in_table = true;
    if (!in_table) continue;
    if (line.empty()) break;
    rows.push_back(line.rfind("activation ", 0) == 0 ? line : std::regex_replace(line, time_cell, ""));
  }
  return rows;
}

// A CSV without its columns named like "seconds*".
std::vector<std::vector<std::string>> without_seconds(const std::string& csv) {
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> keep;
  for (const std::string& line : lines(csv)) {
    const auto fields = split(line);
    if (keep.empty())
      for (const auto& f : fields) keep.push_back(f.rfind("seconds", 0) != 0);
    std::vector<std::string> kept;
    for (std::size_t i = 0; i < fields.size(); ++i)
      if (i < keep.size() && keep[i]) kept.push_back(fields[i]);
    rows.push_back(kept);
  }
  return rows;
}

// Runs a shell command in dir; returns its exit status.
int shell(const std::string& command, const TempDir& dir) {
  return std::system(("cd " + shell_quote(dir.path.string()) + " && " + command).c_str());
}

}  // namespace

TEST_CASE("cli compare: one row per activation with mean and sd over the seeds") {
  TempDir d;
  const Run r = d.mlp(kRun + " --jobs 2");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto rows = table(r.out);
  REQUIRE(rows.size() == 4);
  CHECK(contains(rows[0], "val accuracy"));
  CHECK(contains(rows[0], "epochs to 95%"));
  CHECK(contains(rows[0], "dead units"));
  CHECK(contains(rows[0], "layer 1 grad"));
  const std::vector<std::string> names = {"relu ", "leaky_relu:0.3 ", "tanh "};
  for (std::size_t i = 0; i < names.size(); ++i) {
    CHECK(rows[i + 1].rfind(names[i], 0) == 0);
    CHECK(xml::count(rows[i + 1], "±") == 6);  // every column but the time, cut off here
  }
  CHECK(contains(r.out, "2 seeds (42..43)"));
  CHECK(r.err.empty());  // no progress when stderr is not a terminal

  // One seed: no spread to show.
  const Run one = d.mlp("compare " + shell_quote(kIris) + " --activations relu,elu --seeds 1 --epochs 2");
  REQUIRE(one.status == 0);
  CHECK(table(one.out).size() == 3);
  CHECK(!contains(one.out, "±"));
}

TEST_CASE("cli compare: the same seeds give the same table and --jobs 1 equals --jobs 2") {
  TempDir d;
  const Run a = d.mlp(kRun + " --jobs 1 -o a.csv --runs a_runs.csv");
  const Run b = d.mlp(kRun + " --jobs 2 -o b.csv --runs b_runs.csv");
  const Run c = d.mlp(kRun + " --jobs 2 --seed 7");
  INFO(a.err, b.err, c.err);
  REQUIRE(a.status == 0);
  REQUIRE(b.status == 0);
  REQUIRE(c.status == 0);
  CHECK(table(a.out) == table(b.out));
  CHECK(without_seconds(d.read("a.csv")) == without_seconds(d.read("b.csv")));
  CHECK(without_seconds(d.read("a_runs.csv")) == without_seconds(d.read("b_runs.csv")));
  CHECK(table(a.out) != table(c.out));  // other seeds, other numbers
}

TEST_CASE("cli compare: -o writes one row per activation with mean and sd columns and --runs one per run") {
  TempDir d;
  const Run r = d.mlp(kRun + " -o table.csv --runs runs.csv");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto rows = lines(d.read("table.csv"));
  REQUIRE(rows.size() == 4);
  const auto header = split(rows[0]);
  const std::vector<std::string> expected = {"activation", "runs"};
  CHECK(std::vector<std::string>(header.begin(), header.begin() + 2) == expected);
  for (const std::string& measure :
       {"train_loss", "val_loss", "val_acc", "epochs_to_95", "dead_share", "grad_norm_layer1_epoch1", "seconds"}) {
    CAPTURE(measure);
    CHECK(std::find(header.begin(), header.end(), measure + std::string("_mean")) != header.end());
    CHECK(std::find(header.begin(), header.end(), measure + std::string("_sd")) != header.end());
  }
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto fields = split(rows[i]);
    CHECK(fields.size() == header.size());
    CHECK(fields[1] == "2");
    const double accuracy = std::stod(fields[std::find(header.begin(), header.end(), "val_acc_mean") - header.begin()]);
    CHECK(accuracy > 0);
    CHECK(accuracy <= 1);
  }
  CHECK(split(rows[2])[0] == "leaky_relu:0.3");

  const auto runs = lines(d.read("runs.csv"));
  REQUIRE(runs.size() == 1 + 3 * 2);
  CHECK(contains(runs[0], "activation,seed,epochs_run,best_epoch,train_loss"));
  CHECK(split(runs[1])[0] == "relu");
  CHECK(split(runs[1])[1] == "42");
  CHECK(split(runs[2])[1] == "43");
  CHECK(d.files_starting("table.csv").size() == 1);  // written atomically: no temporary left
}

TEST_CASE("cli compare: --svg draws one curve per activation with a band for the seeds") {
  TempDir d;
  const Run r = d.mlp(kRun + " --svg chart.svg");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const std::string svg = d.read("chart.svg");
  INFO(svg);
  CHECK(xml::problem(svg) == "");
  CHECK(xml::count(svg, "class=\"line\"") == 3);
  CHECK(xml::count(svg, "<polygon class=\"band\"") == 3);
  CHECK(contains(svg, "iris.csv"));
  CHECK(contains(svg, ">leaky_relu:0.3<"));
  CHECK(contains(svg, ">validation accuracy<"));
}

TEST_CASE("cli compare: a plan run through xargs -P 2 and collected gives the in-process table") {
  TempDir d;
  const std::string options = " --layers 16,8 --batch-size 16 --lr 0.01 --scale minmax";
  const Run in_process = d.mlp(kRun + options + " -o direct.csv --svg direct.svg");
  const Run plan = d.mlp(kRun + options + " --plan runs.txt");
  INFO(in_process.err, plan.err);
  REQUIRE(in_process.status == 0);
  REQUIRE(plan.status == 0);

  // One self-contained `mlp train` command per (activation, seed), nothing trained yet.
  const auto commands = lines(d.read("runs.txt"));
  REQUIRE(commands.size() == 6);
  for (const std::string& c : commands) {
    CAPTURE(c);
    CHECK(c.rfind(fs::canonical(MLP_BINARY).string() + " train ", 0) == 0);  // this mlp, by its absolute path
    CHECK(contains(c, " train " + kIris + " "));
    for (const std::string& o : {"--layers=16,8", "--batch-size=16", "--lr=0.01", "--scale=minmax", "--epochs=4",
                                 "--json", "--history=", "--diagnostics="})
      CHECK(contains(c, o));
  }
  CHECK(contains(commands[0], "--activation=relu "));
  CHECK(contains(commands[0], "--seed=42 "));
  CHECK(contains(commands[3], "--activation=leaky_relu:0.3 "));
  CHECK(contains(commands[3], "--seed=43 "));
  CHECK(!d.exists("runs/relu_seed42.json"));

  REQUIRE(shell("xargs -P 2 -I{} sh -c {} < runs.txt", d) == 0);
  const Run collected = d.mlp("compare --collect runs -o collected.csv --svg collected.svg");
  INFO(collected.err);
  REQUIRE(collected.status == 0);
  CHECK(table(collected.out).size() == 4);
  CHECK(table(collected.out) == table(in_process.out));
  CHECK(without_seconds(d.read("collected.csv")) == without_seconds(d.read("direct.csv")));
  CHECK(d.read("collected.svg") == d.read("direct.svg"));
}

TEST_CASE("cli compare: a planned run keeps every option the user gave") {
  TempDir d;
  const std::string options =
      " --layers 12,6 --epochs 2 --optimizer sgd --momentum 0.9 --nesterov --lr 0.05 --batch-size 16"
      " --weight-decay 0.0001 --clip-norm 5 --dropout 0.1 --val-split 0.3 --test-split 0.1 --early-stopping 3"
      " --scale minmax --init xavier_uniform --loss cross_entropy --lr-schedule cosine --header --target species";
  const Run plan = d.mlp("compare " + shell_quote(kIris) + options + " --activations relu,tanh --seeds 1 --plan p.txt");
  INFO(plan.err);
  REQUIRE(plan.status == 0);
  std::string command = lines(d.read("p.txt"))[1];
  command = command.substr(0, command.find(" > "));  // keep the output in the files of this test
  REQUIRE(shell(command + " --write-config planned.toml > /dev/null", d) == 0);
  const Run direct = d.mlp("train " + shell_quote(kIris) + options +
                           " --activation tanh --seed 42 --quiet --write-config direct.toml");
  INFO(direct.err);
  REQUIRE(direct.status == 0);
  // The same options, but for the files and output the plan adds and the data's absolute path.
  auto settings = [](const std::string& toml) {
    std::vector<std::string> kept;
    for (const std::string& line : lines(toml))
      if (!std::regex_search(line, std::regex("^(data|history|diagnostics|quiet|json)="))) kept.push_back(line);
    return kept;
  };
  CHECK(settings(d.read("planned.toml")) == settings(d.read("direct.toml")));
  CHECK(settings(d.read("direct.toml")).size() >= 20);
}

TEST_CASE("cli compare: --collect names the runs that have not finished and writes nothing") {
  TempDir d;
  REQUIRE(d.mlp(kRun + " --plan runs.txt").status == 0);
  REQUIRE(shell("xargs -P 2 -I{} sh -c {} < runs.txt", d) == 0);
  d.write("runs/tanh_seed43.json", "");  // as the shell leaves it while the run is going
  const Run r = d.mlp("compare --collect runs -o t.csv --svg t.svg");
  check_rejected("compare --collect runs", r, {"tanh seed 43", "line 6", "1 of 6 runs"}, "");
  CHECK(d.files_starting("t.").empty());
  CHECK(r.out.empty());

  const Run again = d.mlp(kRun + " --plan runs.txt");
  check_rejected("compare --plan runs.txt (its directory is full)", again, {"runs", "not empty"}, "");
  const Run mixed = d.mlp("compare --collect runs --epochs 3");
  check_rejected("compare --collect runs --epochs 3", mixed, {"--epochs"}, "");
}

TEST_CASE("cli compare: bad input is rejected before any training and leaves no file") {
  TempDir d;
  const std::string outputs = " -o out.csv --svg out.svg --runs out_runs.csv";
  struct Case {
    std::string args;
    std::vector<std::string> words;
  };
  const std::string data = "compare " + shell_quote(kIris) + " --seeds 2 --epochs 4";
  const std::vector<Case> cases = {
      {data + " --activations relu,swishy", {"swishy", "valid activations"}},
      {data + " --activations relu,leaky_relu,leaky_relu:0.01", {"leaky_relu:0.01", "same activation"}},
      {data + " --activations relu,softmax", {"softmax", "output layer"}},
      {data + " --activations relu,", {"--activations"}},
      {kRun + " --seeds 0", {"--seeds"}},
      {"compare missing.csv --epochs 2", {"missing.csv"}},
      {kRun + " --activation relu", {"--activations"}},
      {kRun + " --layers 8:tanh", {"--layers", "--activations"}},
      {kRun + " --layers none", {"--layers", "hidden layer"}},
      {kRun + " --val-split 0", {"validation"}},
      {kRun + " --lr -1", {"--lr"}},
      {"compare --epochs 2", {"data file"}},
      {"compare --collect nowhere", {"nowhere", "compare.json"}},
  };
  for (const Case& c : cases) {
    const Run r = d.mlp(c.args + outputs);
    check_rejected(c.args, r, c.words, "");
    CHECK(r.out.empty());
    const Run plan = d.mlp(c.args + " --plan plan.txt");
    CHECK(plan.status != 0);
  }
  const Run plan_and_table = d.mlp(kRun + " --plan plan.txt -o out.csv");
  check_rejected("compare --plan plan.txt -o out.csv", plan_and_table, {"--collect"}, "");
  for (const std::string& file : {"out.", "plan"}) CHECK(d.files_starting(file).empty());
}
