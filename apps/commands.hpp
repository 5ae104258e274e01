// The mlp commands, one function each, called by main.cpp once CLI11 has parsed the options.
// Each returns the process exit status; user errors are thrown as mlp::Error and reported by main.
#pragma once

#include "mlp/io/csv.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace mlp::app {

struct CsvOptions {
  std::string delimiter = ",";
  bool header = false, no_header = false;
  csv::Options resolve() const;  // validates the delimiter
};

// The value of --epochs, --weight-decay (and "auto" for --layers) that lets `mlp train` choose:
// docs/defaults.md has how, and the measurements behind it.
// Values no one types: a negative number given is refused, not taken for auto.
constexpr int kAutoEpochs = std::numeric_limits<int>::min();
constexpr double kAutoWeightDecay = -std::numeric_limits<double>::infinity();
constexpr double kAutoDropout = -std::numeric_limits<double>::infinity();
constexpr int kAutoFolds = std::numeric_limits<int>::min();
// --epochs auto refits on every training row for this many times the chosen run's best epoch; a
// linear model whose rate decays on a cosine (--lr-schedule auto) for kLinearRefitFactor times.
// Model files before 2026-12-02 record no factor: theirs is kRefitFactor.
constexpr double kRefitFactor = 1.25;
constexpr double kLinearRefitFactor = 2.5;
// A linear model's refit multiplies at least this many epochs, whatever its best epoch was: as
// many as the default patience of the runs that chose it (train.cpp; docs/defaults.md).
constexpr int kLinearMinRefitBase = 20;
// How train, summary and the report say that the floor, not the best epoch, set the refit's length.
constexpr const char* kLinearMinRefitWords = "the least a linear model is refitted for";

struct TrainOptions {
  std::string data;
  std::vector<std::string> targets;
  std::string task = "auto";
  std::vector<std::string> categorical;
  std::vector<std::string> ignore;  // columns left out of the features
  std::string layers = "auto";      // 64,32, or 256,128 from 256 inputs on
  std::string activation = "relu";
  std::string output_activation;  // "" = chosen from the task
  std::string loss;               // "" = chosen from the task
  std::string class_weight;       // "" = every class weighs 1; "balanced", "no=1,yes=5" or "1,5" (class_weight.hpp)
  std::string optimizer = "adam";
  double lr = 0;  // 0 = the optimizer's default (adam 0.001, sgd 0.01)
  double momentum = 0;
  bool nesterov = false;
  double beta1 = 0.9, beta2 = 0.999;       // adam's moment decay rates
  double weight_decay = kAutoWeightDecay;  // chosen on the validation rows with --epochs auto, else 0
  double clip_norm = 0;
  double dropout = kAutoDropout;  // 0.2 with the wide layers of --layers auto, else 0
  std::string init;               // "" = from each layer's activation
  double bias_init = 0;           // the value every hidden layer's biases start at
  int epochs = kAutoEpochs;       // chosen by early stopping, then a refit on every training row
  int folds = kAutoFolds;         // what --epochs auto chooses on: 1 = the validation split, k = k folds
  long batch_size = 32;
  std::string lr_schedule = "auto";  // resolve_lr_schedule
  double val_split = 0.2;
  std::string val_file, test_file;
  double test_split = 0;
  int early_stopping = -1;  // -1 = 20 when there is validation data, else off
  std::string scale = "standard";
  std::string missing = "error";  // what a missing cell means: error, drop, mean, median
  std::uint64_t seed = 42;
  int threads = 1;
  bool reference = false;  // run src/dense.cpp itself instead of the fast path
  std::string save, history;
  std::string diagnostics;  // CSV of per-layer statistics per epoch ("" = off)
  std::string report;       // a self-contained HTML page about the run ("" = none)
  std::string checkpoint;   // the training state, every checkpoint_every epochs ("" = none)
  int checkpoint_every = 1;
  std::string resume;  // a checkpoint to go on from
  bool quiet = false, json = false;
  CsvOptions csv;

  // Every option of a run, once, by its name (the command line's, with '_' for '-'). The model
  // file's "options" and --write-config's file are both written from this list (options.cpp).
  template <class Visitor>
  void visit(Visitor&& v) const {
    visit_fields(*this, v);
  }
  template <class Visitor>
  void visit(Visitor&& v) {
    visit_fields(*this, v);
  }
  // The options given on the command line or in a config file, by their visit() names: a resumed
  // run takes the others from its checkpoint. Not an option itself.
  std::vector<std::string> given;

