// `mlp summary MODEL`: a saved model (or a checkpoint) as a page to read, within 100 columns: what
// it predicts, its layers, how the CSV columns become its inputs, how it was trained and how well
// it did, with the held-out confusion matrix. --json gives the same, less the weights, for scripts.
// The "training" section of a model file is free-form (docs/model-format.md) and older files lack
// parts of it: whatever is missing, or not of the expected type, is left out, never an error.
#include "cli.hpp"
#include "commands.hpp"
#include "text.hpp"

#include "mlp/dense.hpp"
#include "mlp/dropout.hpp"
#include "mlp/io/model.hpp"
#include "mlp/io/preprocess.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace mlp::app {

namespace {

using json = nlohmann::json;

constexpr std::size_t kPageWidth = 100;  // the widest line of the page
constexpr std::size_t kNameWidth = 24;   // a column, class or category name longer than this is cut
constexpr std::size_t kClassWidth = 12;  // the same in the confusion matrix's headers

// ---- text: widths count UTF-8 code points, so "café" lines up like "cafe" -------------------

std::size_t width(const std::string& s) {
  std::size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}

// The first `max` code points of s, the last three of them "..." when s is longer.
std::string cut(const std::string& s, std::size_t max) {
  if (width(s) <= max) return s;
  std::size_t w = 0, i = 0;
  for (; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && w++ == max - 3) break;
  return s.substr(0, i) + "...";
}

// A name as a reader can tell where it begins and ends in a list (display_name: quoted when it is
// empty or holds a space, a comma or a quote), cut to `max` columns.
std::string quoted(const std::string& s, std::size_t max = kNameWidth) {
  const std::string c = cut(s, max);
  if (display_name(s) == s) return c;
  const std::string q = display_name(c + ",");  // quoted even if what made s need quotes was cut off
  return q.substr(0, q.size() - 2) + "\"";
}

// "a, b, c, ... (7 more)": as many names as fit within `room` columns, the rest counted.
std::string listed(const std::vector<std::string>& names, std::size_t room) {
  std::string s;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string next = (i ? ", " : "") + quoted(names[i]);
    const std::size_t after = names.size() - i - 1;
    const std::string rest = after ? ", ... (" + std::to_string(after) + " more)" : "";
    if (i > 0 && width(s + next + rest) > room) return s + ", ... (" + std::to_string(names.size() - i) + " more)";
    s += next;
  }
  return s;
}

// Rows of cells as aligned columns, each line indented by `indent`; the columns marked in `right`
// are right-aligned (numbers). The last cell of a row shorter than the header (a text that spans
// the rest of the line) does not widen its column.
std::string table(const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right,
                  const std::string& indent = "  ") {
  const std::size_t columns = rows.empty() ? 0 : rows[0].size();
  std::vector<std::size_t> w(columns, 0);
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size() && c < columns; ++c)
      if (row.size() == columns || c + 1 < row.size()) w[c] = std::max(w[c], width(row[c]));
  std::string s;
  for (const auto& row : rows) {
    std::string line = indent;
    for (std::size_t c = 0; c < row.size(); ++c) {
      const std::string pad(c < columns ? w[c] - std::min(w[c], width(row[c])) : 0, ' ');
      line += (c ? "  " : "") + (c < right.size() && right[c] ? pad + row[c] : row[c] + pad);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    s += line + "\n";
  }
  return s;
}

// A section's heading, and its text below it.
std::string section(const std::string& heading, const std::string& body) { return "\n" + heading + "\n" + body; }

// ---- reading the free-form "training" section: a field of the wrong type counts as missing ---

