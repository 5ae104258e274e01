// `mlp train`: from a CSV file to a trained, evaluated and (optionally) saved model, in five
// steps: check every option, load and split the data, build the network, fit, report and save.
#include "class_weight.hpp"
#include "cli.hpp"
#include "commands.hpp"
#include "plot.hpp"
#include "progress.hpp"
#include "report.hpp"
#include "resume.hpp"
#include "text.hpp"

#include "mlp/activation.hpp"
#include "mlp/diagnostics.hpp"
#include "mlp/error.hpp"
#include "mlp/init.hpp"
#include "mlp/io/checkpoint.hpp"
#include "mlp/io/evaluation.hpp"
#include "mlp/io/files.hpp"
#include "mlp/io/folds.hpp"
#include "mlp/io/metrics.hpp"
#include "mlp/io/model.hpp"
#include "mlp/io/preprocess.hpp"
#include "mlp/optimizer.hpp"
#include "mlp/schedule.hpp"
#include "mlp/threads.hpp"
#include "mlp/trainer.hpp"

#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <sstream>
#include <thread>
#include <type_traits>

namespace mlp::app {

namespace {

std::string parent_dir(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

// ---- 1. the options, all checked before a file is read or an hour is spent training ----------

struct HiddenLayer {
  Index units;
  Activation activation;
};

// "64,32" or "64:relu,32:leaky_relu:0.3" (each layer's activation overrides --activation).
std::vector<HiddenLayer> parse_layers(const std::string& spec, const std::string& default_activation) {
  std::vector<HiddenLayer> layers;
  if (spec.empty()) return layers;  // as "none": no hidden layer, a linear/logistic model
  for (const LayerText& l : split_layers(spec, default_activation, 1000000, "--layers 64,32 or 64:relu,32:tanh")) {
    try {
      layers.push_back({l.units, parse_activation(l.activation)});
    } catch (const Error& e) {
      throw Error((l.own_activation ? "--layers '" + spec + "': " : std::string("--activation: ")) + e.what());
    }
    if (layers.back().activation.info->output_only)
      throw Error(std::string(l.own_activation ? "--layers" : "--activation") + ": '" + l.activation +
                  "' belongs on the output layer (--output-activation), not a hidden one");
  }
  return layers;
}

void check_ranges(const TrainOptions& o) {
  if (!(o.lr >= 0) || !std::isfinite(o.lr)) throw Error("--lr must be a positive number (got " + fmt("%g", o.lr) + ")");
  if (o.epochs < 1 && o.epochs != kAutoEpochs) throw Error("--epochs must be at least 1, or auto");
  if (!(o.weight_decay >= 0) && o.weight_decay != kAutoWeightDecay)
    throw Error("--weight-decay must be 0 or more, or auto (got " + fmt("%g", o.weight_decay) + ")");
  if (o.folds != kAutoFolds && o.folds < 1)
    throw Error("--folds must be at least 1 (1: the validation split), or auto (got " + std::to_string(o.folds) + ")");
  if (o.folds != kAutoFolds && o.folds > 1 && o.epochs != kAutoEpochs)
    throw Error("--folds " + std::to_string(o.folds) +
                ": the folds choose the epochs and the weight decay of --epochs auto; with --epochs " +
                std::to_string(o.epochs) + " nothing is chosen");
  if (o.folds != kAutoFolds && o.folds > 1 && !o.val_file.empty())
    throw Error("--folds " + std::to_string(o.folds) + " and --val " + o.val_file +
                ": the folds are made of the training file's rows; with a validation file, choose on it (--folds 1)");
  if (o.epochs == kAutoEpochs && o.early_stopping == 0)
    throw Error(
        "--early-stopping 0 turns off what --epochs auto chooses the epochs with; give --epochs N to train "
        "a fixed number of epochs without it");
  if (o.batch_size < 1) throw Error("--batch-size must be at least 1");
  if (!(o.val_split >= 0 && o.val_split < 1))
    throw Error("--val-split must be in [0, 1) (got " + fmt("%g", o.val_split) + ")");
  if (!(o.test_split >= 0 && o.test_split < 1)) throw Error("--test-split must be in [0, 1)");
  if (o.val_split + o.test_split >= 1) throw Error("--val-split + --test-split must leave rows for training");
  if (!(o.dropout >= 0 && o.dropout < 1) && o.dropout != kAutoDropout)
    throw Error("--dropout must be in [0, 1), or auto (got " + fmt("%g", o.dropout) + ")");
  if (o.early_stopping < -1) throw Error("--early-stopping takes a patience in epochs (0 = off)");
  if (o.threads < 1) throw Error("--threads must be at least 1");
  if (!std::isfinite(o.bias_init)) throw Error("--bias-init must be a finite number");
  if (o.checkpoint_every < 1) throw Error("--checkpoint-every takes a number of epochs, at least 1");
  if (!o.checkpoint.empty() && o.checkpoint == o.save)
    throw Error("--checkpoint and --save name the same file, " + o.save + "; give the checkpoint a name of its own");
  // Every output path, before a file is read or an epoch is trained: a typo must not cost the run.
  for (const auto& [option, path] : {std::pair<const char*, const std::string&>{"--save", o.save},
                                     {"--report", o.report},
                                     {"--history", o.history},
                                     {"--diagnostics", o.diagnostics},
                                     {"--checkpoint", o.checkpoint}}) {
    if (path.empty()) continue;
    if (parent_dir(path) != "." && access(parent_dir(path).c_str(), W_OK) != 0)
      throw Error(std::string(option) + " " + path + ": the directory '" + parent_dir(path) +
                  "' does not exist or is not writable");
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      throw Error(std::string(option) + " " + path + ": is a directory; give a file name");
  }
}

std::string class_weight_on_regression(const TrainOptions& o) {
  return "--class-weight applies to classification (it weighs the samples of each class in the loss); this is a "
         "regression: leave --class-weight out" +
         std::string(o.task == "auto" ? ", or give --task classification if the target holds class labels" : "");
}

// What the options resolve to, before any data is seen.
struct Plan {
  OptimizerConfig optimizer;
  Schedule schedule;
  std::vector<HiddenLayer> hidden;
  std::optional<InitKind> init;
  PreprocessOptions preprocess;
};

// An output activation whose values stay within bounds (sigmoid, tanh, relu6...) cannot reach
// standardised targets: with one, a regression takes its targets as they are and checks that they
// lie within reach (PreprocessOptions::bounded_output). The bounds are the activation's own values
// far out on either side, computed by the engine; softmax has none at a point and is left alone.
void bound_regression_targets(const std::string& output_activation, PreprocessOptions& po) {
  if (output_activation.empty()) return;
  Activation a;
  try {
    a = parse_activation(output_activation);
  } catch (const Error& e) {
    throw Error(std::string("--output-activation: ") + e.what());
  }
  if (!a.info->elementwise) return;
  constexpr double kFar = 1e4, kBounded = 1e3;
  const ActivationValues v = activation_values(a, {-kFar, kFar});
  if (!(std::fabs(v.f[0]) < kBounded && std::fabs(v.f[1]) < kBounded)) return;
  po.bounded_output = a.spec();
  po.output_low = std::min(v.f[0], v.f[1]);
  po.output_high = std::max(v.f[0], v.f[1]);
}

// The learning rate when --lr is not given: 0.01 for SGD; for Adam 0.001, and 0.01 for a linear
// model (--layers none). A linear model has no hidden units to saturate, and at 0.001 its early-
// stopped runs stop short of the fit: on iris 0.85 held-out accuracy against 0.94 at 0.01 and 0.95
// for scikit-learn's LogisticRegression. At 0.01 it is within half a point of LogisticRegression
// or LinearRegression on the bundled sets, and the defaults keep it where the data are linear
// (docs/defaults.md).
double default_learning_rate(const std::string& optimizer, bool linear) {
  if (optimizer == "sgd") return 0.01;
  return linear ? 0.01 : 0.001;
}

// The plan as a linear model (--layers none): no hidden layer, and its own default learning rate
// unless --lr was given.
void make_linear(Plan& p, const TrainOptions& o) {
  p.hidden.clear();
  if (o.lr <= 0) p.optimizer.learning_rate = default_learning_rate(o.optimizer, true);
}

Plan plan_run(const TrainOptions& o) {
  check_ranges(o);
  Plan p;
  // auto: the sizes wait for the data (auto_layers); the activation is checked now.
  p.hidden = parse_layers(o.layers == "auto" ? "1" : o.layers, o.activation);
  p.optimizer.name = o.optimizer;
  p.optimizer.learning_rate =
      o.lr > 0 ? o.lr : default_learning_rate(o.optimizer, o.layers != "auto" && p.hidden.empty());
  // An option of the other optimizer would be accepted and then do nothing: refused, naming what applies.
  if (o.optimizer == "adam" && o.momentum != 0)
    throw Error("--momentum applies to --optimizer sgd; Adam's moments are set with --beta1 and --beta2");
  if (o.optimizer == "adam" && o.nesterov) throw Error("--nesterov applies to --optimizer sgd (with --momentum)");
  if (o.optimizer == "sgd" && (o.beta1 != 0.9 || o.beta2 != 0.999))
    throw Error("--beta1 and --beta2 apply to --optimizer adam; SGD's is --momentum");
  p.optimizer.momentum = o.momentum;
  p.optimizer.nesterov = o.nesterov;
  p.optimizer.beta1 = o.beta1;
  p.optimizer.beta2 = o.beta2;
  p.optimizer.weight_decay = o.weight_decay == kAutoWeightDecay ? 0 : o.weight_decay;  // auto: see choose_on_validation
  p.optimizer.clip_norm = o.clip_norm;
  make_optimizer(p.optimizer);  // checks the optimizer's settings now
  // auto is the command line's (resolved in run()), so the library's list of names leaves it out.
  const std::string schedule_name = o.lr_schedule.substr(0, o.lr_schedule.find(':'));
  const bool known =
      schedule_name == "auto" || std::any_of(schedules().begin(), schedules().end(),
                                             [&](const ScheduleInfo& i) { return schedule_name == i.name; });
  if (!known)
    throw Error("--lr-schedule: unknown learning-rate schedule '" + schedule_name + "'; valid: auto (the default), " +
                schedule_names());
  if (schedule_name == "auto" && o.lr_schedule != "auto")
    throw Error("--lr-schedule auto takes no parameter (got '" + o.lr_schedule + "')");
  try {
    p.schedule = parse_schedule(o.lr_schedule == "auto" ? "constant" : o.lr_schedule);
  } catch (const Error& e) {
    throw Error(std::string("--lr-schedule: ") + e.what());
  }
  if (!o.init.empty()) p.init = parse_init(o.init);
  p.preprocess.targets = o.targets;
  p.preprocess.categorical = o.categorical;
  p.preprocess.ignore = o.ignore;
  p.preprocess.scaling = parse_scaling(o.scale);
  p.preprocess.missing = parse_missing(o.missing);
  if (o.task == "classification")
    p.preprocess.task = PreprocessOptions::TaskChoice::Classification;
  else if (o.task == "regression")
    p.preprocess.task = PreprocessOptions::TaskChoice::Regression;
  else if (o.task != "auto")
    throw Error("--task must be auto, classification or regression");
  if (!o.class_weight.empty()) {
    parse_class_weight(o.class_weight);  // its form now; its class names once the data are read
    if (o.task == "regression") throw Error(class_weight_on_regression(o));
  }
  bound_regression_targets(o.output_activation, p.preprocess);
  return p;
}

// ---- 2. the data: read, split into training, validation and test rows, preprocess -----------

struct Data {
  std::string path;
  std::size_t rows = 0;               // in the file
  std::size_t dropped = 0;            // of them, left out by --missing drop
  std::string task_reason;            // why the task is what it is (detect_task), "" when --task chose it
  std::vector<std::string> warnings;  // for stderr: categories only held-out rows have
  Preprocessing prep;
  Matrix X, Y, Xval, Yval, Xtest, Ytest;  // (N, inputs) and (N, targets) for each set
  std::vector<Index> order;               // (N) where each training row, in the split's order, is in X
  RowVector class_weight;                 // (classes) from --class-weight over the training rows; empty: none
};

// The training rows are copied into X in file order, a block at a time, and the table gives each
// block's numbers back as soon as it is copied: a large file's data are never in memory twice
// (scripts/soak.sh measures it). `order` says where each row of the split's (shuffled) order went;
// fit() starts from it, so every batch holds the rows it would with X built in the split's order.
void training_set_in_file_order(const csv::Table& table, const Preprocessing& prep,
                                const std::vector<std::size_t>& rows, Data& d) {
  const std::size_t n = rows.size();
  std::vector<std::size_t> by_row(n);  // by_row[k]: the split position of the k-th row in the file
  std::iota(by_row.begin(), by_row.end(), std::size_t{0});
  std::sort(by_row.begin(), by_row.end(), [&](std::size_t a, std::size_t b) { return rows[a] < rows[b]; });
  std::vector<std::size_t> sorted(n);
  d.order.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    sorted[k] = rows[by_row[k]];
    d.order[by_row[k]] = static_cast<Index>(k);
  }
  d.Y = make_targets(table, prep, sorted);  // (N, targets): small, and needs the target column whole
  d.X = input_matrix(static_cast<Index>(n), prep);
  constexpr std::size_t kBlock = 4096;
  for (std::size_t a = 0; a < n; a += kBlock) {
    const std::size_t b = std::min(n, a + kBlock);
    const std::vector<std::size_t> block(sorted.begin() + static_cast<long>(a), sorted.begin() + static_cast<long>(b));
    make_inputs_into(table, prep, block, d.X.middleRows(static_cast<Index>(a), static_cast<Index>(b - a)));
    table.release_rows(0, b < n ? sorted[b] : table.rows);  // the rows before the next one needed
  }
}

// Shuffles the rows with the seed and deals them into test, validation and training sets. For a
// class label target the split is stratified: each class is split in the same proportions, so a
// small validation set is not, by chance, short of one class.
void split_rows(const csv::Table& table, std::vector<std::size_t> order, const TrainOptions& o,
                const PreprocessOptions& po, std::vector<std::size_t>& test, std::vector<std::size_t>& val,
                std::vector<std::size_t>& train) {
  Rng rng(o.seed ^ 0x9E3779B97F4A7C15ULL);  // its own stream, so the split does not move with the init
  rng.shuffle(order);
  const double test_frac = o.test_file.empty() ? o.test_split : 0.0;
  const double val_frac = o.val_file.empty() ? o.val_split : 0.0;

  // One group per class, in order of first appearance; one group of all rows for regression.
  std::vector<std::vector<std::size_t>> groups;
  const std::vector<std::size_t> targets = target_columns(table, po);
  if (targets.size() == 1 && detect_task(table, po) == Task::Classification) {
    const csv::Column& c = table.columns[targets[0]];
    std::map<std::string, std::size_t> group_of;
    for (std::size_t r : order) {
      auto it = group_of.emplace(class_label(c, r), groups.size()).first;
      if (it->second == groups.size()) groups.emplace_back();
      groups[it->second].push_back(r);
    }
  } else {
    groups.push_back(order);
  }

  for (const auto& g : groups) {
    const auto n = static_cast<double>(g.size());
    const auto n_test = static_cast<std::size_t>(std::llround(test_frac * n));
    const auto n_val = std::min(g.size() - n_test, static_cast<std::size_t>(std::llround(val_frac * n)));
    test.insert(test.end(), g.begin(), g.begin() + static_cast<long>(n_test));
    val.insert(val.end(), g.begin() + static_cast<long>(n_test), g.begin() + static_cast<long>(n_test + n_val));
    train.insert(train.end(), g.begin() + static_cast<long>(n_test + n_val), g.end());
  }
  // Keep the shuffled order across classes (groups were dealt one after another).
  for (auto* rows : {&test, &val, &train}) rng.shuffle(*rows);
}

// The rows a run uses: all, or with --missing drop those with no missing cell. Any other missing
// cell that --missing cannot deal with is an error naming it, before anything else is done.
std::vector<std::size_t> usable_rows(const csv::Table& table, const PreprocessOptions& po, std::size_t& dropped) {
  const std::vector<std::size_t> used = used_columns(table, po);  // an --ignore'd column may miss cells
  std::vector<std::size_t> rows = all_rows(table);
  check_missing(table, used, target_columns(table, po), po.missing);
  dropped = 0;
  if (po.missing != Missing::Drop) return rows;
  rows = rows_without_missing(table, used, rows);
  dropped = table.rows - rows.size();
  if (rows.empty())
    throw Error(table.path +
                ": every row has a missing value, so --missing drop leaves none; fill them in, or use "
                "--missing mean or median");
  return rows;
}

Data load_data(const TrainOptions& o, const Plan& plan) {
  const csv::Options copt = o.csv.resolve();
  const csv::Table table = csv::read(o.data, copt);
  Data d;
  std::vector<std::size_t> test_rows, val_rows, train_rows;
  split_rows(table, usable_rows(table, plan.preprocess, d.dropped), o, plan.preprocess, test_rows, val_rows,
             train_rows);
  if (train_rows.size() < 2)
    throw Error(o.data + ": only " + std::to_string(train_rows.size()) +
                " training row(s) after the validation/test split; mlp needs at least 2");

  d.path = o.data;
  d.rows = table.rows;
  d.task_reason = task_reason(table, plan.preprocess);
  d.prep = fit_preprocessing(table, train_rows, plan.preprocess);  // fitted on the training rows only
  // A held-out set comes from its own file when one is given, else from the split rows.
  // A category that only held-out rows have is all zeros there, as in predict: said, not hidden.
  auto warn_unseen = [&](const char* set, const csv::Table& t, const std::vector<std::size_t>& rows) {
    for (const UnseenCategories& u : unseen_categories(t, d.prep, rows)) {
      std::string values;
      for (std::size_t k = 0; k < u.values.size() && k < 5; ++k) values += (k ? ", '" : "'") + u.values[k] + "'";
      if (u.values.size() > 5) values += " and " + std::to_string(u.values.size() - 5) + " more";
      d.warnings.push_back(std::string(set) + " rows: column '" + u.column + "' has " + std::to_string(u.rows) +
                           (u.rows == 1 ? " row" : " rows") + " with a category the training rows do not have (" +
                           values + "); " + (u.rows == 1 ? "its" : "their") + " one-hot inputs are all zero");
    }
  };
  auto held_out = [&](const char* set, const std::string& file, const std::vector<std::size_t>& rows, Matrix& Xh,
                      Matrix& Yh) {
    Xh.resize(0, d.X.cols());
    Yh.resize(0, d.Y.cols());
    if (!file.empty()) {
      const csv::Table t = csv::read(file, copt);
      std::size_t dropped = 0;
      const auto all = usable_rows(t, plan.preprocess, dropped);
      warn_unseen(set, t, all);
      Xh = make_inputs(t, d.prep, all);
      Yh = make_targets(t, d.prep, all);
    } else if (!rows.empty()) {
      warn_unseen(set, table, rows);
      Xh = make_inputs(table, d.prep, rows);
      Yh = make_targets(table, d.prep, rows);
    }
  };
  d.X.resize(0, d.prep.input_size());
  d.Y.resize(0, d.prep.task == Task::Classification ? 1 : static_cast<Index>(d.prep.targets.size()));
  held_out("validation", o.val_file, val_rows, d.Xval, d.Yval);  // first: their rows are anywhere in the file
  held_out("test", o.test_file, test_rows, d.Xtest, d.Ytest);
  training_set_in_file_order(table, d.prep, train_rows, d);  // last: it releases the table as it goes
  if (!o.class_weight.empty()) {
    if (d.prep.task != Task::Classification) throw Error(class_weight_on_regression(o));
    d.class_weight = resolve_class_weight(o.class_weight, d.prep.classes, d.Y);
  }
  if (o.early_stopping > 0 && d.Xval.rows() == 0)
    throw Error("--early-stopping needs validation data (--val-split > 0 or --val FILE)");
  return d;
}

// ---- 3. the network: hidden layers, then the output layer and loss that fit the task ---------

Network build_network(const TrainOptions& o, const Plan& plan, const OutputChoice& output, const Data& d) {
  Network net(d.prep.input_size(), o.seed, o.reference ? Path::Reference : Path::Fast);
  for (const auto& h : plan.hidden) {
    Dense& hidden = plan.init ? net.add_dense(h.units, h.activation, *plan.init) : net.add_dense(h.units, h.activation);
    hidden.b.setConstant(static_cast<Scalar>(o.bias_init));
    if (o.dropout > 0) net.add_dropout(o.dropout);
  }
  plan.init ? net.add_dense(output.units, output.activation, *plan.init)
            : net.add_dense(output.units, output.activation);
  Loss loss = output.loss;
  loss.class_weight = d.class_weight;  // the mean over a batch becomes Σ w_y L / Σ w_y (loss.hpp)
  net.set_loss(loss);
  net.set_optimizer(make_optimizer(plan.optimizer));
  return net;
}

// By default a regression stops once the validation loss has not improved for 20 epochs and
// keeps the best weights: on small data sets it would otherwise overfit. Classification measured
// better without it (a small validation set's loss is too noisy to pick the epoch), so there it
// is off unless asked for. bench/README.md, "Defaults", has the measurements.
int patience_for(const TrainOptions& o, const Data& d) {
  if (o.early_stopping >= 0) return o.early_stopping;
  return d.Xval.rows() > 0 && d.prep.task == Task::Regression ? 20 : 0;
}

// --layers auto: 64,32 below 256 inputs, the width measured best on the bundled sets; 256,128 from
// 256 inputs on, where 64,32 is too narrow, and --dropout auto then drops 20 % of their units
// (Fashion-MNIST's 784 pixels: 0.876 with 64,32, 0.885 with 256,128 and dropout 0.2).
// docs/defaults.md has the numbers.
constexpr Index kWideInputs = 256;
std::string auto_layers(Index inputs) { return inputs >= kWideInputs ? "256,128" : "64,32"; }
double auto_dropout(const std::string& given_layers, Index inputs) {
  return given_layers == "auto" && inputs >= kWideInputs ? 0.2 : 0.0;
}

std::string describe_data(const TrainOptions& o, const Data& d) {
  std::string head = d.path + ": " + std::to_string(d.rows) + " rows, " + std::to_string(d.prep.features.size()) +
                     " feature columns (" + std::to_string(d.prep.input_size()) + " inputs), " + task_name(d.prep.task);
  if (d.prep.task == Task::Classification) head += " with " + std::to_string(d.prep.classes.size()) + " classes";
  if (const auto ignored = d.prep.ignored_columns(); !ignored.empty()) {
    head += "; left out (--ignore):";
    for (std::size_t k = 0; k < ignored.size(); ++k) head += (k ? ", " : " ") + display_name(ignored[k]);
  }
  if (d.class_weight.size() > 0)
    head += ", class weights: " + describe_class_weight(d.class_weight, d.prep.classes) +
            (parse_class_weight(o.class_weight).balanced ? " (balanced)" : "");
  if (!d.task_reason.empty()) head += std::string("\ntask: ") + task_name(d.prep.task) + ": " + d.task_reason;
  if (d.dropped > 0)
    head += "\n--missing drop: left out " + std::to_string(d.dropped) + " of " + std::to_string(d.rows) +
            " rows with a missing value";
  return head + "\nsplit: " + std::to_string(d.X.rows()) + " train, " + std::to_string(d.Xval.rows()) +
         " validation, " + std::to_string(d.Xtest.rows()) + " test (seed " + std::to_string(o.seed) + ")";
}

// ---- 4. fitting, with a progress bar and one line per epoch ---------------------------------

const char* metric_name(Task task) { return task == Task::Classification ? "val_acc" : "val_r2"; }

// X, Y: the rows the run trains on (d's, or a fold's).
FitOptions fit_options(const TrainOptions& o, const Plan& plan, const Data& d, const Matrix& X, const Matrix& Y,
                       int patience, Progress& progress) {
  FitOptions fo;
  fo.epochs = o.epochs;
  fo.batch_size = o.batch_size;
  fo.schedule = plan.schedule;
  fo.early_stopping = patience;
  if (d.prep.task == Task::Classification) {
    fo.metric = [](const Matrix& P, const ConstMatrixRef& Y) { return accuracy(P, Y); };
    fo.train_metric = running_accuracy();
  } else {
    fo.metric = [](const Matrix& P, const ConstMatrixRef& Y) { return r2_score(P, Y); };
    fo.train_metric = running_r2(Y);
  }
  const Index batch = std::min<Index>(o.batch_size, X.rows()), samples = X.rows();
  fo.on_batch = [&progress, batch, samples, epochs = o.epochs](int epoch, Index done, Index total, double running) {
    progress.batch(epoch, epochs, done, total, running, static_cast<long>(std::min<Index>(done * batch, samples)));
  };
  const int every = o.epochs <= 100 ? 1 : o.epochs / 100;  // at most ~100 epoch lines
  fo.on_epoch = [&progress, every, epochs = o.epochs, metric = metric_name(d.prep.task)](const EpochReport& r) {
    if (r.epoch % every != 0 && r.epoch != epochs && r.epoch != 1) return;
    std::string line =
        "epoch " + std::to_string(r.epoch) + "/" + std::to_string(epochs) + "  train_loss " + fmt("%.4f", r.train_loss);
    if (!std::isnan(r.val_loss))
      line += "  val_loss " + fmt("%.4f", r.val_loss) + "  " + metric + " " + fmt("%.4f", r.val_metric);
    line += "  lr " + fmt("%.3g", r.learning_rate) + "  " + fmt("%.3fs", r.seconds);
    progress.line(line);
  };
  return fo;
}

// ---- 4a. --epochs auto: the weight decay and the epochs chosen on the validation rows --------
//
// One early-stopped run per weight decay (patience 20, at most 200 epochs, all from the same
// seed); the lowest validation loss chooses the weight decay and the best epoch E. With
// --layers auto below 256 inputs a linear model (--layers none) is tried the same way, and the
// network is kept only if it beats the linear model by more than the noise of the validation rows
// (paired_difference, mlp/io/metrics.hpp). Then the model is trained again from the same seed on
// every training row, validation rows included, for 1.25 E epochs: a quarter more rows per epoch,
// a quarter more epochs. A linear model is refitted for 2.5 E epochs with its rate decaying on a
// cosine (--lr-schedule auto): the mean step of a cosine is half the constant one's, so twice the
// epochs travel as far, and the decay lets it settle at the optimum instead of around it. Its
// refit is at least 2.5 x kLinearMinRefitBase epochs: a linear model's loss is convex, so its weight
// decay is its regulariser, and an early best epoch is the noise of the validation rows (on engel,
// a real set, epoch 1 and a refit of 2 epochs). On the
// bundled sets this keeps a regression from losing to a linear model and classification level
// with scikit-learn's MLP (docs/defaults.md has the measurements; a single run with a fixed weight
// decay does neither).
//
// With fewer than kFoldsBelowRows rows (--folds auto) a single split leaves too few validation
// rows to choose on (32 on a data set of 200): the choice is then made by k-fold cross-validation.
// Every training and validation row is dealt into one of k folds (class by class, so each fold
// has each class's share); each run above becomes k runs, fold f validating the run trained on the
// other folds. A run's validation loss is the mean over all rows of their loss in the run that did
// not train on them, its best epoch E the median of the k runs' best epochs; the network and the
// linear model are compared row by row over every row. The refit is as above: the k runs each
// trained on (k-1)/k of the rows, as the single split's run on 80 %.
constexpr int kAutoMaxEpochs = 200;
constexpr int kAutoPatience = 20;
const double kWeightDecays[] = {1e-4, 1e-3, 1e-2, 1e-1};
constexpr Index kFoldsBelowRows = 1000;
constexpr int kAutoFoldCount = 5;

// --folds auto: k folds when the validation rows are a split of the file and the training and
// validation rows together number fewer than kFoldsBelowRows (as many folds as rows in a file of
// fewer than k); else the one split (1).
int resolve_folds(const TrainOptions& o, const Data& d) {
  const Index rows = d.X.rows() + d.Xval.rows();
  if (o.epochs != kAutoEpochs) return 1;  // nothing to choose (check_ranges refused --folds k)
  if (o.folds != kAutoFolds) {
    if (o.folds > rows)
      throw Error("--folds " + std::to_string(o.folds) + ": " + o.data + " has only " + std::to_string(rows) +
                  " training and validation rows, and every fold needs one; give at most --folds " +
                  std::to_string(rows));
    return o.folds;
  }
  const bool split = o.val_file.empty() && d.Xval.rows() > 0;
  if (!split || rows >= kFoldsBelowRows) return 1;
  return static_cast<int>(std::min<Index>(kAutoFoldCount, rows));  // a file of 4 rows: 4 folds of one
}

// The rows each run of the choice trains and validates on. One split: the training and validation
// rows as they are. k folds: fold f validates on its rows and trains on the rest, copied out of
// the data for each run (one fold's copy at a time: a large file with --folds k is not held k
// times). The validation rows of every fold, one fold after another, are the "pooled" rows the
// models are compared on.
struct Folds {
  const Data* d = nullptr;
  std::vector<std::vector<Index>> of;  // each fold's rows of [X; Xval] stacked; empty for the one split
  Matrix Y;                            // (pooled rows, ·) their targets, fold after fold

