// `mlp evaluate`, `predict`, `summary`, `make-dataset`, `activations`, with their command-line
// options, and shared helpers.
#include "commands.hpp"
#include "cli.hpp"

#include "mlp/error.hpp"
#include "mlp/init.hpp"
#include "mlp/io/evaluation.hpp"
#include "mlp/io/files.hpp"
#include "mlp/io/metrics.hpp"
#include "mlp/io/model.hpp"
#include "mlp/io/preprocess.hpp"
#include "mlp/io/synthetic.hpp"
#include "mlp/loss.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <numeric>
#include <sstream>

namespace mlp::app {

csv::Options CsvOptions::resolve() const {
  csv::Options o;
  std::string d = delimiter == "\\t" || delimiter == "tab" ? "\t" : delimiter;
  if (d.size() != 1 || d[0] == '"' || d[0] == '\n' || d[0] == '\r')
    throw Error("--delimiter must be a single character other than a quote or newline (got '" + delimiter + "')");
  o.delimiter = d[0];
  if (header && no_header) throw Error("--header and --no-header contradict each other");
  o.header = header ? csv::HeaderMode::Yes : no_header ? csv::HeaderMode::No : csv::HeaderMode::Auto;
  return o;
}

std::vector<std::size_t> all_rows(const csv::Table& t) {
  std::vector<std::size_t> r(t.rows);
  std::iota(r.begin(), r.end(), std::size_t{0});
  return r;
}

namespace {

// A file for evaluate/predict must have the training features; any other column but a target is
// a sign of the wrong file, so it is named rather than ignored.
void check_columns(const csv::Table& t, const Preprocessing& prep) {
  std::vector<std::string> unexpected;
  for (const auto& c : t.columns) {
    bool known = false;
    for (const auto& f : prep.features) known = known || f.name == c.name;
    for (const auto& n : prep.targets) known = known || n == c.name;
    if (!known) unexpected.push_back("'" + c.name + "'");
  }
  if (unexpected.empty()) return;
  std::string list, expected;
  for (const auto& u : unexpected) list += (list.empty() ? "" : ", ") + u;
  for (const auto& f : prep.features) expected += (expected.empty() ? "'" : ", '") + f.name + "'";
  throw Error(t.path + ": unexpected column" + (unexpected.size() > 1 ? "s " : " ") + list +
              " not seen in training (the model's feature columns: " + expected +
              "); remove them or use the right file");
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// CSV field, quoted when it needs to be (RFC 4180).
std::string field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace

int evaluate(const std::string& model_path, const std::string& data, const CsvOptions& csv, bool json) {
  Model model = load_model(model_path);
  const csv::Table t = csv::read(data, csv.resolve());
  check_columns(t, model.prep);
  if (!has_targets(t, model.prep)) {
    std::string names;
    for (const auto& n : model.prep.targets) names += (names.empty() ? "'" : ", '") + n + "'";
    throw Error(data + ": no target column " + names + " to evaluate against (use mlp predict for unlabelled data)");
  }
  const auto rows = all_rows(t);
  const Matrix X = make_inputs(t, model.prep, rows), Y = make_targets(t, model.prep, rows);
  const Evaluation e = evaluate_network(model.net, model.prep, X, Y);
  nlohmann::json j = e.json;
  const std::string& text = e.text;
  j["task"] = task_name(model.prep.task);
  j["rows"] = rows.size();
  if (json)
    std::printf("%s\n", j.dump().c_str());
  else
    std::printf("%s: %zu rows, %s\n%s", data.c_str(), rows.size(), task_name(model.prep.task), text.c_str());
  return 0;
}

int predict(const std::string& model_path, const std::string& data, const CsvOptions& csv, const std::string& out,
            bool proba) {
  Model model = load_model(model_path);
  const csv::Table t = csv::read(data, csv.resolve());
  check_columns(t, model.prep);
  const Matrix P = model.net.predict(make_inputs(t, model.prep, all_rows(t)));
  const Preprocessing& prep = model.prep;
  std::string s;
  if (prep.task == Task::Classification) {
    s = "prediction";
    if (proba)
      for (const auto& c : prep.classes) s += "," + field("p_" + c);
    s += "\n";
    const auto cls = predicted_classes(P);
    for (Index i = 0; i < P.rows(); ++i) {
      s += field(prep.classes[static_cast<std::size_t>(cls[static_cast<std::size_t>(i)])]);
      if (proba) {
        if (P.cols() == 1)  // sigmoid: P is the probability of the second class
          s += "," + fmt(1.0 - P(i, 0)) + "," + fmt(P(i, 0));
        else
          for (Index k = 0; k < P.cols(); ++k) s += "," + fmt(P(i, k));
      }
      s += "\n";
    }
  } else {
    for (std::size_t k = 0; k < prep.targets.size(); ++k) s += (k ? "," : "") + field(prep.targets[k]);
    s += "\n";
    const Matrix Yhat = unscale_targets(prep, P);
    for (Index i = 0; i < Yhat.rows(); ++i) {
      for (Index k = 0; k < Yhat.cols(); ++k) s += (k ? "," : "") + fmt(Yhat(i, k));
      s += "\n";
    }
  }
  if (out.empty() || out == "-")
    std::fwrite(s.data(), 1, s.size(), stdout);
  else
    write_file_atomically(out, s);
  return 0;
}

int summary(const std::string& model_path) {
  Model model = load_model(model_path);
  const Preprocessing& p = model.prep;
  std::printf("%s\n%s", model_path.c_str(), model.net.summary().c_str());
  std::printf("\nTask: %s\n", task_name(p.task));
  if (p.task == Task::Classification) {
    std::printf("Classes (%zu):", p.classes.size());
    for (const auto& c : p.classes) std::printf(" %s", c.c_str());
    std::printf("\n");
  }
  std::printf("Targets:");
  for (const auto& t : p.targets) std::printf(" %s", t.c_str());
  std::printf("\nFeatures (%zu columns, %lld inputs, scaling %s):\n", p.features.size(),
              static_cast<long long>(p.input_size()), scaling_name(p.scaling));
  for (const auto& f : p.features) {
    if (f.categorical) {
      std::printf("  %-24s one-hot:", f.name.c_str());
      for (const auto& c : f.categories) std::printf(" %s", c.c_str());
      std::printf("\n");
    } else {
      std::printf("  %-24s (x - %.6g) / %.6g\n", f.name.c_str(), f.shift, f.scale);
    }
  }
  if (!model.training.empty()) std::printf("\nTraining:\n%s\n", model.training.dump(2).c_str());
  return 0;
}

int make_dataset(const std::string& kind, long samples, double noise, std::uint64_t seed, int classes,
                 const std::string& out) {
  if (samples < 1) throw Error("--samples must be at least 1");
  const auto data = synthetic::make(kind, static_cast<std::size_t>(samples), noise, seed, classes);
  std::ostringstream s;
  synthetic::write_csv(data, s);
  if (out.empty() || out == "-")
    std::fwrite(s.str().data(), 1, s.str().size(), stdout);
  else
    write_file_atomically(out, s.str());
  return 0;
}

int list_activations() {
  std::printf("Activations (use in --activation, --layers 64:NAME, --output-activation):\n\n");
  for (const auto& a : activations()) {
    std::string name = a.name;
    if (a.alias) name += " (alias " + std::string(a.alias) + ")";
    if (a.has_param())
      std::printf("%s  [:%s=%g%s]\n", name.c_str(), a.param.name, a.param.default_value,
                  a.param.learnable == Learnable::Optional ? "][:learn" : "");
    else
      std::printf("%s\n", name.c_str());
    std::printf("    %s\n    %s%s\n    range: %s\n    init:  %s\n    use:   %s\n\n", a.formula, a.derivative,
                a.smooth ? "" : "  (f' jumps at 0)", a.range, init_info(a.default_init).name, a.use);
  }
  std::printf("Losses (--loss; the default follows the task):\n\n");
  for (const auto& l : losses()) {
    std::printf("%s", l.name);
    if (l.has_param()) std::printf("  [:%s=%g]", l.param_name, l.param_default);
    std::printf("\n    L = %s\n    %s\n", l.formula, l.gradient_formula);
    if (l.output_activation)
      std::printf("    output activation: %s (computed from its logits z)\n", l.output_activation);
    std::printf("    use:   %s\n\n", l.use);
  }
  return 0;
}

void add_csv_options(CLI::App* cmd, CsvOptions& csv) {
  cmd->add_option("--delimiter", csv.delimiter, "Field delimiter: one character, or 'tab'")->capture_default_str();
  cmd->add_flag("--header", csv.header, "The first row is a header (default: detected)");
  cmd->add_flag("--no-header", csv.no_header, "The first row is data; columns are named column_1, column_2, ...");
}

namespace {
// The arguments of a command that reads a model and a data file.
struct ModelArgs {
  std::string model, data, out;
  bool json = false, proba = false;
  CsvOptions csv;
};
}  // namespace

Command add_evaluate_command(CLI::App& app) {
  auto a = std::make_shared<ModelArgs>();
  auto* cmd = app.add_subcommand("evaluate", "Evaluate a saved model on a labelled CSV file");
  cmd->add_option("model", a->model, "Model file written by mlp train --save")->required();
  cmd->add_option("data", a->data, "CSV file with the feature and target columns")->required();
  cmd->add_flag("--json", a->json, "Print the metrics as one JSON object");
  add_csv_options(cmd, a->csv);
  return {cmd, [a] { return evaluate(a->model, a->data, a->csv, a->json); }};
}

Command add_predict_command(CLI::App& app) {
  auto a = std::make_shared<ModelArgs>();
  auto* cmd = app.add_subcommand("predict", "Predict with a saved model; writes CSV");
  cmd->add_option("model", a->model, "Model file written by mlp train --save")->required();
  cmd->add_option("data", a->data, "CSV file with the feature columns (target columns, if present, are ignored)")
      ->required();
  cmd->add_option("-o,--output", a->out, "Write predictions here instead of stdout");
  cmd->add_flag("--proba", a->proba, "Also write each class's probability");
  add_csv_options(cmd, a->csv);
  return {cmd, [a] { return predict(a->model, a->data, a->csv, a->out, a->proba); }};
}

Command add_summary_command(CLI::App& app) {
  auto a = std::make_shared<ModelArgs>();
  auto* cmd = app.add_subcommand("summary", "Show a saved model: layers, parameters, preprocessing, training options");
  cmd->add_option("model", a->model, "Model file")->required();
  return {cmd, [a] { return summary(a->model); }};
}

Command add_make_dataset_command(CLI::App& app) {
  struct Args {
    std::string kind, out;
    long samples = 400;
    double noise = 0.1;
    std::uint64_t seed = 42;
    int classes = 0;
  };
  auto a = std::make_shared<Args>();
  std::string kinds_help = "Synthetic 2-D data sets for teaching:";
  std::vector<std::string> kind_names;
  for (const auto& k : synthetic::kinds()) {
    kinds_help += std::string("\n  ") + k.name + ": " + k.description;
    kind_names.push_back(k.name);
  }
  auto* cmd = app.add_subcommand("make-dataset", kinds_help);
  cmd->add_option("kind", a->kind, "Which data set")->required()->check(CLI::IsMember(kind_names));
  cmd->add_option("--samples", a->samples, "Number of rows")->capture_default_str();
  cmd->add_option("--noise", a->noise, "Noise level (see each kind)")->capture_default_str();
  cmd->add_option("--seed", a->seed, "Random seed")->capture_default_str();
  cmd->add_option("--classes", a->classes, "Number of classes (spiral, blobs; 0 = the kind's default)")
      ->capture_default_str();
  cmd->add_option("-o,--output", a->out, "Output CSV (default stdout)");
  return {cmd, [a] { return make_dataset(a->kind, a->samples, a->noise, a->seed, a->classes, a->out); }};
}

Command add_activations_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("activations", "List the activations and losses, with formulas and when to use them");
  return {cmd, [] { return list_activations(); }};
}

}  // namespace mlp::app