const json* field(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  const auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}
const json& object(const json& j, const char* key) {
  static const json empty = json::object();
  const json* f = field(j, key);
  return f && f->is_object() ? *f : empty;
}
bool has_number(const json& j, const char* key) {
  const json* f = field(j, key);
  return f && f->is_number();
}
double number(const json& j, const char* key) { return field(j, key)->get<double>(); }  // after has_number
std::string text(const json& j, const char* key) {
  const json* f = field(j, key);
  return f && f->is_string() ? f->get<std::string>() : "";
}
bool flag(const json& j, const char* key) {
  const json* f = field(j, key);
  return f && f->is_boolean() && f->get<bool>();
}
// A number as written: a count as a whole number (a seed of 20 digits too), any other in %g.
std::string shown(const json& v) {
  if (v.is_number_integer()) return v.dump();
  return v.is_number() ? fmt("%g", v.get<double>()) : "";
}
std::string shown(const json& j, const char* key) {
  const json* f = field(j, key);
  return f ? shown(*f) : "";
}

// ---- the sections ------------------------------------------------------------------------------

std::string heading(const std::string& path, const Preprocessing& p, const json& training, const json& doc) {
  std::string s = path + "\n" + std::string(std::min(width(path), kPageWidth), '=') + "\n";
  std::vector<std::vector<std::string>> rows;
  std::string task = task_name(p.task);
  if (p.task == Task::Classification)
    task += " of " + (p.targets.empty() ? std::string("a target") : quoted(p.targets[0])) + " into " +
            std::to_string(p.classes.size()) + " classes";
  else if (p.targets.size() == 1)
    task += " of " + quoted(p.targets[0]);
  else if (!p.targets.empty())
    task += " of " + std::to_string(p.targets.size()) + " targets";
  rows.push_back({"task", task});
  const std::string data = text(object(training, "options"), "data");
  if (!data.empty()) rows.push_back({"trained on", data});
  const json& checkpoint = object(doc, "checkpoint");
  if (has_number(checkpoint, "epoch"))
    rows.push_back({"checkpoint", "the state after epoch " + shown(checkpoint, "epoch") +
                                      (has_number(checkpoint, "batch") && number(checkpoint, "batch") > 0
                                           ? " and batch " + shown(checkpoint, "batch") + " of the next"
                                           : "") +
                                      "; mlp train DATA --resume " + path + " goes on from it"});
  return s + table(rows, {}, "");
}

std::string architecture(const Network& net) {
  std::string s;
  std::istringstream lines(net.summary());
  for (std::string line; std::getline(lines, line);) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    s += "  " + line + "\n";
  }
  return section("Architecture", s);
}

std::string preprocessing(const Preprocessing& p) {
  if (p.features.empty()) return section("Preprocessing", "  none recorded: the inputs are used as given\n");
  const bool minmax = p.scaling == Scaling::MinMax, none = p.scaling == Scaling::None;
  const std::string shift = minmax ? "min" : "mean", scale = minmax ? "range" : "sd";
  const std::string how =
      none ? "no scaling, numeric inputs are the values as they are"
           : std::string(scaling_name(p.scaling)) + " scaling, input = (x - " + shift + ") / " + scale;
  const bool fills = p.missing == Missing::Mean || p.missing == Missing::Median;
  std::vector<std::vector<std::string>> rows = {{"column", "kind", "inputs", "values"}};
  std::size_t name_w = width("column");
  for (const FeatureColumn& f : p.features) name_w = std::max(name_w, width(quoted(f.name)));
  for (const std::string& t : p.targets) name_w = std::max(name_w, width(quoted(t)));
  // What is left of the line for the "values" column: indent, then three columns and their gaps.
  const std::size_t used = 2 + name_w + 2 + width("numeric") + 2 + width("inputs") + 2;
  const std::size_t room = kPageWidth > used + 20 ? kPageWidth - used : 20;
  for (const FeatureColumn& f : p.features) {
    if (f.categorical)
      rows.push_back({quoted(f.name), "one-hot", std::to_string(f.categories.size()), listed(f.categories, room)});
    else
      rows.push_back(
          {quoted(f.name), "numeric", "1",
           (none ? "as is" : shift + " " + fmt("%.4g", f.shift) + ", " + scale + " " + fmt("%.4g", f.scale)) +
               (fills ? ", missing: " + fmt("%.4g", f.fill) : "")});
  }
  for (std::size_t k = 0; k < p.targets.size(); ++k) {
    std::string values;
    if (p.task == Task::Classification) {
      values = std::to_string(p.classes.size()) + " classes: ";
      values += listed(p.classes, room - std::min(room - 1, width(values)));
    } else if (k < p.target_shift.size() && k < p.target_scale.size() &&
               !(p.target_shift[k] == 0 && p.target_scale[k] == 1)) {
      values = "mean " + fmt("%.4g", p.target_shift[k]) + ", sd " + fmt("%.4g", p.target_scale[k]) +
               ": a prediction is output x sd + mean";
    } else {
      values = "as is";
    }
    rows.push_back({quoted(p.targets[k]), "target", "", values});
  }
  const std::string policy = std::string("  missing values (--missing ") + missing_name(p.missing) + "): ";
  const std::string missing =
      policy + (p.missing == Missing::Error  ? "an error naming the cell\n"
                : p.missing == Missing::Drop ? "the row is left out; predict gives it an empty prediction\n"
                                             : "a number takes the training " + std::string(missing_name(p.missing)) +
                                                   " shown, a category all zeros\n");
  const std::vector<std::string> left_out = p.ignored_columns();
  const std::string ignored =
      left_out.empty() ? "" : "  left out (--ignore): " + listed(left_out, kPageWidth - 24) + "\n";
  return section("Preprocessing: " + how + (none ? "" : ", fitted on the training rows"),
                 table(rows, {false, false, true, false}) + ignored + missing);
}

