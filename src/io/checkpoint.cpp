// Saving and loading checkpoints (checkpoint.hpp; format: docs/model-format.md, "Checkpoints"): the
// model document of model.cpp with one more section, written and read field by field. Every float
// is written as its double, so it reads back bit for bit, and so does every double; the 64-bit rng
// words are hex strings (a JSON reader may hold numbers as doubles).
#include "mlp/io/checkpoint.hpp"

#include "mlp/error.hpp"

#include "io/json_reader.hpp"

#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {

using json = nlohmann::json;

namespace {
using io_detail::Reader;

// ---- the sample order: base64 of little-endian uint32s (a JSON array of millions of numbers
// would cost more memory to write than the data it orders) ---------------------------------

const char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string encode_order(const std::vector<Index>& order) {
  std::string bytes;
  bytes.reserve(order.size() * 4);
  for (Index i : order)
    for (int k = 0; k < 4; ++k) bytes += static_cast<char>((static_cast<std::uint64_t>(i) >> (8 * k)) & 0xFF);
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 3; ++k) v = (v << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
    for (std::size_t k = 0; k < 4; ++k) out += k <= n ? kBase64[(v >> (18 - 6 * k)) & 63] : '=';
  }
  return out;
}

std::vector<Index> decode_order(const Reader& r, const std::string& text, std::size_t rows, const std::string& where) {
  if (text.size() != (rows * 4 + 2) / 3 * 4)
    r.fail(where, "holds " + std::to_string(text.size()) + " characters; " + std::to_string(rows) + " rows take " +
                      std::to_string((rows * 4 + 2) / 3 * 4));
  std::string bytes;
  bytes.reserve(rows * 4 + 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    std::uint32_t v = 0;
    int pad = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      const char* at = c == '=' ? nullptr : std::strchr(kBase64, c);
      if (c == '=' && i + 4 == text.size() && k >= 2)
        ++pad;
      else if (!at || c == '\0' || pad)
        r.fail(where, "is not base64 (character " + std::to_string(i + k + 1) + ")");
      v = (v << 6) | static_cast<std::uint32_t>(at ? at - kBase64 : 0);
    }
    for (int k = 0; k < 3 - pad; ++k) bytes += static_cast<char>((v >> (16 - 8 * k)) & 0xFF);
  }
  if (bytes.size() != rows * 4)  // padding that does not fit the row count
    r.fail(where, "is not base64 of " + std::to_string(rows) + " rows");
  std::vector<Index> order(rows);
  std::vector<bool> seen(rows, false);
  for (std::size_t i = 0; i < rows; ++i) {
    std::uint64_t v = 0;
    for (int k = 0; k < 4; ++k)
      v |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i * 4 + k])) << (8 * k);
    if (v >= rows || seen[v]) r.fail(where, "is not an order of the " + std::to_string(rows) + " training rows");
    seen[v] = true;
    order[i] = static_cast<Index>(v);
  }
  return order;
}

// ---- numbers ------------------------------------------------------------------------------------

json vector_json(const Vector& v) {
  json a = json::array();
  a.get_ref<json::array_t&>().reserve(static_cast<std::size_t>(v.size()));
  for (Index i = 0; i < v.size(); ++i) a.push_back(static_cast<double>(v[i]));
  return a;
}
json maybe(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }  // NaN, as "none", is null

// One Vector per parameter of net, as Network::parameters() lists them.
json per_parameter(const std::vector<Vector>& values) {
  json a = json::array();
  for (const Vector& v : values) a.push_back(vector_json(v));
  return a;
}

std::string hex(std::uint64_t x) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, x);
  return buf;
}

