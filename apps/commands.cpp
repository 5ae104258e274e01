// `mlp evaluate`, `predict`, `make-dataset`, `activations`, with their command-line options, and
// shared helpers (`mlp summary` is in summary.cpp).
#include "commands.hpp"
#include "cli.hpp"
#include "text.hpp"

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

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
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

// ---- evaluate and predict: a user's file matched to the model's columns --------------------

// "'a', 'b c'": names as a message lists them.
std::string listed(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "'" : ", '") + n + "'";
  return s;
}

// A file without a header has no names to match: its columns are taken by position when there
// are as many as the model's features, or as in the training file (features and targets).
void name_by_position(csv::Table& t, const Preprocessing& prep) {
  if (t.had_header) return;
  const bool named = std::all_of(prep.features.begin(), prep.features.end(), [&](const FeatureColumn& f) {
    return t.find(f.name) >= 0 && t.columns[static_cast<std::size_t>(t.find(f.name))].name == f.name;
  });
  if (named) return;  // the model was trained on a file without a header too: column_1, column_2, ...
  std::vector<std::string> features, training = prep.columns;
  for (const auto& f : prep.features) features.push_back(f.name);
  if (training.empty()) {  // a model from before the training file's columns were kept
    training = features;
    training.insert(training.end(), prep.targets.begin(), prep.targets.end());
  }
  const std::vector<std::string>* names = t.columns.size() == features.size()   ? &features
                                          : t.columns.size() == training.size() ? &training
                                                                                : nullptr;
  if (!names)
    throw Error(t.path + ": the file has no header, and " + std::to_string(t.columns.size()) +
                " columns; without names, the columns are taken by position, so there must be the model's " +
                std::to_string(features.size()) + " features (" + listed(features) + ") or the training file's " +
                std::to_string(training.size()) + " columns (" + listed(training) +
                "), in that order. Add a header row naming the columns");
  for (std::size_t j = 0; j < names->size(); ++j) t.columns[j].name = (*names)[j];
}

// Columns that are neither features nor targets: ignored, and said so once.
std::vector<std::string> extra_columns(const csv::Table& t, const Preprocessing& prep) {
  std::vector<std::string> extra;
  for (const auto& c : t.columns) {
    bool known = std::find(prep.targets.begin(), prep.targets.end(), c.name) != prep.targets.end();
    for (const auto& f : prep.features) known = known || f.name == c.name;
    if (!known) extra.push_back(c.name);
  }
  return extra;
}

// "lines 5, 9, 12 and 4 more": where some rows are, for a message.
std::string lines_of(const csv::Table& t, const std::vector<std::size_t>& rows) {
  std::string s = rows.size() == 1 ? "line " : "lines ";
  for (std::size_t i = 0; i < rows.size() && i < 5; ++i) s += (i ? ", " : "") + std::to_string(t.line_of_row[rows[i]]);
  if (rows.size() > 5) s += " and " + std::to_string(rows.size() - 5) + " more";
  return s;
}

// Categories the model never saw: said on stderr, since their one-hot inputs are all zeros.
void warn_unseen(const csv::Table& t, const Preprocessing& prep, const std::vector<std::size_t>& rows) {
  for (const UnseenCategories& u : unseen_categories(t, prep, rows)) {
    std::vector<std::string> shown(u.values.begin(),
                                   u.values.begin() + static_cast<long>(std::min<std::size_t>(u.values.size(), 5)));
    std::fprintf(stderr,
                 "mlp: warning: %s: column '%s' has %zu row%s with a category not seen in training (%s%s); %s "
                 "one-hot inputs are all zero\n",
                 t.path.c_str(), u.column.c_str(), u.rows, u.rows == 1 ? "" : "s", listed(shown).c_str(),
                 u.values.size() > 5 ? (" and " + std::to_string(u.values.size() - 5) + " more").c_str() : "",
                 u.rows == 1 ? "its" : "their");
  }
}