// --epochs auto: the runs tried (weight decays; the layers and a linear model), the chosen one
// marked, how the network compared with the linear model, and what came after.
std::string selection(const json& sel, const json& options) {
  const json* tried = field(sel, "tried");
  if (!tried || !tried->is_array()) return "";
  bool by_layers = false;  // model files from before the linear model was tried have no "layers"
  for (const json& r : *tried) by_layers = by_layers || !text(r, "layers").empty();
  const auto cells = [&](std::vector<std::string> c, const std::string& layers) {
    if (by_layers) c.insert(c.begin() + 1, layers);
    return c;
  };
  const int folds = has_number(sel, "folds") ? static_cast<int>(number(sel, "folds")) : 1;
  std::vector<std::vector<std::string>> rows = {cells(
      {"", "weight decay", folds > 1 ? "best epoch (median)" : "best epoch", "epochs run", "val loss"}, "layers")};
  for (const json& r : *tried) {
    if (!has_number(r, "weight_decay")) continue;
    const double wd = number(r, "weight_decay");
    if (flag(r, "diverged")) {
      rows.push_back(cells({"", shown(r, "weight_decay"), "diverged"}, text(r, "layers")));
      continue;
    }
    const bool chosen = has_number(sel, "weight_decay") && number(sel, "weight_decay") == wd &&
                        (!by_layers || text(sel, "layers") == text(r, "layers"));
    rows.push_back(
        cells({chosen ? "*" : "", shown(r, "weight_decay"), has_number(r, "best_epoch") ? shown(r, "best_epoch") : "",
               has_number(r, "epochs_run") ? shown(r, "epochs_run") : "",
               has_number(r, "val_loss") ? fmt("%.4f", number(r, "val_loss")) : ""},
              text(r, "layers")));
  }
  std::string compared;  // the network against the linear model (train.cpp; paired_difference in mlp/io/metrics.hpp)
  const json& c = object(sel, "comparison");
  if (has_number(c, "difference") && has_number(c, "standard_error")) {
    const double diff = number(c, "difference");
    compared = "  network vs linear val loss: " + std::string(diff >= 0 ? "lower" : "higher") + " by " +
               fmt("%.4f", std::fabs(diff)) + ", standard error " + fmt("%.4f", number(c, "standard_error")) +
               (has_number(c, "rows") ? ", " + shown(c, "rows") + " rows" : "") + ": " + text(c, "kept") + " kept\n";
  }
  std::string then;
  const std::string best = has_number(sel, "best_epoch") ? shown(sel, "best_epoch") : "?";
  // The factor multiplies the best epoch, or for a linear model at least kLinearMinRefitBase epochs.
  const std::string base = has_number(sel, "refit_base_epoch") ? shown(sel, "refit_base_epoch") : best;
  if (flag(sel, "refit"))
    then = "then trained again on all training rows, validation rows included, for " +
           (has_number(sel, "refit_factor") ? shown(sel, "refit_factor") : fmt("%g", kRefitFactor)) + " x " + base +
           (has_number(options, "epochs") ? " = " + shown(options, "epochs") : "") + " epochs" +
           (base != best ? " (" + base + ": " + kLinearMinRefitWords + ")" : "") +
           (text(options, "lr_schedule").rfind("cosine", 0) == 0 ? ",\n  the learning rate decaying on a cosine" : "");
  else
    then = "then that run was trained again to its best epoch, " + best + " (the validation rows are a file)";
  std::vector<bool> right = {false, false, true, true, true};
  if (by_layers) right.insert(right.begin() + 1, false);
  const std::string cv = folds > 1 ? "  " + std::to_string(folds) +
                                         "-fold cross-validation: val loss is the mean over all rows, each by the "
                                         "run that\n  did not train on it; best epoch the median of the " +
                                         std::to_string(folds) + " runs', epochs run their sum\n"
                                   : "";
  return section(by_layers ? "Chosen by --epochs auto: each model's lowest val loss; the network if clearly lower (*)"
                           : "Chosen by --epochs auto: one early-stopped run per weight decay, the lowest val loss "
                             "(*) won",
                 cv + table(rows, right) + compared + "  " + then + "\n");
}