  std::size_t count() const { return of.empty() ? 1 : of.size(); }
  // Row r of [X; Xval], and its target.
  auto row(Index r) const { return r < d->X.rows() ? d->X.row(r) : d->Xval.row(r - d->X.rows()); }
  auto target(Index r) const { return r < d->X.rows() ? d->Y.row(r) : d->Yval.row(r - d->X.rows()); }
  // Fold k's training rows into X, Y and its validation rows into Xv, Yv.
  void fill(std::size_t k, Matrix& X, Matrix& Y, Matrix& Xv, Matrix& Yv) const {
    const Index n = d->X.rows() + d->Xval.rows(), nv = static_cast<Index>(of[k].size());
    X.resize(n - nv, d->X.cols());
    Y.resize(n - nv, d->Y.cols());
    Xv.resize(nv, d->X.cols());
    Yv.resize(nv, d->Y.cols());
    Index t = 0, v = 0;
    for (std::size_t other = 0; other < of.size(); ++other)
      for (const Index r : of[other])
        if (other == k) {
          Xv.row(v) = row(r);
          Yv.row(v++) = target(r);
        } else {
          X.row(t) = row(r);
          Y.row(t++) = target(r);
        }
  }
};

Folds make_folds(const Data& d, int k, std::uint64_t seed) {
  Folds f;
  f.d = &d;
  if (k < 2) return f;
  const Index n = d.X.rows() + d.Xval.rows();
  std::vector<int> classes;  // dealt class by class: every fold gets each class's share
  if (d.prep.task == Task::Classification)
    for (Index r = 0; r < n; ++r) classes.push_back(static_cast<int>(f.target(r)(0)));
  const std::uint64_t stream = seed ^ 0xD1B54A32D192ED03ULL;  // a stream of its own, as the split's
  for (const auto& fold : mlp::make_folds(static_cast<std::size_t>(n), k, classes, stream))
    f.of.emplace_back(fold.begin(), fold.end());
  f.Y.resize(n, d.Y.cols());
  Index at = 0;
  for (const auto& fold : f.of)
    for (const Index r : fold) f.Y.row(at++) = f.target(r);
  return f;
}

struct Selection {
  double weight_decay = 0;
  bool linear = false;  // --layers none was chosen over the hidden layers
  int best_epoch = 0;   // of the chosen run; with folds the median of theirs
  double val_loss = std::numeric_limits<double>::infinity();
  int folds = 1;                                   // 1: the validation split; k: k-fold cross-validation
  Evaluation validation;                           // the chosen run on the validation rows (with folds: all rows)
  nlohmann::json tried = nlohmann::json::array();  // every run: layers, weight decay, best epoch, val loss
  nlohmann::json comparison;                       // the network against the linear model; null without one
  int signal = 0;                                  // the signal that stopped the choice
};

// The best run of one kind of model (the hidden layers, or none) over the weight decays.
struct Candidate {
  double weight_decay = 0;
  int best_epoch = 0;
  double val_loss = std::numeric_limits<double>::infinity();
  std::vector<double> row_losses;  // its loss on each pooled validation row, class weights applied
  Matrix predictions;              // (pooled rows, outputs)
};

// The comparison of a Selection as a line for people, e.g. "val_loss: linear 0.0835, layers 64,32
// 0.0838; the network is higher by 0.0003, standard error 0.0083 over the 113 rows: ...".
std::string describe_comparison(const nlohmann::json& c) {
  const double diff = c.at("difference"), se = c.at("standard_error");
  const bool network = c.at("kept") == "network";
  const int folds = c.value("folds", 1);
  return "val_loss: linear " + fmt("%.4f", c.at("linear_val_loss").get<double>()) + ", layers " +
         c.at("network_layers").get<std::string>() + " " + fmt("%.4f", c.at("network_val_loss").get<double>()) +
         "; the network is " + (diff >= 0 ? "lower by " : "higher by ") + fmt("%.4f", std::fabs(diff)) +
         ", standard error " + fmt("%.4f", se) + " over the " + c.at("rows").dump() + " rows" +
         (folds > 1 ? " of the " + std::to_string(folds) + " folds" : "") + ": " +
         (network ? "more than one standard error, the network is kept"
                  : std::string(diff >= 0 ? "not more than one standard error, " : "") + "the linear model is kept");
}

// The median of the folds' best epochs (of two middle ones, their mean rounded up).
int median_epoch(std::vector<int> e) {
  std::sort(e.begin(), e.end());
  const std::size_t m = e.size() / 2;
  return e.size() % 2 ? e[m] : (e[m - 1] + e[m] + 1) / 2;
}

// One run of the choice: a model (the hidden layers, or none), a weight decay and a fold.
struct ChoiceRun {
  int linear = 0;
  double weight_decay = 0;
  std::size_t fold = 0;
  bool done = false;
  bool interrupted = false;  // by Ctrl-C, at `epoch`
  int epoch = 0;
  std::string diverged;  // its message, when it diverged
  std::string error;     // any other failure, for the main thread to throw
  double best_loss = 0;
  int best_epoch = 0;
  std::size_t epochs_run = 0;
  bool stopped_early = false;
  Matrix predictions;              // (its validation rows, outputs)
  std::vector<double> row_losses;  // with the linear model beside: each validation row's loss, weighted
};

// The runs of the choice are independent of each other: with --threads 1 they are spread over the
// cores, each on one (as compare's runs). Each starts from the seed, so the choice is the same
// whatever the number of workers; their results are read in the order of the runs.
int choice_workers(const TrainOptions& o, std::size_t runs) {
  if (o.threads > 1) return 1;  // the cores go to each run's matrix products
  return static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(hardware_threads()), runs));
}