long long whole(const Reader& r, const json& v, const std::string& where, long long lo, long long hi) {
  if (!v.is_number_integer() || v.get<long long>() < lo || v.get<long long>() > hi)
    r.fail(where,
           "expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) + ", found " + v.dump());
  return v.get<long long>();
}
double number_or_nan(const Reader& r, const json& v, const std::string& where) {
  return v.is_null() ? std::numeric_limits<double>::quiet_NaN() : r.number(v, where);
}
bool flag(const Reader& r, const json& v, const std::string& where) {
  if (!v.is_boolean()) r.fail(where, std::string("expected true or false, found ") + v.type_name());
  return v.get<bool>();
}
// One Vector per parameter of the model's network, each of its size.
std::vector<Vector> read_per_parameter(const Reader& r, const json& v, const std::string& where, const Network& net) {
  const auto& params = net.parameters();
  r.array(v, where, static_cast<Index>(params.size()), "one per parameter of the network");
  std::vector<Vector> out;
  for (std::size_t i = 0; i < params.size(); ++i) {
    out.emplace_back(params[i].size);
    r.scalars(v[i], where + "[" + std::to_string(i) + "]", params[i].size, "the size of " + params[i].name,
              out.back().data());
  }
  return out;
}

}  // namespace

// ---- saving ---------------------------------------------------------------------------------------

void save_checkpoint(const std::string& path, const Network& net, const Preprocessing& prep, const json& training,
                     const TrainingProgress& s, const json& run) {
  const std::string failure = "cannot write the checkpoint";
  json document;
  try {
    if (!net.optimizer()) throw Error("the network has no optimizer");
    document = model_to_json(net, prep, training);
  } catch (const Error& e) {
    throw Error(path + ": " + failure + ": " + e.what());
  }
  json history = json::array();
  for (const EpochReport& e : s.history)
    history.push_back({{"epoch", e.epoch},
                       {"train_loss", maybe(e.train_loss)},
                       {"val_loss", maybe(e.val_loss)},
                       {"val_metric", maybe(e.val_metric)},
                       {"train_metric", maybe(e.train_metric)},
                       {"learning_rate", e.learning_rate},
                       {"seconds", e.seconds},
                       {"samples_per_second", e.samples_per_second}});
  const RngState rng = net.rng().state();
  const Optimizer::State opt = net.optimizer()->state();
  json buffers = json::object();
  for (std::size_t k = 0; k < opt.names.size(); ++k) buffers[opt.names[k]] = per_parameter(opt.buffers[k]);

  // Built in place and moved, never copied: the arrays hold every weight three or four times over.
  json& c = document["checkpoint"];
  c["version"] = kCheckpointFormatVersion;
  c["epoch"] = s.epoch;
  c["batch"] = s.batch;
  c["loss_sum"] = s.loss_sum;
  c["metric_sums"] = s.metric;
  c["seconds"] = s.seconds;
  c["rows"] = s.order.size();
  c["order"] = encode_order(s.order);
  c["stopped_early"] = s.stopped_early;
  json& stopping = c["early_stopping"];
  stopping["best_loss"] = maybe(s.best_loss);
  stopping["best_epoch"] = s.best_epoch;
  stopping["since_best"] = s.since_best;
  stopping["best_weights"] = per_parameter(s.best_weights);
  c["history"] = std::move(history);
  c["rng"] = {{"state", {hex(rng.s[0]), hex(rng.s[1]), hex(rng.s[2]), hex(rng.s[3])}},
              {"spare", rng.has_spare ? json(rng.spare) : json(nullptr)}};
  json& optimizer = c["optimizer"];
  optimizer["name"] = net.optimizer()->config().name;
  optimizer["steps"] = opt.steps;
  optimizer["buffers"] = std::move(buffers);
  c["run"] = run;
  write_model_document(path, document, failure);
}

// ---- loading --------------------------------------------------------------------------------------