// The table's feature and target column indices, by the model's names (those present).
std::vector<std::size_t> columns_named(const csv::Table& t, const std::vector<std::string>& names) {
  std::vector<std::size_t> cols;
  for (const auto& n : names)
    for (std::size_t j = 0; j < t.columns.size(); ++j)
      if (t.columns[j].name == n) {
        cols.push_back(j);
        break;
      }
  return cols;
}

// The rows of the table that `rows` (in file order) leaves out.
std::vector<std::size_t> rows_not_in(const csv::Table& t, const std::vector<std::size_t>& rows) {
  std::vector<std::size_t> out;
  for (std::size_t r = 0, k = 0; r < t.rows; ++r)
    if (k < rows.size() && rows[k] == r)
      ++k;
    else
      out.push_back(r);
  return out;
}

std::vector<std::string> feature_names(const Preprocessing& prep) {
  std::vector<std::string> names;
  for (const auto& f : prep.features) names.push_back(f.name);
  return names;
}

std::string full(double v) { return fmt("%.9g", v); }  // a predicted value, in full

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
  const Preprocessing& prep = model.prep;
  csv::Table t = csv::read(data, csv.resolve());
  name_by_position(t, prep);
  if (!has_targets(t, prep))
    throw Error(data + ": no target column " + listed(prep.targets) +
                " to evaluate against (use mlp predict for unlabelled data)");
  if (const auto extra = extra_columns(t, prep); !extra.empty())
    std::fprintf(stderr, "mlp: note: %s: ignoring column%s %s (not among the model's features)\n", data.c_str(),
                 extra.size() > 1 ? "s" : "", listed(extra).c_str());
  // A row without a label cannot be scored, nor, with --missing drop, one missing a feature.
  std::vector<std::size_t> rows = rows_without_missing(t, columns_named(t, prep.targets), all_rows(t));
  if (prep.missing == Missing::Drop) rows = rows_without_missing(t, columns_named(t, feature_names(prep)), rows);
  if (rows.size() < t.rows) {
    const std::vector<std::size_t> left_out = rows_not_in(t, rows);
    std::fprintf(stderr, "mlp: note: %s: left out %zu row%s with a missing %s (%s)\n", data.c_str(), left_out.size(),
                 left_out.size() == 1 ? "" : "s", prep.missing == Missing::Drop ? "value" : "target",
                 lines_of(t, left_out).c_str());
    if (rows.empty()) throw Error(data + ": no row left to evaluate: every row has a missing value");
  }
  warn_unseen(t, prep, rows);
  const Matrix X = make_inputs(t, prep, rows), Y = make_targets(t, prep, rows);
  const Evaluation e = evaluate_network(model.net, prep, X, Y);
  nlohmann::json j = e.json;
  j["task"] = task_name(prep.task);
  j["rows"] = rows.size();
  if (json)
    std::printf("%s\n", j.dump().c_str());
  else
    std::printf("%s: %zu rows, %s\n%s", data.c_str(), rows.size(), task_name(prep.task), e.text.c_str());
  return 0;
}

