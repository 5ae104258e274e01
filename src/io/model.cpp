// Saving and loading the model file (format: docs/model-format.md). Writing is atomic
// (write_file_atomically, files.hpp). Reading checks every field and every shape before building anything, so a
// bad file is an mlp::Error naming the path and the field, never a crash or a silently wrong net.
#include "mlp/io/model.hpp"

#include "mlp/error.hpp"
#include "mlp/io/files.hpp"

#include "io/json_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

using json = nlohmann::json;

namespace {
using io_detail::Reader;

// nlohmann's message without its "[json.exception.parse_error.101] " prefix.
std::string json_reason(const json::exception& e) {
  const std::string what = e.what();
  const std::size_t end = what.find("] ");
  return !what.empty() && what[0] == '[' && end != std::string::npos ? what.substr(end + 2) : what;
}

// ---- writing ------------------------------------------------------------------------------------

// Each Scalar is written as its double value; nlohmann prints a double in the shortest form that
// reads back to the same double, so a float comes back bit for bit.
json numbers(const Scalar* data, Index n) {
  json a = json::array();
  for (Index i = 0; i < n; ++i) a.push_back(static_cast<double>(data[i]));
  return a;
}

json dense_to_json(const Dense& d) {
  if (!d.W.allFinite() || !d.b.allFinite() || !d.p.allFinite())
    throw Error(d.name + " has NaN or infinite weights (training diverged: try a lower learning rate)");
  json weight = json::array();  // (out, in): one row of `in` numbers per unit
  for (Index o = 0; o < d.W.rows(); ++o) weight.push_back(numbers(d.W.row(o).data(), d.W.cols()));
  json layer = {{"type", "dense"},
                {"units", d.output_size()},
                {"activation", d.activation.spec()},
                {"weight", std::move(weight)},
                {"bias", numbers(d.b.data(), d.b.size())}};
  if (d.activation.info->has_param()) layer["activation_param"] = numbers(d.p.data(), d.p.size());
  return layer;
}

json preprocessing_to_json(const Preprocessing& prep) {
  json features = json::array();
  for (const FeatureColumn& f : prep.features) {
    if (f.categorical) {
      features.push_back(json{{"name", f.name}, {"type", "categorical"}, {"categories", f.categories}});
    } else {
      if (!std::isfinite(f.shift) || !std::isfinite(f.scale))
        throw Error("the scaling of feature '" + f.name + "' is not finite");
      json feature{{"name", f.name}, {"type", "numeric"}, {"shift", f.shift}, {"scale", f.scale}};
      if (prep.missing == Missing::Mean || prep.missing == Missing::Median) feature["fill"] = f.fill;
      features.push_back(std::move(feature));
    }
  }
  json p = {{"task", task_name(prep.task)},      {"scaling", scaling_name(prep.scaling)},
            {"features", std::move(features)},   {"targets", prep.targets},
            {"classes", prep.classes},           {"target_shift", prep.target_shift},
            {"target_scale", prep.target_scale}, {"missing", missing_name(prep.missing)}};
  if (!prep.columns.empty()) p["columns"] = prep.columns;
  return p;
}

// Object keys in reading order, what a thing is before its numbers; other keys (in "training")
// follow in nlohmann's alphabetical order.
std::vector<std::string> keys_in_order(const json& object) {
  static const char* const kOrder[] = {"format",  "version",       "input_size",   "layers",
                                       "loss",    "preprocessing", "training",     "checkpoint",  // the file
                                       "name",    "type",          "units",        "activation",
                                       "rate",    "weight",        "bias",         "activation_param",  // a layer
                                       "task",    "scaling",       "features",     "targets",
                                       "classes", "target_shift",  "target_scale", "missing",
                                       "columns",                                                  // preprocessing
                                       "shift",   "scale",         "fill",         "categories"};  // a feature
  std::vector<std::string> keys;
  for (const char* k : kOrder)
    if (object.contains(k)) keys.push_back(k);
  for (const auto& item : object.items())
    if (std::find(std::begin(kOrder), std::end(kOrder), item.key()) == std::end(kOrder)) keys.push_back(item.key());
  return keys;
}

// Like json::dump(2), except that a container holding only plain values stays on one line: a
// weight matrix reads as one row per line, a bias as one line.
void write_pretty(std::string& out, const json& j, int indent) {
  if (j.is_number_float() && std::isfinite(j.get<double>())) {  // a weight: the shortest text that reads back
    char buf[32];                                               // as the same double, without a string each
    char* end = std::to_chars(buf, buf + sizeof buf, j.get<double>()).ptr;
    out.append(buf, static_cast<std::size_t>(end - buf));
    if (std::find_if(buf, end, [](char c) { return c == '.' || c == 'e'; }) == end) out += ".0";  // 1.0, not 1
    return;
  }
  if (!j.is_structured() || j.empty()) {
    out += j.dump();
    return;
  }
  const bool flat = std::none_of(j.begin(), j.end(), [](const json& v) { return v.is_structured(); });
  const std::string inner = flat ? "" : "\n" + std::string(indent + 2, ' ');
  out += j.is_object() ? '{' : '[';
  out += inner;
  bool first = true;
  auto separate = [&] {
    if (!first) out += flat ? ", " : "," + inner;
    first = false;
  };
  if (j.is_object()) {
    for (const std::string& key : keys_in_order(j)) {
      separate();
      out += json(key).dump() + ": ";
      write_pretty(out, j.at(key), indent + 2);
    }
  } else {
    for (const json& value : j) {
      separate();
      write_pretty(out, value, indent + 2);
    }
  }
  if (!flat) out += "\n" + std::string(indent, ' ');
  out += j.is_object() ? '}' : ']';
}

// ---- reading ------------------------------------------------------------------------------------

// Appends the dense layer L (found at `where`) to the network.
void read_dense(const Reader& r, const json& L, const std::string& where, Network& net) {
  const Index inputs = net.output_size();
  const Index units = r.count(r.field(L, where, "units"), where + ".units");
  const std::string spec = r.text(r.field(L, where, "activation"), where + ".activation");
  const Activation act = r.engine(where + ".activation", [&] { return parse_activation(spec); });

  // Every shape is checked before anything is allocated: the sizes come from the file.
  const std::string w = where + ".weight";
  const json& rows = r.array(r.field(L, where, "weight"), w, units, "one row per unit");
  const std::string row_why = "one per input of the layer: " + std::to_string(inputs);
  for (Index o = 0; o < units; ++o) r.array(rows[o], w + "[" + std::to_string(o) + "]", inputs, row_why);
  Matrix W(units, inputs);  // (out, in)
  for (Index o = 0; o < units; ++o)
    r.scalars(rows[o], w + "[" + std::to_string(o) + "]", inputs, row_why, W.row(o).data());
  RowVector b(units);  // (1, out)
  r.scalars(r.field(L, where, "bias"), where + ".bias", units, "one per unit", b.data());
  RowVector p;  // (1, out)
  if (act.info->has_param()) {
    p.resize(units);
    r.scalars(r.field(L, where, "activation_param"), where + ".activation_param", units, "one per unit", p.data());
    const ActivationParam& range = act.info->param;  // the range parse_activation enforces on the spec
    for (Index u = 0; u < units; ++u)
      if (p[u] < range.min_value || p[u] > range.max_value) {
        std::ostringstream msg;
        msg << p[u] << " is outside the valid range of " << range.name << ", [" << range.min_value << ", "
            << range.max_value << "]";
        r.fail(where + ".activation_param[" + std::to_string(u) + "]", msg.str());
      }
  } else if (L.contains("activation_param")) {
    r.fail(where + ".activation_param", "given, but activation '" + spec + "' has no parameter");
  }

  Dense& d = r.engine(where, [&]() -> Dense& { return net.add_dense(units, act); });
  d.W = W;  // replaces the random initial weights add_dense drew
  d.b = b;
  if (act.info->has_param()) d.p = p;
}

Preprocessing read_preprocessing(const Reader& r, const json& P) {
  const std::string where = "preprocessing";
  Preprocessing prep;
  const std::string task = r.text(r.field(P, where, "task"), where + ".task");
  if (task == task_name(Task::Classification))
    prep.task = Task::Classification;
  else if (task == task_name(Task::Regression))
    prep.task = Task::Regression;
  else
    r.fail(where + ".task", "unknown task \"" + task + "\"; expected \"classification\" or \"regression\"");
  const std::string scaling = r.text(r.field(P, where, "scaling"), where + ".scaling");
  prep.scaling = r.engine(where + ".scaling", [&] { return parse_scaling(scaling); });
  if (P.contains("missing")) {  // older files: error, the only way there was
    const std::string missing = r.text(P["missing"], where + ".missing");
    prep.missing = r.engine(where + ".missing", [&] { return parse_missing(missing); });
  }
  if (P.contains("columns")) prep.columns = r.strings(P["columns"], where + ".columns");

  const json& features = r.array(r.field(P, where, "features"), where + ".features");
  for (std::size_t i = 0; i < features.size(); ++i) {
    const std::string at = where + ".features[" + std::to_string(i) + "]";
    const json& F = features[i];
    FeatureColumn f;
    f.name = r.text(r.field(F, at, "name"), at + ".name");
    const std::string type = r.text(r.field(F, at, "type"), at + ".type");
    if (type == "categorical") {
      f.categorical = true;
      f.categories = r.strings(r.field(F, at, "categories"), at + ".categories");
      // make_inputs finds a category by binary search: an unsorted list would one-hot silently wrong.
      for (std::size_t c = 1; c < f.categories.size(); ++c)
        if (!(f.categories[c - 1] < f.categories[c]))
          r.fail(at + ".categories", "must be sorted and distinct (byte order, as mlp writes them): \"" +
                                         f.categories[c - 1] + "\" comes before \"" + f.categories[c] + "\"");
    } else if (type == "numeric") {
      f.shift = r.number(r.field(F, at, "shift"), at + ".shift");
      f.scale = r.number(r.field(F, at, "scale"), at + ".scale");
      if (f.scale == 0.0) r.fail(at + ".scale", "is 0 (inputs are divided by it)");
      if (prep.missing == Missing::Mean || prep.missing == Missing::Median)
        f.fill = r.number(r.field(F, at, "fill"), at + ".fill");
    } else {
      r.fail(at + ".type", "unknown feature type \"" + type + "\"; expected \"numeric\" or \"categorical\"");
    }
    prep.features.push_back(std::move(f));
  }
  prep.targets = r.strings(r.field(P, where, "targets"), where + ".targets");
  prep.classes = r.strings(r.field(P, where, "classes"), where + ".classes");
  // Target scaling is one pair per target, or none (classification).
  const json& shift = r.field(P, where, "target_shift");
  const std::size_t n = shift.is_array() && shift.empty() ? 0 : prep.targets.size();
  prep.target_shift = r.doubles(shift, where + ".target_shift", n, "one per target, or none");
  prep.target_scale =
      r.doubles(r.field(P, where, "target_scale"), where + ".target_scale", n, "one per target, like target_shift");
  for (std::size_t i = 0; i < n; ++i)
    if (prep.target_scale[i] == 0.0) r.fail(where + ".target_scale[" + std::to_string(i) + "]", "is 0");
  return prep;
}

// The preprocessing must produce the network's inputs and name its outputs. Empty lists (a model
// trained on matrices rather than a CSV file) name nothing and are not checked.
void check_fits(const Reader& r, const Preprocessing& prep, const Network& net) {
  if (!prep.features.empty() && prep.input_size() != net.input_size())
    r.fail("preprocessing.features", "give " + std::to_string(prep.input_size()) + " inputs, but input_size is " +
                                         std::to_string(net.input_size()));
  const Index outputs = net.output_size();
  const Index classes = static_cast<Index>(prep.classes.size());
  if (prep.task == Task::Classification && classes > 0 && outputs != classes && !(classes == 2 && outputs == 1))
    r.fail("preprocessing.classes", "names " + std::to_string(classes) + " classes, but the network has " +
                                        std::to_string(outputs) + " outputs");
  const Index targets = static_cast<Index>(prep.targets.size());
  if (prep.task == Task::Regression && targets > 0 && outputs != targets)
    r.fail("preprocessing.targets", "names " + std::to_string(targets) + " targets, but the network has " +
                                        std::to_string(outputs) + " outputs");
}

}  // namespace