Checkpoint checkpoint_from_json(const json& j, const std::string& path) {
  Checkpoint c{model_from_json(j, path), {}, {}, {}, {}, json::object()};
  const Reader r{path};
  if (!j.contains("checkpoint"))
    r.fail("", "is a model file without training state, not a checkpoint (mlp train --checkpoint FILE writes one)");
  const json& C = j.at("checkpoint");
  const std::string w = "checkpoint";
  const json& version = r.field(C, w, "version");
  if (version != kCheckpointFormatVersion)
    r.fail(w + ".version",
           "checkpoint version " + version.dump() + " is not supported; this mlp reads version " +
               std::to_string(kCheckpointFormatVersion) +
               (version.is_number() && version > kCheckpointFormatVersion ? " (the file was written by a newer mlp)"
                                                                          : ""));
  const Network& net = c.model.net;
  TrainingProgress& s = c.progress;
  s.epoch = static_cast<int>(whole(r, r.field(C, w, "epoch"), w + ".epoch", 0, 1 << 30));
  const auto rows = static_cast<std::size_t>(whole(r, r.field(C, w, "rows"), w + ".rows", 1, 0xFFFFFFFFLL));
  s.batch = static_cast<Index>(whole(r, r.field(C, w, "batch"), w + ".batch", 0, static_cast<long long>(rows)));
  s.loss_sum = r.number(r.field(C, w, "loss_sum"), w + ".loss_sum");
  const json& sums = r.array(r.field(C, w, "metric_sums"), w + ".metric_sums");
  for (std::size_t i = 0; i < sums.size(); ++i)
    s.metric.push_back(r.number(sums[i], w + ".metric_sums[" + std::to_string(i) + "]"));
  s.seconds = r.number(r.field(C, w, "seconds"), w + ".seconds");
  s.order = decode_order(r, r.text(r.field(C, w, "order"), w + ".order"), rows, w + ".order");
  s.stopped_early = flag(r, r.field(C, w, "stopped_early"), w + ".stopped_early");

  const std::string es = w + ".early_stopping";
  const json& E = r.field(C, w, "early_stopping");
  const double best_loss = number_or_nan(r, r.field(E, es, "best_loss"), es + ".best_loss");
  s.best_loss = std::isnan(best_loss) ? std::numeric_limits<double>::infinity() : best_loss;
  s.best_epoch = static_cast<int>(whole(r, r.field(E, es, "best_epoch"), es + ".best_epoch", 0, s.epoch));
  s.since_best = static_cast<int>(whole(r, r.field(E, es, "since_best"), es + ".since_best", 0, s.epoch));
  const json& best = r.field(E, es, "best_weights");
  if (!(best.is_array() && best.empty())) s.best_weights = read_per_parameter(r, best, es + ".best_weights", net);
  if ((s.best_epoch > 0) != !s.best_weights.empty())
    r.fail(es, "best_epoch and best_weights disagree (weights are kept exactly when there is a best epoch)");

  const json& H = r.array(r.field(C, w, "history"), w + ".history", s.epoch, "one entry per epoch completed");
  for (std::size_t i = 0; i < H.size(); ++i) {
    const std::string at = w + ".history[" + std::to_string(i) + "]";
    EpochReport e;
    e.epoch = static_cast<int>(whole(r, r.field(H[i], at, "epoch"), at + ".epoch", static_cast<long long>(i + 1),
                                     static_cast<long long>(i + 1)));
    e.train_loss = number_or_nan(r, r.field(H[i], at, "train_loss"), at + ".train_loss");
    e.val_loss = number_or_nan(r, r.field(H[i], at, "val_loss"), at + ".val_loss");
    e.val_metric = number_or_nan(r, r.field(H[i], at, "val_metric"), at + ".val_metric");
    e.train_metric = number_or_nan(r, r.field(H[i], at, "train_metric"), at + ".train_metric");
    e.learning_rate = r.number(r.field(H[i], at, "learning_rate"), at + ".learning_rate");
    e.seconds = r.number(r.field(H[i], at, "seconds"), at + ".seconds");
    e.samples_per_second = r.number(r.field(H[i], at, "samples_per_second"), at + ".samples_per_second");
    s.history.push_back(e);
  }

  const std::string rw = w + ".rng";
  const json& R = r.field(C, w, "rng");
  const json& words = r.array(r.field(R, rw, "state"), rw + ".state", 4, "the generator's four 64-bit words");
  for (std::size_t k = 0; k < 4; ++k) {
    const std::string word = r.text(words[k], rw + ".state[" + std::to_string(k) + "]");
    char* end = nullptr;
    errno = 0;
    c.rng.s[k] = std::strtoull(word.c_str(), &end, 16);
    if (word.size() != 16 || errno != 0 || *end != '\0' || word.find_first_not_of("0123456789abcdef") != word.npos)
      r.fail(rw + ".state[" + std::to_string(k) + "]", "expected 16 lowercase hex digits, found \"" + word + "\"");
  }
  if ((c.rng.s[0] | c.rng.s[1] | c.rng.s[2] | c.rng.s[3]) == 0) r.fail(rw + ".state", "is all zeros");
  const json& spare = r.field(R, rw, "spare");
  c.rng.has_spare = !spare.is_null();
  if (c.rng.has_spare) c.rng.spare = r.number(spare, rw + ".spare");

  const std::string ow = w + ".optimizer";
  const json& O = r.field(C, w, "optimizer");
  c.optimizer_name = r.text(r.field(O, ow, "name"), ow + ".name");
  c.optimizer.steps = static_cast<long>(whole(r, r.field(O, ow, "steps"), ow + ".steps", 0, 1LL << 53));
  const json& B = r.field(O, ow, "buffers");
  if (!B.is_object()) r.fail(ow + ".buffers", std::string("expected an object, found ") + B.type_name());
  for (const auto& item : B.items()) {
    c.optimizer.names.push_back(item.key());
    const json& v = item.value();
    if (v.is_array() && v.empty())
      c.optimizer.buffers.emplace_back();  // before the first step
    else
      c.optimizer.buffers.push_back(read_per_parameter(r, v, ow + ".buffers." + item.key(), net));
  }
  c.run = r.field(C, w, "run");
  return c;
}