int predict(const PredictOptions& a) {
  Model model = load_model(a.model);
  const Preprocessing& prep = model.prep;
  const bool binary = prep.task == Task::Classification && prep.classes.size() == 2;
  if (a.proba && prep.task != Task::Classification)
    throw Error("--proba: " + a.model +
                " is a regression model, whose predictions are values, not class probabilities; leave --proba out");
  if (!std::isnan(a.threshold)) {
    if (!binary)
      throw Error("--threshold: " + a.model + " is " +
                  (prep.task == Task::Regression ? std::string("a regression model")
                                                 : "a model of " + std::to_string(prep.classes.size()) + " classes") +
                  "; a decision threshold applies to two classes (with more, the most probable class is predicted)");
    if (!(a.threshold > 0 && a.threshold < 1))
      throw Error("--threshold must be between 0 and 1 (got " + fmt("%g", a.threshold) + ")");
  }
  csv::Table t = csv::read(a.data, a.csv.resolve());
  name_by_position(t, prep);
  std::vector<std::size_t> keep;  // --keep's columns
  for (const auto& k : a.keep) {
    std::vector<std::string> names;
    for (const auto& c : t.columns) names.push_back(c.name);
    const auto found = std::find(names.begin(), names.end(), k);
    if (found == names.end()) {
      const std::string near = nearest(k, names);
      throw Error("--keep " + k + ": " + a.data + " has no column '" + k + "'" +
                  (near.empty() ? "" : "; did you mean '" + near + "'?") + " (its columns: " + listed(names) + ")");
    }
    keep.push_back(static_cast<std::size_t>(found - names.begin()));
  }
  std::vector<std::string> extra;  // neither features nor targets nor kept
  for (const auto& e : extra_columns(t, prep))
    if (std::find(a.keep.begin(), a.keep.end(), e) == a.keep.end()) extra.push_back(e);
  if (!extra.empty())
    std::fprintf(
        stderr,
        "mlp: note: %s: ignoring column%s %s (not among the model's features; --keep %s copies %s into the output)\n",
        a.data.c_str(), extra.size() > 1 ? "s" : "", listed(extra).c_str(), extra[0].c_str(),
        extra.size() > 1 ? "such columns" : "it");

  // With --missing drop, a row missing a feature gets an empty prediction: the output keeps one
  // line per input row, so it can be joined back.
  const std::vector<std::size_t> all = all_rows(t);
  const std::vector<std::size_t> rows =
      prep.missing == Missing::Drop ? rows_without_missing(t, columns_named(t, feature_names(prep)), all) : all;
  if (rows.size() < all.size()) {
    const std::vector<std::size_t> left_out = rows_not_in(t, rows);
    std::fprintf(stderr,
                 "mlp: note: %s: %zu row%s with a missing value get%s an empty prediction (the model was trained "
                 "with --missing drop): %s\n",
                 a.data.c_str(), left_out.size(), left_out.size() == 1 ? "" : "s", left_out.size() == 1 ? "s" : "",
                 lines_of(t, left_out).c_str());
  }
  warn_unseen(t, prep, rows);
  const Matrix P = model.net.predict(make_inputs(t, prep, rows));  // (rows, outputs)

  // The header: kept columns, the prediction(s), then with --proba one column per class, named
  // after it ("p_" before the name only where it would repeat another column's name).
  std::vector<std::string> header;
  for (std::size_t c : keep) header.push_back(t.columns[c].name);
  if (prep.task == Task::Classification)
    header.push_back("prediction");
  else
    header.insert(header.end(), prep.targets.begin(), prep.targets.end());
  const std::vector<std::string> before = header;
  if (a.proba)
    for (const auto& c : prep.classes)
      header.push_back(std::find(before.begin(), before.end(), c) == before.end() ? c : "p_" + c);
  std::string s;
  for (std::size_t k = 0; k < header.size(); ++k) s += (k ? "," : "") + field(header[k]);
  s += "\n";
  const Matrix Yhat = prep.task == Task::Regression ? unscale_targets(prep, P) : Matrix();
  const std::vector<int> cls = prep.task == Task::Classification ? predicted_classes(P) : std::vector<int>();
  const std::size_t outputs = header.size() - keep.size();
  for (std::size_t r = 0, i = 0; r < t.rows; ++r) {
    std::string line;
    for (std::size_t k = 0; k < keep.size(); ++k) line += (k ? "," : "") + field(t.cell(r, keep[k]));
    const bool predicted = i < rows.size() && rows[i] == r;
    if (!predicted) {  // dropped: empty cells
      line += std::string(outputs - (keep.empty() ? 1 : 0), ',');
      s += (line.empty() ? "\"\"" : line) + "\n";  // "" rather than a blank line, which readers skip
      continue;
    }
    const auto x = static_cast<Index>(i++);
    std::string out;
    if (prep.task == Task::Classification) {
      std::vector<double> p(prep.classes.size());  // the probability of each class
      if (P.cols() == 1) {                         // sigmoid: P is the probability of the second class
        p[0] = 1.0 - P(x, 0);
        p[1] = P(x, 0);
      } else {
        for (Index k = 0; k < P.cols(); ++k) p[static_cast<std::size_t>(k)] = P(x, k);
      }
      const std::size_t c = std::isnan(a.threshold) ? static_cast<std::size_t>(cls[static_cast<std::size_t>(x)])
                                                    : (p[1] >= a.threshold ? 1 : 0);
      out = field(prep.classes[c]);
      if (a.proba)
        for (double v : p) out += "," + full(v);
    } else {
      for (Index k = 0; k < Yhat.cols(); ++k) out += (k ? "," : "") + full(Yhat(x, k));
    }
    s += line + (keep.empty() ? "" : ",") + out + "\n";
  }
  if (a.out.empty() || a.out == "-")
    std::fwrite(s.data(), 1, s.size(), stdout);
  else
    write_file_atomically(a.out, s);
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

namespace {

// ---- mlp activations: the textbook comparison, and f, f' at chosen points ----

// Text cut at spaces into lines of at most `width` characters (a longer word is cut where it must).
std::vector<std::string> wrap(const std::string& text, std::size_t width) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream words(text);
  for (std::string w; words >> w;) {
    if (!line.empty() && line.size() + 1 + w.size() <= width) {
      line += " " + w;
      continue;
    }
    if (!line.empty()) lines.push_back(line);
    for (; w.size() > width; w = w.substr(width)) lines.push_back(w.substr(0, width));
    line = w;
  }
  lines.push_back(line);
  return lines;
}

// `prefix` then the text, wrapped within 118 columns, continuation lines indented under the text.
void print_wrapped(const std::string& prefix, const std::string& text) {
  const std::vector<std::string> lines = wrap(text, 118 - prefix.size());
  for (std::size_t i = 0; i < lines.size(); ++i)
    std::printf("%s%s\n", i ? std::string(prefix.size(), ' ').c_str() : prefix.c_str(), lines[i].c_str());
}

std::string without_prefix(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0 ? text.substr(prefix.size()) : text;
}

const char* sides(bool left, bool right) { return left && right ? "both" : left ? "left" : right ? "right" : "no"; }

// What the textbooks' comparison table says of an activation, measured on its own forward and
// backward (activation_values) rather than written beside it, so it cannot drift from the code.
struct Traits {
  std::string zero_centred, saturates, can_die;
};

constexpr double kFar = 1000;          // "far out": |x| = 1000
constexpr double kVanished = 1e-4;     // |f'| below this far out: the gradient has vanished
constexpr double kZeroMean = 1e-3;     // |E f(z)| below this: zero-centred
constexpr double kStepsPerUnit = 256;  // quadrature step 1/256: every kink on a grid point

Traits traits_of(const Activation& act) {
  const ActivationInfo& info = *act.info;
  if (!info.elementwise) return {"-", "-", "-"};
  Traits t;
  // Zero-centred: the mean output for standard normal inputs, E f(z) = ∫ f(x) φ(x) dx, by the
  // trapezoid rule on [-12, 12] (error < 1e-6 with the kinks on grid points; φ(12) < 1e-31).
  std::vector<double> x;
  for (double i = -12 * kStepsPerUnit; i <= 12 * kStepsPerUnit; ++i) x.push_back(i / kStepsPerUnit);
  const ActivationValues v = activation_values(act, x);
  double mean = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mean += v.f[i] * std::exp(-0.5 * x[i] * x[i]);
  mean /= kStepsPerUnit * std::sqrt(2 * 3.14159265358979323846);
  char buf[32];
  std::snprintf(buf, sizeof buf, "no (%.2f)", mean);
  t.zero_centred = std::abs(mean) < kZeroMean ? "yes" : buf;
  // Saturates: f' has vanished far out, on the left (x -> -inf) or the right.
  const ActivationValues far = activation_values(act, {-kFar, kFar});
  t.saturates = sides(std::abs(far.df[0]) < kVanished, std::abs(far.df[1]) < kVanished);
  // Can die: f' is exactly 0 on a whole half-line, so a unit whose inputs all land there never
  // learns again. A flat piece can only begin at a kink (a function smooth there is not constant
  // on a half-line unless it is constant everywhere), so f' is sampled beyond the outer kinks:
  // merely tiny f' far out (sigmoid, gelu underflowing) is saturation, not death.
  bool dies[2] = {false, false};
  if (!info.kinks.empty()) {
    const double edge[2] = {*std::min_element(info.kinks.begin(), info.kinks.end()),
                            *std::max_element(info.kinks.begin(), info.kinks.end())};
    for (int side = 0; side < 2; ++side) {
      const double dir = side == 0 ? -1 : 1;
      std::vector<double> beyond = {dir * kFar};
      for (double d : {1e-3, 0.5, 1.0, 10.0, 100.0}) beyond.push_back(edge[side] + dir * d);
      const ActivationValues b = activation_values(act, beyond);
      dies[side] = std::all_of(b.df.begin(), b.df.end(), [](double d) { return d == 0.0; });
    }
  }
  t.can_die = sides(dies[0], dies[1]);
  return t;
}

// One row per activation, its cells wrapped within their columns.
void print_comparison(const std::vector<Activation>& acts, const std::vector<std::string>& labels) {
  std::size_t name_width = 10;
  for (const auto& l : labels) name_width = std::max(name_width, l.size());
  const std::vector<std::pair<const char*, std::size_t>> columns = {
      {"activation", name_width}, {"f(x)", 25},     {"range", 14}, {"f'(x)", 28},
      {"zero-centred", 12},       {"saturates", 9}, {"can die", 7}};
  auto print_line = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      std::string cell = cells[c];
      if (c + 1 < columns.size()) cell.resize(std::max(cell.size(), columns[c].second), ' ');
      line += (c ? "  " : "") + cell;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::printf("%s\n", line.c_str());
  };
  std::vector<std::string> header, rule;
  for (const auto& [title, width] : columns) {
    header.push_back(title);
    rule.push_back(std::string(width, '-'));
  }
  print_line(header);
  print_line(rule);
  for (std::size_t i = 0; i < acts.size(); ++i) {
    const ActivationInfo& a = *acts[i].info;
    const Traits t = traits_of(acts[i]);
    const std::string formula = without_prefix(a.formula, "f(x) = ");
    const std::string derivative = without_prefix(a.derivative, "f'(x) = ");
    const std::vector<std::string> texts = {labels[i],      formula,     a.range,  derivative,
                                            t.zero_centred, t.saturates, t.can_die};
    std::vector<std::vector<std::string>> cells;
    std::size_t height = 0;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      cells.push_back(wrap(texts[c], columns[c].second));
      height = std::max(height, cells.back().size());
    }
    for (std::size_t r = 0; r < height; ++r) {
      std::vector<std::string> line;
      for (const auto& cell : cells) line.push_back(r < cell.size() ? cell[r] : "");
      print_line(line);
    }
  }
  std::printf(
      "\nMeasured on each activation's own forward and backward, with its parameter as given, else its default:\n"
      "  zero-centred  the mean output E f(z) for z ~ N(0, 1) is 0 (|E f(z)| < %g; else E f(z) in parentheses)\n"
      "  saturates     f' has vanished (|f'| < %g) at x = -%g (left) or x = +%g (right)\n"
      "  can die       f' is exactly 0 on a whole half-line beyond a kink: a unit whose inputs all fall\n"
      "                there gets no gradient, so it never recovers\n"
      "  mlp activations elu:0.5,swish:1.5 shows other parameters; add --at -1,0,1 for f and f' at points.\n",
      kZeroMean, kVanished, kFar, kFar);
}

