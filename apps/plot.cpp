// `mlp plot`: activation curves, training curves, per-layer diagnostics and decision regions as
// standalone SVG files. Each picture is a function from data to an svg::Figure (plot.hpp); the
// command reads the input, calls it and writes the file atomically.
#include "plot.hpp"

#include "sheet.hpp"

#include "cli.hpp"
#include "text.hpp"

#include "mlp/error.hpp"
#include "mlp/io/files.hpp"
#include "mlp/io/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <sstream>

namespace mlp::app {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the file (does it exist?)");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string base_name(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

double min_finite(const std::vector<double>& v) {
  double lo = std::numeric_limits<double>::infinity();
  for (double x : v)
    if (std::isfinite(x)) lo = std::min(lo, x);
  return lo;
}

double last_finite(const std::vector<double>& v) {
  for (std::size_t i = v.size(); i-- > 0;)
    if (std::isfinite(v[i])) return v[i];
  return kNaN;
}

// Layers from the first (dark blue) to the last (yellow-green), as in viridis: depth reads as
// lightness, so a reader sees which way the gradient fades without matching colours to a legend.
std::string depth_colour(std::size_t i, std::size_t n) {
  static const double anchors[][3] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {190, 215, 40}};
  const double t = n <= 1 ? 0 : static_cast<double>(i) / static_cast<double>(n - 1) * 4;
  const auto k = std::min<std::size_t>(3, static_cast<std::size_t>(t));
  const double u = t - static_cast<double>(k);
  char buf[8];
  int rgb[3];
  for (int c = 0; c < 3; ++c) rgb[c] = static_cast<int>(std::lround(anchors[k][c] * (1 - u) + anchors[k + 1][c] * u));
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
  return buf;
}

// A y range with room above and below the curves, so that a flat line at the extreme (relu = 0,
// relu′ = 0) is not hidden in the frame.
void leave_room(svg::LineChart& c) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const svg::Series& s : c.series)
    for (double y : s.y)
      if (std::isfinite(y)) lo = std::min(lo, y), hi = std::max(hi, y);
  if (!(lo < hi)) return;
  const svg::Ticks t = svg::nice_ticks(lo, hi, 6);
  const double pad = 0.04 * (t.last - t.first);
  c.y_min = std::min(t.first, lo - pad), c.y_max = std::max(t.last, hi + pad);
}

}  // namespace

// ---- mlp plot activations ----------------------------------------------------------------------

