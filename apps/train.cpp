// `mlp train`: from a CSV file to a trained, evaluated and (optionally) saved model.
#include "commands.hpp"
#include "progress.hpp"

#include "mlp/error.hpp"
#include "mlp/metrics.hpp"
#include "mlp/parallel.hpp"
#include "mlp/model.hpp"
#include "mlp/preprocess.hpp"
#include "mlp/trainer.hpp"

#include <nlohmann/json.hpp>

#include <Eigen/Core>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <map>
#include <optional>
#include <unistd.h>
#include <sstream>

namespace mlp::app {

namespace {

struct HiddenLayer {
  Index units;
  Activation activation;
};

// "64,32" or "64:relu,32:leaky_relu:0.3" (each layer's activation overrides --activation).
std::vector<HiddenLayer> parse_layers(const std::string& spec, const std::string& default_activation) {
  std::vector<HiddenLayer> layers;
  if (spec.empty() || spec == "none") return layers;  // no hidden layer: a linear/logistic model
  std::stringstream in(spec);
  std::string item;
  while (std::getline(in, item, ',')) {
    const std::size_t colon = item.find(':');
    const std::string count = item.substr(0, colon);
    long units = 0;
    auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), units);
    if (ec != std::errc() || end != count.data() + count.size() || units < 1 || units > 1000000)
      throw Error("--layers '" + spec + "': '" + count + "' is not a layer size (a whole number of units, 1 or more, e.g. --layers 64,32 or 64:relu,32:tanh)");
    const std::string act = colon == std::string::npos ? default_activation : item.substr(colon + 1);
    try {
      layers.push_back({units, parse_activation(act)});
    } catch (const Error& e) {
      throw Error((colon == std::string::npos ? std::string("--activation: ") : "--layers '" + spec + "': ") + e.what());
    }
    if (layers.back().activation.info->output_only)
      throw Error("--layers: '" + act + "' belongs on the output layer (--output-activation), not a hidden one");
  }
  if (!spec.empty() && spec.back() == ',') throw Error("--layers '" + spec + "': trailing comma");
  return layers;
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

void check_options(const TrainOptions& o) {
  if (!(o.lr >= 0) || !std::isfinite(o.lr)) throw Error("--lr must be a positive number (got " + fmt("%g", o.lr) + ")");
  if (o.epochs < 1) throw Error("--epochs must be at least 1");
  if (o.batch_size < 1) throw Error("--batch-size must be at least 1");
  if (!(o.val_split >= 0 && o.val_split < 1)) throw Error("--val-split must be in [0, 1) (got " + fmt("%g", o.val_split) + ")");
  if (!(o.test_split >= 0 && o.test_split < 1)) throw Error("--test-split must be in [0, 1)");
  if (o.val_split + o.test_split >= 1) throw Error("--val-split + --test-split must leave rows for training");
  if (!(o.dropout >= 0 && o.dropout < 1)) throw Error("--dropout must be in [0, 1) (got " + fmt("%g", o.dropout) + ")");
  if (o.early_stopping < -1) throw Error("--early-stopping takes a patience in epochs (0 = off)");
  if (o.threads < 1) throw Error("--threads must be at least 1");
}

// Validation metric for the epoch lines and early-stopping reports.
std::function<double(const Matrix&, const ConstMatrixRef&)> metric_for(Task task) {
  if (task == Task::Classification) return [](const Matrix& P, const ConstMatrixRef& Y) { return accuracy(P, Y); };
  return [](const Matrix& P, const ConstMatrixRef& Y) { return r2_score(P, Y); };
}

nlohmann::json report(Network& net, const Preprocessing& prep, const Matrix& X, const Matrix& Y, std::string* text) {
  const Matrix P = net.predict(X);
  if (prep.task == Task::Classification) {
    std::vector<int> truth(static_cast<std::size_t>(Y.rows()));
    for (Index i = 0; i < Y.rows(); ++i) truth[static_cast<std::size_t>(i)] = static_cast<int>(Y(i, 0));
    auto r = classification_report(truth, predicted_classes(P), prep.classes);
    if (text) *text = format_classification(r);
    return to_json(r);
  }
  auto r = regression_report(unscale_targets(prep, Y), unscale_targets(prep, P), prep.targets);
  if (text) *text = format_regression(r);
  return to_json(r);
}

// Shuffles the rows with the seed and deals them into test, validation and training sets. For a
// class label target the split is stratified: each class is split in the same proportions, so a
// small validation set is not, by chance, short of one class.
void split_rows(const csv::Table& table, const TrainOptions& o, std::vector<std::size_t>& test,
                std::vector<std::size_t>& val, std::vector<std::size_t>& train) {
  std::vector<std::size_t> order(table.rows);
  std::iota(order.begin(), order.end(), std::size_t{0});
  Rng rng(o.seed ^ 0x9E3779B97F4A7C15ULL);  // its own stream, so the split does not move with the init
  rng.shuffle(order);
  const double test_frac = o.test_file.empty() ? o.test_split : 0.0;
  const double val_frac = o.val_file.empty() ? o.val_split : 0.0;

  // Group rows by label when the target looks like classes (text, or few integer values).
  std::vector<std::vector<std::size_t>> groups;
  const std::ptrdiff_t tc = o.targets.size() == 1 ? table.find(o.targets[0])
                            : o.targets.empty()    ? static_cast<std::ptrdiff_t>(table.columns.size()) - 1
                                                   : -1;
  if (tc >= 0 && o.task != "regression") {
    const csv::Column& c = table.columns[static_cast<std::size_t>(tc)];
    std::map<std::string, std::size_t> group_of;
    for (std::size_t r : order) {
      std::string key;
      if (!c.numeric) {
        key = c.text[r];
      } else if (c.values[r] == std::floor(c.values[r])) {
        key = std::to_string(static_cast<long long>(c.values[r]));
      } else {
        groups.clear();
        break;  // a real-valued target: no classes
      }
      auto it = group_of.emplace(key, groups.size()).first;
      if (it->second == groups.size()) groups.emplace_back();
      groups[it->second].push_back(r);
      if (groups.size() > 20 && o.task != "classification") {
        groups.clear();
        break;
      }
    }
  }
  if (groups.empty()) groups.push_back(order);

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

std::string parent_dir(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

}  // namespace

int train(const TrainOptions& o) {
  check_options(o);
  set_threads(o.threads);
  std::FILE* out = o.json ? stderr : stdout;  // with --json, stdout carries the JSON alone
  Progress progress(out, o.quiet);

  // Fail on a bad option before reading a large file or training for an hour.
  OptimizerConfig oc;
  oc.name = o.optimizer;
  oc.learning_rate = o.lr > 0 ? o.lr : (o.optimizer == "sgd" ? 0.01 : 0.001);
  oc.momentum = o.momentum;
  oc.nesterov = o.nesterov;
  oc.weight_decay = o.weight_decay;
  oc.clip_norm = o.clip_norm;
  auto optimizer = make_optimizer(oc);
  const Schedule schedule = parse_schedule(o.lr_schedule);
  const auto hidden = parse_layers(o.layers, o.activation);
  PreprocessOptions po;
  po.targets = o.targets;
  po.categorical = o.categorical;
  po.scaling = parse_scaling(o.scale);
  if (o.task == "classification") po.task = PreprocessOptions::TaskChoice::Classification;
  else if (o.task == "regression") po.task = PreprocessOptions::TaskChoice::Regression;
  else if (o.task != "auto") throw Error("--task must be auto, classification or regression");
  std::optional<InitKind> init;
  if (!o.init.empty()) init = parse_init(o.init);
  if (!o.save.empty() && parent_dir(o.save) != "." && access(parent_dir(o.save).c_str(), W_OK) != 0)
    throw Error("--save " + o.save + ": the directory '" + parent_dir(o.save) + "' does not exist or is not writable");

  // ---- data: split rows into test, validation and training ----
  const csv::Options copt = o.csv.resolve();
  const csv::Table table = csv::read(o.data, copt);
  std::vector<std::size_t> test_rows, val_rows, train_rows;
  split_rows(table, o, test_rows, val_rows, train_rows);
  if (train_rows.size() < 2)
    throw Error(o.data + ": only " + std::to_string(train_rows.size()) + " training row(s) after the validation/test split; mlp needs at least 2");

  const Preprocessing prep = fit_preprocessing(table, train_rows, po);
  const Matrix X = make_inputs(table, prep, train_rows), Y = make_targets(table, prep, train_rows);
  Matrix Xval(0, X.cols()), Yval(0, Y.cols()), Xtest(0, X.cols()), Ytest(0, Y.cols());
  // A held-out set comes from its own file when one is given, else from the split rows.
  auto load_held_out = [&](const std::string& file, const std::vector<std::size_t>& rows, Matrix& Xh, Matrix& Yh) {
    if (!file.empty()) {
      const csv::Table t = csv::read(file, copt);
      const auto all = all_rows(t);
      Xh = make_inputs(t, prep, all);
      Yh = make_targets(t, prep, all);
    } else if (!rows.empty()) {
      Xh = make_inputs(table, prep, rows);
      Yh = make_targets(table, prep, rows);
    }
  };
  load_held_out(o.val_file, val_rows, Xval, Yval);
  load_held_out(o.test_file, test_rows, Xtest, Ytest);
  if (o.early_stopping > 0 && Xval.rows() == 0) throw Error("--early-stopping needs validation data (--val-split > 0 or --val FILE)");
  // By default a regression stops once the validation loss has not improved for 20 epochs and
  // keeps the best weights: on small data sets it would otherwise overfit (diabetes, 10 seeds:
  // mean R² 0.33 → 0.46). Classification measured better without it (iris: a 30-row validation
  // loss is too noisy to pick the epoch), so there it is off unless asked for.
  const int patience = o.early_stopping >= 0 ? o.early_stopping
                                             : (Xval.rows() > 0 && prep.task == Task::Regression ? 20 : 0);

  // ---- the network: hidden layers, then an output layer and loss that fit the task ----
  std::string out_act = o.output_activation, loss_spec = o.loss;
  if (prep.task == Task::Classification) {
    const bool binary = prep.classes.size() == 2;
    if (out_act.empty()) out_act = (binary && loss_spec != "cross_entropy") ? "sigmoid" : "softmax";
    if (loss_spec.empty()) loss_spec = out_act == "sigmoid" ? "bce" : "cross_entropy";
    const Loss l = parse_loss(loss_spec);
    if (!l.info->from_logits)
      throw Error("--loss " + loss_spec + " is a regression loss; for classification use cross_entropy (softmax) or bce (sigmoid, two classes)");
    if (std::string(l.name()) == "bce" && !binary)
      throw Error("--loss bce needs two classes; this target has " + std::to_string(prep.classes.size()) + " (use cross_entropy)");
    out_act = l.info->output_activation;
  } else {
    if (out_act.empty()) out_act = "identity";
    if (loss_spec.empty()) loss_spec = "mse";
    if (parse_loss(loss_spec).info->from_logits)
      throw Error("--loss " + loss_spec + " is a classification loss; for regression use mse, mae or huber");
  }
  const Activation output_activation = parse_activation(out_act);
  const Loss loss = parse_loss(loss_spec);
  const Index outputs = prep.output_size(std::string(output_activation.name()) == "sigmoid");

  Network net(prep.input_size(), o.seed);
  for (const auto& h : hidden) {
    init ? net.add_dense(h.units, h.activation, *init) : net.add_dense(h.units, h.activation);
    if (o.dropout > 0) net.add_dropout(o.dropout);
  }
  init ? net.add_dense(outputs, output_activation, *init) : net.add_dense(outputs, output_activation);
  net.set_loss(loss);
  net.set_optimizer(std::move(optimizer));

  if (!o.quiet) {
    std::string head = o.data + ": " + std::to_string(table.rows) + " rows, " + std::to_string(prep.features.size()) +
                       " feature columns (" + std::to_string(prep.input_size()) + " inputs), " + task_name(prep.task);
    if (prep.task == Task::Classification) head += " with " + std::to_string(prep.classes.size()) + " classes";
    head += "\nsplit: " + std::to_string(X.rows()) + " train, " + std::to_string(Xval.rows()) + " validation, " +
            std::to_string(Xtest.rows()) + " test (seed " + std::to_string(o.seed) + ")\n" + net.summary();
    progress.line(head);
  }

  // ---- training ----
  FitOptions fo;
  fo.epochs = o.epochs;
  fo.batch_size = o.batch_size;
  fo.schedule = schedule;
  fo.early_stopping = patience;
  fo.metric = metric_for(prep.task);
  const char* metric_name = prep.task == Task::Classification ? "val_acc" : "val_r2";
  const Index batch = std::min<Index>(o.batch_size, X.rows());
  fo.on_batch = [&](int epoch, Index done, Index total, double running) {
    progress.batch(epoch, o.epochs, done, total, running, static_cast<long>(std::min<Index>(done * batch, X.rows())));
  };
  const int every = o.epochs <= 100 ? 1 : o.epochs / 100;  // at most ~100 epoch lines
  fo.on_epoch = [&](const EpochReport& r) {
    if (r.epoch % every != 0 && r.epoch != o.epochs && r.epoch != 1) return;
    std::string line = "epoch " + std::to_string(r.epoch) + "/" + std::to_string(o.epochs) + "  train_loss " + fmt("%.4f", r.train_loss);
    if (!std::isnan(r.val_loss)) line += "  val_loss " + fmt("%.4f", r.val_loss) + "  " + metric_name + " " + fmt("%.4f", r.val_metric);
    line += "  lr " + fmt("%.3g", r.learning_rate) + "  " + fmt("%.3fs", r.seconds);
    progress.line(line);
  };
  const FitResult result = fit(net, X, Y, Xval, Yval, fo);

  // ---- results ----
  nlohmann::json metrics = nlohmann::json::object();
  std::string text;
  metrics["train"] = report(net, prep, X, Y, nullptr);
  if (Xval.rows()) metrics["validation"] = report(net, prep, Xval, Yval, Xtest.rows() ? nullptr : &text);
  if (Xtest.rows()) metrics["test"] = report(net, prep, Xtest, Ytest, &text);
  const char* held_out = Xtest.rows() ? "test" : Xval.rows() ? "validation" : "train";
  if (text.empty()) report(net, prep, X, Y, &text);

  nlohmann::json result_json = metrics[held_out];
  result_json["split"] = held_out;
  result_json["task"] = task_name(prep.task);
  result_json["epochs_run"] = result.history.size();
  result_json["best_epoch"] = result.best_epoch;
  result_json["stopped_early"] = result.stopped_early;
  result_json["seconds"] = result.seconds;
  result_json["metrics"] = metrics;

  if (!o.history.empty()) {
    std::string h = "epoch,train_loss,val_loss," + std::string(metric_name) + ",lr,seconds\n";
    for (const auto& r : result.history)
      h += std::to_string(r.epoch) + "," + fmt("%.9g", r.train_loss) + "," + (std::isnan(r.val_loss) ? "" : fmt("%.9g", r.val_loss)) +
           "," + (std::isnan(r.val_metric) ? "" : fmt("%.9g", r.val_metric)) + "," + fmt("%.9g", r.learning_rate) + "," +
           fmt("%.6f", r.seconds) + "\n";
    write_file_atomically(o.history, h);
  }
  if (!o.save.empty()) {
    nlohmann::json training;
    training["options"] = {{"data", o.data}, {"layers", o.layers}, {"activation", o.activation},
                           {"output_activation", out_act}, {"loss", loss.spec()}, {"optimizer", oc.name},
                           {"lr", oc.learning_rate}, {"momentum", o.momentum}, {"nesterov", o.nesterov},
                           {"weight_decay", o.weight_decay}, {"clip_norm", o.clip_norm}, {"dropout", o.dropout},
                           {"init", o.init}, {"epochs", o.epochs}, {"batch_size", o.batch_size},
                           {"lr_schedule", schedule.spec()}, {"val_split", o.val_split}, {"test_split", o.test_split},
                           {"early_stopping", patience}, {"scale", o.scale}, {"threads", o.threads}};
    training["seed"] = o.seed;
    training["epochs_run"] = result.history.size();
    training["best_epoch"] = result.best_epoch;
    training["metrics"] = metrics;
    save_model(o.save, net, prep, training);
  }

  if (o.json) {
    std::printf("%s\n", result_json.dump().c_str());
  } else {
    std::string tail = "\n" + std::string(held_out) + " results (" + std::to_string(result.history.size()) + " epochs, " +
                       fmt("%.2fs", result.seconds) + (result.stopped_early ? ", stopped early, best epoch " + std::to_string(result.best_epoch) : "") + "):\n" + text;
    if (prep.task == Task::Classification) tail += held_out + std::string(" accuracy: ") + fmt("%.4f", result_json["accuracy"].get<double>()) + "\n";
    if (!o.save.empty()) tail += "model saved to " + o.save + "\n";
    std::printf("%s", tail.c_str());
  }
  return 0;
}

}  // namespace mlp::app
