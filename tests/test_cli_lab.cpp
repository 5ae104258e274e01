// `mlp gradcheck` and `mlp born-dead`, the two commands computed in double: the checker passes every
// activation and loss of the tables and fails a derivative off by 1%; the born-dead table is
// reproducible from its seed on any number of threads and shows the trends of Lu et al. (2020).
#include "cli_util.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

using namespace cli;

namespace {

// The names of a table as an error message lists them: "...; valid losses: mse, huber[:delta], bce"
// gives {mse, huber, bce}. The message comes from the table itself, so new entries are tested too.
std::vector<std::string> table_names(const std::string& err, const std::string& marker) {
  const std::size_t at = err.find(marker);
  REQUIRE(at != std::string::npos);
  std::string list = err.substr(at + marker.size());
  list = list.substr(0, list.find('\n'));
  std::vector<std::string> names;
  for (std::string item : split(list)) {
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    names.push_back(item.substr(0, item.find('[')));
  }
  return names;
}

// gradcheck's table: parameter name → its result ("ok", "FAIL", ...), the rows between the header
// line and the next blank line.
std::map<std::string, std::string> results(const std::string& out) {
  std::map<std::string, std::string> rows;
  bool in_table = false;
  for (const auto& l : lines(out)) {
    if (l.rfind("parameter ", 0) == 0) {
      in_table = true;
    } else if (in_table && l.empty()) {
      break;
    } else if (in_table) {
      const bool failed = contains(l, " FAIL");
      const std::string name = l.substr(0, l.find("  "));  // names have single spaces: "relu f'(z)"
      rows[name] = failed ? "FAIL" : l.substr(l.rfind(' ') + 1);
    }
  }
  return rows;
}

// Checks a passing run: status 0, every row ok, the parameters of every layer listed.
void check_passes(const std::string& command, const Run& r, const std::vector<std::string>& parameters) {
  INFO(describe(command, r));
  INFO("stdout: ", r.out);
  CHECK(r.status == 0);
  const auto rows = results(r.out);
  CHECK(rows.size() >= parameters.size());
  for (const auto& [name, result] : rows) CHECK_MESSAGE(result == "ok", name, ": ", result);
  for (const auto& p : parameters) CHECK_MESSAGE(rows.count(p) == 1, "no row for ", p);
  CHECK(contains(r.out, "checks passed"));
}

// born-dead's CSV as (width, depth) → (born_dead, trials).
std::map<std::pair<long, long>, std::pair<long, long>> cells(const std::string& csv) {
  std::map<std::pair<long, long>, std::pair<long, long>> c;
  const auto rows = lines(csv);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto f = split(rows[i]);
    REQUIRE(f.size() == 6);
    c[{std::stol(f[0]), std::stol(f[1])}] = {std::stol(f[3]), std::stol(f[2])};
  }
  return c;
}

const std::string kSmallGrid = "born-dead --widths 2,3,8 --depths 1,5,10 --trials 100";

}  // namespace

TEST_CASE("cli gradcheck: every hidden activation of the table passes with every parameter listed") {
  TempDir d;
  const auto names = table_names(d.mlp("gradcheck --activation nope").err, "valid activations: ");
  REQUIRE(names.size() >= 10);
  int passed = 0;
  for (const auto& name : names) {
    const std::string command = "gradcheck --activation " + name + " --batch 3";
    const Run r = d.mlp(command);
    if (r.status != 0 && contains(r.err, "belongs on the output layer")) continue;  // softmax
    check_passes(command, r, {"dense_1.W", "dense_1.b", "dense_2.W", "dense_2.b", "dense_3.W", "dense_3.b"});
    bool alone = false;  // the activation on its own, too: "leaky_relu:0.01 f'(z)"
    for (const auto& row : results(r.out))
      alone = alone || (row.first.rfind(name, 0) == 0 && contains(row.first, "f'(z)"));
    CHECK_MESSAGE(alone, "no f'(z) row for ", name);
    ++passed;
  }
  CHECK(passed >= static_cast<int>(names.size()) - 2);
}