std::string training(const json& t) {
  if (!t.is_object() || t.empty()) return section("Training", "  not recorded in this model file\n");
  const json& o = object(t, "options");
  const json& sel = object(t, "selection");
  const bool chosen = !sel.empty();
  std::vector<std::vector<std::string>> rows;
  const auto add = [&](const std::string& name, const std::string& value) {
    if (!value.empty()) rows.push_back({name, value});
  };
  const auto option = [&](const char* key) { return has_number(o, key) ? shown(o, key) : text(o, key); };

  std::string optimizer = text(o, "optimizer");
  if (optimizer == "adam" && has_number(o, "beta1") && has_number(o, "beta2") &&
      (number(o, "beta1") != 0.9 || number(o, "beta2") != 0.999))
    optimizer += ", beta1 " + option("beta1") + ", beta2 " + option("beta2");
  if (optimizer == "sgd" && has_number(o, "momentum") && number(o, "momentum") > 0)
    optimizer += ", momentum " + option("momentum") + (flag(o, "nesterov") ? ", nesterov" : "");
  add("optimizer", optimizer);
  add("lr", option("lr"));
  add("lr-schedule", option("lr_schedule"));
  add("batch-size", option("batch_size"));

  std::string epochs;
  if (has_number(t, "epochs_run")) {
    const double run = number(t, "epochs_run");
    epochs = shown(t, "epochs_run");
    if (has_number(o, "epochs") && run < number(o, "epochs")) epochs += " of " + option("epochs");
    if (has_number(o, "early_stopping") && number(o, "early_stopping") > 0 && has_number(t, "best_epoch") &&
        number(t, "best_epoch") > 0)
      epochs += ", best epoch " + shown(t, "best_epoch") + " (its weights kept)";
    if (chosen) epochs += ", chosen by --epochs auto (below)";
  } else {
    epochs = option("epochs");
  }
  add("epochs", epochs);
  if (has_number(o, "early_stopping"))
    add("early-stopping", number(o, "early_stopping") > 0
                              ? "after " + option("early_stopping") + " epochs without a better val loss"
                          : number(o, "early_stopping") == 0 ? "off"
                                                             : option("early_stopping"));
  std::string decay = option("weight_decay");
  if (chosen && !decay.empty()) decay += ", chosen by --epochs auto (below)";
  add("weight-decay", decay);
  add("dropout", option("dropout"));
  if (has_number(o, "clip_norm") && number(o, "clip_norm") > 0) add("clip-norm", option("clip_norm"));
  add("init", text(o, "init"));
  if (has_number(o, "bias_init") && number(o, "bias_init") != 0) add("bias-init", option("bias_init"));
  if (!text(o, "val").empty())
    add("val", text(o, "val"));
  else
    add("val-split",
        option("val_split") + (flag(sel, "refit") ? " (the validation rows joined the training rows)" : ""));
  if (!text(o, "test").empty())
    add("test", text(o, "test"));
  else if (has_number(o, "test_split") && number(o, "test_split") > 0)
    add("test-split", option("test_split"));
  if (const json* w = field(t, "class_weights"); w && w->is_object() && !w->empty()) {
    std::string weights;
    for (const auto& [name, value] : w->items())
      if (value.is_number())
        weights += (weights.empty() ? "" : ", ") + quoted(name) + " " + fmt("%.3g", value.get<double>());
    add("class-weight", weights + (text(o, "class_weight") == "balanced" ? " (balanced)" : ""));
  }
  add("seed", has_number(t, "seed") ? shown(t, "seed") : option("seed"));
  std::string s = section("Training", rows.empty() ? "  no options recorded\n" : table(rows, {}));
  return chosen ? s + selection(sel, o) : s;
}