svg::Figure activation_figure(const std::vector<Activation>& activations, double lo, double hi, bool derivative,
                              bool grid) {
  if (!(lo < hi) || !std::isfinite(lo) || !std::isfinite(hi))
    throw Error("--range " + fmt("%g", lo) + ":" + fmt("%g", hi) + ": the first number must be below the second");
  constexpr int kPoints = 401;
  std::vector<double> x(kPoints);
  for (int i = 0; i < kPoints; ++i) x[static_cast<std::size_t>(i)] = lo + (hi - lo) * i / (kPoints - 1);

  svg::Figure fig;
  fig.id = "activations";
  std::string names;
  for (const Activation& a : activations) names += (names.empty() ? "" : ", ") + a.spec();
  fig.title = derivative ? "Activation functions and their derivatives" : "Activation functions";
  fig.subtitle = names + " on [" + fmt("%g", lo) + ", " + fmt("%g", hi) + "]." +
                 (derivative ? " Backprop multiplies each unit's gradient by f′(z): where f′ is 0 no gradient "
                               "passes, where it is small the gradient fades."
                             : "");
  svg::LineChart f, df;
  f.title = "f(x)";
  df.title = "f′(x)";
  f.x_label = df.x_label = "x (the unit's input z)";
  f.y_label = "f(x)";
  df.y_label = "f′(x)";
  for (auto* c : {&f, &df}) {
    c->x_min = lo, c->x_max = hi;
    c->zero_lines = true;
    c->width = 560, c->height = 420;
  }
  for (std::size_t k = 0; k < activations.size(); ++k) {
    const Activation& a = activations[k];
    if (!a.info->elementwise)
      throw Error("'" + a.spec() + "' has no value at a point: it normalises a whole row of outputs");
    ActivationValues v = activation_values(a, x);
    // f′ jumps at a kink (relu′ from 0 to 1 at 0): a gap there, not a vertical line no f′ takes.
    for (double kink : a.info->kinks)
      if (kink > lo && kink < hi)
        v.df[static_cast<std::size_t>(std::lround((kink - lo) / (hi - lo) * (kPoints - 1)))] = kNaN;
    const std::string colour = svg::palette()[k % svg::palette().size()];
    svg::Series fs{a.spec(), x, v.f, {}, {}, colour, svg::Style::Line};
    svg::Series ds{a.spec(), x, v.df, {}, {}, colour, svg::Style::Line};
    if (grid) {
      svg::LineChart p;
      p.title = a.spec();
      p.subtitle = a.info->formula;
      p.x_label = "x";
      p.y_label = derivative ? "f(x), f′(x)" : "f(x)";
      p.x_min = lo, p.x_max = hi;
      p.zero_lines = true;
      p.width = 400, p.height = 340;
      fs.name = "f";
      p.series.push_back(fs);
      if (derivative) {
        ds.name = "f′";
        ds.style = svg::Style::Dashed;
        p.series.push_back(ds);
      }
      fig.panels.push_back(p);
    } else {
      f.series.push_back(fs);
      df.series.push_back(ds);
    }
  }
  if (!grid) {
    // Curves that coincide in places (every ReLU variant is x for x > 0, and its f′ is 1 there):
    // the earlier ones are drawn wider, so each shows as a coloured edge along the later ones.
    // And room above and below the curves, so that a flat f′ = 0 is not hidden in the frame.
    for (auto* c : {&f, &df})
      for (std::size_t k = 0; k < c->series.size(); ++k)
        c->series[k].width = 2 + 1.5 * static_cast<double>(c->series.size() - 1 - k);
    fig.panels.push_back(f);
    if (derivative) fig.panels.push_back(df);
  }
  for (svg::LineChart& p : fig.panels) leave_room(p);
  fig.columns = grid ? static_cast<int>(std::min<std::size_t>(3, activations.size())) : 2;
  return fig;
}

// ---- mlp plot history --------------------------------------------------------------------------

