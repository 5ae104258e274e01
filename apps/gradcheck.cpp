// `mlp gradcheck`: builds a small network in double precision, computes every gradient with backward
// and compares it, parameter by parameter, with central differences (the library's checker,
// mlp/gradcheck.hpp, the one the tests use). Compiled against the double engine (apps/CMakeLists.txt).
#include "cli.hpp"
#include "text.hpp"

#include "mlp/error.hpp"
#include "mlp/gradcheck.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

namespace mlp::app {

namespace {

struct GradcheckArgs {
  std::string layers = "5,4";
  std::string activation = "relu";
  std::string loss = "mse";
  long inputs = 3, outputs = 2, batch = 5;  // odd: a sum of ±1 (mae's db) is never 0
  std::uint64_t seed = 42;
  double tolerance = gradcheck::kTolerance;
  double perturb = 1;  // the analytic gradients are multiplied by this: 1.01 must fail every check
  bool reference = false;
};

struct HiddenSpec {
  Index units;
  Activation activation;
};

// "5,4" or "5:tanh,4:leaky_relu:0.1", as `mlp train --layers` reads it.
std::vector<HiddenSpec> parse_hidden(const std::string& spec, const std::string& default_activation) {
  std::vector<HiddenSpec> layers;
  for (const LayerText& l : split_layers(spec, default_activation, 1000, "--layers 5,4 or 5:tanh,4:elu")) {
    Activation act;
    try {
      act = parse_activation(l.activation);
    } catch (const Error& e) {
      throw Error((l.own_activation ? "--layers '" + spec + "': " : std::string("--activation: ")) + e.what());
    }
    if (act.info->output_only)
      throw Error(std::string(l.own_activation ? "--layers" : "--activation") + ": '" + act.name() +
                  "' belongs on the output layer, not a hidden one (the output layer follows --loss)");
    layers.push_back({l.units, act});
  }
  return layers;
}

// One line of the table, and whether it passed.
struct Row {
  std::string what;
  Index size;
  gradcheck::Result result;
};

// A network this large takes long: every parameter costs two forward passes.
constexpr Index kMaxParameters = 100000;

int run_gradcheck(const GradcheckArgs& a) {
  const std::pair<const char*, long> sizes[] = {{"--inputs", a.inputs}, {"--outputs", a.outputs}, {"--batch", a.batch}};
  for (const auto& [name, value] : sizes)
    if (value < 1 || value > 1000)
      throw Error(std::string(name) + ": " + std::to_string(value) + " is out of range (1 to 1000)");
  if (!(a.tolerance > 0) || !std::isfinite(a.tolerance))
    throw Error("--tolerance must be a positive number (got " + fmt("%g", a.tolerance) + "); the default is 1e-6");
  if (!std::isfinite(a.perturb))
    throw Error("--perturb-analytic must be a finite factor, e.g. 1.01 (got " + fmt("%g", a.perturb) + ")");
  const auto hidden = parse_hidden(a.layers, a.activation);
  Loss loss;
  try {
    loss = parse_loss(a.loss);
  } catch (const Error& e) {
    throw Error(std::string("--loss: ") + e.what());
  }
  // The output layer that fits the loss: the one a loss from logits requires, else identity.
  const Activation output = parse_activation(loss.info->output_activation ? loss.info->output_activation : "identity");
  const bool labels = loss.info->from_logits && !output.info->elementwise;  // softmax: integer class labels
  if (labels && a.outputs < 2) throw Error("--outputs: " + loss.spec() + " needs at least 2 classes");

  Network net(a.inputs, a.seed, a.reference ? Path::Reference : Path::Fast);
  for (const auto& h : hidden) net.add_dense(h.units, h.activation);
  net.add_dense(a.outputs, output);
  net.set_loss(loss);
  if (net.parameter_count() > kMaxParameters)
    throw Error("--layers '" + a.layers + "': " + std::to_string(net.parameter_count()) +
                " parameters; a numerical check takes two forward passes per parameter, so at most " +
                std::to_string(kMaxParameters) + ": use smaller layers or fewer --inputs");

  // Inputs and targets from a second stream of the seed (the network's draws the weights).
  Rng rng(a.seed + 1);
  const Index B = a.batch, k = a.outputs;
  Matrix X = gradcheck::sample(B, a.inputs, rng, -1, 1);
  // Where f′ jumps, a finite difference is meaningless: "relu at 0, hardtanh at -1 and 1".
  std::vector<const ActivationInfo*> kinked;
  std::string kinks;
  for (const auto& h : hidden) {
    const ActivationInfo* info = h.activation.info;
    if (info->kinks.empty() || std::find(kinked.begin(), kinked.end(), info) != kinked.end()) continue;
    kinked.push_back(info);
    kinks += (kinks.empty() ? "" : ", ") + std::string(info->name) + " at ";
    for (std::size_t i = 0; i < info->kinks.size(); ++i) kinks += (i ? " and " : "") + fmt("%g", info->kinks[i]);
  }
  const Index redrawn = kinked.empty() ? 0 : gradcheck::keep_away_from_kinks(net, X, rng, -1, 1);
  Matrix Y;
  if (labels) {
    Y.resize(B, 1);
    for (Index r = 0; r < B; ++r) Y(r, 0) = static_cast<Scalar>(rng.below(static_cast<std::uint64_t>(k)));
  } else if (loss.info->from_logits) {  // bce: 0/1 targets
    Y.resize(B, k);
    for (Index i = 0; i < Y.size(); ++i) Y.data()[i] = static_cast<Scalar>(rng.below(2));
  } else {  // regression: kept away from the predictions, where mae's gradient jumps
    Y = gradcheck::sample(B, k, rng, -1, 1);
    const Matrix P = net.forward(X);
    for (Index i = 0; i < Y.size(); ++i)
      while (std::abs(Y.data()[i] - P.data()[i]) < gradcheck::kKinkGap)
        Y.data()[i] = static_cast<Scalar>(rng.uniform(-1, 1));
  }

  std::vector<Row> rows;
  for (auto& p : gradcheck::check_network(net, X, Y, a.perturb)) rows.push_back({p.name, p.size, p.result});
  // Each activation on its own: its f′ (and ∂f/∂p for a parameter), on inputs away from its kink.
  std::vector<std::string> seen;
  for (std::size_t i = 0; i < net.size(); ++i) {
    const Activation& act = net.dense(i)->activation;
    if (std::find(seen.begin(), seen.end(), act.spec()) != seen.end()) continue;
    seen.push_back(act.spec());
    auto c = gradcheck::make_activation_case(act, rng);
    c.analytic();
    Matrix dZ = c.dZ * static_cast<Scalar>(a.perturb);
    rows.push_back({act.spec() + " f'(z)", dZ.size(),
                    gradcheck::check(c.Z.data(), dZ.data(), dZ.size(), [&] { return c.loss(); })});
    if (act.info->has_param() && act.info->param.learnable != Learnable::Never) {
      RowVector dp = c.dp * static_cast<Scalar>(a.perturb);
      rows.push_back({act.spec() + " df/d" + act.info->param.name, dp.size(),
                      gradcheck::check(c.p.data(), dp.data(), dp.size(), [&] { return c.loss(); })});
    }
  }

  std::string arch = std::to_string(a.inputs) + " inputs";
  for (std::size_t i = 0; i < net.size(); ++i)
    arch += " → " + std::to_string(net.dense(i)->output_size()) + " " + net.dense(i)->activation.spec();
  std::printf("gradcheck: %s, loss %s, batch %ld, seed %llu, double precision, %s path\n", arch.c_str(),
              loss.spec().c_str(), a.batch, static_cast<unsigned long long>(a.seed),
              a.reference ? "reference" : "fast");
  std::printf(
      "central differences, step %g; relative error = |analytic - numeric| / (|analytic| + |numeric|); "
      "tolerance %g\n",
      gradcheck::kStep, a.tolerance);
  if (!kinked.empty())
    std::printf(
        "inputs kept away from the kinks, where f' jumps (%s): every pre-activation is at least %g from them "
        "(%lld of %lld input rows redrawn)\n",
        kinks.c_str(), gradcheck::kKinkGap, static_cast<long long>(redrawn), static_cast<long long>(B));
  if (a.perturb != 1)
    std::printf("analytic gradients multiplied by %g on purpose (--perturb-analytic): every check should FAIL\n",
                a.perturb);
  std::printf("\n%-24s %6s %14s %15s  %s\n", "parameter", "size", "analytic norm", "relative error", "result");
  const Row* worst = nullptr;  // the first failed check
  std::string failed_names;
  int failed = 0;
  double max_error = 0;
  for (const auto& r : rows) {
    const bool zero = !(r.result.analytic_norm > gradcheck::kMinGradientNorm);
    const bool ok = r.result.ok(a.tolerance);
    std::printf("%-24s %6lld %14.4e %15.2e  %s\n", r.what.c_str(), static_cast<long long>(r.size),
                r.result.analytic_norm, r.result.relative_error,
                ok     ? "ok"
                : zero ? "FAIL (all-zero gradient)"
                       : "FAIL");
    max_error = std::max(max_error, r.result.relative_error);
    if (ok) continue;
    if (++failed == 1) worst = &r;
    failed_names += (failed > 1 ? ", " : "") + r.what;
  }
  if (!worst) {
    std::printf("\nall %zu checks passed: max relative error %.2e < %g\n", rows.size(), max_error, a.tolerance);
    return 0;
  }
  std::printf("\n%d of %zu checks failed: %s\n", failed, rows.size(), failed_names.c_str());
  std::fflush(stdout);
  const std::string more = failed > 1 ? " (" + std::to_string(failed) + " checks failed, see the table)" : "";
  if (!(worst->result.analytic_norm > gradcheck::kMinGradientNorm))
    throw Error("gradcheck: " + worst->what + ": the gradient is all zero (norm " +
                fmt("%.2g", worst->result.analytic_norm) +
                "), so the check proves nothing: try another --seed, more --batch rows or a smooth activation" + more);
  throw Error("gradcheck: " + worst->what + ": relative error " + fmt("%.2e", worst->result.relative_error) +
              " is above the tolerance " + fmt("%g", a.tolerance) + ": its backward disagrees with the loss" + more);
}

}  // namespace

Command add_gradcheck_command(CLI::App& app) {
  auto a = std::make_shared<GradcheckArgs>();
  auto* cmd = app.add_subcommand(
      "gradcheck",
      "Check every gradient of a small network numerically: backward against central differences, in double "
      "precision.\nThe relative error |analytic - numeric| / (|analytic| + |numeric|) is ~1e-9 for a correct "
      "derivative (step 1e-5: truncation ~h^2, rounding ~eps/h) and ~5e-3 for one off by 1%, so the default tolerance "
      "1e-6 separates them by 1000x. An all-zero gradient fails: it would prove nothing. Exit status 0 when every "
      "check passes, 1 otherwise.");
  cmd->add_option("--layers", a->layers, "Hidden layer sizes, each optionally with its activation: 5,4 or 5:tanh,4:elu")
      ->capture_default_str();
  cmd->add_option("--activation", a->activation, "Hidden activation: " + activation_names(true))->capture_default_str();
  cmd->add_option("--loss", a->loss,
                  "Loss: " + loss_names() +
                      "; the output layer follows it (identity; sigmoid for bce; softmax with integer labels for "
                      "cross_entropy)")
      ->capture_default_str();
  cmd->add_option("--inputs", a->inputs, "Inputs of the network (1 to 1000)")->capture_default_str();
  cmd->add_option("--outputs", a->outputs, "Units of the output layer (classes for cross_entropy; 1 to 1000)")
      ->capture_default_str();
  cmd->add_option("--batch", a->batch, "Random samples the loss is computed on (1 to 1000)")->capture_default_str();
  cmd->add_option("--seed", a->seed, "Seed for the weights, the inputs and the targets")
      ->check(no_minus_sign())
      ->capture_default_str();
  cmd->add_option("--tolerance", a->tolerance,
                  "Largest relative error that passes (correct derivatives give ~1e-9, one off by 1% ~5e-3)")
      ->capture_default_str();
  cmd->add_flag("--reference", a->reference, "Check the textbook code of src/dense.cpp instead of the fast path");
  cmd->add_option("--perturb-analytic", a->perturb,
                  "To see the checker fail: multiply every analytic gradient by this factor (1.01: a derivative off "
                  "by 1%, which every check must catch)")
      ->capture_default_str();
  return {cmd, [a] { return run_gradcheck(*a); }};
}

}  // namespace mlp::app