Selection choose_on_validation(const TrainOptions& o, const Plan& plan, const OutputChoice& output, const Data& d,
                               Progress& progress, bool report, bool with_linear, int folds) {
  std::vector<double> decays(std::begin(kWeightDecays), std::end(kWeightDecays));
  if (o.weight_decay != kAutoWeightDecay) decays = {o.weight_decay};
  const int patience = o.early_stopping > 0 ? o.early_stopping : kAutoPatience;
  const Folds f = make_folds(d, folds, o.seed);
  const Index pooled = folds > 1 ? d.X.rows() + d.Xval.rows() : d.Xval.rows();
  if (report && !o.quiet) {
    const std::string models =
        with_linear ? "for the layers " + o.layers + " and for a linear model (--layers none)" : std::string();
    const std::string stopped = "stopped after " + std::to_string(patience) + " epochs without a better val_loss";
    if (folds > 1)
      progress.line("--epochs auto: " + std::to_string(folds) + "-fold cross-validation on the " +
                    std::to_string(pooled) +
                    " training and validation rows: " + (decays.size() > 1 ? "per weight decay " : "") +
                    (with_linear ? models + ", " : "") + "one run per fold on the other folds, each " + stopped +
                    "; a run's val_loss is the mean over every row, its best epoch the folds' median");
    else
      progress.line(std::string("--epochs auto: one run ") + (decays.size() > 1 ? "per weight decay" : "") +
                    (with_linear ? std::string(decays.size() > 1 ? " " : "") + models : "") +
                    " on the training rows, each " + stopped +
                    (!with_linear && decays.size() > 1 ? "; the lowest chooses" : ""));
  }
  Selection s;
  s.folds = folds > 1 ? folds : 1;
  std::optional<InterruptGuard> interrupts;
  if (report) interrupts.emplace();

  // The runs, in the order they are reported: each model, each weight decay, each fold.
  std::vector<ChoiceRun> runs;
  for (int linear = 0; linear <= (with_linear ? 1 : 0); ++linear)
    for (const double wd : decays)
      for (std::size_t k = 0; k < f.count(); ++k) {
        ChoiceRun r;
        r.linear = linear;
        r.weight_decay = wd;
        r.fold = k;
        runs.push_back(std::move(r));
      }
  const int workers = choice_workers(o, runs.size());
  std::mutex mutex;  // the progress, and each run's `done`
  std::condition_variable finished;
  std::size_t done = 0;
  struct ClearLabel {
    Progress& p;
    ~ClearLabel() { p.label(""); }
  } clear_label{progress};
  const auto label = [&](std::size_t started) {
    if (runs.size() < 2) return;
    progress.label(workers > 1 ? "runs " + std::to_string(done) + "/" + std::to_string(runs.size()) + " done  "
                               : "run " + std::to_string(started) + "/" + std::to_string(runs.size()) + "  ");
  };

  // "layers 64,32, weight decay 0.001" (the layers only when the linear model is tried beside).
  const auto run_name = [&](const ChoiceRun& r) {
    return (with_linear ? "layers " + std::string(r.linear ? "none" : o.layers) + ", " : "") + "weight decay " +
           fmt("%g", r.weight_decay);
  };

  // Trains run j; `shown`: its batches draw the bar (one worker's only, so that two runs do not
  // take turns on it).
  const auto train_run = [&](ChoiceRun& j, bool shown, Matrix& X, Matrix& Y, Matrix& Xv, Matrix& Yv) {
    const bool split = f.of.empty();
    if (!split) f.fill(j.fold, X, Y, Xv, Yv);
    const Matrix &Xt = split ? d.X : X, &Yt = split ? d.Y : Y;
    const Matrix &Xval = split ? d.Xval : Xv, &Yval = split ? d.Yval : Yv;
    TrainOptions oc = o;
    oc.epochs = kAutoMaxEpochs;
    Plan pc = plan;
    pc.optimizer.weight_decay = j.weight_decay;
    if (j.linear) make_linear(pc, o);
    Network net = build_network(oc, pc, output, d);
    FitOptions fo = fit_options(oc, pc, d, Xt, Yt, patience, progress);
    fo.on_epoch = nullptr;  // one line per model and weight decay instead
    if (!shown) {
      fo.on_batch = nullptr;
    } else if (workers > 1) {
      fo.on_batch = [&mutex, draw = fo.on_batch](int epoch, Index b, Index batches, double running) {
        const std::lock_guard<std::mutex> lock(mutex);
        draw(epoch, b, batches, running);
      };
    }
    if (split) fo.order = d.order;
    if (report) fo.interrupted = [] { return InterruptGuard::signal() != 0; };
    try {
      FitResult r = fit(net, Xt, Yt, Xval, Yval, fo);
      if (r.interrupted) {
        j.interrupted = true;
        j.epoch = r.progress.epoch + 1;
        return;
      }
      j.best_loss = r.progress.best_loss;
      j.best_epoch = r.best_epoch;
      j.epochs_run = r.history.size();
      j.stopped_early = r.stopped_early;
      j.predictions = net.predict(Xval);
      if (with_linear) {
        j.row_losses = net.row_losses(Xval, Yval);
        const Loss& l = net.loss();
        const double total = l.weight(Yval), rows = static_cast<double>(Yval.rows());
        for (std::size_t i = 0; i < j.row_losses.size(); ++i)  // weighted: the mean of these is the val loss
          j.row_losses[i] *= l.sample_weight(Yval, static_cast<Index>(i)) * rows / total;
      }
    } catch (const Diverged& e) {
      j.diverged = e.what();
    } catch (const std::exception& e) {  // thrown again by the main thread, not out of a worker
      j.error = e.what();
    }
  };

  std::vector<std::thread> pool;
  std::atomic<bool> stop{false};     // leaving early (Ctrl-C, an error): the runs not yet started are skipped
  std::atomic<std::size_t> next{0};  // the next run a worker takes
  if (workers > 1) {
    for (int w = 0; w < workers; ++w)
      pool.emplace_back([&, w] {
        Matrix X, Y, Xv, Yv;  // this worker's fold
        for (std::size_t i; (i = next++) < runs.size();) {
          if (InterruptGuard::signal() == 0 && !stop)
            train_run(runs[i], w == 0, X, Y, Xv, Yv);
          else
            runs[i].interrupted = true;  // not started: the choice is stopping
          {
            const std::lock_guard<std::mutex> lock(mutex);
            runs[i].done = true;
            ++done;
            label(0);
          }
          finished.notify_all();
        }
      });
  }
  struct Join {
    std::vector<std::thread>& pool;
    std::atomic<bool>& stop;
    ~Join() {
      stop = true;
      for (auto& t : pool) t.join();
    }
  } join{pool, stop};

  // Each model and weight decay in turn, once its folds' runs are done: one line, and the best of
  // each model kept.
  Matrix X, Y, Xv, Yv;  // the fold being run, without workers
  Candidate best[2];    // [0]: the hidden layers, [1]: --layers none
  std::string diverged;
  for (std::size_t first = 0; first < runs.size(); first += f.count()) {
    const ChoiceRun& head = runs[first];
    const std::string layers = head.linear ? "none" : o.layers;
    const std::string name = run_name(head);
    if (workers > 1) {
      std::unique_lock<std::mutex> lock(mutex);
      finished.wait(lock, [&] {
        for (std::size_t k = 0; k < f.count(); ++k)
          if (!runs[first + k].done) return false;
        return true;
      });
    } else {
      for (std::size_t k = 0; k < f.count(); ++k) {
        ChoiceRun& j = runs[first + k];
        label(first + k + 1);
        train_run(j, true, X, Y, Xv, Yv);
        if (!j.diverged.empty() || j.interrupted) break;  // the candidate's other folds would not count
      }
    }
    Candidate c;
    c.weight_decay = head.weight_decay;
    c.val_loss = 0;
    c.predictions.resize(pooled, output.units);
    std::vector<int> best_epochs;
    std::size_t epochs_run = 0;
    bool stopped_early = false;
    std::string failed;
    Index at = 0;  // the first pooled row of this fold
    for (std::size_t k = 0; k < f.count(); ++k) {
      ChoiceRun& j = runs[first + k];
      if (!j.error.empty()) throw Error(j.error);
      if (j.interrupted) {
        const std::lock_guard<std::mutex> lock(mutex);
        progress.clear();
        // The first run Ctrl-C stopped, in the order of the runs: one under way, or one a worker
        // was about to start when the signal came.
        const std::string where = " (" + run_name(j) + (folds > 1 ? ", fold " + std::to_string(j.fold + 1) : "") +
                                  (j.epoch > 0 ? ", epoch " + std::to_string(j.epoch) : ", before its first epoch") +
                                  ")";
        std::fprintf(stderr, "mlp: interrupted while choosing the epochs%s; nothing was saved\n", where.c_str());
        s.signal = InterruptGuard::signal();
        return s;
      }
      if (!j.diverged.empty() || j.best_epoch == 0) {  // diverged (or not run, after a fold that did)
        if (failed.empty()) failed = j.diverged;
        continue;
      }
      const double rows = static_cast<double>(j.predictions.rows());
      c.val_loss += folds > 1 ? j.best_loss * rows / static_cast<double>(pooled)  // the mean over all rows
                              : j.best_loss;
      best_epochs.push_back(j.best_epoch);
      epochs_run += j.epochs_run;
      stopped_early = stopped_early || j.stopped_early;
      c.predictions.middleRows(at, j.predictions.rows()) = j.predictions;
      at += j.predictions.rows();
      c.row_losses.insert(c.row_losses.end(), j.row_losses.begin(), j.row_losses.end());
    }
    const std::lock_guard<std::mutex> lock(mutex);
    if (!failed.empty()) {
      diverged = failed;
      s.tried.push_back({{"layers", layers}, {"weight_decay", head.weight_decay}, {"diverged", true}});
      progress.line("  " + name + ": diverged");
      continue;
    }
    c.best_epoch = median_epoch(best_epochs);
    nlohmann::json t = {{"layers", layers},
                        {"weight_decay", head.weight_decay},
                        {"best_epoch", c.best_epoch},
                        {"val_loss", c.val_loss},
                        {"epochs_run", epochs_run}};
    if (folds > 1) t["fold_best_epochs"] = best_epochs;
    s.tried.push_back(std::move(t));
    if (folds > 1) {
      std::string each;
      for (const int e : best_epochs) each += (each.empty() ? "" : ", ") + std::to_string(e);
      progress.line("  " + name + ": val_loss " + fmt("%.4f", c.val_loss) + ", best epochs " + each + ": median " +
                    std::to_string(c.best_epoch));
    } else {
      progress.line("  " + name + ": val_loss " + fmt("%.4f", c.val_loss) + " at epoch " +
                    std::to_string(c.best_epoch) + (stopped_early ? " (stopped at " : " (ran ") +
                    std::to_string(epochs_run) + ")");
    }
    if (c.val_loss < best[head.linear].val_loss) best[head.linear] = std::move(c);
  }
  int pick = best[0].best_epoch > 0 ? 0 : 1;
  if (with_linear && best[0].best_epoch > 0 && best[1].best_epoch > 0) {
    // d_i = L_linear,i - L_network,i: the network is kept only if lower by more than one standard error.
    const PairedDifference c = paired_difference(best[1].row_losses, best[0].row_losses);
    pick = c.mean > c.standard_error ? 0 : 1;
    s.comparison = {{"network_layers", o.layers},
                    {"linear_val_loss", best[1].val_loss},
                    {"network_val_loss", best[0].val_loss},
                    {"difference", c.mean},
                    {"standard_error", c.standard_error},
                    {"rows", pooled},
                    {"kept", pick == 0 ? "network" : "linear"}};
    if (folds > 1) s.comparison["folds"] = folds;
  }
  if (best[pick].best_epoch == 0) throw Error(diverged);  // every run diverged: the last one's message says what to try
  s.linear = pick == 1;
  s.weight_decay = best[pick].weight_decay;
  s.best_epoch = best[pick].best_epoch;
  s.val_loss = best[pick].val_loss;
  s.validation = evaluate_predictions(d.prep, best[pick].predictions, folds > 1 ? f.Y : d.Yval);
  return s;
}