TEST_CASE("cli gradcheck: every loss of the table passes with a learnable parametrised activation") {
  TempDir d;
  const auto losses = table_names(d.mlp("gradcheck --loss nope").err, "valid losses: ");
  REQUIRE(losses.size() >= 5);
  for (const auto& loss : losses) {
    const std::string command = "gradcheck --layers 5,4 --activation swish:1:learn --outputs 3 --loss " + loss;
    check_passes(command, d.mlp(command),
                 {"dense_1.W", "dense_1.beta", "dense_2.beta", "dense_3.b", "swish:1:learn df/dbeta"});
  }
  // Parametrised specs, mixed per layer, with a loss's own parameter.
  const std::vector<std::pair<std::string, std::vector<std::string>>> setups = {
      {"--layers 5,4 --activation elu:0.5 --loss bce", {"dense_2.W", "elu:0.5 df/dalpha"}},
      {"--layers 5:leaky_relu:0.3:learn,4:prelu --loss huber:0.5", {"dense_1.alpha", "dense_2.alpha"}},
      {"--layers 6:tanh,4:elu:2:learn --loss cross_entropy --outputs 4", {"dense_2.alpha", "softmax f'(z)"}},
      {"--layers none --loss mae --inputs 4 --reference", {"dense_1.W", "dense_1.b"}},
  };
  for (const auto& [options, parameters] : setups)
    check_passes("gradcheck " + options, d.mlp("gradcheck " + options), parameters);
}

TEST_CASE("cli gradcheck: analytic gradients 1% off fail every check and the tolerance decides") {
  TempDir d;
  const std::string command = "gradcheck --layers 5,4 --activation prelu --perturb-analytic 1.01";
  const Run r = d.mlp(command);
  INFO(describe(command, r));
  INFO("stdout: ", r.out);
  CHECK(r.status == 1);
  CHECK(contains(r.err, "mlp: error: gradcheck: dense_1.W: relative error"));
  CHECK(contains(r.err, "above the tolerance"));
  const auto rows = results(r.out);
  CHECK(rows.size() >= 9);
  for (const auto& [name, result] : rows) CHECK_MESSAGE(result == "FAIL", name, " should fail");
  CHECK(contains(r.out, "checks failed: dense_1.W, dense_1.b, dense_1.alpha, dense_2.W"));

  // A derivative off by 1% gives a relative error of 0.01/2.01 ≈ 5e-3, between the default
  // tolerance 1e-6 and 1e-2: above the tolerance fails, below passes.
  const Run loose = d.mlp("gradcheck --perturb-analytic 1.01 --tolerance 1e-2");
  CHECK(loose.status == 0);
  const Run tight = d.mlp("gradcheck --perturb-analytic 1.01 --tolerance 4e-3");
  CHECK(tight.status == 1);
}

TEST_CASE("cli gradcheck: bad options are rejected with the option named") {
  TempDir d;
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"--tolerance 0", {"--tolerance"}},
      {"--tolerance abc", {"--tolerance"}},
      {"--inputs 0", {"--inputs"}},
      {"--batch 0", {"--batch"}},
      {"--outputs 5000", {"--outputs"}},
      {"--layers 0", {"--layers"}},
      {"--layers 5,,4", {"--layers"}},
      {"--layers 5:nope", {"--layers", "unknown activation"}},
      {"--layers 1000,1000", {"--layers", "parameters"}},
      {"--activation nope", {"--activation", "unknown activation", "valid activations"}},
      {"--activation softmax", {"--activation", "output layer"}},
      {"--activation elu:0", {"--activation", "alpha"}},
      {"--loss nope", {"--loss", "valid losses"}},
      {"--loss huber:-1", {"--loss", "delta"}},
      {"--loss cross_entropy --outputs 1", {"--outputs", "2 classes"}},
      {"--perturb-analytic nan", {"--perturb-analytic"}},
      {"--bogus", {"--bogus"}},
  };
  for (const auto& [options, words] : cases) {
    const Run r = d.mlp("gradcheck " + options);
    check_rejected("gradcheck " + options, r, words, "");
    CHECK_MESSAGE(r.err.rfind("mlp: error: ", 0) == 0, "gradcheck ", options, ": ", r.err);
  }
}

TEST_CASE("cli born-dead: the same seed gives the same table and CSV on any number of threads") {
  TempDir d;
  const Run a = d.mlp(kSmallGrid + " --seed 7 --threads 1 -o a.csv");
  const Run b = d.mlp(kSmallGrid + " --seed 7 --threads 2 -o b.csv");
  const Run c = d.mlp(kSmallGrid + " --seed 8 -o c.csv");
  INFO(a.err, b.err, c.err);
  REQUIRE(a.status == 0);
  REQUIRE(b.status == 0);
  REQUIRE(c.status == 0);
  CHECK(a.out == b.out);
  CHECK(d.read("a.csv") == d.read("b.csv"));
  CHECK(d.read("a.csv") != d.read("c.csv"));  // another seed: other nets, other counts somewhere
  CHECK(cells(d.read("a.csv")) != cells(d.read("c.csv")));
  // stderr is a file here, not a terminal: no progress bar, no control characters.
  CHECK_FALSE(contains(a.err, "\r"));
  CHECK_FALSE(contains(a.err, "\033"));
}

