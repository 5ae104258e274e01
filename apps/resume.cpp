// Ctrl-C between two batches, and the options and data of a resumed run (resume.hpp).
#include "resume.hpp"

#include "mlp/error.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <type_traits>

#include <unistd.h>

namespace mlp::app {

using json = nlohmann::json;

// ---- signals ------------------------------------------------------------------------------------

namespace {
// Set by the handler, read by every thread training (the runs of --epochs auto go on several at
// once): an atomic, lock-free and so safe in a signal handler, where a volatile sig_atomic_t is
// safe for the thread the signal lands on only.
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);
struct sigaction g_old_int, g_old_term;

extern "C" void on_interrupt(int sig) {
  if (g_signal != 0) _exit(128 + sig);  // the second: at once (files are renamed whole or not at all)
  g_signal = sig;
  const int saved = errno;  // write() may set it; the code interrupted may be about to read it
  static const char kMessage[] = "\nmlp: interrupted: finishing this batch (press Ctrl-C again to quit at once)\n";
  const ssize_t written = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  (void)written;
  errno = saved;
}
}  // namespace

InterruptGuard::InterruptGuard() {
  g_signal = 0;
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // a read or write under way goes on; the loop checks the flag
  sigaction(SIGINT, &action, &g_old_int);
  sigaction(SIGTERM, &action, &g_old_term);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

int InterruptGuard::signal() { return g_signal; }

// ---- options --------------------------------------------------------------------------------------

const std::vector<std::string>& resumable_options() {
  // The data file may be another copy of the same data (its numbers are checked); the rest change
  // how long the run goes on, what it writes, and how fast, but not what it has learned so far.
  // --lr and --clip-norm are the remedies for a run that diverged after its last checkpoint.
  static const std::vector<std::string> names = {
      "data",  "epochs",  "lr",          "clip_norm", "checkpoint", "checkpoint_every",
      "save",  "history", "diagnostics", "report",    "threads",    "reference",
      "quiet", "json",    "resume"};
  return names;
}

namespace {
std::string flag_name(const std::string& name) {
  if (name == "data") return "DATA";
  std::string f = "--" + name;
  std::replace(f.begin(), f.end(), '_', '-');
  return f;
}
// An option's value as a user would type it: 64,32 rather than "64,32"; a list joined by commas.
std::string as_typed(const json& v) {
  if (v.is_string()) return v.get<std::string>().empty() ? "''" : v.get<std::string>();
  if (v.is_array()) {
    std::string s;
    for (const json& item : v) s += (s.empty() ? "" : ",") + as_typed(item);
    return s.empty() ? "''" : s;
  }
  return v.dump();
}
}  // namespace

TrainOptions resumed_options(const TrainOptions& given, const json& run, const std::string& path) {
  const auto bad = [&](const std::string& where, const std::string& what) {
    throw Error(path + ": checkpoint.run" + where + ": " + what);
  };
  if (!run.is_object() || !run.contains("options") || !run.at("options").is_object())
    bad("", "has no \"options\" object: the checkpoint does not say how its run was trained");
  const json& saved = run.at("options");
  const json typed = options_json(given);
  const auto is_given = [&](const std::string& name) {
    return std::find(given.given.begin(), given.given.end(), name) != given.given.end();
  };
  const auto& resumable = resumable_options();

  TrainOptions o;
  o.visit([&](const char* name, auto& value) {
    using T = std::decay_t<decltype(value)>;
    const bool may_change = std::find(resumable.begin(), resumable.end(), name) != resumable.end();
    const auto it = saved.find(name);
    if (it != saved.end()) {
      try {
        value = it->template get<T>();
      } catch (const json::exception&) {
        bad(std::string(".options.") + name, "has the wrong type: " + it->dump());
      }
    }
    // How this process shows and computes its run is this command's: -q need not be given again,
    // and could not be taken back.
    const bool this_command = std::string(name) == "quiet" || std::string(name) == "json" ||
                              std::string(name) == "threads" || std::string(name) == "reference";
    if (this_command) value = typed.at(name).template get<T>();
    if (!is_given(name)) return;
    if (may_change) {
      value = typed.at(name).template get<T>();
    } else if (typed.at(name) != json(value)) {
      std::string list;
      for (const std::string& r : resumable)
        if (r != "resume" && r != "data") list += (list.empty() ? "" : ", ") + flag_name(r);
      throw Error("--resume " + path + ": " + flag_name(name) + " " + as_typed(typed.at(name)) +
                  " contradicts the checkpoint, whose run has " + flag_name(name) + " " + as_typed(json(value)) +
                  ". A resumed run keeps its options; it may change only " + list +
                  ", and DATA may name another copy of the same data");
    }
  });
  o.given = given.given;
  o.resume = given.resume;
  return o;
}

// ---- data -----------------------------------------------------------------------------------------

namespace {
// A 64-bit hash of the bytes of a matrix and its shape, eight bytes at a time (a checksum against
// another file or a changed one, not against an adversary).
void mix(std::uint64_t& h, std::uint64_t word) {
  h = ((h << 5) | (h >> 59)) ^ word;
  h *= 0x9E3779B97F4A7C15ULL;
}
void mix_matrix(std::uint64_t& h, const Matrix& m) {
  mix(h, static_cast<std::uint64_t>(m.rows()));
  mix(h, static_cast<std::uint64_t>(m.cols()));
  const auto* bytes = reinterpret_cast<const unsigned char*>(m.data());
  const std::size_t n = static_cast<std::size_t>(m.size()) * sizeof(Scalar);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, bytes + i, 8);
    mix(h, w);
  }
  for (; i < n; ++i) mix(h, bytes[i]);
}
}  // namespace

