// `mlp trace MODEL.json --sample "5.1,3.5,1.4,0.2" --target setosa`: one training step of a saved
// model on one sample, layer by layer, for a student to follow: the preprocessed input, z = W·x + b
// and a = f(z), the loss, then the chain rule back: ∂L/∂a, f′(z), ∂L/∂z, ‖∂L/∂W‖, ‖∂L/∂b‖, ∂L/∂x.
// Every number comes from the engine (Network::forward and Network::backward on a one-row batch,
// then each Dense layer's Z, A, dZ, dW, db and dX); this file computes only f′(z), to show it. The
// weights are not updated: the trace looks at a step, it does not take it.
#include "cli.hpp"
#include "text.hpp"

#include "mlp/error.hpp"
#include "mlp/io/csv.hpp"
#include "mlp/io/metrics.hpp"
#include "mlp/io/model.hpp"
#include "mlp/io/preprocess.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace mlp::app {

namespace {

struct TraceArgs {
  std::string model, sample, target;
  bool has_target = false;  // from the option's count: `--target ""` is a wrong target, not none
  long units = 8;           // rows shown per layer
  bool json = false;
};

// ---------------------------------------------------------------------------------------------
// The sample and the target, read as the model's preprocessing reads a training file.

std::string quoted(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "'" : ", '") + n + "'";
  return s;
}

std::vector<std::string> feature_names(const Preprocessing& prep) {
  std::vector<std::string> names;
  for (const auto& f : prep.features) names.push_back(f.name);
  return names;
}

// The sample as a one-row table with the model's feature columns. The CSV reader parses it, so
// numbers and categories are read exactly as in a training file, and make_inputs then applies the
// model's preprocessing to it as `mlp predict` does to a file.
csv::Table sample_table(const std::string& sample, const Preprocessing& prep) {
  const auto names = feature_names(prep);
  const std::string order = std::to_string(names.size()) + " values, comma-separated, in the order of the " +
                            "training file's feature columns: " + quoted(names);
  if (sample.find_first_not_of(" \t") == std::string::npos) throw Error("--sample is empty: give " + order);
  csv::Options options;
  options.header = csv::HeaderMode::No;
  csv::Table t;
  try {
    t = csv::parse(sample, "--sample", options);
  } catch (const Error& e) {  // the reader calls the columns of a file without a header column_1, ...
    std::string message = e.what();
    for (std::size_t k = names.size(); k-- > 0;) {  // column_12 before column_1
      const std::string generic = "column 'column_" + std::to_string(k + 1) + "'";
      const std::size_t at = message.find(generic);
      if (at != std::string::npos) message.replace(at, generic.size(), "feature '" + names[k] + "'");
    }
    throw Error(message);
  }
  if (t.rows != 1) throw Error("--sample: give one row of values (got " + std::to_string(t.rows) + " lines)");
  if (t.columns.size() != names.size())
    throw Error("--sample has " + std::to_string(t.columns.size()) + " value" + (t.columns.size() > 1 ? "s" : "") +
                "; the model takes " + order);
  for (std::size_t k = 0; k < names.size(); ++k) {
    const FeatureColumn& f = prep.features[k];
    csv::Column& c = t.columns[k];
    c.name = f.name;
    const std::string value = class_label(c, 0);  // as preprocessing reads the cell
    const std::string which = "--sample: value " + std::to_string(k + 1) + " ('" + value + "')";
    if (!f.categorical && !c.numeric) throw Error(which + " is not a number, and feature '" + f.name + "' is numeric");
    // predict gives an unseen category all-zero inputs; a trace is for looking, so it refuses.
    if (f.categorical && !std::binary_search(f.categories.begin(), f.categories.end(), value))
      throw Error(which + " is not a category of feature '" + f.name +
                  "' seen in training (known categories: " + quoted(f.categories) + ")");
  }
  return t;
}

// What a user wrote for one input, as the table shows it: the number, or the category.
std::string raw_text(const csv::Column& c) {
  return c.numeric ? fmt("%g", static_cast<double>(c.values[0])) : c.text[0];
}