// ---- 5. results: metrics on every set, the history, the model file, the summary -------------

struct Results {
  nlohmann::json metrics = nlohmann::json::object();  // {"train": ..., "validation": ..., "test": ...}
  const char* held_out = "train";                     // the set the printed report is about: test, else validation
  std::string text;                                   // that set's report
  std::string heading;                                // its heading, when not "<held_out> results"
  std::string label;                                  // how the results lines name it, when not held_out
};

Results evaluate_sets(Network& net, const Data& d) {
  Results r;
  r.held_out = d.Xtest.rows() ? "test" : d.Xval.rows() ? "validation" : "train";
  auto add = [&](const char* set, const Matrix& X, const Matrix& Y) {
    if (X.rows() == 0) return;
    Evaluation e = evaluate_network(net, d.prep, X, Y);
    r.metrics[set] = std::move(e.json);
    if (std::string(set) == r.held_out) r.text = std::move(e.text);
  };
  add("train", d.X, d.Y);
  add("validation", d.Xval, d.Yval);
  add("test", d.Xtest, d.Ytest);
  return r;
}

// One row per epoch. The training metric (train_acc, train_r2) is the running one, gathered over
// the epoch's batches as train_loss is; it comes last so that the older columns keep their places.
std::string history_csv(const FitResult& result, Task task) {
  const std::string train_metric = task == Task::Classification ? "train_acc" : "train_r2";
  std::string h = "epoch,train_loss,val_loss," + std::string(metric_name(task)) + ",lr,seconds," + train_metric + "\n";
  for (const auto& r : result.history)
    h += std::to_string(r.epoch) + "," + fmt("%.9g", r.train_loss) + "," +
         (std::isnan(r.val_loss) ? "" : fmt("%.9g", r.val_loss)) + "," +
         (std::isnan(r.val_metric) ? "" : fmt("%.9g", r.val_metric)) + "," + fmt("%.9g", r.learning_rate) + "," +
         fmt("%.6f", r.seconds) + "," + (std::isnan(r.train_metric) ? "" : fmt("%.9g", r.train_metric)) + "\n";
  return h;
}