// The specs the user listed ("relu", "elu:0.5"), parsed.
std::vector<Activation> parse_specs(const std::vector<std::string>& specs) {
  std::vector<Activation> acts;
  for (const auto& s : specs) acts.push_back(parse_activation(s));
  return acts;
}

// "--at -2,0,0.5": the points, each a finite number the float engine can hold.
std::vector<double> parse_points(const std::string& text) {
  std::vector<double> points;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const auto first = item.find_first_not_of(' '), last = item.find_last_not_of(' ');
    item = first == std::string::npos ? "" : item.substr(first, last - first + 1);
    double v = 0;
    const char* begin = item.data() + (item.size() > 1 && item[0] == '+' ? 1 : 0);
    const auto [end, ec] = std::from_chars(begin, item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size() || !std::isfinite(v))
      throw Error("--at: '" + item +
                  "' is not a number; give the points as a comma-separated list, e.g. --at -2,0,0.5,3");
    if (!std::isfinite(static_cast<Scalar>(v)))
      throw Error("--at: " + item + " is beyond the largest number the engine's float holds (3.4e38)");
    points.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return points;
}

// -0 prints as 0: the sign of a zero is not what a student is looking for here.
double unsigned_zero(double v) { return v == 0 ? 0.0 : v; }

void print_values(const std::vector<Activation>& acts, const std::vector<std::string>& labels,
                  const std::vector<double>& x, bool csv) {
  std::vector<ActivationValues> values;  // all first: an error (softmax) comes before any output
  for (const auto& a : acts) values.push_back(activation_values(a, x));
  if (csv) {
    std::printf("activation,x,f,df\n");
    for (std::size_t k = 0; k < acts.size(); ++k)
      for (std::size_t i = 0; i < x.size(); ++i)  // %.9g: a float exactly
        std::printf("%s,%.9g,%.9g,%.9g\n", field(labels[k]).c_str(), unsigned_zero(static_cast<Scalar>(x[i])),
                    unsigned_zero(values[k].f[i]), unsigned_zero(values[k].df[i]));
    return;
  }
  std::size_t w = 10;
  for (const auto& l : labels) w = std::max(w, l.size());
  const int width = static_cast<int>(w);
  std::printf("f(x), and f'(x) as backprop computes it (backward with dA = 1), in float as in training:\n\n");
  std::printf("%-*s  %14s  %14s  %14s\n", width, "activation", "x", "f(x)", "f'(x)");
  for (std::size_t k = 0; k < acts.size(); ++k) {
    if (k) std::printf("\n");
    for (std::size_t i = 0; i < x.size(); ++i)
      std::printf("%-*s  %14.7g  %14.7g  %14.7g\n", width, labels[k].c_str(), unsigned_zero(static_cast<Scalar>(x[i])),
                  unsigned_zero(values[k].f[i]), unsigned_zero(values[k].df[i]));
  }
}