svg::Figure history_figure(const std::string& text, const std::string& path) {
  const Sheet s = read_sheet(text, path, "--history");
  if (s.rows.empty()) throw Error(path + ": a header but no rows: nothing to draw");
  const std::vector<double> epoch = s.numbers(s.need("epoch"));
  const std::vector<double> train = s.numbers(s.need("train_loss"));
  const std::vector<double> val = s.numbers(s.need("val_loss"));
  std::string metric_name = s.find("val_acc") >= 0 ? "val_acc" : s.find("val_r2") >= 0 ? "val_r2" : "";
  const std::vector<double> metric =
      metric_name.empty() ? std::vector<double>(epoch.size(), kNaN) : s.numbers(s.need(metric_name));
  // The running training metric, in files from this version on (train_acc, train_r2).
  const std::string train_metric_name = metric_name == "val_r2" ? "train_r2" : "train_acc";
  const std::vector<double> train_metric =
      s.find(train_metric_name) >= 0 ? s.numbers(s.need(train_metric_name)) : std::vector<double>(epoch.size(), kNaN);
  auto any = [](const std::vector<double>& v) {
    return std::any_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
  };
  const bool has_val = any(val), has_metric = any(metric), has_train_metric = any(train_metric);
  if (metric_name.empty() && has_train_metric) metric_name = train_metric_name == "train_r2" ? "val_r2" : "val_acc";

  svg::Figure fig;
  fig.id = "history";
  fig.title = "Training curves: " + base_name(path);
  fig.subtitle = std::to_string(epoch.size()) + " epochs; last: train loss " + fmt("%.4g", last_finite(train));
  if (has_val) fig.subtitle += ", validation loss " + fmt("%.4g", last_finite(val));
  const std::string what = metric_name == "val_r2" ? "R²" : "accuracy";
  if (has_train_metric) fig.subtitle += ", training " + what + " " + fmt("%.4f", last_finite(train_metric));
  if (has_metric) fig.subtitle += ", validation " + what + " " + fmt("%.4f", last_finite(metric));
  if (!has_val) fig.subtitle += " (no validation data: train with --val-split > 0 to see over-fitting)";

  svg::LineChart loss;
  loss.title = "Loss";
  loss.x_label = "epoch";
  loss.y_label = "loss";
  loss.width = 560, loss.height = 400;
  loss.series.push_back({"train", epoch, train, {}, {}, svg::palette()[0], svg::Style::Line});
  if (has_val) loss.series.push_back({"validation", epoch, val, {}, {}, svg::palette()[1], svg::Style::Line});
  // A loss falling over orders of magnitude is only readable on a log axis.
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (const auto* v : {&train, &val})
    for (double y : *v)
      if (std::isfinite(y)) lo = std::min(lo, y), hi = std::max(hi, y);
  loss.log_y = lo > 0 && hi / lo > 100;
  if (loss.log_y) loss.y_label = "loss (log scale)";
  fig.panels.push_back(loss);
  if (has_metric || has_train_metric) {
    svg::LineChart m;
    const bool acc = metric_name == "val_acc";
    m.title = acc ? "Accuracy" : "R²";
    m.subtitle = has_train_metric ? "training: over each epoch's batches as they were trained on" : "";
    m.x_label = "epoch";
    m.y_label = acc ? "accuracy" : "R²";
    m.width = 560, m.height = 400;
    if (has_train_metric)
      m.series.push_back({"train", epoch, train_metric, {}, {}, svg::palette()[0], svg::Style::Line});
    if (has_metric) m.series.push_back({"validation", epoch, metric, {}, {}, svg::palette()[1], svg::Style::Line});
    // An R² far below 0 (the first epochs of a regression) would flatten the rest of the curve.
    if (!acc && std::min(min_finite(metric), min_finite(train_metric)) < -1) {
      m.y_min = -1, m.y_max = 1;
      m.subtitle += std::string(m.subtitle.empty() ? "" : "; ") + "values below -1 are off the chart";
    }
    if (acc) m.y_min = 0, m.y_max = 1;
    fig.panels.push_back(m);
  }
  return fig;
}

// ---- mlp plot diagnostics ----------------------------------------------------------------------