// The options this run actually used: the defaults it resolved (learning rate, output layer,
// loss, patience, schedule) written out, for the model file.
TrainOptions effective_options(TrainOptions o, const Plan& plan, const OutputChoice& output, int patience) {
  o.lr = plan.optimizer.learning_rate;
  o.output_activation = output.activation.spec();
  o.loss = output.loss.spec();
  o.early_stopping = patience;
  o.lr_schedule = plan.schedule.spec();
  return o;
}

// The final result lines, the last of the full report and all that --quiet prints: the held-out
// set's accuracy, or its R², RMSE and MAE (the means over the targets, as the JSON has them), and
// where the model went.
std::string result_lines(const TrainOptions& o, const Results& r, const nlohmann::json& summary, Task task) {
  std::string s = r.label.empty() ? r.held_out : r.label;
  if (task == Task::Classification) {
    s += " accuracy: " + fmt("%.4f", summary.at("accuracy").get<double>());
  } else {
    const std::size_t targets = summary.at("per_target").size();
    s += " r2: " + fmt("%.4f", summary.at("r2").get<double>()) +
         "  rmse: " + fmt("%.6g", summary.at("rmse").get<double>()) +
         "  mae: " + fmt("%.6g", summary.at("mae").get<double>());
    if (targets > 1) s += "  (means over " + std::to_string(targets) + " targets)";
  }
  s += "\n";
  if (!o.save.empty()) s += "model saved to " + o.save + "\n";
  return s;
}

void print_results(const TrainOptions& o, const Results& r, const FitResult& result, const nlohmann::json& summary,
                   Task task) {
  if (o.json) {
    std::printf("%s\n", summary.dump().c_str());
    return;
  }
  std::string tail;
  if (!o.quiet)
    tail = "\n" + (r.heading.empty() ? std::string(r.held_out) + " results" : "model trained") + " (" +
           std::to_string(result.history.size()) + " epochs, " + fmt("%.2fs", result.seconds) +
           (result.stopped_early ? ", stopped early, best epoch " + std::to_string(result.best_epoch) : "") + ")" +
           (r.heading.empty() ? ":\n" : "; " + r.heading + ":\n") + r.text;
  tail += result_lines(o, r, summary, task);
  std::printf("%s", tail.c_str());
}