// Numbers in a comma list ("151" or "1.5,2"), each finite; `what` names the option in errors.
std::vector<double> numbers(const std::string& list, const std::string& what) {
  std::vector<double> v;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = list.find(',', start);
    const std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    char* end = nullptr;
    const double x = std::strtod(item.c_str(), &end);
    const bool rest_blank =
        end && item.find_first_not_of(" \t", static_cast<std::size_t>(end - item.c_str())) == std::string::npos;
    if (end == item.c_str() || !rest_blank || !std::isfinite(x))
      throw Error(what + " '" + list + "': '" + item + "' is not a number");
    v.push_back(x);
    if (comma == std::string::npos) return v;
    start = comma + 1;
  }
}

// A class by its name or, for numeric labels, by its value: "1.0" finds the class "1" (class names
// of a numeric target are their shortest form, preprocess.hpp). -1 when it is none of them.
Index class_index(const std::string& label, const std::vector<std::string>& classes) {
  auto it = std::find(classes.begin(), classes.end(), label);
  char* end = nullptr;
  const double v = std::strtod(label.c_str(), &end);
  if (it == classes.end() && !label.empty() && *end == '\0')
    it = std::find(classes.begin(), classes.end(), fmt("%.9g", static_cast<double>(static_cast<float>(v))));
  return it == classes.end() ? -1 : static_cast<Index>(it - classes.begin());
}

// The target as the loss reads it (preprocess.hpp's make_targets): for classes, the class index
// as a (1, 1) label (cross_entropy takes integer labels, bce the 0/1 of a sigmoid's one output);
// for regression the (1, targets) row scaled as in training, y = (target − shift) / scale.
Matrix target_row(const std::string& text, const Preprocessing& prep) {
  if (prep.task == Task::Classification) {
    const Index c = class_index(text, prep.classes);
    if (c < 0)
      throw Error("--target '" + text + "' is not a class of this model (known classes: " + quoted(prep.classes) + ")");
    return Matrix::Constant(1, 1, static_cast<Scalar>(c));
  }
  const std::vector<double> t = numbers(text, "--target");
  if (t.size() != prep.targets.size())
    throw Error("--target '" + text + "' has " + std::to_string(t.size()) + " value(s); the model predicts " +
                std::to_string(prep.targets.size()) + " target(s): " + quoted(prep.targets) +
                " (a comma list in that order, in the targets' own units)");
  Matrix Y(1, static_cast<Index>(t.size()));  // (1, targets)
  for (std::size_t k = 0; k < t.size(); ++k)
    Y(0, static_cast<Index>(k)) = static_cast<Scalar>((t[k] - prep.target_shift[k]) / prep.target_scale[k]);
  return Y;
}

// ---------------------------------------------------------------------------------------------
// The step itself: the engine's forward and backward on one sample, and what each layer kept.

// What one Dense layer saw in the step, each a vector over the one sample. The backward fields
// are empty without a target; dA and f_prime also stay empty at an output layer whose loss is
// computed from the logits (backprop starts at its ∂L/∂z), and f_prime for softmax, whose
// derivative is a Jacobian, not one number per unit.
struct LayerStep {
  const Dense* dense = nullptr;
  bool output = false, from_logits = false;
  RowVector x, z, a;          // (in) the layer's input, (out) z = W·x + b, (out) a = f(z)
  RowVector dA, f_prime, dZ;  // (out) ∂L/∂a, f′(z), ∂L/∂z
  RowVector dX;               // (in) ∂L/∂x = Wᵀ·∂L/∂z, the ∂L/∂a of the layer below
  double dW_norm = 0, db_norm = 0;
  double dp_norm = -1;  // ‖∂L/∂p‖ of a learned activation parameter; -1: none is learned
};

struct Step {
  std::vector<LayerStep> layers;  // the Dense layers, first to last
  RowVector p;                    // (outputs) the network's output: probabilities, or scaled values
  bool backward = false;          // a target was given
  bool dropout = false;           // the network has dropout layers (off here)
  double loss = 0;
};