svg::Figure diagnostics_figure(const std::string& text, const std::string& path) {
  const std::string what = "--diagnostics";
  const Sheet s = read_sheet(text, path, what);
  if (s.rows.empty()) throw Error(path + ": a header but no rows (a network without hidden layers?): nothing to draw");
  const std::size_t c_epoch = s.need("epoch"), c_layer = s.need("layer"), c_act = s.need("activation"),
                    c_units = s.need("units"), c_dead = s.need("dead_share"), c_sat = s.need("saturated_share"),
                    c_grad = s.need("grad_norm");
  // One series per layer, in the order the layers first appear.
  std::map<long, std::size_t> series_of;
  std::vector<std::string> label;
  std::vector<std::vector<double>> epochs, dead, saturated, grad;
  bool any_saturated = false;
  for (std::size_t r = 0; r < s.rows.size(); ++r) {
    const double layer = s.number(r, c_layer);
    if (!std::isfinite(layer)) throw Error(path + ":" + std::to_string(s.line[r]) + ": column 'layer' is empty");
    auto [it, fresh] = series_of.emplace(std::lround(layer), label.size());
    if (fresh) {
      label.push_back("layer " + std::to_string(std::lround(layer)) + " (" + s.rows[r][c_act] + ", " +
                      s.rows[r][c_units] + ")");
      epochs.emplace_back(), dead.emplace_back(), saturated.emplace_back(), grad.emplace_back();
    }
    const std::size_t k = it->second;
    epochs[k].push_back(s.number(r, c_epoch));
    dead[k].push_back(100 * s.number(r, c_dead));
    saturated[k].push_back(100 * s.number(r, c_sat));
    grad[k].push_back(s.number(r, c_grad));
    any_saturated = any_saturated || saturated[k].back() > 0;
  }

  svg::Figure fig;
  fig.id = "diagnostics";
  fig.title = "Inside the network, layer by layer: " + base_name(path);
  fig.subtitle = std::to_string(label.size()) + " hidden layers, " + std::to_string(epochs.front().size()) +
                 " epochs. A dead unit gives no gradient on any sample; a fading gradient norm from the last "
                 "layer back to the first means the first layers barely learn (vanishing gradients).";
  svg::LineChart d, g, sat;
  d.title = "Dead units";
  d.y_label = "dead units (% of the layer)";
  d.y_min = 0, d.y_max = 100;
  g.title = "Gradient norm ‖dW‖ (mean over the epoch's steps)";
  g.y_label = "‖dW‖ (log scale)";
  g.log_y = true;
  sat.title = "Saturated units";
  sat.y_label = "saturated units (% of the layer)";
  sat.y_min = 0, sat.y_max = 100;
  for (auto* c : {&d, &g, &sat}) {
    c->x_label = "epoch";
    c->width = 540, c->height = 400;
  }
  for (std::size_t k = 0; k < label.size(); ++k) {
    const std::string colour = depth_colour(k, label.size());
    d.series.push_back({label[k], epochs[k], dead[k], {}, {}, colour, svg::Style::Line});
    g.series.push_back({label[k], epochs[k], grad[k], {}, {}, colour, svg::Style::Line});
    sat.series.push_back({label[k], epochs[k], saturated[k], {}, {}, colour, svg::Style::Line});
  }
  fig.panels = {d, g};
  if (any_saturated) fig.panels.push_back(sat);
  fig.columns = static_cast<int>(fig.panels.size());
  return fig;
}

// ---- mlp plot boundary -------------------------------------------------------------------------

bool can_draw_boundary(const Preprocessing& prep) {
  const std::size_t n = prep.features.size();
  if (std::any_of(prep.features.begin(), prep.features.end(), [](const FeatureColumn& f) { return f.categorical; }))
    return false;
  return (prep.task == Task::Classification && n == 2) ||
         (prep.task == Task::Regression && n == 1 && prep.targets.size() == 1);
}

