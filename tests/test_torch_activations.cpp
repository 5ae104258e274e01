// Every activation of the table against PyTorch without PyTorch: f(x) and f'(x) at points from
// -1000 to 1000 and at every kink, written by scripts/torch_activation_values.py in float64 (f' by
// autograd) and replayed in the double build through activation_values, the code path of
// `mlp activations --at`. The fixture must cover every activation of the table and every kink.
#include "mlp/activation.hpp"
#include "mlp/error.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include "fixture_util.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

using namespace mlp;
using json = nlohmann::json;

namespace {

const std::string kFixture = "tests/fixtures/torch_activation_values.json";
const std::string kRegenerate =
    ": add it to SPECS in scripts/torch_activation_values.py and regenerate the fixture "
    "(/usr/bin/python3 scripts/torch_activation_values.py)";

const json& fixture() { return load_fixture(kFixture); }

// Both sides compute the same formulas in double and differ only by the rounding of their
// library functions (exp, expm1, log1p, tanh, erf: an ulp or two, 1e-16 relative) and by
// equivalent forms (ELU's f' as f + alpha here, alpha*exp(x) in PyTorch). Where a formula
// cancels, the error is absolute, not relative: 1 + tanh(u) in gelu_tanh near x = -6, f + alpha
// for ELU far left, each within a few 1e-16 of the exact value. So a value passes within 1e-9 of
// PyTorch's relative to its magnitude, or absolutely below magnitude 1: a million times the
// rounding, while a derivative off by 1% or a wrong kink value (0 against 1, 1/6 against 0)
// misses by 1e-3 or more at the points of order 1 every activation has.
constexpr double kTolerance = 1e-9;

bool close(double got, double want) { return std::abs(got - want) <= kTolerance * std::max(1.0, std::abs(want)); }

std::vector<double> numbers(const json& j) { return j.get<std::vector<double>>(); }

}  // namespace

TEST_CASE("torch activations: f and f' of every activation at every point, as PyTorch computes them") {
  const json& entries = fixture().at("activations");
  REQUIRE(entries.size() >= activations().size() - 1);
  for (const auto& e : entries) {
    const std::string spec = e.at("spec");
    CAPTURE(spec);
    const std::vector<double> x = numbers(e.at("x")), f = numbers(e.at("f")), df = numbers(e.at("df"));
    REQUIRE(f.size() == x.size());
    REQUIRE(df.size() == x.size());
    const ActivationValues got = activation_values(parse_activation(spec), x);
    REQUIRE(got.f.size() == x.size());
    REQUIRE(got.df.size() == x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      CAPTURE(x[i]);
      CHECK_MESSAGE(close(got.f[i], f[i]), "f = " << got.f[i] << ", PyTorch " << f[i]);
      CHECK_MESSAGE(close(got.df[i], df[i]), "f' = " << got.df[i] << ", PyTorch " << df[i]);
    }
  }
}

TEST_CASE("torch activations: the fixture covers every activation, every parameter and every kink of the table") {
  const json& j = fixture();
  const std::vector<std::string> not_elementwise = j.at("not_elementwise").get<std::vector<std::string>>();
  for (const auto& info : activations()) {
    const std::string name = info.name;
    CAPTURE(name);
    if (!info.elementwise) {  // no value at a point: refused, and named as such in the fixture
      CHECK_MESSAGE(std::find(not_elementwise.begin(), not_elementwise.end(), name) != not_elementwise.end(),
                    "'" << name << "' is missing from not_elementwise in " << kFixture << kRegenerate);
      CHECK_THROWS_WITH_AS(activation_values(parse_activation(name), {0.0}), doctest::Contains("not elementwise"),
                           Error);
      continue;
    }
    bool at_default = false, at_other = false;
    std::vector<double> points;
    for (const auto& e : j.at("activations")) {
      const Activation a = parse_activation(e.at("spec").get<std::string>());
      if (a.info != &info) continue;
      (a.param == info.param.default_value ? at_default : at_other) = true;
      for (double x : numbers(e.at("x"))) points.push_back(x);
    }
    CHECK_MESSAGE(at_default, "activation '" << name << "' has no entry in " << kFixture << kRegenerate);
    if (info.has_param())
      CHECK_MESSAGE(at_other, "activation '" << name << "' is only checked at its default " << info.param.name << " in "
                                             << kFixture << kRegenerate);
    for (double x : {-1000.0, -20.0, -1.0, 0.0, 1.0, 20.0, 1000.0})  // far out, and near 0 on both sides
      CHECK_MESSAGE(std::count(points.begin(), points.end(), x) > 0, "'" << name << "' is never checked at " << x);
    for (double k : info.kinks)
      CHECK_MESSAGE(std::count(points.begin(), points.end(), k) > 0,
                    "'" << name << "' is never checked at its kink " << k << " in " << kFixture << kRegenerate);
  }
}