// ---- saving ---------------------------------------------------------------------------------------

json model_to_json(const Network& net, const Preprocessing& prep, const json& training) {
  if (!net.has_loss()) throw Error("the network has no loss; set one before saving");
  json layers = json::array();
  for (std::size_t i = 0; i < net.size(); ++i) {
    const Layer& layer = net.layer(i);
    if (const auto* d = dynamic_cast<const Dense*>(&layer))
      layers.push_back(dense_to_json(*d));
    else if (const auto* dropout = dynamic_cast<const Dropout*>(&layer))
      layers.push_back(json{{"type", "dropout"}, {"rate", dropout->rate()}});
    else
      throw Error(std::string("cannot save a layer of type ") + layer.type());
  }
  return {
      {"format", "mlp-model"},       {"version", kModelFormatVersion}, {"input_size", net.input_size()},
      {"layers", std::move(layers)}, {"loss", net.loss().spec()},      {"preprocessing", preprocessing_to_json(prep)},
      {"training", training}};
}

// How many plain values a document holds: the text is sized once for them (a weight takes ~20
// characters), instead of growing, and being copied, a dozen times on its way to 20 MB.
std::size_t values_in(const json& j) {
  if (!j.is_structured()) return 1;
  std::size_t n = 0;
  for (const json& v : j) n += values_in(v);
  return n;
}