struct ActivationsArgs {
  std::vector<std::string> specs;  // as the user wrote them
  std::string at;
  bool csv = false;
};

int activations_command(const ActivationsArgs& a, bool at_given) {
  if (a.csv && !at_given) throw Error("--csv writes the values at the points of --at; add e.g. --at -2,0,0.5,3");
  if (!at_given && a.specs.empty()) return list_activations();
  std::vector<std::string> labels = a.specs;
  std::vector<Activation> acts = parse_specs(a.specs);
  if (labels.empty())  // --at alone: every activation that has a value at a point
    for (const auto& info : activations())
      if (info.elementwise) {
        labels.push_back(info.name);
        acts.push_back(parse_activation(info.name));
      }
  if (!at_given) {
    print_comparison(acts, labels);
    return 0;
  }
  print_values(acts, labels, parse_points(a.at), a.csv);
  return 0;
}

}  // namespace

int list_activations() {
  std::vector<Activation> acts;
  std::vector<std::string> labels;
  for (const auto& a : activations()) {
    acts.push_back(parse_activation(a.name));
    labels.push_back(a.name);
  }
  std::printf("Activations compared:\n\n");
  print_comparison(acts, labels);
  std::printf("\nActivations (use in --activation, --layers 64:NAME, --output-activation):\n\n");
  for (const auto& a : activations()) {
    std::string name = a.name;
    if (a.alias) name += " (alias " + std::string(a.alias) + ")";
    if (a.has_param())
      std::printf("%s  [:%s=%g%s]\n", name.c_str(), a.param.name, a.param.default_value,
                  a.param.learnable == Learnable::Optional ? "][:learn" : "");
    else
      std::printf("%s\n", name.c_str());
    std::string jumps;
    for (double k : a.kinks) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%s%g", jumps.empty() ? "  (f' jumps at " : " and ", k);
      jumps += buf;
    }
    if (!jumps.empty()) jumps += ")";
    print_wrapped("    ", a.formula);
    print_wrapped("    ", a.derivative + jumps);
    print_wrapped("    range: ", a.range);
    print_wrapped("    init:  ", init_info(a.default_init).name);
    print_wrapped("    use:   ", a.use);
    std::printf("\n");
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
  auto a = std::make_shared<PredictOptions>();
  auto* cmd = app.add_subcommand("predict", "Predict with a saved model; writes CSV");
  cmd->add_option("model", a->model, "Model file written by mlp train --save")->required();
  cmd->add_option("data", a->data,
                  "CSV file with the feature columns, matched by name (other columns are ignored); without a "
                  "header, by position")
      ->required();
  cmd->add_option("-o,--output", a->out, "Write predictions here instead of stdout");
  cmd->add_flag("--proba", a->proba, "Also write each class's probability, in a column named after the class");
  cmd->add_option("--threshold", a->threshold,
                  "Two classes: predict the second (in the model's class order, e.g. 1 of 0/1) when its probability "
                  "is at least this (default: the more probable class, i.e. 0.5)");
  cmd->add_option("--keep", a->keep,
                  "Copy these columns of the file (an id, a name) into the output, before the prediction")
      ->delimiter(',')
      ->allow_extra_args(false);
  add_csv_options(cmd, a->csv);
  return {cmd, [a] { return predict(*a); }};
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
  cmd->add_option("--seed", a->seed, "Random seed")->check(no_minus_sign())->capture_default_str();
  cmd->add_option("--classes", a->classes, "Number of classes (spiral, blobs; 0 = the kind's default)")
      ->capture_default_str();
  cmd->add_option("-o,--output", a->out, "Output CSV (default stdout)");
  return {cmd, [a] { return make_dataset(a->kind, a->samples, a->noise, a->seed, a->classes, a->out); }};
}

Command add_activations_command(CLI::App& app) {
  auto a = std::make_shared<ActivationsArgs>();
  auto* cmd = app.add_subcommand(
      "activations",
      "Compare the activations (formula, range, derivative, zero-centred, saturation, dying units) and list them "
      "and the losses; or, with --at, print f and f' of some at chosen points");
  cmd->add_option("specs", a->specs,
                  "Activations to compare or evaluate, comma-separated, with parameters: relu,elu:0.5,swish:1.5 "
                  "(default: all)")
      ->delimiter(',');
  auto* at = cmd->add_option("--at", a->at, "Print f(x) and f'(x) (as backprop computes it) at these x: -5,0,0.5,5");
  cmd->add_flag("--csv", a->csv, "With --at: write CSV with the columns activation,x,f,df");
  return {cmd, [a, at] { return activations_command(*a, at->count() > 0); }};
}

}  // namespace mlp::app