TEST_CASE("cli born-dead: narrow and deep relu nets are born dead while wide and shallow ones are not") {
  TempDir d;
  const Run r = d.mlp("born-dead --widths 2,8 --depths 1,2,5,10 --trials 300 --seed 3 -o t.csv");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto c = cells(d.read("t.csv"));
  auto share = [&](long w, long depth) {
    const auto [dead, trials] = c.at({w, depth});
    return static_cast<double>(dead) / static_cast<double>(trials);
  };
  // With zero biases x > 0 and x < 0 each keep a unit of the first layer alive: never dead at depth 1.
  CHECK(c.at({2, 1}).first == 0);
  CHECK(c.at({8, 1}).first == 0);
  // A net of depth d is the first d layers of the deepest: the count never falls with depth.
  for (long w : {2, 8})
    for (auto [lo, hi] : {std::pair{1, 2}, {2, 5}, {5, 10}}) CHECK(c.at({w, lo}).first <= c.at({w, hi}).first);
  // Lu et al.: narrow and deep, most nets born dead; width 8, few (~90% and ~1% at depth 10).
  CHECK(share(2, 10) > 0.7);
  CHECK(share(8, 10) < 0.1);
  CHECK(share(2, 10) > share(8, 10) + 0.5);
  CHECK(contains(r.out, "the share grows with depth and shrinks with width"));
}

TEST_CASE("cli born-dead: leaky_relu and elu are never born dead with zero or He biases") {
  TempDir d;
  for (const std::string act : {"leaky_relu", "elu", "leaky_relu:0.3", "elu:0.5"})
    for (const std::string bias : {"zero", "he"}) {
      const std::string command =
          "born-dead --widths 2,3 --depths 1,10,20 --trials 50 --activation " + act + " --bias " + bias + " -o s.csv";
      const Run r = d.mlp(command);
      INFO(describe(command, r));
      REQUIRE(r.status == 0);
      for (const auto& [cell, counts] : cells(d.read("s.csv"))) CHECK(counts.first == 0);
      CHECK(contains(r.out, "not one net was born dead"));
    }
}

TEST_CASE("cli born-dead: He-normal biases can kill the first layer but zero biases cannot") {
  TempDir d;
  // A unit relu(w x + b) is 0 on all of [-sqrt(3), sqrt(3)] when b <= -sqrt(3)|w|: with w, b
  // N(0, 2) that is P(Cauchy <= -sqrt(3)) = 1/6, so 1/36 of the width-2 nets die at depth 1.
  const Run he = d.mlp("born-dead --widths 2 --depths 1,10 --trials 1000 --bias he --seed 5 -o he.csv");
  INFO(he.err);
  REQUIRE(he.status == 0);
  CHECK(contains(he.out, "He-normal N(0, 2/fan_in) biases"));
  const long dead = cells(d.read("he.csv")).at({2, 1}).first;
  CHECK(dead > 10);  // 1000/36 ≈ 28 expected
  CHECK(dead < 60);
}

TEST_CASE("cli born-dead: -o writes the CSV atomically with one row per width and depth") {
  TempDir d;
  const Run r = d.mlp(kSmallGrid + " -o out.csv");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto rows = lines(d.read("out.csv"));
  REQUIRE(rows.size() == 1 + 3 * 3);
  CHECK(rows[0] == "width,depth,trials,born_dead,share,constant");
  CHECK(rows[1].rfind("2,1,100,", 0) == 0);
  CHECK(rows.back().rfind("8,10,100,", 0) == 0);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto f = split(rows[i]);
    REQUIRE(f.size() == 6);
    CHECK(std::stod(f[4]) == doctest::Approx(std::stod(f[3]) / 100));
    CHECK(std::stol(f[5]) >= std::stol(f[3]));  // born dead is one way of being constant
  }
  CHECK(d.files_starting("out.csv").size() == 1);  // no temporary file left behind
}

TEST_CASE("cli born-dead: bad input is rejected with the option named") {
  TempDir d;
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"--widths 0", {"--widths"}},
      {"--widths 2,x", {"--widths"}},
      {"--depths 0", {"--depths"}},
      {"--trials 0", {"--trials"}},
      {"--threads -1", {"--threads"}},
      {"--activation nope", {"--activation", "unknown activation"}},
      {"--activation softmax", {"--activation", "output layer"}},
      {"--bias uniform", {"--bias", "zero or he"}},
  };
  for (const auto& [options, words] : cases) {
    const Run r = d.mlp("born-dead " + std::string(contains(options, "--trials") ? "" : "--trials 10 ") + options);
    check_rejected("born-dead " + options, r, words, "");
    CHECK_MESSAGE(r.err.rfind("mlp: error: ", 0) == 0, "born-dead ", options, ": ", r.err);
  }
}