// The number of rows a classification's metrics were measured on: the confusion matrix's sum,
// else the classes' support; "-" when neither is recorded.
std::string rows_of(const json& m) {
  double n = 0;
  bool found = false;
  const json* confusion = field(m, "confusion");
  if (confusion && confusion->is_array()) {
    for (const json& row : *confusion)
      if (row.is_array())
        for (const json& v : row) n += v.is_number() ? v.get<double>() : 0;
    found = true;
  } else {
    for (const auto& [name, c] : object(m, "per_class").items())
      if (has_number(c, "support")) n += number(c, "support"), found = true;
  }
  return found ? fmt("%.0f", n) : "-";
}

// The sets the metrics were measured on, in order: train, validation, test, each as it is
// recorded. Metrics of a single set, with no set named (docs/model-format.md's example), are read
// as that one set, "recorded".
using Sets = std::vector<std::pair<std::string, const json*>>;
Sets sets_of(const json& m) {
  Sets sets;
  for (const char* set : {"train", "validation", "test"})
    if (!object(m, set).empty()) sets.emplace_back(set, &object(m, set));
  if (sets.empty() && (has_number(m, "accuracy") || has_number(m, "r2"))) sets.emplace_back("recorded", &m);
  return sets;
}

// choice_folds: 0 when the validation figures are the final model's; else they are the choice's,
// on one split (1) or on k folds.
std::string metrics(const Sets& sets, const Preprocessing& p, int choice_folds) {
  const bool validation_from_choice = choice_folds > 0;
  std::vector<std::vector<std::string>> rows;
  const auto value = [](const json& j, const char* key, const char* format) {
    return has_number(j, key) ? fmt(format, number(j, key)) : std::string("-");
  };
  const bool classes = p.task == Task::Classification;
  bool auc = false;  // two classes: ROC AUC recorded
  for (const auto& set : sets) auc = auc || has_number(*set.second, "roc_auc");
  if (classes)
    rows.push_back({"set", "rows", "accuracy", "precision", "recall", "f1", "log loss", auc ? "ROC AUC" : ""});
  else
    rows.push_back({"set", "r2", "rmse", "mae", "mse"});
  for (const auto& [set, recorded] : sets) {
    const json& r = *recorded;
    const json& per_target = object(r, "per_target");
    const std::string name = set + (validation_from_choice && set == "validation" ? " *" : "") +
                             (!classes && per_target.size() > 1 ? ", mean" : "");
    if (classes) {
      rows.push_back({name, rows_of(r), value(r, "accuracy", "%.4f"), value(r, "precision_macro", "%.4f"),
                      value(r, "recall_macro", "%.4f"), value(r, "f1_macro", "%.4f"), value(r, "log_loss", "%.4f"),
                      auc ? value(r, "roc_auc", "%.4f") : ""});
      continue;
    }
    rows.push_back(
        {name, value(r, "r2", "%.4f"), value(r, "rmse", "%.6g"), value(r, "mae", "%.6g"), value(r, "mse", "%.6g")});
    if (per_target.size() > 1)
      for (const std::string& target : p.targets) {
        const json& t = object(per_target, target.c_str());
        if (!t.empty())
          rows.push_back({"  " + quoted(target), value(t, "r2", "%.4f"), value(t, "rmse", "%.6g"),
                          value(t, "mae", "%.6g"), value(t, "mse", "%.6g")});
      }
  }
  if (rows.size() == 1) return "";
  std::string notes;
  if (classes) notes += "  precision, recall and f1 are macro averages over the classes\n";
  if (validation_from_choice)
    notes += choice_folds > 1 ? "  * " + std::to_string(choice_folds) +
                                    "-fold cross-validation of the chosen model: every row, by the run that did not\n"
                                    "    train on it; the final model then trained on all of them\n"
                              : "  * the run of --epochs auto that chose the epochs, on rows the final model then "
                                "trained on\n";
  return table(rows, {false, true, true, true, true, true, true, true}) + notes;
}