namespace {

// Raw feature values (the CSV's units) of every row, one vector per feature column.
std::vector<std::vector<double>> raw_features(const Preprocessing& prep, const Matrix& X) {
  std::vector<std::vector<double>> raw(prep.features.size());
  for (std::size_t k = 0; k < prep.features.size(); ++k)
    for (Index i = 0; i < X.rows(); ++i)
      raw[k].push_back(X(i, static_cast<Index>(k)) * prep.features[k].scale + prep.features[k].shift);
  return raw;
}

// [lo, hi] of the values, widened by 5% on each side so no point sits on the frame.
std::pair<double, double> padded_range(const std::vector<double>& v) {
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  const double pad = *hi > *lo ? 0.05 * (*hi - *lo) : 1;
  return {*lo - pad, *hi + pad};
}

// The rows to draw: those with every feature and target the model reads (a row with a missing
// one is not a point on the plane).
std::vector<std::size_t> drawable_rows(const csv::Table& data, const Preprocessing& prep) {
  std::vector<std::size_t> columns;
  for (std::size_t j = 0; j < data.columns.size(); ++j) {
    const std::string& name = data.columns[j].name;
    bool used = std::find(prep.targets.begin(), prep.targets.end(), name) != prep.targets.end();
    for (const FeatureColumn& f : prep.features) used = used || f.name == name;
    if (used) columns.push_back(j);
  }
  std::vector<std::size_t> rows = rows_without_missing(data, columns, all_rows(data));
  if (rows.empty()) throw Error(data.path + ": every row has a missing value: no point to draw");
  return rows;
}

svg::Figure classification_boundary(Network& net, const Preprocessing& prep, const csv::Table& data, int resolution) {
  const auto rows = drawable_rows(data, prep);
  const Matrix X = make_inputs(data, prep, rows);
  const auto raw = raw_features(prep, X);
  const auto [x0, x1] = padded_range(raw[0]);
  const auto [y0, y1] = padded_range(raw[1]);

  // The grid's cell centres in the CSV's units, scaled as the model's inputs.
  const int n = resolution;
  Matrix G(static_cast<Index>(n) * n, 2);
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      const double x = x0 + (x1 - x0) * (c + 0.5) / n, y = y0 + (y1 - y0) * (r + 0.5) / n;
      G(r * n + c, 0) = static_cast<Scalar>((x - prep.features[0].shift) / prep.features[0].scale);
      G(r * n + c, 1) = static_cast<Scalar>((y - prep.features[1].shift) / prep.features[1].scale);
    }
  const Matrix P = net.predict(G);
  const std::vector<int> cls = predicted_classes(P);
  const std::size_t k = prep.classes.size();

  svg::LineChart chart;
  chart.width = 720, chart.height = 600;
  chart.x_label = prep.features[0].name;
  chart.y_label = prep.features[1].name;
  chart.x_min = x0, chart.x_max = x1, chart.y_min = y0, chart.y_max = y1;
  svg::Cells& cells = chart.cells;
  cells.x_min = x0, cells.x_max = x1, cells.y_min = y0, cells.y_max = y1;
  cells.columns = cells.rows = n;
  for (Index i = 0; i < P.rows(); ++i) {
    const int c = cls[static_cast<std::size_t>(i)];
    // How sure: the winning probability, from 1/k (a coin toss) to 1, in five shades.
    const double p = P.cols() == 1 ? std::max<double>(P(i, 0), 1 - P(i, 0)) : P.row(i).maxCoeff();
    const double sure = std::clamp((p - 1.0 / static_cast<double>(k)) / (1 - 1.0 / static_cast<double>(k)), 0.0, 1.0);
    cells.colour.push_back(svg::palette()[static_cast<std::size_t>(c) % svg::palette().size()]);
    cells.opacity.push_back(0.12 + 0.08 * std::round(sure * 4));
  }

  // The points, one series per true class (grey when the file has no target column).
  std::string subtitle;
  if (has_targets(data, prep)) {
    const Matrix Y = make_targets(data, prep, rows);
    std::vector<svg::Series> by_class(k);
    for (std::size_t c = 0; c < k; ++c) {
      by_class[c].name = prep.classes[c];
      by_class[c].colour = svg::palette()[c % svg::palette().size()];
      by_class[c].style = svg::Style::Points;
    }
    for (Index i = 0; i < Y.rows(); ++i) {
      auto& s = by_class[static_cast<std::size_t>(Y(i, 0))];
      s.x.push_back(raw[0][static_cast<std::size_t>(i)]);
      s.y.push_back(raw[1][static_cast<std::size_t>(i)]);
    }
    for (auto& s : by_class) chart.series.push_back(std::move(s));
    const Matrix Pd = net.predict(X);
    subtitle = "accuracy on these " + std::to_string(rows.size()) + " rows: " + fmt("%.4f", accuracy(Pd, Y));
  } else {
    chart.series.push_back({"data (no target column)", raw[0], raw[1], {}, {}, "#555555", svg::Style::Points});
    subtitle = std::to_string(rows.size()) + " rows without a target column";
  }
  svg::Figure fig;
  fig.id = "boundary";
  fig.title = "Decision regions: " + base_name(data.path);
  fig.subtitle = subtitle +
                 ". Each cell is coloured by the class the model predicts there, paler where it is "
                 "less sure; the dots are the data, coloured by their true class.";
  fig.columns = 1;
  fig.panels.push_back(chart);
  return fig;
}