// f′(z) of each unit as backprop uses it, kinks included: the activation's own backward with
// ∂L/∂a = 1, which gives ∂L/∂z = 1 ⊙ f′(z) (activation.hpp). Empty for a non-elementwise one.
RowVector f_prime(const Dense& d) {
  if (!d.activation.info->elementwise) return {};
  const Matrix ones = Matrix::Ones(1, d.output_size());  // (1, out)
  Matrix df(1, d.output_size());                         // (1, out)
  ActivationGrad g{d.Z(), d.A(), d.p, ones, df, nullptr};
  d.activation.info->backward(g);
  return df;
}

// The backward half of layer i's record, read after Network::backward.
void read_backward(const Network& net, std::size_t i, const Matrix& Y, LayerStep& l) {
  const Dense& d = *l.dense;
  if (!l.from_logits) {
    l.f_prime = f_prime(d);
    if (l.output) {  // ∂L/∂a of the output is the loss's own gradient (the loss table's entry)
      Matrix dP(1, d.output_size());
      net.loss().gradient(d.A(), Y, dP);
      l.dA = dP;
    } else {  // a hidden layer's ∂L/∂a is what the layer above passed down: its ∂L/∂x
      l.dA = net.layer(i + 1).input_gradient();
    }
  }
  l.dZ = d.dZ();
  l.dX = d.input_gradient();
  l.dW_norm = static_cast<double>(d.dW.norm());
  l.db_norm = static_cast<double>(d.db.norm());
  if (d.activation.learn) l.dp_norm = static_cast<double>(d.dp.norm());
}