void write_model_document(const std::string& path, const json& document, const std::string& failure) {
  std::string text;
  text.reserve(24 * values_in(document) + 4096);
  try {
    write_pretty(text, document, 0);
    text += '\n';
  } catch (const json::exception& e) {  // e.g. a category name that is not valid UTF-8
    throw Error(path + ": " + failure + ": " + json_reason(e));
  }
  write_file_atomically(path, text, failure);
}

void save_model(const std::string& path, const Network& net, const Preprocessing& prep, const json& training) {
  json document;
  try {
    document = model_to_json(net, prep, training);
  } catch (const Error& e) {
    throw Error(path + ": cannot save the model: " + e.what());
  }
  write_model_document(path, document, "cannot save the model");
}

// ---- loading --------------------------------------------------------------------------------------

Model model_from_json(const json& j, const std::string& path) {
  const Reader r{path};
  if (!j.is_object())
    r.fail("", std::string("not an mlp model file (expected a JSON object, found ") + j.type_name() + ")");
  const auto format = j.find("format");
  if (format == j.end() || *format != "mlp-model")
    r.fail("", "not an mlp model file (\"format\" is " + (format == j.end() ? std::string("missing") : format->dump()) +
                   ", expected \"mlp-model\")");
  const json& version = r.field(j, "", "version");
  if (version != kModelFormatVersion)
    r.fail("version",
           "model file version " + version.dump() + " is not supported; this mlp reads version " +
               std::to_string(kModelFormatVersion) +
               (version.is_number() && version > kModelFormatVersion ? " (the file was written by a newer mlp)" : ""));

  Network net(r.count(r.field(j, "", "input_size"), "input_size"));
  const json& layers = r.array(r.field(j, "", "layers"), "layers");
  if (layers.empty()) r.fail("layers", "is empty; a model needs at least one dense layer");
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const std::string where = "layers[" + std::to_string(i) + "]";
    const json& L = layers[i];
    const std::string type = r.text(r.field(L, where, "type"), where + ".type");
    if (type == "dense") {
      read_dense(r, L, where, net);
    } else if (type == "dropout") {
      const double rate = r.number(r.field(L, where, "rate"), where + ".rate");
      r.engine(where + ".rate", [&] { net.add_dropout(rate); });
    } else {
      r.fail(where + ".type", "unknown layer type \"" + type + "\"; expected \"dense\" or \"dropout\"");
    }
  }
  if (layers.back().at("type") != "dense") r.fail("layers", "the last layer must be dense (it is the output layer)");

  const std::string loss = r.text(r.field(j, "", "loss"), "loss");
  r.engine("loss", [&] { net.set_loss(parse_loss(loss)); });

  Preprocessing prep = read_preprocessing(r, r.field(j, "", "preprocessing"));
  check_fits(r, prep, net);

  json training = json::object();
  if (j.contains("training")) {
    training = j.at("training");
    if (!training.is_object()) r.fail("training", std::string("expected an object, found ") + training.type_name());
  }
  return Model{std::move(net), std::move(prep), std::move(training)};
}

