// mlp against PyTorch without PyTorch: the networks of tests/fixtures/torch_parity.json, written
// by scripts/torch_parity.py in float64, replayed in the double build on both paths, comparing the
// output, the loss and every parameter gradient. The fixture must cover every activation and loss.
#include "mlp/network.hpp"

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

const std::string kFixture = "tests/fixtures/torch_parity.json";
const std::string kRegenerate =
    ": add a case to scripts/torch_parity.py and regenerate the fixture (/usr/bin/python3 scripts/torch_parity.py)";

const json& fixture() { return load_fixture(kFixture); }

// A number, a row or a matrix of the fixture, in row-major order: mlp's layout.
std::vector<double> flatten(const json& j) {
  std::vector<double> out;
  if (j.is_number()) return {j.get<double>()};
  for (const auto& v : j)
    for (double x : flatten(v)) out.push_back(x);
  return out;
}

Matrix matrix(const json& rows) {
  Matrix m(static_cast<Index>(rows.size()), static_cast<Index>(rows.at(0).size()));
  const std::vector<double> v = flatten(rows);
  REQUIRE(static_cast<Index>(v.size()) == m.size());
  std::copy(v.begin(), v.end(), m.data());
  return m;
}

// Both sides compute in double and differ only in rounding: the order of the sums inside the
// matrix products, and equivalent forms (ELU's dalpha as A/alpha here, expm1(x) in PyTorch), a
// few ulp (1e-16) per operation through at most four layers, ~1e-15 in all. An element that is a
// sum of cancelling terms (a gradient near 0) carries the rounding of its terms, not of itself,
// so the error is measured against the largest magnitude of its array. 1e-12 leaves a thousand
// times that margin, while a derivative off by 1% shows as an error near 1e-3.
constexpr double kTolerance = 1e-12;

double relative_error(const Scalar* got, const std::vector<double>& want) {
  double err = 0, scale = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    err = std::max(err, std::abs(static_cast<double>(got[i]) - want[i]));
    scale = std::max(scale, std::abs(want[i]));
  }
  return scale > 0 ? err / scale : err;
}

bool learns(const std::string& spec) { return parse_activation(spec).learn; }

}  // namespace

TEST_CASE("torch parity: output and loss and every gradient as PyTorch computes them on both paths") {
  const json& cases = fixture().at("cases");
  REQUIRE(cases.size() >= 1);
  for (Path path : {Path::Reference, Path::Fast})
    for (const auto& c : cases) {
      const std::string name = c.at("name");
      CAPTURE(name);
      CAPTURE(path == Path::Fast);
      Network net(c.at("inputs").get<Index>(), 1, path);
      for (const auto& layer : c.at("layers")) {
        const std::string spec = layer.at("activation");
        CHECK(parse_activation(spec).spec() == spec);  // written as mlp writes it, so read the same
        net.add_dense(layer.at("units").get<Index>(), spec);
      }
      net.set_loss(parse_loss(c.at("loss")));
      CHECK(net.loss().spec() == c.at("loss").get<std::string>());

      // Torch's weights into mlp's parameters: same order (per layer W, b, learned parameter),
      // same names, same layout.
      const auto& want = c.at("parameters");
      REQUIRE(net.parameters().size() == want.size());
      for (std::size_t k = 0; k < want.size(); ++k) {
        const Parameter& p = net.parameters()[k];
        CHECK(p.name == want[k].at("name").get<std::string>());
        const std::vector<double> value = flatten(want[k].at("value"));
        REQUIRE(p.size == static_cast<Index>(value.size()));
        std::copy(value.begin(), value.end(), p.value);
      }

      const Matrix X = matrix(c.at("X")), Y = matrix(c.at("Y"));
      const Matrix out = net.forward(X, true);
      const std::vector<double> want_out = flatten(c.at("output"));
      REQUIRE(out.size() == static_cast<Index>(want_out.size()));
      CHECK(relative_error(out.data(), want_out) < kTolerance);

      const double want_loss = c.at("loss_value").get<double>();
      CHECK(std::abs(net.loss_of_last_forward(Y) - want_loss) < kTolerance * std::abs(want_loss));

      net.backward(X, Y);
      for (std::size_t k = 0; k < want.size(); ++k) {
        const Parameter& p = net.parameters()[k];
        CAPTURE(p.name);
        const std::vector<double> grad = flatten(want[k].at("grad"));
        REQUIRE(p.size == static_cast<Index>(grad.size()));
        // A gradient that is zero in the fixture would check nothing.
        CHECK(std::any_of(grad.begin(), grad.end(), [](double g) { return g != 0.0; }));
        const double err = relative_error(p.grad, grad);
        CAPTURE(err);
        CHECK(err < kTolerance);
      }
    }
}

TEST_CASE("torch parity: the fixture has a case for every activation and every loss") {
  const json& cases = fixture().at("cases");
  for (const auto& info : activations()) {
    bool seen = false, learned = false;
    for (const auto& c : cases)
      for (const auto& layer : c.at("layers")) {
        const std::string spec = layer.at("activation");
        if (parse_activation(spec).info != &info) continue;
        seen = true;
        learned = learned || learns(spec);
      }
    CHECK_MESSAGE(seen, "activation '" << std::string(info.name) << "' has no case in " << kFixture << kRegenerate);
    if (info.has_param() && info.param.learnable != Learnable::Never)
      CHECK_MESSAGE(learned, "activation '" << std::string(info.name) << "' is never learned (':learn') in " << kFixture
                                            << kRegenerate);
  }
  for (const auto& info : losses()) {
    bool seen = false;
    for (const auto& c : cases) seen = seen || parse_loss(c.at("loss")).info == &info;
    CHECK_MESSAGE(seen, "loss '" << std::string(info.name) << "' has no case in " << kFixture << kRegenerate);
  }
}