// The last epoch's per-layer table (with the results, on stdout; on stderr with --json) and the
// warnings (stderr), after the results.
void print_diagnostics(const TrainOptions& o, const Diagnostics& diagnostics) {
  if (!o.quiet)
    std::fprintf(o.json ? stderr : stdout, "\nlayer diagnostics, epoch %d (every epoch: %s)\n%s",
                 diagnostics.history().back().epoch, o.diagnostics.c_str(), diagnostics.table().c_str());
  for (const std::string& w : diagnostics.warnings()) std::fprintf(stderr, "mlp: warning: %s\n", w.c_str());
}

nlohmann::json diagnostics_json(const Diagnostics& diagnostics) {
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerStats& s : diagnostics.history().back().layers) layers.push_back(layer_stats_json(s));
  return {{"layers", layers}, {"warnings", diagnostics.warnings()}};
}

// The --report page: what html_report needs, gathered from the run. The data file is read again
// only for a picture of two features (the decision regions), whose files are small.
std::string report_html(const TrainOptions& effective, const Data& d, Network& net, const Results& r,
                        const FitResult& result, const std::string& history, const Diagnostics* diagnostics,
                        const nlohmann::json& selection) {
  ReportInput in;
  in.selection = selection;
  in.options = &effective;
  in.prep = &d.prep;
  in.net = &net;
  in.rows = d.rows;
  in.dropped = d.dropped;
  in.train_rows = static_cast<std::size_t>(d.X.rows());
  in.val_rows = static_cast<std::size_t>(d.Xval.rows());
  in.test_rows = static_cast<std::size_t>(d.Xtest.rows());
  if (d.prep.task == Task::Classification) {
    in.class_counts.assign(d.prep.classes.size(), 0);
    for (Index i = 0; i < d.Y.rows(); ++i) ++in.class_counts[static_cast<std::size_t>(d.Y(i, 0))];
  }
  in.metrics = r.metrics;
  in.held_out = r.held_out;
  in.held_out_label = r.label.empty() ? r.held_out : r.label;
  in.epochs_run = static_cast<int>(result.history.size());
  in.best_epoch = result.best_epoch;
  in.stopped_early = result.stopped_early;
  in.seconds = result.seconds;
  in.history_csv = history;
  in.diagnostics = diagnostics;
  std::optional<csv::Table> table;
  if (can_draw_boundary(d.prep)) in.data = &table.emplace(csv::read(effective.data, effective.csv.resolve()));
  return html_report(in);
}

// --class-weight resolved, {"no": 0.526, "yes": 10}; null without it.
nlohmann::json class_weight_json(const Data& d) {
  if (d.class_weight.size() == 0) return nullptr;
  nlohmann::json j = nlohmann::json::object();
  for (Index c = 0; c < d.class_weight.size(); ++c)
    j[d.prep.classes[static_cast<std::size_t>(c)]] = static_cast<double>(d.class_weight(c));
  return j;
}

// The model file's "training" section: how the model was trained, for a saved model and a checkpoint.
nlohmann::json training_json(const TrainOptions& effective, const Data& d, int epochs_run, int best_epoch,
                             const nlohmann::json& metrics, const nlohmann::json& selection) {
  nlohmann::json training;
  training["options"] = options_json(effective);
  if (d.class_weight.size() > 0) training["class_weights"] = class_weight_json(d);  // the weights --class-weight gave
  training["seed"] = effective.seed;
  training["epochs_run"] = epochs_run;
  training["best_epoch"] = best_epoch;
  if (!metrics.empty()) training["metrics"] = metrics;
  if (!selection.is_null()) training["selection"] = selection;  // --epochs auto: what chose the options
  return training;
}

// The input columns and the targets, as the checkpoint's fingerprint of the data names them.
std::vector<std::string> column_names(const Preprocessing& prep) {
  std::vector<std::string> names;
  for (const FeatureColumn& f : prep.features) names.push_back(f.name);
  names.insert(names.end(), prep.targets.begin(), prep.targets.end());
  return names;
}

// Where the training state went (the last checkpoint written), for the messages of a run that
// was interrupted or diverged.
struct Saved {
  std::string path;
  int epoch = 0;
  Index batch = 0;
};

// The messages of a run stopped by a signal: where it stopped, where its state is, how to go on.
void report_interrupt(const TrainOptions& o, const FitResult& result, Index batches, const Saved& saved) {
  const TrainingProgress& s = result.progress;
  const std::string where = s.batch > 0 ? "in epoch " + std::to_string(s.epoch + 1) + ", after batch " +
                                              std::to_string(s.batch) + " of " + std::to_string(batches)
                                        : "after epoch " + std::to_string(s.epoch) + " of " + std::to_string(o.epochs);
  if (saved.path.empty()) {
    std::fprintf(stderr,
                 "mlp: interrupted %s; nothing was saved (--checkpoint FILE or --save FILE would have kept the "
                 "training state)\n",
                 where.c_str());
    return;
  }
  std::fprintf(stderr, "mlp: interrupted %s; the training state is in %s\nmlp: go on with: mlp train %s --resume %s\n",
               where.c_str(), saved.path.c_str(), o.data.c_str(), saved.path.c_str());
}