// The held-out set's confusion matrix, class names as headers: numbers (and a legend in the row
// labels) instead when the names would take the matrix past the page's width.
std::string confusion(const json& m, const Preprocessing& p, const std::string& set) {
  const json* c = field(m, "confusion");
  std::vector<std::string> names = p.classes;
  const json* recorded = field(m, "classes");
  if (recorded && recorded->is_array() && recorded->size() == names.size()) {
    names.clear();
    for (const json& n : *recorded) names.push_back(n.is_string() ? n.get<std::string>() : n.dump());
  }
  const std::size_t k = names.size();
  bool square = c && c->is_array() && c->size() == k && k > 0;
  for (std::size_t i = 0; square && i < k; ++i) {
    square = (*c)[i].is_array() && (*c)[i].size() == k;
    for (std::size_t j = 0; square && j < k; ++j) square = (*c)[i][j].is_number();
  }
  if (!square) return "";
  // Named: each column headed by its class name, cut to kClassWidth, when the names stay distinct
  // and fit the page. Numbered otherwise: columns 0, 1, ..., and each row's label is its number
  // and as much of its name as the page has room for.
  const std::string corner = "true \\ predicted";
  std::size_t cell = 1;  // the widest count
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = 0; j < k; ++j) cell = std::max(cell, shown((*c)[i][j]).size());
  std::vector<std::string> heads, labels;
  std::size_t label_w = width(corner), columns_w = 0;
  for (std::size_t i = 0; i < k; ++i) {
    heads.push_back(quoted(names[i], kClassWidth));
    label_w = std::max(label_w, width(heads[i]));
    columns_w += 2 + std::max(width(heads[i]), cell);
  }
  const bool distinct = std::set<std::string>(heads.begin(), heads.end()).size() == k;
  labels = heads;
  if (!distinct || 2 + label_w + columns_w > kPageWidth) {
    const std::size_t index_w = std::to_string(k - 1).size();
    columns_w = k * (2 + std::max(index_w, cell));
    const std::size_t room = kPageWidth > 2 + columns_w + 20 ? kPageWidth - 2 - columns_w : 20;
    for (std::size_t i = 0; i < k; ++i) {
      heads[i] = std::to_string(i);
      labels[i] = std::string(index_w - heads[i].size(), ' ') + heads[i] + " " +
                  quoted(names[i], std::max<std::size_t>(4, room - index_w - 3));
    }
  }
  std::vector<std::vector<std::string>> rows = {{corner}};
  rows[0].insert(rows[0].end(), heads.begin(), heads.end());
  for (std::size_t i = 0; i < k; ++i) {
    rows.push_back({labels[i]});
    for (std::size_t j = 0; j < k; ++j)
      rows.back().push_back(std::string(cell - shown((*c)[i][j]).size(), ' ') + shown((*c)[i][j]));
  }
  std::vector<bool> right(k + 1, true);
  right[0] = false;
  return section(
      "Confusion matrix, " + set + " (" + rows_of(m) + " rows; rows: the true class, columns: the predicted one)",
      table(rows, right));
}