DataPrint data_print(const std::vector<std::string>& columns, const Matrix& X, const Matrix& Y, const Matrix& Xval,
                     const Matrix& Yval) {
  DataPrint p;
  p.columns = columns;
  p.train = static_cast<long>(X.rows());
  p.validation = static_cast<long>(Xval.rows());
  std::uint64_t h = 0x243F6A8885A308D3ULL;
  for (const Matrix* m : {&X, &Y, &Xval, &Yval}) mix_matrix(h, *m);
  h ^= h >> 33;
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  p.hash = buf;
  return p;
}

json training_run(const TrainOptions& options, const DataPrint& data) {
  return {{"options", options_json(options)},
          {"data",
           {{"columns", data.columns},
            {"train_rows", data.train},
            {"validation_rows", data.validation},
            {"hash", data.hash}}}};
}

// ---- diagnostics ----------------------------------------------------------------------------------

json layer_stats_json(const LayerStats& s) {
  return {{"layer", s.layer},
          {"name", s.name},
          {"activation", s.activation},
          {"units", s.units},
          {"dead_share", s.dead},
          {"sparsity", s.sparsity},
          {"saturated_share", s.saturated},
          {"grad_norm", s.grad_norm},
          {"update_ratio", s.update_ratio},
          {"activation_mean", s.mean},
          {"activation_sd", s.sd},
          {"param_mean", std::isnan(s.param_mean) ? json(nullptr) : json(s.param_mean)}};
}

json diagnostics_json(const std::vector<EpochStats>& history) {
  json epochs = json::array();
  for (const EpochStats& e : history) {
    json layers = json::array();
    for (const LayerStats& s : e.layers) layers.push_back(layer_stats_json(s));
    epochs.push_back({{"epoch", e.epoch}, {"layers", std::move(layers)}});
  }
  return epochs;
}

std::vector<EpochStats> diagnostics_from_json(const json& run, const std::string& path) {
  std::vector<EpochStats> history;
  if (!run.contains("diagnostics")) return history;
  try {
    for (const json& e : run.at("diagnostics")) {
      EpochStats stats;
      stats.epoch = e.at("epoch").get<int>();
      for (const json& l : e.at("layers")) {
        LayerStats s;
        s.layer = l.at("layer").get<int>();
        s.name = l.at("name").get<std::string>();
        s.activation = l.at("activation").get<std::string>();
        s.units = l.at("units").get<Index>();
        s.dead = l.at("dead_share").get<double>();
        s.sparsity = l.at("sparsity").get<double>();
        s.saturated = l.at("saturated_share").get<double>();
        s.grad_norm = l.at("grad_norm").get<double>();
        s.update_ratio = l.at("update_ratio").get<double>();
        s.mean = l.at("activation_mean").get<double>();
        s.sd = l.at("activation_sd").get<double>();
        s.param_mean = l.at("param_mean").is_null() ? std::nan("") : l.at("param_mean").get<double>();
        stats.layers.push_back(std::move(s));
      }
      history.push_back(std::move(stats));
    }
  } catch (const json::exception& e) {
    throw Error(path + ": checkpoint.run.diagnostics: damaged (" + std::string(e.what()) + ")");
  }
  return history;
}

void check_same_data(const DataPrint& now, const json& run, const std::string& data, const std::string& path) {
  const json d = run.contains("data") ? run.at("data") : json();
  if (!d.is_object() || !d.contains("columns") || !d.contains("train_rows") || !d.contains("validation_rows") ||
      !d.contains("hash"))
    throw Error(path +
                ": checkpoint.run.data: missing or incomplete: the checkpoint does not say what it was trained on");
  const auto join = [](const json& names) {
    std::string s;
    for (const json& n : names) s += (s.empty() ? "" : ", ") + (n.is_string() ? n.get<std::string>() : n.dump());
    return s;
  };
  const std::string other = " than the data the checkpoint " + path + " was trained on";
  if (json(now.columns) != d.at("columns"))
    throw Error(data + ": other columns (" + join(json(now.columns)) + ")" + other + " (" + join(d.at("columns")) +
                "): resume with the same data file");
  if (json(now.train) != d.at("train_rows") || json(now.validation) != d.at("validation_rows"))
    throw Error(data + ": " + std::to_string(now.train) + " training and " + std::to_string(now.validation) +
                " validation rows after the split, other counts" + other + " (" + d.at("train_rows").dump() + " and " +
                d.at("validation_rows").dump() + "): resume with the same data file");
  if (json(now.hash) != d.at("hash"))
    throw Error(data + ": the same columns and rows, but other values" + other +
                " (was the file changed since?): resume with the same data");
}

}  // namespace mlp::app