// One forward pass (and with a target Y one backward pass) of the engine on the one-row batch X.
// No optimizer step and no dropout: the trace is the same every time it is run.
Step run_step(Network& net, const Matrix& X, const Matrix* Y) {
  // Training skips the first layer's ∂L/∂x, which nothing needs; here it shows how each input
  // moves the loss.
  for (std::size_t i = 0; i < net.size(); ++i)
    if (Dense* d = net.dense(i)) d->compute_input_gradient = true;
  Step s;
  s.p = net.forward(X, false);
  if (Y) {
    s.loss = static_cast<double>(net.loss_of_last_forward(*Y));
    net.backward(X, *Y);
    s.backward = true;
  }
  for (std::size_t i = 0; i < net.size(); ++i) {
    const Dense* d = net.dense(i);
    if (!d) {
      s.dropout = true;
      continue;
    }
    LayerStep l;
    l.dense = d;
    l.output = i + 1 == net.size();
    l.from_logits = l.output && net.loss().info->from_logits;
    l.x = i == 0 ? RowVector(X) : RowVector(net.layer(i - 1).output());  // dropout: the identity here
    l.z = d->Z();
    l.a = d->A();
    if (Y) read_backward(net, i, *Y, l);
    s.layers.push_back(l);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// What the output means: the class probabilities or the values in the targets' units, and the
// target as the loss sees it.

// One probability per class: a sigmoid's one output is the second class's.
std::vector<double> class_probabilities(const RowVector& p) {
  if (p.size() == 1) return {1.0 - static_cast<double>(p(0)), static_cast<double>(p(0))};
  return std::vector<double>(p.data(), p.data() + p.size());
}

std::string predicted_label(const RowVector& p, const Preprocessing& prep) {
  return prep.classes[static_cast<std::size_t>(predicted_classes(Matrix(p))[0])];
}

// The outputs in the targets' own units.
std::vector<double> predicted_values(const RowVector& p, const Preprocessing& prep) {
  const Matrix v = unscale_targets(prep, Matrix(p));
  return std::vector<double>(v.data(), v.data() + v.size());
}

// y as the output layer compares with it, per output unit: the one-hot of the class (one output
// per class), the 0/1 label (a sigmoid's one output), or the scaled targets.
RowVector y_of(const Matrix& Y, Index outputs, const Preprocessing& prep) {
  if (prep.task == Task::Regression || outputs == 1) return Y;
  RowVector y = RowVector::Zero(outputs);
  y(static_cast<Index>(Y(0, 0))) = 1;
  return y;
}

// The name of output unit k: its class, a sigmoid's "p(class)", or its target.
std::string output_name(Index k, Index outputs, const Preprocessing& prep) {
  if (prep.task == Task::Regression) return prep.targets[static_cast<std::size_t>(k)];
  if (outputs == 1) return "p(" + prep.classes[1] + ")";
  return prep.classes[static_cast<std::size_t>(k)];
}

// ---------------------------------------------------------------------------------------------
// Text for a terminal 100 columns wide.

constexpr int kWidth = 100;
constexpr int kMaxLabel = 24;  // a longer column or class name is cut, with "…"

// Display columns of UTF-8 text: every byte but a continuation byte (10xxxxxx) starts a character.
int columns(const std::string& s) {
  int n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// The first `width` columns of s, the last one "…" when something was cut.
std::string cut(const std::string& s, int width) {
  if (columns(s) <= width) return s;
  std::string out;
  int n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool starts = (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
    if (starts && ++n == width) break;
    out += s[i];
  }
  return out + "…";
}

std::string left(const std::string& s, int width) { return s + std::string(std::max(0, width - columns(s)), ' '); }
std::string right(const std::string& s, int width) { return std::string(std::max(0, width - columns(s)), ' ') + s; }

std::string num(double v) { return fmt("%.4g", v == 0 ? 0.0 : v); }  // -0 reads as 0

// Prints text broken at spaces into lines of at most kWidth columns; a continuation line is
// indented two more than the text's own indentation.
void say(const std::string& text) {
  const std::size_t indent = text.find_first_not_of(' ');
  const std::string more(indent == std::string::npos ? 2 : indent + 2, ' ');
  std::string rest = text;
  while (columns(rest) > kWidth) {
    std::size_t at = std::string::npos;  // the last space that leaves a line of at most kWidth columns
    for (std::size_t i = more.size(); i < rest.size(); ++i)
      if (rest[i] == ' ' && columns(rest.substr(0, i)) <= kWidth) at = i;
    if (at == std::string::npos) break;
    std::printf("%s\n", rest.substr(0, at).c_str());
    rest = more + rest.substr(at + 1);
  }
  std::printf("%s\n", rest.c_str());
}

// A table of one row per unit (or input). `align` has one letter per column: 'u' for the unit's
// number and 'r' for a value, right-aligned, 'l' for a name, left-aligned. At most `limit` rows
// are shown, then a line says how many were left out.
struct Table {
  std::vector<std::string> head;
  std::string align;
  std::vector<std::vector<std::string>> rows;
};

void print_table(const Table& t, long limit, const char* what) {
  const std::size_t shown = std::min(t.rows.size(), static_cast<std::size_t>(limit));
  std::vector<int> width;
  for (std::size_t c = 0; c < t.head.size(); ++c) {
    int w = std::max(columns(t.head[c]), t.align[c] == 'r' ? 8 : 1);
    for (std::size_t r = 0; r < shown; ++r) w = std::max(w, columns(cut(t.rows[r][c], kMaxLabel)));
    width.push_back(w);
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string cell = cut(cells[c], kMaxLabel);
      s += "  " + (t.align[c] == 'l' ? left(cell, width[c]) : right(cell, width[c]));
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    std::printf("%s\n", s.c_str());
  };
  line(t.head);
  for (std::size_t r = 0; r < shown; ++r) line(t.rows[r]);
  if (shown < t.rows.size())
    std::printf("  ... %zu more %s (--units %zu shows them all)\n", t.rows.size() - shown, what, t.rows.size());
}

// "unit" column: 1-based, as a student counts.
std::string unit(Index k) { return std::to_string(k + 1); }

// The norm of a vector, for the lines under each table.
double norm(const RowVector& v) { return static_cast<double>(v.norm()); }

// ---- the input

void print_input(const csv::Table& sample, const Preprocessing& prep, const RowVector& x, long limit) {
  std::printf("input: the sample as the network sees it\n");
  say("  x = (raw - shift) / scale, shift and scale fitted on the training rows (" +
      std::string(scaling_name(prep.scaling)) + " scaling)");
  bool categorical = false;
  for (const auto& f : prep.features) categorical = categorical || f.categorical;
  if (categorical) say("  a categorical column is one input per category: 1 for the sample's, 0 for the others");
  Table t{{"input", "raw", "shift", "scale", "x"}, "llrrr", {}};
  Index i = 0;
  for (std::size_t k = 0; k < prep.features.size(); ++k) {
    const FeatureColumn& f = prep.features[k];
    const std::string raw = raw_text(sample.columns[k]);
    if (!f.categorical) t.rows.push_back({f.name, raw, num(f.shift), num(f.scale), num(x(i++))});
    for (const auto& c : f.categories) t.rows.push_back({f.name + "=" + display_name(c), raw, "", "", num(x(i++))});
  }
  print_table(t, limit, "inputs");
}

// ---- forward

// v after an operator: " + 0.5" or " - 0.5" (the first term of a sum: "0.5" or "-0.5").
std::string signed_term(double v, bool first) {
  if (first) return num(v);
  return (v < 0 ? " - " : " + ") + num(std::abs(v));
}

// "unit 1: z = 0.52·(-0.9) - 0.31·(1.02) + ... (2 more) + 0.05 = -0.21": unit 1's dot product
// written out, as many terms as fit one line; the table below gives every unit's result.
std::string worked_z(const LayerStep& l) {
  const Dense& d = *l.dense;
  const Index in = d.input_size();
  const std::string end = signed_term(d.b(0), false) + " = " + num(l.z(0));  // + b = z
  auto more = [&](Index k) { return k < in ? " + ... (" + std::to_string(in - k) + " more)" : std::string(); };
  std::string s = "  unit 1: z = ";
  for (Index k = 0; k < in; ++k) {
    const std::string term = signed_term(d.W(0, k), k == 0) + "·(" + num(l.x(k)) + ")";
    if (k > 0 && columns(s + term + more(k + 1) + end) > kWidth) return s + more(k) + end;
    s += term;
  }
  return s + end;
}

void print_forward_layer(const LayerStep& l, const Preprocessing& prep, long limit) {
  const Dense& d = *l.dense;
  const Index in = d.input_size(), out = d.output_size();
  std::printf("\n");
  say(d.name + (l.output ? " (output)" : "") + ": " + std::to_string(in) + " inputs → " + std::to_string(out) +
      (out == 1 ? " unit, " : " units, ") + d.activation.spec() + ": " + d.activation.info->formula);
  say("  z = W·x + b, W (" + std::to_string(out) + ", " + std::to_string(in) + "), b (" + std::to_string(out) +
      "): unit j weighs the inputs by row j of W; then a = f(z)");
  say(worked_z(l));
  Table t{{"unit", "z", "a"}, "urr", {}};
  if (l.output && prep.task == Task::Regression) t = {{"unit", "target", "z", "a"}, "ulrr", {}};
  if (l.output && prep.task == Task::Classification) t = {{"unit", "class", "z", "a = p"}, "ulrr", {}};
  for (Index k = 0; k < out; ++k) {
    if (l.output)
      t.rows.push_back({unit(k), output_name(k, out, prep), num(l.z(k)), num(l.a(k))});
    else
      t.rows.push_back({unit(k), num(l.z(k)), num(l.a(k))});
  }
  print_table(t, limit, "units");
}

void print_prediction(const Step& s, const Preprocessing& prep) {
  if (prep.task == Task::Classification) {
    const auto p = class_probabilities(s.p);
    std::string all;
    for (std::size_t c = 0; c < p.size(); ++c) all += (c ? ", " : "") + prep.classes[c] + " " + fmt("%.4f", p[c]);
    say("prediction: " + predicted_label(s.p, prep) + " (probabilities: " + all + ")");
    return;
  }
  const auto v = predicted_values(s.p, prep);
  std::string all;
  for (std::size_t k = 0; k < v.size(); ++k)
    all += (k ? ", " : "") + prep.targets[k] + " = " + fmt("%.6g", v[k]) + " (a = " + num(s.p(static_cast<Index>(k))) +
           " scaled back: a·" + num(prep.target_scale[k]) + " + " + num(prep.target_shift[k]) + ")";
  say("prediction: " + all);
}

void print_loss(const Step& s, const Network& net, const Preprocessing& prep, const std::string& target,
                const Matrix& Y) {
  const Loss& loss = net.loss();
  say("loss: " + loss.spec() + " = " + fmt("%.6g", s.loss) + " against the target " + target);
  say("  L = " + std::string(loss.info->formula) + "; the batch is this one sample");
  if (prep.task == Task::Classification) return;
  const std::vector<double> t = numbers(target, "--target");
  for (std::size_t k = 0; k < t.size(); ++k)  // the network was trained on scaled targets
    say("  y = (" + fmt("%g", t[k]) + " - " + num(prep.target_shift[k]) + ") / " + num(prep.target_scale[k]) + " = " +
        num(Y(0, static_cast<Index>(k))) + ": " + prep.targets[k] + " scaled as in training");
}

// ---- backward

// The norms of a layer's parameter gradients, and why they are what they are, and where ∂L/∂x goes.
void print_gradients(const LayerStep& l, const std::string& below) {
  const double dz = norm(l.dZ), x = norm(l.x);
  say("  ‖∂L/∂W‖ = " + num(l.dW_norm) + " = ‖∂L/∂z‖·‖x‖ = " + num(dz) + " × " + num(x) +
      " (∂L/∂W = ∂L/∂z·xᵀ, an outer product)");
  say("  ‖∂L/∂b‖ = " + num(l.db_norm) + " = ‖∂L/∂z‖ (∂L/∂b = ∂L/∂z: z moves one-for-one with b)");
  if (l.dp_norm >= 0)
    say("  ‖∂L/∂" + std::string(l.dense->activation.info->param.name) + "‖ = " + num(l.dp_norm) +
        ": the gradient of the activation's learned parameter, one per unit");
  if (!below.empty())
    say("  ∂L/∂x = Wᵀ·∂L/∂z, ‖∂L/∂x‖ = " + num(norm(l.dX)) + ": passed down as " + below + "'s ∂L/∂a");
}

// The output layer whose loss is computed from its logits: backprop starts at ∂L/∂z = p − y.
void print_logits_output(const LayerStep& l, const Network& net, const Preprocessing& prep, const RowVector& y,
                         long limit) {
  const Dense& d = *l.dense;
  say(d.name + " (output): " + d.activation.spec() + " and " + net.loss().spec() +
      " are computed together from the logits z, so backprop starts at ∂L/∂z = p - y: the derivative of " +
      d.activation.spec() + " cancels against the loss's");
  say("  loss table: " + std::string(net.loss().info->gradient_formula) + "; here B = N = 1");
  Table t{{"unit", "class", "p", "y", "∂L/∂z = p - y"}, "ulrrr", {}};
  for (Index k = 0; k < d.output_size(); ++k)
    t.rows.push_back({unit(k), output_name(k, d.output_size(), prep), num(l.a(k)), num(y(k)), num(l.dZ(k))});
  print_table(t, limit, "units");
}

// Any other layer: ∂L/∂a, from the loss or from the layer above, through f′ to ∂L/∂z.
void print_chain_rule(const LayerStep& l, const std::string& above, const Network& net, const Preprocessing& prep,
                      const RowVector& y, long limit) {
  const Dense& d = *l.dense;
  const ActivationInfo& f = *d.activation.info;
  say(d.name + (l.output ? " (output)" : "") + ": " + d.activation.spec() + ", " + f.derivative);
  if (l.output)
    say("  ∂L/∂a from the loss: " + std::string(net.loss().info->gradient_formula) +
        ", here with B = 1, N = " + std::to_string(d.output_size()));
  else
    say("  ∂L/∂a: the ∂L/∂x that " + above + " passed down");
  if (l.f_prime.size() == 0)
    say("  ∂L/∂z = J·∂L/∂a: each a depends on the whole z, so f' is a Jacobian J, not one number per unit");
  else
    say("  ∂L/∂z = ∂L/∂a ⊙ f'(z): a = f(z) unit by unit, so each unit's gradient passes its own f'");
  Table t{{"unit", "∂L/∂a", "f'(z)", "∂L/∂z"}, "urrr", {}};
  if (l.output) t = {{"unit", "target", "a", "y", "∂L/∂a", "f'(z)", "∂L/∂z"}, "ulrrrrr", {}};
  for (Index k = 0; k < d.output_size(); ++k) {
    const std::string fp = l.f_prime.size() ? num(l.f_prime(k)) : "-";
    if (l.output)
      t.rows.push_back(
          {unit(k), output_name(k, d.output_size(), prep), num(l.a(k)), num(y(k)), num(l.dA(k)), fp, num(l.dZ(k))});
    else
      t.rows.push_back({unit(k), num(l.dA(k)), fp, num(l.dZ(k))});
  }
  print_table(t, limit, "units");
}

// The first layer's ∂L/∂x: how the loss moves with each (scaled) input.
void print_input_gradient(const LayerStep& l, const Preprocessing& prep, long limit) {
  say("  ∂L/∂x = Wᵀ·∂L/∂z at the input: how the loss moves with each scaled input (training skips it)");
  const auto names = prep.input_names();
  Table t{{"input", "x", "∂L/∂x"}, "lrr", {}};
  for (Index i = 0; i < l.x.size(); ++i)
    t.rows.push_back({names[static_cast<std::size_t>(i)], num(l.x(i)), num(l.dX(i))});
  print_table(t, limit, "inputs");
}

void print_backward(const Step& s, const Network& net, const Preprocessing& prep, const RowVector& y, long limit) {
  std::printf("\nbackward: the chain rule from the loss back to the input, last layer first\n");
  for (std::size_t i = s.layers.size(); i-- > 0;) {
    const LayerStep& l = s.layers[i];
    std::printf("\n");
    if (l.from_logits)
      print_logits_output(l, net, prep, y, limit);
    else
      print_chain_rule(l, i + 1 < s.layers.size() ? s.layers[i + 1].dense->name : "", net, prep, y, limit);
    print_gradients(l, i ? s.layers[i - 1].dense->name : "");
    if (i == 0) print_input_gradient(l, prep, limit);
  }
}

void print_text(const std::string& path, const csv::Table& sample, const Step& s, const Model& model,
                const TraceArgs& a, const Matrix& Y) {
  const Preprocessing& prep = model.prep;
  const Network& net = model.net;
  say("mlp trace " + path + ": one step of training on one sample, forward then backward (weights unchanged)");
  say("network: " + std::to_string(net.input_size()) + " inputs, " + std::to_string(s.layers.size()) +
      " Dense layers, loss " + net.loss().spec() + "; task " + task_name(prep.task));
  if (s.dropout) say("dropout is off, as in evaluation, so the trace is the same every run");
  std::printf("\n");
  print_input(sample, prep, s.layers.front().x, a.units);
  std::printf("\nforward: z = W·x + b, then a = f(z), layer by layer; each layer's a is the next one's x\n");
  for (const auto& l : s.layers) print_forward_layer(l, prep, a.units);
  std::printf("\n");
  print_prediction(s, prep);
  if (!s.backward) {
    const bool classes = prep.task == Task::Classification;
    say(std::string("backward: needs a target for the loss and its gradients: add --target ") +
        (classes ? "CLASS" : "VALUE (in the target's own units; a comma list for several)"));
    say((classes ? "  classes: " + quoted(prep.classes) : "  targets: " + quoted(prep.targets)));
    return;
  }
  print_loss(s, net, prep, a.target, Y);
  print_backward(s, net, prep, y_of(Y, net.output_size(), prep), a.units);
}

// ---------------------------------------------------------------------------------------------
// The same numbers as one JSON object, every unit included.

nlohmann::json vec(const RowVector& v) {
  if (v.size() == 0) return nullptr;
  nlohmann::json j = nlohmann::json::array();
  for (Index i = 0; i < v.size(); ++i) j.push_back(static_cast<double>(v(i)));
  return j;
}

nlohmann::json layer_json(const LayerStep& l, bool backward) {
  const Dense& d = *l.dense;
  nlohmann::json j = {{"name", d.name},
                      {"activation", d.activation.spec()},
                      {"inputs", d.input_size()},
                      {"units", d.output_size()},
                      {"output", l.output},
                      {"from_logits", l.from_logits},
                      {"x", vec(l.x)},
                      {"z", vec(l.z)},
                      {"a", vec(l.a)}};
  if (!backward) return j;
  j["dL_da"] = vec(l.dA);         // null where backprop starts at ∂L/∂z (a loss from logits)
  j["f_prime"] = vec(l.f_prime);  // null there too, and for a non-elementwise activation
  j["dL_dz"] = vec(l.dZ);
  j["dL_dx"] = vec(l.dX);
  j["grad_W_norm"] = l.dW_norm;
  j["grad_b_norm"] = l.db_norm;
  if (l.dp_norm >= 0) j["grad_param_norm"] = l.dp_norm;
  return j;
}

void print_json(const std::string& path, const csv::Table& sample, const Step& s, const Model& model,
                const TraceArgs& a, const Matrix& Y) {
  const Preprocessing& prep = model.prep;
  nlohmann::json raw = nlohmann::json::array();
  for (std::size_t k = 0; k < prep.features.size(); ++k)
    for (Index w = 0; w < prep.features[k].width(); ++w) raw.push_back(raw_text(sample.columns[k]));
  nlohmann::json j = {{"model", path},
                      {"task", task_name(prep.task)},
                      {"loss_name", model.net.loss().spec()},
                      {"input_names", prep.input_names()},
                      {"raw", raw},
                      {"x", vec(s.layers.front().x)},
                      {"output", vec(s.p)},
                      {"layers", nlohmann::json::array()},
                      {"dropout_off", s.dropout},
                      {"loss", nullptr},
                      {"target", nullptr},
                      {"y", nullptr}};
  for (const auto& l : s.layers) j["layers"].push_back(layer_json(l, s.backward));
  if (prep.task == Task::Classification) {
    j["prediction"] = predicted_label(s.p, prep);
    j["classes"] = prep.classes;
    j["probabilities"] = class_probabilities(s.p);
  } else {
    j["prediction"] = predicted_values(s.p, prep);
    j["targets"] = prep.targets;
  }
  if (s.backward) {
    j["loss"] = s.loss;
    j["target"] = a.target;
    j["y"] = vec(y_of(Y, model.net.output_size(), prep));
  }
  std::printf("%s\n", j.dump().c_str());
}

int run_trace(const TraceArgs& a) {
  if (a.units < 1) throw Error("--units must be at least 1 (got " + std::to_string(a.units) + ")");
  Model model = load_model(a.model);
  const csv::Table sample = sample_table(a.sample, model.prep);
  const Matrix X = make_inputs(sample, model.prep, {0});  // (1, inputs)
  Matrix Y;                                               // (1, 1) class label or (1, targets)
  if (a.has_target) Y = target_row(a.target, model.prep);
  const Step s = run_step(model.net, X, a.has_target ? &Y : nullptr);
  if (a.json)
    print_json(a.model, sample, s, model, a, Y);
  else
    print_text(a.model, sample, s, model, a, Y);
  return 0;
}

}  // namespace

Command add_trace_command(CLI::App& app) {
  auto a = std::make_shared<TraceArgs>();
  auto* cmd = app.add_subcommand(
      "trace",
      "Look inside one training step of a saved model, on one sample: the input after preprocessing, each "
      "layer's z = W·x + b and a = f(z), the loss, then backward layer by layer: dL/da, f'(z), dL/dz = dL/da ⊙ "
      "f'(z), the norms of dL/dW and dL/db, and dL/dx passed down. Without --target, the forward pass and the "
      "prediction only. The model file is not changed.");
  cmd->add_option("model", a->model, "Model file written by mlp train --save")->required();
  cmd->add_option("--sample", a->sample,
                  "The sample's feature values, comma-separated, in the training file's column order (without "
                  "the target): \"5.1,3.5,1.4,0.2\"")
      ->required();
  auto* target = cmd->add_option("--target", a->target,
                                 "The sample's target, for the loss and the backward pass: a class name, or a "
                                 "number (a comma list for several targets) in the target's own units");
  cmd->add_option("--units", a->units, "Units (and inputs) shown per layer; the rest are counted")
      ->capture_default_str();
  cmd->add_flag("--json", a->json,
                "Print one JSON object instead: every unit's z, a, f_prime, dL_da, dL_dz per layer, the "
                "gradient norms, the loss and the prediction");
  return {cmd, [a, target] {
            a->has_target = target->count() > 0;
            return run_trace(*a);
          }};
}

}  // namespace mlp::app