std::string results(const json& t, const Preprocessing& p) {
  const json& m = object(t, "metrics");
  const Sets sets = sets_of(m);
  const bool from_choice = flag(object(t, "selection"), "refit") && !object(m, "validation").empty();
  const json& chosen = object(t, "selection");
  const int choice_folds = !from_choice                  ? 0
                           : has_number(chosen, "folds") ? static_cast<int>(number(chosen, "folds"))
                                                         : 1;
  const std::string table = metrics(sets, p, choice_folds);
  if (table.empty())
    return section("Metrics", "  not recorded in this model file (a checkpoint, or a model saved by an older mlp)\n");
  std::string s = section("Metrics", table);
  if (p.task != Task::Classification) return s;
  const auto& [held_out, recorded] = sets.back();  // test, else validation, else train
  const std::string matrix =
      confusion(*recorded, p, held_out + " set" + (from_choice && held_out == "validation" ? " *" : ""));
  return s + (matrix.empty() ? section("Confusion matrix", "  not recorded in this model file\n") : matrix);
}

// --json: what the page shows, as the model file has it, less the weights.
json summary_json(const std::string& path, const Model& model, const json& doc) {
  json layers = json::array();
  for (std::size_t i = 0; i < model.net.size(); ++i) {
    const Layer& l = model.net.layer(i);
    json layer = {{"name", l.name}, {"units", l.output_size()}, {"parameters", l.parameter_count()}};
    if (const auto* d = dynamic_cast<const Dense*>(&l)) {
      layer["type"] = "dense";
      layer["activation"] = d->activation.spec();
    } else if (const auto* dropout = dynamic_cast<const Dropout*>(&l)) {
      layer["type"] = "dropout";
      layer["rate"] = dropout->rate();
    }
    layers.push_back(layer);
  }
  json j = {{"file", path},
            {"task", task_name(model.prep.task)},
            {"architecture",
             {{"input_size", model.net.input_size()},
              {"layers", layers},
              {"parameters", model.net.parameter_count()},
              {"loss", model.net.loss().spec()}}},
            {"preprocessing", doc.at("preprocessing")},
            {"training", model.training}};
  if (doc.contains("checkpoint") && doc["checkpoint"].is_object()) {
    const json& c = doc["checkpoint"];
    j["checkpoint"] = {{"epoch", c.value("epoch", json())}, {"batch", c.value("batch", json())}};
  }
  return j;
}

}  // namespace

int summary(const std::string& model_path, bool as_json) {
  const json doc = load_model_json(model_path);
  const Model model = model_from_json(doc, model_path);
  if (as_json) {
    std::printf("%s\n", summary_json(model_path, model, doc).dump().c_str());
    return 0;
  }
  const std::string page = heading(model_path, model.prep, model.training, doc) + architecture(model.net) +
                           preprocessing(model.prep) + training(model.training) + results(model.training, model.prep);
  std::fwrite(page.data(), 1, page.size(), stdout);
  return 0;
}

Command add_summary_command(CLI::App& app) {
  struct Args {
    std::string model;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "summary",
      "Show a saved model (or checkpoint) as a page: task, layers, preprocessing of each column, training options, "
      "metrics per set and the held-out confusion matrix");
  cmd->add_option("model", a->model, "Model file (or checkpoint) written by mlp train")->required();
  cmd->add_flag("--json", a->json,
                "Print the same as one JSON object for scripts: file, task, architecture (layers, parameters, loss), "
                "preprocessing and training as the model file has them, without the weights");
  return {cmd, [a] { return summary(a->model, a->json); }};
}

}  // namespace mlp::app
