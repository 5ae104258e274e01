// `mlp activations`: the comparison table measured on each activation's own forward and backward,
// f and f' at chosen points (--at, --csv) as backprop computes them, and the errors a user makes.
#include "cli_util.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <sstream>

using namespace cli;

namespace {

// The last three cells of an activation's comparison row (its first line): zero-centred,
// saturates, can die.
struct Traits {
  std::string zero_centred, saturates, can_die;
};

std::map<std::string, Traits> comparison(const std::string& out) {
  static const std::regex row(
      R"(^(\S+)\s.*\s(yes|no \(-?[0-9.]+\)|-)\s+(no|left|right|both|-)\s+(no|left|right|both|-)$)");
  std::map<std::string, Traits> rows;
  for (const auto& line : lines(out)) {
    std::smatch m;
    if (std::regex_match(line, m, row)) rows[m[1]] = {m[2], m[3], m[4]};
  }
  return rows;
}

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> w;
  for (std::string s; in >> s;) w.push_back(s);
  return w;
}

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

// The engine computes in float: a value within a few float roundings (6e-8 each) of the exact one.
bool near(double got, double want) { return std::abs(got - want) <= 1e-6 * std::abs(want); }

}  // namespace

TEST_CASE("cli activations: the comparison table, measured from each function") {
  TempDir dir;
  const Run r = dir.mlp("activations");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto rows = comparison(r.out);
  for (const char* name : {"identity",    "relu",  "relu6",    "leaky_relu", "prelu",    "elu",       "celu",
                           "selu",        "swish", "mish",     "hardswish",  "gelu",     "gelu_tanh", "sigmoid",
                           "hardsigmoid", "tanh",  "hardtanh", "softsign",   "softplus", "softmax"})
    CHECK_MESSAGE(rows.count(name) == 1, "no comparison row for ", name);
  REQUIRE(rows.count("relu") == 1);

  // The textbook's lines, each measured: a flat half-line, f' vanishing far out, the mean output.
  CHECK(rows.at("relu").can_die == "left");
  CHECK(rows.at("relu").zero_centred == "no (0.40)");  // E max(0, z) = 1/sqrt(2 pi)
  CHECK(rows.at("leaky_relu").can_die == "no");
  CHECK(rows.at("leaky_relu").saturates == "no");
  CHECK(rows.at("sigmoid").saturates == "both");
  CHECK(rows.at("sigmoid").zero_centred == "no (0.50)");
  CHECK(rows.at("sigmoid").can_die == "no");
  CHECK(rows.at("tanh").zero_centred == "yes");
  CHECK(rows.at("tanh").saturates == "both");
  CHECK(rows.at("selu").zero_centred == "yes");  // by design: mean 0 for standard normal inputs
  CHECK(rows.at("elu").zero_centred == "no (0.16)");
  CHECK(rows.at("gelu").can_die == "no");  // f' underflows to 0 far left: saturation, not death
  CHECK(rows.at("gelu").saturates == "left");
  CHECK(rows.at("relu6").can_die == "both");
  CHECK(rows.at("hardtanh").can_die == "both");
  CHECK(rows.at("hardtanh").zero_centred == "yes");
  CHECK(rows.at("hardswish").can_die == "left");
  CHECK(rows.at("softsign").saturates == "both");
  CHECK(rows.at("softmax").can_die == "-");

  // Then what it always listed: each activation's use and init, and the losses.
  CHECK(contains(r.out, "use:   ReLU capped at 6"));
  CHECK(contains(r.out, "Losses"));
  CHECK(contains(r.out, "cross_entropy"));
  for (const auto& line : lines(r.out)) CHECK_MESSAGE(line.size() <= 120, "longer than 120 columns: ", line);
}

TEST_CASE("cli activations: the comparison of the activations asked for, with their parameters") {
  TempDir dir;
  const Run r = dir.mlp("activations elu:0.5,leaky_relu:0.3,silu");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto rows = comparison(r.out);
  CHECK(rows.size() == 3);
  REQUIRE(rows.count("elu:0.5") == 1);
  CHECK(rows.at("elu:0.5").zero_centred == "no (0.28)");  // a smaller alpha is closer to relu's 0.40
  CHECK(rows.count("silu") == 1);                         // as the user spelled it
  CHECK_FALSE(contains(r.out, "Losses"));
}