Checkpoint load_checkpoint(const std::string& path) { return checkpoint_from_json(load_model_json(path), path); }

void restore_network(Network& net, const Checkpoint& c, const std::string& path) {
  const auto& to = net.parameters();
  const auto& from = c.model.net.parameters();
  if (to.size() != from.size() || net.size() != c.model.net.size() || net.input_size() != c.model.net.input_size())
    throw Error(path + ": the checkpoint's network (" + std::to_string(c.model.net.size()) + " layers, " +
                std::to_string(from.size()) + " parameters) is not this one (" + std::to_string(net.size()) +
                " layers, " + std::to_string(to.size()) + " parameters)");
  for (std::size_t l = 0; l < net.size(); ++l) {  // the same kinds of layers, the same activations
    const Layer &a = net.layer(l), &b = c.model.net.layer(l);
    const auto *da = dynamic_cast<const Dense*>(&a), *db = dynamic_cast<const Dense*>(&b);
    if (std::string(a.type()) != b.type() || (da && da->activation.spec() != db->activation.spec()))
      throw Error(path + ": the checkpoint's layer " + std::to_string(l + 1) + " (" + b.describe() +
                  ") is not this network's (" + a.describe() + ")");
  }
  for (std::size_t i = 0; i < to.size(); ++i) {
    if (to[i].name != from[i].name || to[i].size != from[i].size)
      throw Error(path + ": the checkpoint's " + from[i].name + " has " + std::to_string(from[i].size) +
                  " values; this network's " + to[i].name + " has " + std::to_string(to[i].size));
    to[i].v() = from[i].v();
  }
  if (!net.optimizer() || net.optimizer()->config().name != c.optimizer_name)
    throw Error(path + ": the checkpoint was trained with " + c.optimizer_name + ", not " +
                (net.optimizer() ? net.optimizer()->config().name : std::string("no optimizer")));
  try {
    net.optimizer()->set_state(c.optimizer, to);
    net.rng().set_state(c.rng);
  } catch (const Error& e) {
    throw Error(path + ": checkpoint: " + e.what());
  }
}

}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