svg::Figure regression_curve(Network& net, const Preprocessing& prep, const csv::Table& data) {
  const auto rows = drawable_rows(data, prep);
  const Matrix X = make_inputs(data, prep, rows);
  const auto raw = raw_features(prep, X);
  const auto [x0, x1] = padded_range(raw[0]);
  constexpr int kPoints = 400;
  Matrix G(kPoints, 1);
  std::vector<double> gx;
  for (int i = 0; i < kPoints; ++i) {
    gx.push_back(x0 + (x1 - x0) * i / (kPoints - 1));
    G(i, 0) = static_cast<Scalar>((gx.back() - prep.features[0].shift) / prep.features[0].scale);
  }
  const Matrix fitted = unscale_targets(prep, net.predict(G));
  svg::LineChart chart;
  chart.width = 720, chart.height = 520;
  chart.x_label = prep.features[0].name;
  chart.y_label = prep.targets[0];
  chart.x_min = x0, chart.x_max = x1;
  std::string subtitle = std::to_string(rows.size()) + " rows";
  if (has_targets(data, prep)) {
    const Matrix Y = make_targets(data, prep, rows);  // scaled, as the model's outputs
    const Matrix raw_y = unscale_targets(prep, Y);
    std::vector<double> y(raw_y.data(), raw_y.data() + raw_y.rows());
    chart.series.push_back({"data", raw[0], y, {}, {}, "#7f7f7f", svg::Style::Points});
    subtitle += ", R² " + fmt("%.4f", r2_score(net.predict(X), Y));
  }
  std::vector<double> fy(fitted.data(), fitted.data() + fitted.rows());
  chart.series.push_back({"model", gx, fy, {}, {}, svg::palette()[1], svg::Style::Line});
  svg::Figure fig;
  fig.id = "boundary";
  fig.title = "The fitted curve: " + base_name(data.path);
  fig.subtitle = subtitle + ": the line is the model's prediction, the dots are the data.";
  fig.columns = 1;
  fig.panels.push_back(chart);
  return fig;
}

}  // namespace

svg::Figure boundary_figure(Network& net, const Preprocessing& prep, const csv::Table& data, int resolution) {
  if (!can_draw_boundary(prep)) {
    std::string names;
    for (const auto& f : prep.features)
      names += (names.empty() ? "" : ", ") + f.name + (f.categorical ? " (categorical)" : "");
    throw Error(
        "plot boundary draws a classifier with two numeric feature columns or a regression on one; this "
        "model is a " +
        std::string(task_name(prep.task)) + " on " + std::to_string(prep.features.size()) +
        " feature column(s): " + names);
  }
  if (resolution < 10 || resolution > 1000) throw Error("--resolution must be between 10 and 1000 cells");
  return prep.task == Task::Classification ? classification_boundary(net, prep, data, resolution)
                                           : regression_curve(net, prep, data);
}

// ---- the command --------------------------------------------------------------------------------

