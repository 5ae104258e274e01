// The `mlp` command line: subcommands train, evaluate, predict, summary, make-dataset and
// activations, parsed with CLI11. `mlp --help` and `mlp COMMAND --help` are the first documentation.
#include "commands.hpp"

#include "mlp/activation.hpp"
#include "mlp/error.hpp"
#include "mlp/init.hpp"
#include "mlp/io/files.hpp"
#include "mlp/io/synthetic.hpp"
#include "mlp/loss.hpp"
#include "mlp/optimizer.hpp"
#include "mlp/schedule.hpp"

#include <CLI/CLI.hpp>

#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

namespace {

using namespace mlp::app;

void add_csv_options(CLI::App* cmd, CsvOptions& csv) {
  cmd->add_option("--delimiter", csv.delimiter, "Field delimiter: one character, or 'tab'")->capture_default_str();
  cmd->add_flag("--header", csv.header, "The first row is a header (default: detected)");
  cmd->add_flag("--no-header", csv.no_header, "The first row is data; columns are named column_1, column_2, ...");
}

CLI::App* add_train(CLI::App& app, TrainOptions& t, std::string& write_config) {
  auto* train = app.add_subcommand(
      "train", "Train a network on a CSV file (the target is the last column unless --target says otherwise)");
  // --config belongs to the top-level app (CLI11 reads subcommand options from a [train] section
  // or train.NAME keys); fallthrough lets users write it after `train` as well.
  app.set_config("--config", "", "Read options from a TOML/INI file (as written by mlp train --write-config)")
      ->configurable(false);
  train->fallthrough();
  train->add_option("data", t.data, "Training data (CSV)")->required();
  train
      ->add_option(
          "--target", t.targets,
          "Target column(s) by name or 0-based index; several for multi-output regression (default: the last column)")
      ->delimiter(',');
  train
      ->add_option("--task", t.task,
                   "classification, regression, or auto: text or few integer labels mean classification")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "classification", "regression"}));
  train->add_option("--categorical", t.categorical, "Text feature columns to one-hot encode")->delimiter(',');
  train
      ->add_option("--layers", t.layers,
                   "Hidden layer sizes, each optionally with its activation: 64,32 or 64:relu,32:tanh ('none' for no "
                   "hidden layer)")
      ->capture_default_str();
  train->add_option("--activation", t.activation, "Hidden activation: " + mlp::activation_names())
      ->capture_default_str();
  train->add_option(
      "--output-activation", t.output_activation,
      "Output activation (default from the task: softmax, sigmoid for two classes, identity for regression)");
  train->add_option("--loss", t.loss, "Loss: " + mlp::loss_names() + " (default from the task)");
  train->add_option("--optimizer", t.optimizer, "Optimizer: " + mlp::optimizer_names())->capture_default_str();
  train->add_option("--lr", t.lr, "Learning rate (0 = the optimizer's default: 0.001 for adam, 0.01 for sgd)")
      ->capture_default_str();
  train->add_option("--momentum", t.momentum, "SGD momentum in [0, 1)")->capture_default_str();
  train->add_flag("--nesterov", t.nesterov, "Nesterov momentum (SGD)");
  train->add_option("--weight-decay", t.weight_decay, "L2 penalty added to every gradient")->capture_default_str();
  train
      ->add_option("--clip-norm", t.clip_norm,
                   "Clip gradients to this global L2 norm (0 = off): the remedy for exploding gradients")
      ->capture_default_str();
  train->add_option("--dropout", t.dropout, "Dropout rate after each hidden layer, in [0, 1)")->capture_default_str();
  train->add_option("--init", t.init, "Weight init: " + mlp::init_names() + " (default from each layer's activation)");
  train->add_option("--epochs", t.epochs, "Passes over the training data")->capture_default_str();
  train->add_option("--batch-size", t.batch_size, "Samples per gradient step")->capture_default_str();
  train->add_option("--lr-schedule", t.lr_schedule, "Learning-rate schedule: " + mlp::schedule_names())
      ->capture_default_str();
  train->add_option("--val-split", t.val_split, "Fraction of rows held out for validation, in [0, 1)")
      ->capture_default_str();
  train->add_option("--val", t.val_file, "Validation data from a file instead of a split");
  train->add_option("--test-split", t.test_split, "Fraction of rows held out as a test set, never used in training")
      ->capture_default_str();
  train->add_option("--test", t.test_file, "Test data file, evaluated after training");
  train
      ->add_option("--early-stopping", t.early_stopping,
                   "Stop after this many epochs without a better validation loss, restoring the best weights (0 = off; "
                   "-1 = 20 for regression with validation data, off for classification)")
      ->capture_default_str();
  train->add_option("--scale", t.scale, "Feature scaling: standard, minmax or none")
      ->capture_default_str()
      ->check(CLI::IsMember({"standard", "minmax", "none"}));
  train->add_option("--seed", t.seed, "Seed for initialisation, splitting, shuffling and dropout")
      ->capture_default_str();
  train->add_option("--threads", t.threads, "Threads for the matrix products")->capture_default_str();
  train->add_flag("--reference", t.reference,
                  "Compute each Dense layer with the textbook code of src/dense.cpp instead of the fast path (same "
                  "results to float rounding; for reading and changing the code)");
  train->add_option("--save", t.save, "Write the trained model (JSON) to this file");
  train->add_option("--history", t.history, "Write per-epoch metrics to this CSV file");
  train
      ->add_option("--write-config", write_config,
                   "Write this run's options to a TOML file, to re-run it with --config")
      ->configurable(false);
  train->add_flag("--quiet,-q", t.quiet, "Print only the final result");
  train->add_flag("--json", t.json, "Print the final metrics as one JSON object on stdout");
  add_csv_options(train, t.csv);
  return train;
}

