// The HTML report (report.hpp): sections in the order a reader asks their questions (what was
// run, on what, how well did it do, how did it get there, what happened inside), each one a
// function returning its HTML. The pictures are the figures of `mlp plot` (plot.hpp), inline.
#include "report.hpp"

#include "plot.hpp"
#include "text.hpp"

#include "mlp/io/svg.hpp"
#include "mlp/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>

namespace mlp::app {

namespace {

using nlohmann::json;

std::string esc(const std::string& s) { return svg::escape(s); }

// An SVG document as an element of the page: without its XML declaration.
std::string inline_svg(const svg::Figure& figure) {
  std::string text = svg::render(figure);
  if (text.rfind("<?xml", 0) == 0) text.erase(0, text.find('\n') + 1);
  return "<div class=\"figure\">\n" + text + "</div>\n";
}

svg::Figure untitled(svg::Figure f) {
  f.title.clear();
  return f;
}

std::string number(const json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  if (v.is_number()) {
    const double x = v.get<double>();
    return std::abs(x) >= 1e5 || (x != 0 && std::abs(x) < 1e-3) ? fmt("%.3g", x) : fmt("%.4f", x);
  }
  if (v.is_string()) return esc(v.get<std::string>());
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_array()) {
    std::string s;
    for (const auto& e : v) s += (s.empty() ? "" : ", ") + number(e);
    return s;
  }
  return esc(v.dump());
}

std::string row(const std::vector<std::string>& cells, const char* tag = "td") {
  std::string s = "<tr>";
  for (const std::string& c : cells) s += std::string("<") + tag + ">" + c + "</" + tag + ">";
  return s + "</tr>\n";
}

const char* kStyle =
    R"(body{font-family:Helvetica,Arial,sans-serif;max-width:1180px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.lead{color:#555;margin-top:0}table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:right}
th{background:#f5f5f5}td:first-child,th:first-child{text-align:left}pre{background:#f7f7f7;padding:.8em;overflow-x:auto;font-size:.9em}
.figure{overflow-x:auto;margin:.6em 0}.figure svg{max-width:100%;height:auto}.warning{color:#a04000}
.kpi{display:inline-block;margin:0 2em .5em 0}.kpi b{display:block;font-size:1.6em}
code{background:#f3f3f3;padding:0 .2em}summary{cursor:pointer;color:#0072B2}footer{margin-top:3em;color:#888;font-size:.85em})";

// ---- the sections --------------------------------------------------------------------------------

std::string headline(const ReportInput& in) {
  const Preprocessing& prep = *in.prep;
  const json& m = in.metrics.at(in.held_out);
  std::string s = "<p class=\"lead\">" + std::string(task_name(prep.task));
  if (prep.task == Task::Classification) s += " with " + std::to_string(prep.classes.size()) + " classes";
  s += " · " + std::to_string(in.rows) + " rows · " + std::to_string(in.epochs_run) + " epochs in " +
       fmt("%.2f", in.seconds) + " s" + (in.stopped_early ? " (stopped early)" : "") + "</p>\n<div>";
  auto kpi = [&](const std::string& label, const std::string& value) {
    s += "<span class=\"kpi\"><b>" + value + "</b>" + esc(label) + "</span>";
  };
  if (prep.task == Task::Classification) {
    kpi(in.held_out_label + " accuracy", fmt("%.4f", m.at("accuracy").get<double>()));
    kpi(in.held_out_label + " F1 (macro)", fmt("%.4f", m.at("f1_macro").get<double>()));
  } else {
    kpi(in.held_out_label + " R²", fmt("%.4f", m.at("r2").get<double>()));
    kpi(in.held_out_label + " RMSE", number(m.at("rmse")));
  }
  return s + "</div>\n";
}

// An option's value as a user would type it: 0.001, not 0.0010; true for a flag.
std::string typed(const json& v) {
  if (v.is_number_float()) return fmt("%g", v.get<double>());
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string s;
    for (const auto& e : v) s += (s.empty() ? "" : ",") + typed(e);
    return s;
  }
  return v.dump();
}

std::string selection(const ReportInput& in);

// The command that re-runs this training (every option that differs from its default), then
// every option in a table that opens on a click.
std::string configuration(const ReportInput& in) {
  const json options = options_json(*in.options), defaults = options_json(TrainOptions{});
  std::string command = "mlp train " + in.options->data;
  std::string table = "<table>\n" + row({"option", "value"}, "th");
  for (const auto& [key, value] : options.items()) {
    if (key == "data") continue;
    std::string name = key;
    std::replace(name.begin(), name.end(), '_', '-');
    const bool output = is_output_option(key);
    // --lr-schedule auto gives the same schedule again: left out of the command.
    const bool resolved =
        key == "lr_schedule" && value.is_string() &&
        value == parse_schedule(resolve_lr_schedule("auto", options.value("layers", "") == "none")).spec();
    if (!output && !resolved && defaults.contains(key) && defaults[key] != value)
      command += value.is_boolean() ? " --" + name : " --" + name + " " + typed(value);
    if (!output) table += row({"<code>--" + esc(name) + "</code>", "<code>" + esc(typed(value)) + "</code>"});
  }
  return "<h2>Configuration</h2>\n<p>The options this run used, with every default it resolved (learning rate, "
         "output layer, loss). To run it again:</p>\n<pre>" +
         esc(command) + "</pre>\n<details><summary>Every option</summary>\n" + table + "</table>\n</details>\n" +
         selection(in);
}

// --epochs auto: the runs that chose the weight decay and the epochs (and, below 256 inputs,
// between the layers and a linear model), the chosen one in bold.
std::string selection(const ReportInput& in) {
  if (in.selection.is_null()) return "";
  const json& s = in.selection;
  const bool by_layers = s.contains("layers");
  const int folds = s.value("folds", 1);
  std::vector<std::string> head = {"weight decay", folds > 1 ? "best epoch (the folds' median)" : "best epoch",
                                   folds > 1 ? "epochs run (all folds)" : "epochs run", "validation loss"};
  if (folds > 1) head.push_back("each fold's best epoch");
  if (by_layers) head.insert(head.begin(), "layers");
  std::string t = "<table>\n" + row(head, "th");
  for (const json& r : s.at("tried")) {
    const bool chosen = r.at("weight_decay") == s.at("weight_decay") && !r.contains("diverged") &&
                        (!by_layers || r.value("layers", "") == s.at("layers"));
    const auto cell = [&](const std::string& text) { return chosen ? "<b>" + text + "</b>" : text; };
    std::vector<std::string> cells =
        r.contains("diverged")
            ? std::vector<std::string>{typed(r.at("weight_decay")), "diverged", "", ""}
            : std::vector<std::string>{cell(typed(r.at("weight_decay"))), cell(typed(r.at("best_epoch"))),
                                       typed(r.at("epochs_run")), cell(fmt("%.4f", r.at("val_loss").get<double>()))};
    if (folds > 1) {
      std::string each;
      if (r.contains("fold_best_epochs"))
        for (const json& e : r.at("fold_best_epochs")) each += (each.empty() ? "" : ", ") + typed(e);
      cells.push_back(each);
    }
    if (by_layers) cells.insert(cells.begin(), cell(esc(r.value("layers", ""))));
    t += row(cells);
  }
  const double factor = s.value("refit_factor", kRefitFactor);
  const std::string then =
      s.at("refit").get<bool>()
          ? "then trained again from the same seed on every training row, validation rows included, for " +
                fmt("%g", factor) + " times its best epoch" +
                (s.value("refit_base_epoch", 0) > s.value("best_epoch", 0)
                     ? " (" + std::to_string(s.value("refit_base_epoch", 0)) + " epochs, " + kLinearMinRefitWords + ")"
                     : "") +
                (in.options->lr_schedule.rfind("cosine", 0) == 0 ? ", the learning rate decaying on a cosine" : "")
          : "then trained again to its best epoch (the validation rows are a file of their own)";
  std::string compared;
  if (s.contains("comparison")) {
    const json& c = s.at("comparison");
    const double diff = c.at("difference").get<double>();
    compared = std::string(" The best run of each model was then compared row by row") +
               (folds > 1 ? " (every row, in the run that did not train on it)" : "") +
               ": the network's validation loss was " + std::string(diff >= 0 ? "lower" : "higher") + " by " +
               fmt("%.4f", std::fabs(diff)) + " (standard error " + fmt("%.4f", c.at("standard_error").get<double>()) +
               " over " + typed(c.at("rows")) + " rows), so the " + c.at("kept").get<std::string>() +
               " model was kept (in bold): the network only when it is better by more than one standard error.";
  }
  const std::string how =
      folds > 1 ? " by " + std::to_string(folds) +
                      "-fold cross-validation over the training and validation rows: every row was dealt into one of " +
                      std::to_string(folds) + " folds, and each run below is " + std::to_string(folds) +
                      " runs, each trained on the other folds and validated on its own. A run's validation loss is "
                      "the mean over every row of its loss in the run that did not train on it, its best epoch the "
                      "median of the folds'. As on one split, there was"
                : " on the validation rows:";
  return "<p>With <code>--epochs auto</code> these options were chosen" + how + " one run per weight decay" +
         std::string(by_layers ? " and model (the hidden layers, and a linear model: --layers none)" : "") +
         ", each stopped once its validation loss had not improved for a while; the lowest validation loss chose" +
         std::string(by_layers ? " each model's weight decay." : " (in bold).") + compared + " The chosen run was " +
         then + ". The command above is that last run.</p>\n" + t + "</table>\n";
}

std::string data_summary(const ReportInput& in) {
  const Preprocessing& prep = *in.prep;
  std::string s =
      "<h2>The data</h2>\n<p>" + esc(in.options->data) + ": " + std::to_string(in.rows) + " rows" +
      (in.dropped ? " (" + std::to_string(in.dropped) + " with a missing value left out by --missing drop)" : "") +
      ", split into " + std::to_string(in.train_rows) + " for training, " + std::to_string(in.val_rows) +
      " for validation and " + std::to_string(in.test_rows) + " for testing (seed " + std::to_string(in.options->seed) +
      "). Target: " + esc(prep.targets.empty() ? "" : prep.targets[0]) +
      (prep.targets.size() > 1 ? " and " + std::to_string(prep.targets.size() - 1) + " more" : "") + ".</p>\n<table>\n";
  const bool standard = prep.scaling == Scaling::Standard;
  s += row({"feature", "kind", standard ? "mean (training rows)" : "shift", standard ? "sd" : "scale"}, "th");
  for (const FeatureColumn& f : prep.features) {
    if (f.categorical) {
      std::string cats;
      for (const auto& c : f.categories) cats += (cats.empty() ? "" : ", ") + display_name(c);
      s += row({esc(f.name), "categorical: " + esc(cats), "", ""});
    } else {
      s += row({esc(f.name), "numeric", fmt("%.4g", f.shift), fmt("%.4g", f.scale)});
    }
  }
  s += "</table>\n";
  if (prep.task == Task::Classification && !in.class_counts.empty()) {
    s += "<table>\n" + row({"class", "training rows"}, "th");
    for (std::size_t c = 0; c < prep.classes.size() && c < in.class_counts.size(); ++c)
      s += row({esc(prep.classes[c]), std::to_string(in.class_counts[c])});
    s += "</table>\n";
  }
  return s;
}

std::string network(const ReportInput& in) {
  return "<h2>The network</h2>\n<pre>" + esc(in.net->summary()) + "</pre>\n";
}

std::string results(const ReportInput& in) {
  const Preprocessing& prep = *in.prep;
  const bool classes = prep.task == Task::Classification;
  const bool binary = classes && prep.classes.size() == 2;
  // A score from the probabilities, when the set's metrics have it (null: undefined, one class only).
  const auto score = [](const json& m, const char* key) {
    return m.contains(key) && m.at(key).is_number() ? number(m.at(key)) : std::string("–");
  };
  std::string s = "<h2>Results</h2>\n<table>\n";
  std::vector<std::string> head = {"set", "accuracy", "precision (macro)", "recall (macro)", "F1 (macro)"};
  if (binary) head.push_back("ROC AUC");
  head.push_back("log loss");
  s += classes ? row(head, "th") : row({"set", "R²", "RMSE", "MAE", "MSE"}, "th");
  // With folds, the validation figures are the choice's over every row (train.cpp).
  const int folds = in.selection.is_object() ? in.selection.value("folds", 1) : 1;
  for (const char* set : {"train", "validation", "test"}) {
    if (!in.metrics.contains(set)) continue;
    const json& m = in.metrics.at(set);
    const std::string name = folds > 1 && std::string(set) == "validation"
                                 ? "validation (" + std::to_string(folds) + "-fold cross-validated)"
                                 : set;
    if (!classes) {
      s += row({name, number(m.at("r2")), number(m.at("rmse")), number(m.at("mae")), number(m.at("mse"))});
      continue;
    }
    std::vector<std::string> cells = {name, number(m.at("accuracy")), number(m.at("precision_macro")),
                                      number(m.at("recall_macro")), number(m.at("f1_macro"))};
    if (binary) cells.push_back(score(m, "roc_auc"));
    cells.push_back(score(m, "log_loss"));
    s += row(cells);
  }
  s += "</table>\n";
  if (!classes) return s;

  // The confusion matrix of the held-out set: rows the true class, columns the predicted one;
  // each cell shaded by its share of its row, so the diagonal stands out and so do the mistakes.
  const json& m = in.metrics.at(in.held_out);
  const auto& confusion = m.at("confusion");
  s += "<h3>Confusion matrix (" +
       (in.held_out_label == in.held_out ? in.held_out + " set" : in.held_out_label + ", every row") +
       ")</h3>\n<p>Rows: the true class; columns: the predicted one.</p>\n";
  s += "<table class=\"confusion\">\n<tr><th>true \\ predicted</th>";
  for (const auto& c : prep.classes) s += "<th>" + esc(c) + "</th>";
  s += "</tr>\n";
  for (std::size_t i = 0; i < confusion.size(); ++i) {
    double total = 0;
    for (const auto& v : confusion[i]) total += v.get<double>();
    s += "<tr><th>" + esc(i < prep.classes.size() ? prep.classes[i] : std::to_string(i)) + "</th>";
    for (std::size_t j = 0; j < confusion[i].size(); ++j) {
      const double v = confusion[i][j].get<double>(), share = total > 0 ? v / total : 0;
      const char* hue = i == j ? "0,114,178" : "213,94,0";  // blue on the diagonal, vermillion off it
      s += "<td style=\"background:rgba(" + std::string(hue) + "," + fmt("%.2f", 0.08 + 0.6 * share) + ")\">" +
           number(confusion[i][j]) + "</td>";
    }
    s += "</tr>\n";
  }
  return s + "</table>\n";
}

std::string curves(const ReportInput& in) {
  // Without the figures' own titles: the section's heading says it.
  return "<h2>Training curves</h2>\n" + inline_svg(untitled(history_figure(in.history_csv, "history of this run")));
}

std::string inside(const ReportInput& in) {
  if (!in.diagnostics || in.diagnostics->history().empty() || in.diagnostics->history().back().layers.empty())
    return "<h2>Inside the network</h2>\n<p>No hidden layer to look inside.</p>\n";
  std::string s =
      "<h2>Inside the network</h2>\n<p>Each hidden layer in the last epoch: dead units (no gradient on "
      "any sample), saturated units (|f′| &lt; 0.01 on 90% of the samples), the gradient norm in the "
      "first and last epoch, and the activations' mean and spread. <code>docs/diagnostics.md</code> "
      "explains each number.</p>\n<pre>" +
      esc(in.diagnostics->table()) + "</pre>\n";
  for (const std::string& w : in.diagnostics->warnings()) s += "<p class=\"warning\">warning: " + esc(w) + "</p>\n";
  return s + inline_svg(untitled(diagnostics_figure(in.diagnostics->csv(), "diagnostics of this run")));
}

std::string boundary(const ReportInput& in) {
  if (!in.data || !can_draw_boundary(*in.prep)) return "";
  return "<h2>" + std::string(in.prep->task == Task::Classification ? "Decision regions" : "The fitted curve") +
         "</h2>\n" + inline_svg(untitled(boundary_figure(*in.net, *in.prep, *in.data)));
}

}  // namespace

std::string html_report(const ReportInput& in) {
  const std::string name = in.options->data.substr(in.options->data.find_last_of('/') + 1);
  char when[32] = "";
  const std::time_t now = std::time(nullptr);
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>mlp train: " + esc(name) +
         "</title>\n<style>\n" + kStyle + "\n</style>\n</head>\n<body>\n<h1>Training report: " + esc(name) + "</h1>\n" +
         headline(in) + configuration(in) + data_summary(in) + network(in) + results(in) + curves(in) + inside(in) +
         boundary(in) + "<footer>Written by mlp train on " + when +
         ". One file: the styles and pictures are inside it.</footer>\n</body>\n</html>\n";
}

}  // namespace mlp::app