// Steps 2 to 5 of a run whose options plan_run has checked: with report, as `mlp train` does
// them (lines through progress, files written, results printed); without, silently, measuring
// the diagnostics whatever o.diagnostics says. Returns what --history, --diagnostics and --json
// hold, so that `mlp compare` reads an in-process run and a `mlp train` run the same way. With a
// checkpoint, goes on from it (its options are already in o: resumed_options).
TrainRecord run(const TrainOptions& given, const Plan& given_plan, Progress& progress, bool report,
                const Checkpoint* resume = nullptr) {
  TrainOptions o = given;  // with every "auto" resolved below
  Plan plan = given_plan;
  Data d = load_data(o, plan);
  if (o.dropout == kAutoDropout) {
    o.dropout = auto_dropout(o.layers, d.prep.input_size());
    // Dropout is the wide layers' regulariser: choosing a weight decay as well took 4-5 times as
    // long for no gain on Fashion-MNIST (0.858 against 0.864 at 20,000 rows, 0.885 against 0.887
    // at 60,000; docs/defaults.md).
    if (o.dropout > 0 && o.weight_decay == kAutoWeightDecay) o.weight_decay = 0;
  }
  // --layers auto below 256 inputs: --epochs auto lets the validation rows choose between those
  // layers and a linear model (--layers none), which some data sets need (docs/defaults.md).
  const bool with_linear = o.layers == "auto" && d.prep.input_size() < kWideInputs;
  if (o.layers == "auto") {
    o.layers = auto_layers(d.prep.input_size());
    plan.hidden = parse_layers(o.layers, o.activation);
  }
  const OutputChoice output = choose_output(d.prep, o.output_activation, o.loss);
  if (report && !o.quiet) progress.line(describe_data(o, d));
  if (report)
    for (const std::string& w : d.warnings) std::fprintf(stderr, "mlp: warning: %s\n", w.c_str());

  // --epochs auto: choose, then train again on every training row (or, with a --val file, train
  // the chosen run again). Either way the run below is an ordinary one with the chosen options, so
  // its checkpoints resume as any other.
  std::optional<Selection> chosen;
  double refit_factor = 0;  // the refit's epochs over refit_base
  int refit_base = 0;       // the chosen run's best epoch; for a linear model at least kLinearMinRefitBase
  o.folds = resolve_folds(o, d);
  if (o.epochs == kAutoEpochs && d.Xval.rows() == 0 && o.folds < 2) {
    o.epochs = kAutoMaxEpochs;
    if (o.weight_decay == kAutoWeightDecay) o.weight_decay = 0;
    if (report && !o.quiet)
      progress.line("--epochs auto: no validation rows to choose on; " + std::to_string(o.epochs) +
                    " epochs, weight decay " + fmt("%g", o.weight_decay));
  } else if (o.epochs == kAutoEpochs) {
    chosen = choose_on_validation(o, plan, output, d, progress, report, with_linear, o.folds);
    if (chosen->signal) return {"", "", "", chosen->signal};
    if (chosen->linear) {
      o.layers = "none";
      make_linear(plan, o);
    }
    o.weight_decay = plan.optimizer.weight_decay = chosen->weight_decay;
    o.early_stopping = 0;
    o.folds = 1;               // the run below is an ordinary one (selection.folds records the choice's)
    if (o.val_file.empty()) {  // with folds too: each fold's run trained on (k-1)/k of the rows
      refit_factor = plan.hidden.empty() && o.lr_schedule == "auto" ? kLinearRefitFactor : kRefitFactor;
      refit_base = plan.hidden.empty() ? std::max(chosen->best_epoch, kLinearMinRefitBase) : chosen->best_epoch;
      o.epochs = std::max(1, static_cast<int>(std::lround(refit_factor * refit_base)));
      o.val_split = 0;
      d = Data();              // the split's matrices go before the file is read again: never two copies at once
      d = load_data(o, plan);  // the validation rows join the training rows; scaling is fitted on all
    } else {
      o.epochs = chosen->best_epoch;  // the chosen run again, to its best epoch
    }
    if (report && !o.quiet && !chosen->comparison.is_null()) progress.line(describe_comparison(chosen->comparison));
    if (report && !o.quiet)
      progress.line(std::string("chosen: ") + (with_linear ? "layers " + o.layers + ", " : "") + "weight decay " +
                    fmt("%g", o.weight_decay) + ", best epoch " + std::to_string(chosen->best_epoch) + "; " +
                    (o.val_file.empty()
                         ? "training on all " + std::to_string(d.X.rows()) + " training rows for " +
                               std::to_string(o.epochs) + " epochs (" + fmt("%g", refit_factor) + " x " +
                               std::to_string(refit_base) +
                               (refit_base != chosen->best_epoch ? std::string(", ") + kLinearMinRefitWords : "") +
                               (resolve_lr_schedule(o.lr_schedule, plan.hidden.empty()).rfind("cosine", 0) == 0
                                    ? ", the learning rate decaying on a cosine"
                                    : "") +
                               ")"
                         : "training that run again for its " + std::to_string(o.epochs) + " epochs"));
  } else if (o.weight_decay == kAutoWeightDecay) {
    o.weight_decay = 0;  // chosen only with the epochs
  }
  // --lr-schedule auto: a cosine decay for a linear model, a constant rate for a network; the chosen
  // run trained again (a --val file) stays the run that was chosen.
  if (o.lr_schedule == "auto" && !(chosen && !o.val_file.empty()))
    plan.schedule = parse_schedule(resolve_lr_schedule(o.lr_schedule, plan.hidden.empty()));
  nlohmann::json selection;  // for the model file and --json: what chose the options
  if (chosen) {
    selection = {
        {"layers", o.layers},           {"weight_decay", chosen->weight_decay}, {"best_epoch", chosen->best_epoch},
        {"val_loss", chosen->val_loss}, {"refit", o.val_file.empty()},          {"tried", chosen->tried}};
    if (chosen->folds > 1) selection["folds"] = chosen->folds;
    if (refit_factor > 0) {
      selection["refit_factor"] = refit_factor;
      selection["refit_base_epoch"] = refit_base;
    }
    if (!chosen->comparison.is_null()) selection["comparison"] = chosen->comparison;
  }
  Network net = build_network(o, plan, output, d);
  const int patience = patience_for(o, d);
  const TrainOptions effective = effective_options(o, plan, output, patience);
  // The data's fingerprint, for a checkpoint (the one resumed, or one written): taken when first
  // needed, as hashing a large training set takes a while.
  std::optional<DataPrint> print;
  const auto fingerprint = [&]() -> const DataPrint& {
    if (!print) print = data_print(column_names(d.prep), d.X, d.Y, d.Xval, d.Yval);
    return *print;
  };
  if (resume) {
    check_same_data(fingerprint(), resume->run, o.data, o.resume);
    restore_network(net, *resume, o.resume);
    if (resume->progress.epoch > o.epochs)
      throw Error("--epochs " + std::to_string(o.epochs) + ": the checkpoint " + o.resume + " has trained " +
                  std::to_string(resume->progress.epoch) + " epochs already, and --epochs counts them all; give more");
  }
  if (report && !o.quiet) progress.line(net.summary());
  if (resume && !o.quiet) {
    const TrainingProgress& s = resume->progress;
    progress.line("resuming from " + o.resume + ": " +
                  (s.stopped_early
                       ? "its run stopped early after epoch " + std::to_string(s.epoch) + "; nothing to train"
                   : s.epoch == o.epochs && s.batch == 0
                       ? "all " + std::to_string(o.epochs) + " epochs are done; nothing to train"
                       : "epoch " + std::to_string(s.epoch + 1) + " of " + std::to_string(o.epochs) +
                             (s.batch > 0 ? ", batch " + std::to_string(s.batch + 1) : "")));
  }

  FitOptions fo = fit_options(o, plan, d, d.X, d.Y, patience, progress);
  fo.order = d.order;
  if (resume) fo.resume = &resume->progress;
  std::optional<Diagnostics> diagnostics;
  if (!o.diagnostics.empty() || !o.report.empty() || !report) fo.diagnostics = &diagnostics.emplace(net);
  if (diagnostics && resume) diagnostics->set_history(diagnostics_from_json(resume->run, o.resume));
  Saved saved;
  if (report) {
    fo.interrupted = [] { return InterruptGuard::signal() != 0; };
    fo.checkpoint_every = o.checkpoint.empty() ? std::numeric_limits<int>::max() : o.checkpoint_every;
    fo.checkpoint = [&](const TrainingProgress& s) {
      // The checkpoint file when there is one; else, on an interrupt, a file beside --save.
      const std::string path = !o.checkpoint.empty()                         ? o.checkpoint
                               : InterruptGuard::signal() && !o.save.empty() ? o.save + ".interrupted"
                                                                             : "";
      if (path.empty()) return;
      nlohmann::json run = training_run(o, fingerprint());
      if (diagnostics) run["diagnostics"] = app::diagnostics_json(diagnostics->history());
      save_checkpoint(path, net, d.prep, training_json(effective, d, s.epoch, s.best_epoch, {}, selection), s, run);
      saved = {path, s.epoch, s.batch};
    };
  }
  const Index batch = std::min<Index>(o.batch_size, d.X.rows());  // for the interrupt's message
  const Index batches = (d.X.rows() + batch - 1) / batch;
  FitResult result;
  try {
    // Ctrl-C while training: finish the batch, save the state, exit 130. Before (reading the data)
    // and after (writing the results) it quits at once, as it always did.
    std::optional<InterruptGuard> interrupts;
    if (report) interrupts.emplace();
    result = fit(net, d.X, d.Y, d.Xval, d.Yval, fo);
  } catch (const Diverged& e) {
    std::string advice = e.what();
    const double lr = plan.optimizer.learning_rate / 10;
    if (!saved.path.empty())
      advice += "\n" + saved.path + " holds the state after epoch " + std::to_string(saved.epoch) +
                ", the last good one; go on from it with smaller steps: mlp train " + o.data + " --resume " +
                saved.path + " --lr " + fmt("%g", lr);
    if (!o.save.empty()) advice += "\nthe model was not saved: " + o.save + " is as it was";
    throw Error(advice);
  }
  if (result.interrupted) {
    progress.clear();
    report_interrupt(o, result, batches, saved);
    return {"", "", "", InterruptGuard::signal()};
  }

  Results r = evaluate_sets(net, d);
  if (chosen) {
    // After a refit no row is held out unless there is a test set: the validation result that
    // chose the run is the one to show, and it says so.
    if (r.metrics.find("validation") == r.metrics.end()) {
      r.metrics["validation"] = chosen->validation.json;
      if (!r.metrics.contains("test")) {
        r.held_out = "validation";
        r.text = chosen->validation.text;
        if (chosen->folds > 1) r.label = "cross-validated";
        r.heading =
            chosen->folds > 1
                ? std::to_string(chosen->folds) + "-fold cross-validated results of the chosen model (weight decay " +
                      fmt("%g", chosen->weight_decay) + ", median best epoch " + std::to_string(chosen->best_epoch) +
                      "): each row predicted by the run that did not train on it; the final model trained "
                      "on all of them"
                : "validation results of the run that chose the epochs (weight decay " +
                      fmt("%g", chosen->weight_decay) + ", best epoch " + std::to_string(chosen->best_epoch) +
                      "; the final model also trained on these rows)";
      }
    }
  }
  nlohmann::json summary = r.metrics[r.held_out];
  summary["split"] = r.held_out;
  summary["task"] = task_name(d.prep.task);
  summary["layers"] = o.layers;  // as resolved (--layers auto)
  summary["epochs_run"] = result.history.size();
  summary["best_epoch"] = result.best_epoch;
  summary["stopped_early"] = result.stopped_early;
  summary["seconds"] = result.seconds;
  summary["metrics"] = r.metrics;
  if (d.class_weight.size() > 0) summary["class_weights"] = class_weight_json(d);
  if (chosen) summary["selection"] = selection;
  if (diagnostics) summary["diagnostics"] = diagnostics_json(*diagnostics);
  TrainRecord record{history_csv(result, d.prep.task), diagnostics ? diagnostics->csv() : "", summary.dump()};
  if (!report) return record;

  if (!o.history.empty()) write_file_atomically(o.history, record.history);
  if (!o.diagnostics.empty()) write_file_atomically(o.diagnostics, record.diagnostics);
  if (!o.save.empty())
    save_model(
        o.save, net, d.prep,
        training_json(effective, d, static_cast<int>(result.history.size()), result.best_epoch, r.metrics, selection));
  if (!o.report.empty())
    write_file_atomically(o.report,
                          report_html(effective, d, net, r, result, record.history, &*diagnostics, selection));
  print_results(o, r, result, summary, d.prep.task);
  if (!o.diagnostics.empty()) print_diagnostics(o, *diagnostics);
  if (!o.report.empty() && !o.quiet) std::fprintf(o.json ? stderr : stdout, "report written to %s\n", o.report.c_str());
  return record;
}

}  // namespace

int train(const TrainOptions& given) {
  std::optional<Checkpoint> checkpoint;
  if (!given.resume.empty()) checkpoint = load_checkpoint(given.resume);
  const TrainOptions o = checkpoint ? resumed_options(given, checkpoint->run, given.resume) : given;
  if (checkpoint && o.epochs == kAutoEpochs)
    throw Error("--epochs auto chooses the epochs of a new run; a resumed run goes on to a number: --epochs N");
  const Plan plan = plan_run(o);
  set_threads(o.threads);
  Progress progress(o.json ? stderr : stdout, o.quiet);  // with --json, stdout carries the JSON alone
  const TrainRecord record = run(o, plan, progress, true, checkpoint ? &*checkpoint : nullptr);
  return record.signal ? 128 + record.signal : 0;
}

void check_train_options(const TrainOptions& o) { plan_run(o); }

TrainRecord train_record(const TrainOptions& o) {
  const Plan plan = plan_run(o);
  Progress silent(stdout, true);
  return run(o, plan, silent, false);
}

// An option that also takes "auto" (on the command line or in a --config file), held inside as
// `automatic`, a value no one types (kAutoEpochs, kAutoWeightDecay, kAutoDropout).
template <class T>
void add_auto_option(CLI::App* cmd, const std::string& name, T& value, T automatic, const std::string& type,
                     const std::string& help) {
  const auto text = [](T v) {
    if constexpr (std::is_integral_v<T>)
      return std::to_string(v);
    else
      return fmt("%g", v);
  };
  const std::string inside = text(automatic);
  cmd->add_option(name, value, help)
      ->transform(
          CLI::Transformer(std::map<std::string, std::string>{{"auto", inside}}, CLI::ignore_case).description(""))
      ->type_name(type + "|auto")
      ->default_str(value == automatic ? "auto" : text(value));
}