 private:
  template <class Self, class Visitor>
  static void visit_fields(Self& o, Visitor& v) {
    v("data", o.data);
    v("target", o.targets);
    v("task", o.task);
    v("categorical", o.categorical);
    v("ignore", o.ignore);
    v("layers", o.layers);
    v("activation", o.activation);
    v("output_activation", o.output_activation);
    v("loss", o.loss);
    v("class_weight", o.class_weight);
    v("optimizer", o.optimizer);
    v("lr", o.lr);
    v("momentum", o.momentum);
    v("nesterov", o.nesterov);
    v("beta1", o.beta1);
    v("beta2", o.beta2);
    v("weight_decay", o.weight_decay);
    v("clip_norm", o.clip_norm);
    v("dropout", o.dropout);
    v("init", o.init);
    v("bias_init", o.bias_init);
    v("epochs", o.epochs);
    v("folds", o.folds);
    v("batch_size", o.batch_size);
    v("lr_schedule", o.lr_schedule);
    v("val_split", o.val_split);
    v("val", o.val_file);
    v("test_split", o.test_split);
    v("test", o.test_file);
    v("early_stopping", o.early_stopping);
    v("scale", o.scale);
    v("missing", o.missing);
    v("seed", o.seed);
    v("threads", o.threads);
    v("reference", o.reference);
    v("delimiter", o.csv.delimiter);
    v("header", o.csv.header);
    v("no_header", o.csv.no_header);
    v("save", o.save);
    v("history", o.history);
    v("diagnostics", o.diagnostics);
    v("report", o.report);
    v("checkpoint", o.checkpoint);
    v("checkpoint_every", o.checkpoint_every);
    v("resume", o.resume);
    v("quiet", o.quiet);
    v("json", o.json);
  }
};

// The options as JSON, {"data": ..., "layers": ..., ...}, for the model file.
nlohmann::json options_json(const TrainOptions& o);
// The options as a TOML [train] section that `mlp train --config FILE` reads back; options left
// empty ("" or no values) are left out, so reading the file back leaves them unset too.
// Without with_outputs, the options that say where this run writes (--save, --history, ...) and
// how it prints (--quiet, --json) are left out: a config defines the experiment, and re-running it
// elsewhere must not overwrite another run's files.
std::string options_toml(const TrainOptions& o, bool with_outputs = false);
// Where a run writes (--save, --history, --report, --checkpoint...) and how it prints (--quiet,
// --json), by visit() name: not part of the experiment a config or a re-run command repeats.
bool is_output_option(const std::string& name);
// --lr-schedule auto: a constant rate for a network; for a linear model (--layers none) a rate that
// decays to 0 on a cosine over the run. A linear model's loss is convex: at a constant step Adam
// ends wandering around the optimum (on 37,500 rows of a linear regression, R² 0.716 against 0.722
// for least squares), with a decaying one it ends at it (docs/defaults.md). A schedule given is kept.
inline std::string resolve_lr_schedule(const std::string& given, bool linear) {
  return given != "auto" ? given : linear ? "cosine" : "constant";
}

int train(const TrainOptions& o);
// Throws mlp::Error on what train would reject before reading a file.
void check_train_options(const TrainOptions& o);
// One run of train, silent and writing no file, always measuring the diagnostics: the texts its
// --history and --diagnostics files and its --json line would hold (compare.cpp reads both alike).
struct TrainRecord {
  std::string history, diagnostics, summary;
  int signal = 0;  // the signal that interrupted the run (SIGINT, SIGTERM); 0 when it ran to its end
};
TrainRecord train_record(const TrainOptions& o);
int evaluate(const std::string& model, const std::string& data, const CsvOptions& csv, bool json);
struct PredictOptions {
  std::string model, data, out;
  bool proba = false;
  double threshold = std::numeric_limits<double>::quiet_NaN();  // NaN: the most probable class
  std::vector<std::string> keep;                                // columns copied into the output
  CsvOptions csv;
};
int predict(const PredictOptions& options);
// The model file as a page to read, or (as_json) as one JSON object without the weights.
int summary(const std::string& model, bool as_json);
int make_dataset(const std::string& kind, long samples, double noise, std::uint64_t seed, int classes,
                 const std::string& out);
int list_activations();

// Every row of a table, in order: the row list for a whole file.
std::vector<std::size_t> all_rows(const csv::Table& table);

}  // namespace mlp::app