Model load_model(const std::string& path) { return model_from_json(load_model_json(path), path); }

json load_model_json(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) throw Error(path + ": cannot open the model file: " + std::strerror(errno));
  std::string text;
  char buffer[1 << 16];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, n);
  const int err = std::ferror(file) ? errno : 0;
  std::fclose(file);
  if (err) throw Error(path + ": cannot read the model file: " + std::strerror(err));
  if (text.empty()) throw Error(path + ": the file is empty, not a model file");

  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    // The parser stopped past the last byte: the document began well but was cut short.
    if (e.byte > text.size())
      throw Error(path + ": the model file is truncated (its JSON ends early, at byte " + std::to_string(text.size()) +
                  "); was it copied or written completely? Save the model again");
    const std::size_t at = e.byte == 0 ? 0 : e.byte - 1;                        // e.byte counts from 1
    const std::size_t line_start = at == 0 ? 0 : text.rfind('\n', at - 1) + 1;  // npos + 1 = 0
    const std::size_t line =
        1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
    std::string reason = json_reason(e);
    const std::size_t colon = reason.find(": ");  // drop nlohmann's "parse error at line L, column C: "
    if (reason.rfind("parse error", 0) == 0 && colon != std::string::npos) reason = reason.substr(colon + 2);
    throw Error(path + ":" + std::to_string(line) + ":" + std::to_string(at - line_start + 1) +
                ": not a valid model file (JSON error at byte " + std::to_string(e.byte) + ": " + reason + ")");
  } catch (const json::exception& e) {  // e.g. a number too large for a double
    throw Error(path + ": not a valid model file (JSON error: " + json_reason(e) + ")");
  }
  return j;
}

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