TEST_CASE("cli activations --at --csv: the columns activation,x,f,df with the engine's f and f'") {
  TempDir dir;
  const Run r = dir.mlp("activations relu,elu:0.5,swish:1.5,silu --at -1000,-5,0,0.5,1000 --csv");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto rows = lines(r.out);
  REQUIRE(rows.size() == 1 + 4 * 5);
  CHECK(rows[0] == "activation,x,f,df");
  std::map<std::pair<std::string, double>, std::pair<double, double>> at;
  std::vector<std::string> order;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto f = split(rows[i]);
    REQUIRE(f.size() == 4);
    at[{f[0], std::stod(f[1])}] = {std::stod(f[2]), std::stod(f[3])};
    if (order.empty() || order.back() != f[0]) order.push_back(f[0]);
  }
  CHECK(order == std::vector<std::string>{"relu", "elu:0.5", "swish:1.5", "silu"});  // as spelled, in order
  for (const auto& [key, v] : at) {
    CAPTURE(key.first);
    CAPTURE(key.second);
    CHECK(std::isfinite(v.first));
    CHECK(std::isfinite(v.second));
  }
  // relu'(0) is the engine's choice, 0; exactly 0 and 1 elsewhere.
  CHECK(at[{"relu", 0}] == std::make_pair(0.0, 0.0));
  CHECK(at[{"relu", 0.5}] == std::make_pair(0.5, 1.0));
  CHECK(at[{"relu", -1000}] == std::make_pair(0.0, 0.0));
  CHECK(at[{"relu", 1000}] == std::make_pair(1000.0, 1.0));
  // elu:0.5 saturates at -alpha; f'(0) = alpha, the left side's value.
  CHECK(at[{"elu:0.5", -1000}] == std::make_pair(-0.5, 0.0));
  CHECK(at[{"elu:0.5", 0}] == std::make_pair(0.0, 0.5));
  CHECK(near(at[{"elu:0.5", -5}].first, 0.5 * std::expm1(-5.0)));
  CHECK(near(at[{"elu:0.5", -5}].second, 0.5 * std::exp(-5.0)));
  // swish:1.5 = x sigmoid(1.5 x): f' = s + 1.5 x s (1 - s).
  const double s = sigmoid(0.75);
  CHECK(near(at[{"swish:1.5", 0.5}].first, 0.5 * s));
  CHECK(near(at[{"swish:1.5", 0.5}].second, s + 0.75 * s * (1 - s)));
  CHECK(at[{"swish:1.5", 0}] == std::make_pair(0.0, 0.5));
  CHECK(at[{"swish:1.5", 1000}] == std::make_pair(1000.0, 1.0));
  CHECK(near(at[{"silu", -5}].first, -5 * sigmoid(-5)));
}

TEST_CASE("cli activations --at: a readable table, and every elementwise activation when none is named") {
  TempDir dir;
  const Run r = dir.mlp("activations relu,hardtanh,hardswish --at -3,-1,0,1,3");
  INFO(r.err);
  REQUIRE(r.status == 0);
  std::vector<std::vector<std::string>> rows;
  for (const auto& line : lines(r.out)) rows.push_back(words(line));
  auto has = [&](const std::vector<std::string>& row) { return std::count(rows.begin(), rows.end(), row) == 1; };
  CHECK(has({"activation", "x", "f(x)", "f'(x)"}));
  CHECK(has({"relu", "0", "0", "0"}));
  CHECK(has({"hardtanh", "-1", "-1", "0"}));  // the kinks belong to the flat pieces
  CHECK(has({"hardtanh", "0", "0", "1"}));
  CHECK(has({"hardswish", "-3", "0", "0"}));  // the flat side at -3, the linear side at 3
  CHECK(has({"hardswish", "3", "3", "1"}));

  const Run all = dir.mlp("activations --at=-1,1");
  INFO(all.err);
  REQUIRE(all.status == 0);
  CHECK(contains(all.out, "\ngelu_tanh "));
  CHECK(contains(all.out, "\ncelu "));
  CHECK_FALSE(contains(all.out, "softmax"));
}

TEST_CASE("cli activations: unknown activations, bad points, softmax and --csv alone are refused") {
  TempDir dir;
  const std::vector<std::pair<std::string, std::vector<std::string>>> bad = {
      {"activations rleu --at 0", {"mlp: error:", "unknown activation 'rleu'", "relu6", "gelu_tanh"}},
      {"activations relu,elu:0.5 --at 1,abc", {"mlp: error:", "--at", "'abc' is not a number"}},
      {"activations relu --at 1,,2", {"mlp: error:", "'' is not a number"}},
      {"activations relu --at nan", {"mlp: error:", "'nan' is not a number"}},
      {"activations relu --at 1e40", {"mlp: error:", "1e40", "float"}},
      {"activations relu,softmax --at 0", {"mlp: error:", "softmax", "not elementwise", "Jacobian"}},
      {"activations relu --csv", {"mlp: error:", "--csv", "--at"}},
      {"activations elu:-1 --at 0", {"mlp: error:", "alpha must be in"}},
      {"activations celu:0.5:learn", {"mlp: error:", "no learnable parameter"}},
  };
  for (const auto& [command, expected] : bad) {
    const Run r = dir.mlp(command);
    check_rejected(command, r, expected, "");
    CHECK_MESSAGE(r.out.empty(), "mlp " << command << " printed before failing: " << r.out);
  }
}