// The arguments of evaluate, predict, summary and make-dataset.
struct ToolArgs {
  std::string model, data, out, kind;
  bool json = false, proba = false;
  CsvOptions csv;
  long samples = 400;
  double noise = 0.1;
  std::uint64_t seed = 42;
  int classes = 0;
};

struct Commands {
  CLI::App *train, *evaluate, *predict, *summary, *make, *activations;
};

Commands add_commands(CLI::App& app, TrainOptions& t, std::string& write_config, ToolArgs& a) {
  Commands c{};
  c.train = add_train(app, t, write_config);

  c.evaluate = app.add_subcommand("evaluate", "Evaluate a saved model on a labelled CSV file");
  c.evaluate->add_option("model", a.model, "Model file written by mlp train --save")->required();
  c.evaluate->add_option("data", a.data, "CSV file with the feature and target columns")->required();
  c.evaluate->add_flag("--json", a.json, "Print the metrics as one JSON object");
  add_csv_options(c.evaluate, a.csv);

  c.predict = app.add_subcommand("predict", "Predict with a saved model; writes CSV");
  c.predict->add_option("model", a.model, "Model file written by mlp train --save")->required();
  c.predict->add_option("data", a.data, "CSV file with the feature columns (target columns, if present, are ignored)")
      ->required();
  c.predict->add_option("-o,--output", a.out, "Write predictions here instead of stdout");
  c.predict->add_flag("--proba", a.proba, "Also write each class's probability");
  add_csv_options(c.predict, a.csv);

  c.summary = app.add_subcommand("summary", "Show a saved model: layers, parameters, preprocessing, training options");
  c.summary->add_option("model", a.model, "Model file")->required();

  std::string kinds_help = "Synthetic 2-D data sets for teaching:";
  std::vector<std::string> kind_names;
  for (const auto& k : mlp::synthetic::kinds()) {
    kinds_help += std::string("\n  ") + k.name + ": " + k.description;
    kind_names.push_back(k.name);
  }
  c.make = app.add_subcommand("make-dataset", kinds_help);
  c.make->add_option("kind", a.kind, "Which data set")->required()->check(CLI::IsMember(kind_names));
  c.make->add_option("--samples", a.samples, "Number of rows")->capture_default_str();
  c.make->add_option("--noise", a.noise, "Noise level (see each kind)")->capture_default_str();
  c.make->add_option("--seed", a.seed, "Random seed")->capture_default_str();
  c.make->add_option("--classes", a.classes, "Number of classes (spiral, blobs; 0 = the kind's default)")
      ->capture_default_str();
  c.make->add_option("-o,--output", a.out, "Output CSV (default stdout)");

  c.activations =
      app.add_subcommand("activations", "List the activations and losses, with formulas and when to use them");
  return c;
}

// A config file written by hand usually has bare keys ("epochs = 3"); CLI11 reads a subcommand's
// options from its [train] section, so such a file is handed over as a copy that has one. Returns
// the copy's path ("" when none was made), for the caller to remove.
std::string section_bare_config(std::vector<std::string>& args) {
  for (std::size_t i = 1; i + 1 < args.size(); ++i) {
    if (args[i] != "--config") continue;
    std::ifstream in(args[i + 1]);
    if (!in) return "";  // CLI11 reports the missing file
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.find('[') != std::string::npos || text.find("train.") != std::string::npos) return "";
    char tmpl[] = "/tmp/mlp-config-XXXXXX";
    const int fd = mkstemp(tmpl);
    if (fd < 0) return "";
    const std::string body = "[train]\n" + text;
    const bool ok = write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size());
    close(fd);
    if (!ok) return "";
    args[i + 1] = tmpl;
    return tmpl;
  }
  return "";
}

int run(const Commands& c, const TrainOptions& t, const std::string& write_config, const ToolArgs& a) {
  if (c.train->parsed()) {
    if (!write_config.empty()) mlp::write_file_atomically(write_config, options_toml(t));
    return train(t);
  }
  if (c.evaluate->parsed()) return evaluate(a.model, a.data, a.csv, a.json);
  if (c.predict->parsed()) return predict(a.model, a.data, a.csv, a.out, a.proba);
  if (c.summary->parsed()) return summary(a.model);
  if (c.make->parsed()) return make_dataset(a.kind, a.samples, a.noise, a.seed, a.classes, a.out);
  if (c.activations->parsed()) return list_activations();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "mlp: train, evaluate and use multilayer perceptrons on CSV files.\n"
      "Start with:  mlp train datasets/iris.csv"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "mlp 0.1.0");
  TrainOptions t;
  std::string write_config;
  ToolArgs a;
  const Commands commands = add_commands(app, t, write_config, a);

  std::vector<std::string> args(argv, argv + argc);
  const std::string sectioned = section_bare_config(args);
  std::vector<char*> argp;
  for (auto& arg : args) argp.push_back(arg.data());
  try {
    app.parse(static_cast<int>(argp.size()), argp.data());
  } catch (const CLI::ParseError& e) {
    if (!sectioned.empty()) std::remove(sectioned.c_str());
    return app.exit(e);
  }
  if (!sectioned.empty()) std::remove(sectioned.c_str());

  try {
    return run(commands, t, write_config, a);
  } catch (const mlp::Error& e) {
    std::fprintf(stderr, "mlp: error: %s\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "mlp: error: out of memory (is the file or the network larger than this machine can hold?)\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mlp: internal error: %s (please report it)\n", e.what());
    return 3;
  }
}
