// `mlp train --diagnostics FILE.csv`: the per-epoch CSV, the table printed at the end, and the
// warnings in words, which must fire on a vanishing-gradient net and stay silent on healthy runs.
#include "cli_util.hpp"

#include <string>
#include <vector>

using namespace cli;

namespace {

std::vector<std::string> warnings(const Run& r) {
  std::vector<std::string> found;
  for (const auto& l : lines(r.err))
    if (contains(l, "warning")) found.push_back(l);
  return found;
}

const std::string kDeep = "--layers 16,16,16,16,16,16,16,16 --epochs 5 --seed 1";

}  // namespace

TEST_CASE("cli diagnostics: one CSV row per epoch and hidden layer, with named columns, and a table") {
  TempDir d;
  const Run r = d.mlp("train " + shell_quote(kIris) + " --layers 8,6:tanh --epochs 7 --diagnostics diag.csv");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto rows = lines(d.read("diag.csv"));
  REQUIRE(rows.size() == 1 + 7 * 2);
  const auto header = split(rows[0]);
  CHECK(contains(rows[0], "dead"));
  CHECK(contains(rows[0], "grad"));
  CHECK(header.size() == split(rows[1]).size());
  CHECK(rows[1].rfind("1,1,dense_1,relu,8,", 0) == 0);
  CHECK(rows[2].rfind("1,2,dense_2,tanh,6,", 0) == 0);
  CHECK(rows.back().rfind("7,2,", 0) == 0);
  // The table of the last epoch is printed after the results, one line per hidden layer.
  CHECK(contains(r.out, "layer diagnostics, epoch 7"));
  CHECK(contains(r.out, "dead"));
  CHECK(contains(r.out, "grad norm"));
  CHECK(warnings(r).empty());
}

TEST_CASE("cli diagnostics: an 8-layer sigmoid net on iris warns that gradients vanish") {
  TempDir d;
  const Run r = d.mlp("train " + shell_quote(kIris) + " " + kDeep + " --activation sigmoid --diagnostics d.csv");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto w = warnings(r);
  REQUIRE(w.size() >= 1);
  bool vanish = false;
  for (const auto& line : w)
    vanish = vanish || (contains(line, "layer 1's gradient norm is 1/") && contains(line, "of layer 8's") &&
                        contains(line, "gradients vanish"));
  CHECK(vanish);
}

TEST_CASE("cli diagnostics: relu and tanh nets of the same shape, and the defaults, warn of nothing") {
  TempDir d;
  for (const std::string& args : {kDeep + " --activation relu", kDeep + " --activation tanh", std::string()}) {
    for (const std::string& data : {kIris, kBreastCancer, kDiabetes}) {
      const std::string command = "train " + shell_quote(data) + " " + args + " --diagnostics d.csv";
      const Run r = d.mlp(command);
      INFO(command);
      INFO(r.err);
      CHECK(r.status == 0);
      CHECK(warnings(r).empty());
    }
  }
}

TEST_CASE("cli diagnostics: --json keeps stdout one JSON object and adds the last epoch's layers") {
  TempDir d;
  const Run r = d.mlp("train " + shell_quote(kIris) + " --epochs 3 --json --diagnostics d.csv");
  const json j = parse_json(r);
  REQUIRE(j.contains("diagnostics"));
  CHECK(j["diagnostics"]["layers"].size() == 2);  // the default 64,32
  CHECK(j["diagnostics"]["layers"][0].contains("dead_share"));
  CHECK(j["diagnostics"]["warnings"].is_array());
}

TEST_CASE("cli diagnostics: without the option, no table and no file") {
  TempDir d;
  const Run r = d.mlp("train " + shell_quote(kIris) + " --epochs 3");
  CHECK(r.status == 0);
  CHECK(!contains(r.out, "layer diagnostics"));
}

TEST_CASE("cli diagnostics: an unwritable diagnostics path fails before training, clearly") {
  TempDir d;
  const Run r = d.mlp("train " + shell_quote(kIris) + " --epochs 3 --diagnostics no/such/dir/d.csv --save m.json");
  check_rejected("train --diagnostics no/such/dir/d.csv", r, {"no/such/dir"}, "");
  CHECK(!d.exists("m.json"));
}