void add_training_options(CLI::App* cmd, TrainOptions& t) {
  cmd->add_option("data", t.data, "Training data (CSV)")->required();
  cmd->add_option(
         "--target", t.targets,
         "Target column(s) by name or 0-based index; several for multi-output regression (default: the last column)")
      ->delimiter(',')
      ->allow_extra_args(false);  // one value (or comma list) per --target: DATA after it stays DATA
  cmd->add_option("--task", t.task,
                  "classification, regression, or auto: text or few integer labels mean classification")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "classification", "regression"}));
  cmd->add_option("--categorical", t.categorical, "Text feature columns to one-hot encode")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--ignore", t.ignore,
                  "Columns to leave out of the features, such as an id or a name (predict ignores them too)")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option(
         "--layers", t.layers,
         "Hidden layer sizes, each optionally with its activation: 64,32 or 64:relu,32:tanh ('none' for no "
         "hidden layer; auto: 64,32, or 256,128 from 256 inputs on; below 256, --epochs auto keeps a linear model "
         "instead unless the network is clearly better on the validation rows)")
      ->capture_default_str();
  cmd->add_option("--activation", t.activation, "Hidden activation: " + mlp::activation_names(true))
      ->capture_default_str();
  cmd->add_option(
      "--output-activation", t.output_activation,
      "Output activation (default from the task: softmax, sigmoid for two classes, identity for regression)");
  cmd->add_option("--loss", t.loss, "Loss: " + mlp::loss_names() + " (default from the task)");
  cmd->add_option("--class-weight", t.class_weight,
                  "Weigh each class's samples in the loss, for imbalanced classes: balanced (class c weighs N/(C N_c) "
                  "over the training rows, as scikit-learn), by class name (no=1,yes=5; a class left out weighs 1) or "
                  "by position in the class order (1,5: classes sorted, numbers in numeric order). The loss, "
                  "training and validation, becomes the weighted mean sum(w_y L)/sum(w_y), as PyTorch's "
                  "CrossEntropyLoss(weight=w)")
      ->type_name("balanced|CLASS=W,...|W,...");
  cmd->add_option("--optimizer", t.optimizer, "Optimizer: " + mlp::optimizer_names())->capture_default_str();
  cmd->add_option(
         "--lr", t.lr,
         "Learning rate (0 = the optimizer's default: 0.001 for adam, 0.01 for adam on a linear model, 0.01 for sgd)")
      ->capture_default_str();
  cmd->add_option("--momentum", t.momentum, "SGD momentum in [0, 1)")->capture_default_str();
  cmd->add_flag("--nesterov", t.nesterov, "Nesterov momentum (SGD)");
  cmd->add_option("--beta1", t.beta1, "Adam's decay rate of the mean of the gradients, in [0, 1)")
      ->capture_default_str();
  cmd->add_option("--beta2", t.beta2, "Adam's decay rate of the mean of the squared gradients, in [0, 1)")
      ->capture_default_str();
  add_auto_option(cmd, "--weight-decay", t.weight_decay, kAutoWeightDecay, "FLOAT",
                  "L2 penalty added to every gradient (auto: chosen on the validation rows among 1e-4, 1e-3, 1e-2, "
                  "1e-1 with --epochs auto; 0 with --epochs N, and with the dropout of --dropout auto)");
  cmd->add_option("--clip-norm", t.clip_norm,
                  "Clip gradients to this global L2 norm (0 = off): the remedy for exploding gradients")
      ->capture_default_str();
  add_auto_option(cmd, "--dropout", t.dropout, kAutoDropout, "FLOAT",
                  "Dropout rate after each hidden layer, in [0, 1) (auto: 0.2 when --layers auto makes them 256,128, "
                  "else 0)");
  cmd->add_option("--init", t.init, "Weight init: " + mlp::init_names() + " (default from each layer's activation)");
  cmd->add_option("--bias-init", t.bias_init,
                  "The value every hidden layer's biases start at (a negative one starts ReLU units dead)")
      ->capture_default_str();
  add_auto_option(cmd, "--epochs", t.epochs, kAutoEpochs, "INT",
                  "Passes over the training data (auto: as many as early stopping on the validation rows chooses, at "
                  "most 200, then the model is trained again on all training rows for 1.25 times as many, a "
                  "linear model for 2.5 times as many, at least 50, with --lr-schedule auto; docs/defaults.md)");
  add_auto_option(cmd, "--folds", t.folds, kAutoFolds, "INT",
                  "What --epochs auto chooses on: 1 = the validation rows of --val-split (or --val); k = k-fold "
                  "cross-validation over the training and validation rows, k runs for each one of a single split "
                  "(auto: 5 below 1,000 such rows, where a 20 % split is too few rows to choose on; else 1)");
  cmd->add_option("--batch-size", t.batch_size, "Samples per gradient step")->capture_default_str();
  cmd->add_option("--lr-schedule", t.lr_schedule,
                  "Learning-rate schedule: auto, " + mlp::schedule_names() +
                      " (auto: constant for a network; cosine for a linear model, whose loss is convex: the rate "
                      "decays to 0 so that it ends at the optimum, not around it)")
      ->capture_default_str();
  cmd->add_option("--val-split", t.val_split, "Fraction of rows held out for validation, in [0, 1)")
      ->capture_default_str();
  cmd->add_option("--val", t.val_file, "Validation data from a file instead of a split");
  cmd->add_option("--test-split", t.test_split, "Fraction of rows held out as a test set, never used in training")
      ->capture_default_str();
  cmd->add_option("--test", t.test_file, "Test data file, evaluated after training");
  cmd->add_option("--early-stopping", t.early_stopping,
                  "Stop after this many epochs without a better validation loss, restoring the best weights (0 = off; "
                  "-1 = 20 with --epochs auto; with --epochs N, 20 for regression with validation data, off for "
                  "classification)")
      ->capture_default_str();
  cmd->add_option("--scale", t.scale, "Feature scaling: standard, minmax or none")
      ->capture_default_str()
      ->check(CLI::IsMember({"standard", "minmax", "none"}));
  cmd->add_option("--missing", t.missing,
                  "Missing cells (empty, NA, NaN, null, ?): error; drop (leave such rows out); mean or median (fill "
                  "in a feature's training mean or median; a one-hot column gets all zeros). Kept in the model, "
                  "which predict applies")
      ->capture_default_str()
      ->check(CLI::IsMember({"error", "drop", "mean", "median"}));
  cmd->add_option("--seed", t.seed, "Seed for initialisation, splitting, shuffling and dropout")
      ->check(no_minus_sign())
      ->capture_default_str();
  cmd->add_option("--threads", t.threads,
                  "Threads for the matrix products of each run (with 1, the runs --epochs auto chooses with go on "
                  "every core at once)")
      ->capture_default_str();
  cmd->add_flag("--reference", t.reference,
                "Compute each Dense layer with the textbook code of src/dense.cpp instead of the fast path (same "
                "results to float rounding; for reading and changing the code)");
  add_csv_options(cmd, t.csv);
}

Command add_train_command(CLI::App& app) {
  struct Args {
    TrainOptions options;
    std::string write_config;
    bool write_config_all = false;
  };
  auto a = std::make_shared<Args>();
  TrainOptions& t = a->options;
  auto* cmd = app.add_subcommand(
      "train", "Train a network on a CSV file (the target is the last column unless --target says otherwise)");
  // --config belongs to the top-level app (CLI11 reads subcommand options from a [train] section
  // or train.NAME keys); fallthrough lets users write it after `train` as well.
  app.set_config("--config", "", "Read options from a TOML/INI file (as written by mlp train --write-config)")
      ->configurable(false);
  cmd->fallthrough();
  cmd->footer(
      "Options can also come from a file: --config FILE (TOML, keys as the options above: epochs = 50, "
      "[train] section optional), as --write-config writes it; the command line overrides the file.");
  add_training_options(cmd, t);
  cmd->add_option("--save", t.save, "Write the trained model (JSON) to this file");
  cmd->add_option("--history", t.history, "Write per-epoch metrics to this CSV file");
  cmd->add_option("--diagnostics", t.diagnostics,
                  "Measure each hidden layer every step (dead and saturated units, sparsity, gradient norm, update "
                  "size, activation mean and sd), write them per epoch to this CSV file, print the last epoch's "
                  "table and warn in words when a layer is in trouble");
  cmd->add_option("--report", t.report,
                  "Write one self-contained HTML page about the run: configuration, data, metrics, confusion matrix, "
                  "training curves, per-layer diagnostics, decision regions for two-feature data");
  cmd->add_option("--write-config", a->write_config,
                  "Write this run's options to a TOML file, to re-run it with --config; without the output files "
                  "(--save, --history, ...) and --quiet/--json, so a re-run elsewhere overwrites nothing")
      ->configurable(false);
  cmd->add_flag("--write-config-all", a->write_config_all,
                "With --write-config: write the output files and --quiet/--json as well")
      ->configurable(false);
  cmd->add_option("--checkpoint", t.checkpoint,
                  "Write the whole training state (weights, optimizer, random streams, progress, history) to this "
                  "file every --checkpoint-every epochs and on Ctrl-C; it is also a model file");
  cmd->add_option("--checkpoint-every", t.checkpoint_every, "Epochs between two checkpoints")->capture_default_str();
  std::string resumable;
  for (std::string name : resumable_options()) {
    if (name == "data" || name == "resume") continue;
    std::replace(name.begin(), name.end(), '_', '-');
    resumable += (resumable.empty() ? "--" : ", --") + name;
  }
  cmd->add_option("--resume", t.resume,
                  "Go on with the run saved in this checkpoint, with its options, exactly where it stopped; --epochs "
                  "counts all epochs. Only these options may change: " +
                      resumable + " (and DATA, which must hold the same data)");
  cmd->add_flag("--quiet,-q", t.quiet,
                "Print only the final result: one line with the accuracy, or the r2, rmse and mae, of the test set "
                "(else the validation set, else the training set), e.g. 'validation accuracy: 0.9667', and with "
                "--save a second line, 'model saved to FILE'; warnings and errors still go to stderr");
  cmd->add_flag("--json", t.json, "Print the final metrics as one JSON object on stdout");
  return {cmd, [a, cmd] {
            for (const CLI::Option* option : cmd->get_options())  // what the user gave, for --resume
              if (option->count() > 0) {
                std::string name = option->get_single_name();
                std::replace(name.begin(), name.end(), '-', '_');
                a->options.given.push_back(name);
              }
            if (!a->write_config.empty())
              write_file_atomically(a->write_config, options_toml(a->options, a->write_config_all));
            return train(a->options);
          }};
}

}  // namespace mlp::app