namespace {

void write_svg(const std::string& out, const svg::Figure& fig) {
  const std::string text = svg::render(fig);
  if (out == "-")
    std::fwrite(text.data(), 1, text.size(), stdout);
  else
    write_file_atomically(out, text);
}

std::pair<double, double> parse_range(const std::string& spec) {
  const std::size_t colon = spec.find(':', spec.empty() ? 0 : 1);  // "-5:5": the first ':' after a sign
  char* end = nullptr;
  if (colon != std::string::npos) {
    const std::string a = spec.substr(0, colon), b = spec.substr(colon + 1);
    const double lo = std::strtod(a.c_str(), &end);
    if (!a.empty() && end == a.c_str() + a.size()) {
      const double hi = std::strtod(b.c_str(), &end);
      if (!b.empty() && end == b.c_str() + b.size() && lo < hi && std::isfinite(lo) && std::isfinite(hi))
        return {lo, hi};
    }
  }
  throw Error("--range '" + spec + "': write LOW:HIGH with LOW < HIGH, e.g. --range -5:5");
}

}  // namespace

Command add_plot_command(CLI::App& app) {
  struct Args {
    std::string list, range = "-5:5", history, diagnostics, model, data, out;
    bool derivative = false, grid = false;
    int resolution = 150;
    CsvOptions csv;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("plot",
                                 "Draw a picture as a standalone SVG file: activations, training curves, "
                                 "per-layer diagnostics, decision regions");
  cmd->require_subcommand(1);
  auto output = [&](CLI::App* sub) {
    sub->add_option("-o,--output", a->out, "The SVG file to write ('-' for stdout)")->required();
  };
  auto* act = cmd->add_subcommand("activations", "f (and with --derivative f′) of each activation, side by side");
  act->add_option("list", a->list,
                  "Activations, comma-separated, each with its parameter if any: relu,leaky_relu:0.3,elu")
      ->required();
  output(act);
  act->add_option("--range", a->range, "The x range, LOW:HIGH")->capture_default_str();
  act->add_flag("--derivative", a->derivative, "Also draw f′, the factor backprop multiplies each gradient by");
  act->add_flag("--grid", a->grid, "One small panel per activation instead of all on one");

  auto* hist = cmd->add_subcommand("history", "Loss and accuracy (or R²) per epoch, training and validation");
  hist->add_option("history", a->history, "A file written by mlp train --history")->required();
  output(hist);

  auto* diag = cmd->add_subcommand("diagnostics", "Dead units and gradient norm per layer per epoch");
  diag->add_option("diagnostics", a->diagnostics, "A file written by mlp train --diagnostics")->required();
  output(diag);

  auto* bound = cmd->add_subcommand("boundary",
                                    "A two-feature classifier's decision regions with the data on top, "
                                    "or a one-feature regression's curve over the data");
  bound->add_option("model", a->model, "Model file (JSON) from mlp train --save")->required();
  bound->add_option("data", a->data, "CSV data to draw (with its target column, the points are coloured by class)")
      ->required();
  output(bound);
  bound->add_option("--resolution", a->resolution, "Grid cells along each axis")->capture_default_str();
  add_csv_options(bound, a->csv);

  return {cmd, [a, act, hist, diag, bound] {
            if (act->parsed()) {
              std::vector<Activation> acts;
              std::stringstream in(a->list);
              std::string name;
              while (std::getline(in, name, ',')) {
                name.erase(0, name.find_first_not_of(" \t"));  // "relu, elu" as "relu,elu"
                name.erase(name.find_last_not_of(" \t") + 1);
                if (name.empty()) throw Error("plot activations '" + a->list + "': an empty name in the list");
                acts.push_back(parse_activation(name));
              }
              const auto [lo, hi] = parse_range(a->range);
              write_svg(a->out, activation_figure(acts, lo, hi, a->derivative, a->grid));
            } else if (hist->parsed()) {
              write_svg(a->out, history_figure(read_text(a->history), a->history));
            } else if (diag->parsed()) {
              write_svg(a->out, diagnostics_figure(read_text(a->diagnostics), a->diagnostics));
            } else if (bound->parsed()) {
              Model model = load_model(a->model);
              const csv::Table data = csv::read(a->data, a->csv.resolve());
              write_svg(a->out, boundary_figure(model.net, model.prep, data, a->resolution));
            }
            return 0;
          }};
}

}  // namespace mlp::app
