// `mlp compare`: one network trained with each of several hidden activations and seeds (the same
// data, split, architecture and, per seed, the same initial weights where the init scheme is the
// same), summed up as one row per activation: mean ± sd over the seeds. Runs on worker threads, or
// writes a plan of `mlp train` commands (--plan) whose files --collect reads back. Both paths read
// the same texts (train's --history CSV, --diagnostics CSV and --json line), so both print the same
// table.
#include "cli.hpp"
#include "commands.hpp"
#include "progress.hpp"
#include "sheet.hpp"
#include "text.hpp"

#include "mlp/activation.hpp"
#include "mlp/error.hpp"
#include "mlp/io/csv.hpp"
#include "mlp/io/files.hpp"
#include "mlp/io/svg.hpp"
#include "mlp/threads.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <sstream>
#include <thread>
#include <type_traits>

namespace mlp::app {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kManifest = "compare.json";  // in a plan's directory: what --collect reads first

struct CompareOptions {
  TrainOptions train;
  std::string activations = "relu,leaky_relu,elu,swish,gelu,tanh,sigmoid";
  int seeds = 5;
  int jobs = 0;  // 0 = one per core
  std::string out_csv, runs_csv, svg;
  std::string plan, plan_dir, collect;
  std::string single_activation;  // train's --activation, given by mistake
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- 1. what runs: every activation with every seed --------------------------------------------

// What every run shares and what tells them apart; the table's heading and the chart's title are
// written from it alone, so an in-process compare and --collect write the same ones.
struct Setup {
  std::string data;                      // as the user named it
  std::vector<std::string> activations;  // as the user wrote them, in order
  std::vector<std::uint64_t> seeds;
  json options;  // the runs' train options (options_json), as given
};

struct Job {
  std::size_t activation;  // index into Setup::activations
  std::uint64_t seed;
};

std::vector<Job> jobs_of(const Setup& s) {
  std::vector<Job> jobs;
  for (std::size_t a = 0; a < s.activations.size(); ++a)
    for (std::uint64_t seed : s.seeds) jobs.push_back({a, seed});
  return jobs;
}

// "leaky_relu:0.3", seed 42 → "leaky_relu-0.3_seed42": the stem of a planned run's files.
std::string stem(const std::string& activation, std::uint64_t seed) {
  std::string s = activation;
  for (char& c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) c = '-';
  return s + "_seed" + std::to_string(seed);
}

// "relu,leaky_relu:0.3": each spec checked (a known hidden activation, its parameter in range),
// none twice (leaky_relu and leaky_relu:0.01 are the same one).
std::vector<std::string> parse_activation_list(const std::string& list) {
  std::vector<std::string> specs, canonical;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (item.empty()) throw Error("--activations '" + list + "': an empty name (two commas, or one at an end)");
    Activation a;
    try {
      a = parse_activation(item);
    } catch (const Error& e) {
      throw Error("--activations: " + std::string(e.what()));
    }
    if (a.info->output_only) throw Error("--activations: '" + item + "' belongs on the output layer, not a hidden one");
    const auto same = std::find(canonical.begin(), canonical.end(), a.spec());
    if (same != canonical.end())
      throw Error("--activations: '" + item + "' is the same activation as '" + specs[same - canonical.begin()] +
                  "'; give each once");
    specs.push_back(item);
    canonical.push_back(a.spec());
  }
  if (specs.empty()) throw Error("--activations: give at least one activation, e.g. relu,tanh");
  if (!list.empty() && list.back() == ',') throw Error("--activations '" + list + "': trailing comma");
  return specs;
}

// Checks everything a run could reject, before the first one starts.
void check_runs(const CompareOptions& c, const Setup& s) {
  const TrainOptions& o = c.train;
  if (c.seeds < 1) throw Error("--seeds must be at least 1 (got " + std::to_string(c.seeds) + ")");
  if (c.jobs < 0) throw Error("--jobs must be at least 1, or 0 for one per core");
  if (o.layers.empty() || o.layers == "none")
    throw Error("--layers " + o.layers + ": without a hidden layer there is no activation to compare");
  if (o.layers.find(':') != std::string::npos)
    throw Error("--layers '" + o.layers +
                "': per-layer activations would override --activations; give sizes only (e.g. --layers 64,32)");
  if (o.val_file.empty() && !(o.val_split > 0))
    throw Error("compare ranks activations on validation data: give --val-split > 0 or --val FILE");
  for (const std::string& a : s.activations) {
    TrainOptions run = o;
    run.activation = a;
    check_train_options(run);
  }
  csv::read(o.data, o.csv.resolve());  // the data file's errors once, not once per run
  for (const std::string* file : {&o.val_file, &o.test_file})
    if (!file->empty() && access(file->c_str(), R_OK) != 0) throw Error(*file + ": no such file, or not readable");
}

// An output file's directory must exist before hours are spent on the runs that fill it.
void check_writable(const std::string& option, const std::string& path) {
  if (path.empty()) return;
  const fs::path dir = fs::path(path).parent_path();
  if (!dir.empty() && access(dir.c_str(), W_OK) != 0)
    throw Error(option + " " + path + ": the directory '" + dir.string() + "' does not exist or is not writable");
}

// ---- 2. one run's record, read back: the numbers of the table ---------------------------------

struct RunStats {
  std::vector<double> curve;  // the validation metric of each epoch, epoch = index + 1
  int epochs_run = 0, best_epoch = 0;
  double train_loss = kNaN, val_loss = kNaN, metric = kNaN;  // at best_epoch, the weights it ended with
  double epochs_to_95 = kNaN;
  double dead = kNaN;       // share of hidden units dead in the last epoch, over every hidden layer
  double grad_norm = kNaN;  // the first hidden layer's mean ‖dW‖ in epoch 1
  double seconds = kNaN;
};

// What the records say of the whole comparison (the same for every run).
struct Kind {
  std::string task;    // "classification", "regression"
  std::string metric;  // the history's metric column: "val_acc", "val_r2"
  std::string layers;  // the hidden layers the runs had (--layers auto resolved)
};

// The first epoch whose metric reached best − 5% of |best|, best being the run's highest: 95% of
// the best accuracy, and a bound below the best for an R² that may be negative.
double epochs_to_95(const std::vector<double>& curve) {
  double best = -std::numeric_limits<double>::infinity();
  for (double v : curve)
    if (std::isfinite(v)) best = std::max(best, v);
  if (!std::isfinite(best)) return kNaN;
  const double bar = best - 0.05 * std::abs(best);
  for (std::size_t e = 0; e < curve.size(); ++e)
    if (curve[e] >= bar) return static_cast<double>(e + 1);
  return kNaN;
}

// where: "relu, seed 42" or the file, for the errors.
RunStats read_run(const TrainRecord& record, const std::string& where, Kind& kind) {
  RunStats r;
  json summary;
  try {
    summary = json::parse(record.summary);
    r.best_epoch = summary.at("best_epoch").get<int>();
    r.seconds = summary.at("seconds").get<double>();
    kind.task = summary.at("task").get<std::string>();
    kind.layers = summary.value("layers", kind.layers);
  } catch (const json::exception& e) {
    throw Error(where + ": not a finished run's --json summary (" + e.what() + ")");
  }

  const Sheet history = read_sheet(record.history, where, "--history");
  if (history.rows.empty() || history.header.size() < 4) throw Error(where + ": its --history CSV has no epochs");
  const std::size_t epoch = history.need("epoch"), train = history.need("train_loss"), val = history.need("val_loss");
  kind.metric = history.header[3];
  for (std::size_t i = 0; i < history.rows.size(); ++i) {
    r.curve.push_back(history.number(i, 3));
    if (static_cast<int>(history.number(i, epoch)) == r.best_epoch) {
      r.train_loss = history.number(i, train);
      r.val_loss = history.number(i, val);
      r.metric = history.number(i, 3);
    }
  }
  r.epochs_run = static_cast<int>(r.curve.size());
  r.epochs_to_95 = epochs_to_95(r.curve);

  const Sheet d = read_sheet(record.diagnostics, where, "--diagnostics");
  const std::size_t d_epoch = d.need("epoch"), layer = d.need("layer"), units = d.need("units"),
                    dead = d.need("dead_share"), grad = d.need("grad_norm");
  double dead_units = 0, all_units = 0;
  for (std::size_t i = 0; i < d.rows.size(); ++i) {
    const int e = static_cast<int>(d.number(i, d_epoch));
    if (e == 1 && d.number(i, layer) == 1) r.grad_norm = d.number(i, grad);
    if (e == r.epochs_run) {
      dead_units += std::round(d.number(i, dead) * d.number(i, units));  // the CSV's share is rounded
      all_units += d.number(i, units);
    }
  }
  if (all_units > 0) r.dead = dead_units / all_units;  // none with --layers none
  return r;
}

// ---- 3. running: in process on worker threads, or as a plan of `mlp train` commands -----------

std::vector<RunStats> run_in_process(const Setup& s, const TrainOptions& base, int jobs, Kind& kind) {
  const std::vector<Job> all = jobs_of(s);
  std::vector<RunStats> results(all.size());
  std::vector<Kind> kinds(all.size());
  std::vector<std::string> errors(all.size());
  std::atomic<std::size_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  std::mutex draw;
  const bool bar = Progress(stderr, false).interactive();  // quiet unless stderr is a terminal
  const auto start = std::chrono::steady_clock::now();
  if (bar) std::fprintf(stderr, "compare: 0/%zu runs done", all.size());

  set_threads(base.threads);  // once, before the workers: every run reads it
  auto worker = [&] {
    for (std::size_t i; !failed && (i = next++) < all.size();) {
      TrainOptions o = base;
      o.activation = s.activations[all[i].activation];
      o.seed = all[i].seed;
      const std::string where = o.activation + ", seed " + std::to_string(o.seed);
      try {
        results[i] = read_run(train_record(o), where, kinds[i]);
      } catch (const std::exception& e) {
        errors[i] = where + ": " + e.what();
        failed = true;
      }
      const std::size_t n = ++done;
      if (bar) {
        const std::lock_guard<std::mutex> lock(draw);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::fprintf(stderr, "\r\033[Kcompare: %zu/%zu runs done, %.0fs", n, all.size(), seconds);
        std::fflush(stderr);
      }
    }
  };
  const int workers = std::clamp(jobs > 0 ? jobs : hardware_threads(), 1, static_cast<int>(all.size()));
  std::vector<std::thread> threads;
  for (int t = 0; t < workers; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (bar) std::fprintf(stderr, "\r\033[K");

  for (const std::string& e : errors)  // the first failed run in the table's order, whatever the timing
    if (!e.empty()) throw Error(e);
  kind = kinds.front();
  return results;
}

// A word as /bin/sh reads it: bare when it can be (so `xargs -I{} sh -c {}`, which strips quotes,
// passes it on unchanged), else in single quotes.
std::string shell_word(const std::string& s) {
  const bool safe = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string("_-+=.,:/@%").find(c) != std::string::npos;
  });
  if (safe) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Every option of a run as `--name=value` (flags bare, unset ones left out), from the list the
// model file and --write-config are written from: whatever train accepts, the plan passes on.
std::vector<std::string> train_arguments(const TrainOptions& o) {
  std::vector<std::string> args = {o.data};
  o.visit([&](const char* name, const auto& value) {
    using T = std::decay_t<decltype(value)>;
    std::string flag = std::string("--") + name;
    std::replace(flag.begin(), flag.end(), '_', '-');
    if (flag == "--data") return;  // the positional, first
    if constexpr (std::is_same_v<T, bool>) {
      if (value) args.push_back(flag);
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!value.empty()) args.push_back(flag + "=" + value);
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      std::string list;
      for (const auto& v : value) list += (list.empty() ? "" : ",") + v;
      if (!value.empty()) args.push_back(flag + "=" + list);
    } else if constexpr (std::is_floating_point_v<T>) {
      char buf[32];
      const auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;  // the shortest that reads back the same
      args.push_back(flag + "=" + std::string(buf, end));
    } else {
      args.push_back(flag + "=" + std::to_string(value));
    }
  });
  return args;
}

std::string absolute(const std::string& path) {
  return path.empty() ? path : fs::absolute(path).lexically_normal().string();
}

// runs.txt → runs/ (runs.d/ for a plan named without an extension).
std::string default_plan_dir(const std::string& plan) {
  fs::path dir = fs::path(plan).replace_extension();
  if (dir == fs::path(plan)) dir += ".d";
  return dir.string();
}

int write_plan(const CompareOptions& c, const Setup& s) {
  const std::string dir = c.plan_dir.empty() ? default_plan_dir(c.plan) : c.plan_dir;
  std::error_code ec;
  if (fs::exists(dir) && !fs::is_empty(dir, ec))
    throw Error("--plan-dir " + dir +
                ": exists and is not empty (its files could be taken for this plan's); "
                "remove it or name another with --plan-dir");
  check_writable("--plan", c.plan);

  TrainOptions base = c.train;  // paths made absolute: the commands run from any directory
  base.data = absolute(base.data);
  base.val_file = absolute(base.val_file);
  base.test_file = absolute(base.test_file);
  base.json = base.quiet = true;
  const std::string exe = fs::canonical("/proc/self/exe").string();
  const std::string abs_dir = absolute(dir);

  std::string lines;
  json runs = json::array();
  int line = 0;
  for (const Job& j : jobs_of(s)) {
    TrainOptions o = base;
    o.activation = s.activations[j.activation];
    o.seed = j.seed;
    const std::string name = stem(o.activation, j.seed), files = abs_dir + "/" + name;
    o.history = files + ".history.csv";
    o.diagnostics = files + ".diagnostics.csv";
    std::string command = shell_word(exe) + " train";
    for (const std::string& arg : train_arguments(o)) command += " " + shell_word(arg);
    // The summary is the last thing train prints, so an empty file is a run that has not finished.
    lines += command + " > " + shell_word(files + ".json") + " 2> " + shell_word(files + ".log") + "\n";
    runs.push_back({{"activation", o.activation}, {"seed", j.seed}, {"files", name}, {"line", ++line}});
  }
  if (!fs::create_directories(dir, ec) && ec) throw Error("--plan-dir " + dir + ": cannot create it: " + ec.message());
  const json manifest = {{"mlp_compare_plan", 1}, {"data", s.data},       {"activations", s.activations},
                         {"seeds", s.seeds},      {"options", s.options}, {"plan", absolute(c.plan)},
                         {"runs", runs}};
  write_file_atomically(dir + "/" + kManifest, manifest.dump(2) + "\n");
  write_file_atomically(c.plan, lines);
  // xargs strips quotes unless told that only newlines separate its items (GNU's -d).
  const std::string plan = shell_word(c.plan), split = lines.find('\'') == std::string::npos ? "" : "-d '\\n' ";
  std::printf("%s: %d `mlp train` commands, one per line; their files go to %s/\n", c.plan.c_str(), line, dir.c_str());
  std::printf("run them anywhere, e.g.\n  xargs %s-P %d -I{} sh -c {} < %s\n  parallel < %s\n", split.c_str(),
              hardware_threads(), plan.c_str(), plan.c_str());
  std::printf("  sbatch --array=1-%d --wrap 'sed -n \"${SLURM_ARRAY_TASK_ID}p\" %s | sh'\n", line, plan.c_str());
  std::printf("then: mlp compare --collect %s\n", shell_word(dir).c_str());
  return 0;
}

// A plan's directory, read back: the setup from its manifest, each run from its files. Runs that
// have not finished (no summary yet, or an empty one) are named, all of them, and nothing is built.
std::vector<RunStats> collect(const std::string& dir, Setup& s, Kind& kind) {
  const fs::path manifest_path = fs::path(dir) / kManifest;
  if (!fs::exists(manifest_path))
    throw Error("--collect " + dir + ": no " + kManifest + " in it (not a directory written by mlp compare --plan)");
  json m;
  try {
    m = json::parse(read_file(manifest_path));
    s.data = m.at("data").get<std::string>();
    s.activations = m.at("activations").get<std::vector<std::string>>();
    s.seeds = m.at("seeds").get<std::vector<std::uint64_t>>();
    s.options = m.at("options");
  } catch (const json::exception& e) {
    throw Error(manifest_path.string() + ": not a compare plan's manifest (" + e.what() + ")");
  }
  if (s.activations.empty() || s.seeds.empty())
    throw Error(manifest_path.string() + ": lists no activation or no seed (was it edited?)");

  // Each run's files, in the table's order (jobs_of), whatever the manifest's.
  const std::vector<Job> jobs = jobs_of(s);
  std::vector<std::string> files(jobs.size()), where_in_plan(jobs.size());
  const std::string plan = m.value("plan", std::string("the plan"));
  try {
    for (const json& run : m.at("runs")) {
      const auto a = std::find(s.activations.begin(), s.activations.end(), run.at("activation").get<std::string>());
      const auto seed = std::find(s.seeds.begin(), s.seeds.end(), run.at("seed").get<std::uint64_t>());
      if (a == s.activations.end() || seed == s.seeds.end())
        throw Error(manifest_path.string() + ": a run of an activation or seed it does not list");
      const std::size_t i =
          static_cast<std::size_t>(a - s.activations.begin()) * s.seeds.size() + (seed - s.seeds.begin());
      files[i] = (fs::path(dir) / run.at("files").get<std::string>()).string();
      where_in_plan[i] =
          *a + " seed " + std::to_string(*seed) + ": line " + std::to_string(run.at("line").get<int>()) + " of " + plan;
    }
  } catch (const json::exception& e) {
    throw Error(manifest_path.string() + ": a run without its activation, seed, files or line (" + e.what() + ")");
  }
  for (std::size_t i = 0; i < jobs.size(); ++i)
    if (files[i].empty())
      throw Error(manifest_path.string() + ": no run of " + s.activations[jobs[i].activation] + " with seed " +
                  std::to_string(jobs[i].seed) + " (was it edited?)");

  std::vector<RunStats> results;
  std::vector<std::string> unfinished;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const std::string where = files[i] + ".json";
    TrainRecord record{read_file(files[i] + ".history.csv"), read_file(files[i] + ".diagnostics.csv"),
                       read_file(where)};
    if (record.summary.empty()) {
      const std::string log = read_file(files[i] + ".log");
      unfinished.push_back(where_in_plan[i] +
                           (log.empty() ? "" : ", whose log says: " + log.substr(0, log.find('\n'))));
      continue;
    }
    results.push_back(read_run(record, where, kind));
  }
  if (!unfinished.empty()) {
    std::string list;
    for (std::size_t i = 0; i < unfinished.size() && i < 10; ++i) list += "\n  " + unfinished[i];
    if (unfinished.size() > 10) list += "\n  ... and " + std::to_string(unfinished.size() - 10) + " more";
    throw Error("--collect " + dir + ": " + std::to_string(unfinished.size()) + " of " + std::to_string(jobs.size()) +
                " runs left no summary (not run yet, still running, or failed):" + list +
                "\nrun those lines (again), then collect again");
  }
  return results;
}

// ---- 4. the table, the CSV files and the chart, from the runs' stats --------------------------

// One measure of a run, once: its CSV name, its heading, how a value is written.
struct Measure {
  std::string key, heading;
  double RunStats::*field;
  int decimals;           // in the table; kSignificant: three significant digits for the column's smallest mean
  double scale = 1;       // 100 for a share written as a percentage
  const char* unit = "";  // "%"
};
constexpr int kSignificant = -1;  // for values spanning decades: losses, gradient norms

std::string metric_words(const Kind& k) {
  return k.metric == "val_acc" ? "accuracy" : k.metric == "val_r2" ? "r2" : k.metric;
}

std::vector<Measure> measures(const Kind& k) {
  return {{"train_loss", "train loss", &RunStats::train_loss, kSignificant},
          {"val_loss", "val loss", &RunStats::val_loss, kSignificant},
          {k.metric, "val " + metric_words(k), &RunStats::metric, 4},
          {"epochs_to_95", "epochs to 95%", &RunStats::epochs_to_95, 1},
          {"dead_share", "dead units", &RunStats::dead, 1, 100, "%"},
          {"grad_norm_layer1_epoch1", "layer 1 grad", &RunStats::grad_norm, kSignificant},
          {"seconds", "time (s)", &RunStats::seconds, 2}};
}

// Mean and sample standard deviation (n − 1) of the finite values; sd is NaN for fewer than two.
struct Summary {
  double mean = kNaN, sd = kNaN;
};
Summary summarize(const std::vector<double>& values) {
  std::vector<double> v;
  for (double x : values)
    if (std::isfinite(x)) v.push_back(x);
  Summary s;
  if (v.empty()) return s;
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  if (v.size() >= 2) {
    double ss = 0;
    for (double x : v) ss += (x - s.mean) * (x - s.mean);
    s.sd = std::sqrt(ss / static_cast<double>(v.size() - 1));
  }
  return s;
}

// The runs of one activation, in seed order.
std::vector<const RunStats*> runs_of(const Setup& s, const std::vector<RunStats>& runs, std::size_t activation) {
  std::vector<const RunStats*> out;
  for (std::size_t i = 0; i < s.seeds.size(); ++i) out.push_back(&runs[activation * s.seeds.size() + i]);
  return out;
}

Summary summarize(const std::vector<const RunStats*>& runs, double RunStats::*field) {
  std::vector<double> v;
  for (const RunStats* r : runs) v.push_back(r->*field);
  return summarize(v);
}

std::size_t display_width(const std::string& s) {  // UTF-8: one column per character ("±")
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}
std::string pad_left(const std::string& s, std::size_t width) {
  return std::string(width - std::min(width, display_width(s)), ' ') + s;
}
std::string pad_right(const std::string& s, std::size_t width) {
  return s + std::string(width - std::min(width, display_width(s)), ' ');
}

std::string describe(const Setup& s) {
  const json& o = s.options;
  std::string seeds = s.seeds.size() == 1
                          ? "seed " + std::to_string(s.seeds.front())
                          : std::to_string(s.seeds.size()) + " seeds (" + std::to_string(s.seeds.front()) + ".." +
                                std::to_string(s.seeds.back()) + ")";
  return "layers " + o.value("layers", std::string("?")) + ", " + o.value("optimizer", std::string("?")) + ", " +
         std::to_string(o.value("epochs", 0)) + " epochs; " + seeds;
}

// The digits after the point for a column: fixed, or enough for three significant digits of its
// smallest mean (0.00123, 0.0456 and 1.23 as 0.00123, 0.04560, 1.23000); below 0.001 the column
// is written with exponents instead (1.18e-05 ± 7.1e-07), which reads better than a row of zeros.
constexpr int kExponent = -2;
int decimals(const Measure& m, const std::vector<Summary>& column) {
  if (m.decimals != kSignificant) return m.decimals;
  double smallest = std::numeric_limits<double>::infinity();
  for (const Summary& s : column)
    if (std::isfinite(s.mean) && s.mean != 0) smallest = std::min(smallest, std::abs(s.mean * m.scale));
  if (!std::isfinite(smallest)) return 2;
  if (smallest < 1e-3) return kExponent;
  return std::clamp(2 - static_cast<int>(std::floor(std::log10(smallest))), 0, 8);
}

// A mean (significant = 3) or a standard deviation (2) in a column's format.
std::string fixed(double v, int decimals, const char* unit, int significant = 3) {
  char buf[64];
  if (decimals == kExponent)
    std::snprintf(buf, sizeof buf, "%.*e%s", significant - 1, v, unit);
  else
    std::snprintf(buf, sizeof buf, "%.*f%s", decimals, v, unit);
  return buf;
}

std::string table(const Setup& s, const Kind& k, const std::vector<RunStats>& runs) {
  const std::vector<Measure> ms = measures(k);
  const bool spread = s.seeds.size() > 1;
  // Cells: [activation][measure] = (mean text, sd text).
  std::vector<std::vector<std::pair<std::string, std::string>>> cells;
  cells.resize(s.activations.size());
  for (const Measure& m : ms) {  // column by column: a column's values share their decimals
    std::vector<Summary> column;
    for (std::size_t a = 0; a < s.activations.size(); ++a) column.push_back(summarize(runs_of(s, runs, a), m.field));
    const int places = decimals(m, column);
    for (std::size_t a = 0; a < s.activations.size(); ++a) {
      const Summary& sum = column[a];
      cells[a].push_back({std::isnan(sum.mean) ? "-" : fixed(sum.mean * m.scale, places, m.unit),
                          std::isnan(sum.sd) ? "" : fixed(sum.sd * m.scale, places, m.unit, 2)});
    }
  }
  std::size_t first = std::string("activation").size();
  for (const auto& a : s.activations) first = std::max(first, a.size());
  std::vector<std::size_t> mean_w(ms.size(), 0), sd_w(ms.size(), 0), width(ms.size());
  for (const auto& row : cells)
    for (std::size_t m = 0; m < ms.size(); ++m) {
      mean_w[m] = std::max(mean_w[m], display_width(row[m].first));
      sd_w[m] = std::max(sd_w[m], display_width(row[m].second));
    }
  for (std::size_t m = 0; m < ms.size(); ++m)
    width[m] = std::max(ms[m].heading.size(), mean_w[m] + (spread && sd_w[m] ? 3 + sd_w[m] : 0));

  std::string t = s.data + ": " + describe(s) + (spread ? "; mean ± sd over the seeds" : "") + "\n\n";
  t += pad_right("activation", first);
  for (std::size_t m = 0; m < ms.size(); ++m) t += "   " + pad_left(ms[m].heading, width[m]);
  t += "\n";
  for (std::size_t a = 0; a < cells.size(); ++a) {
    t += pad_right(s.activations[a], first);
    for (std::size_t m = 0; m < ms.size(); ++m) {
      const auto& [mean, sd] = cells[a][m];
      std::string cell = pad_left(mean, mean_w[m]);
      if (spread && sd_w[m]) cell += sd.empty() ? std::string(3 + sd_w[m], ' ') : " ± " + pad_left(sd, sd_w[m]);
      t += "   " + pad_left(cell, width[m]);
    }
    t += "\n";
  }
  const std::string metric = "val " + metric_words(k);
  t += "\ntrain loss, val loss, " + metric +
       ": at the epoch whose weights the run ended with (the best one if early stopping restored it)\n"
       "epochs to 95%: the first epoch whose " +
       metric +
       " reached its best - 5% of |best|\n"
       "dead units: hidden units that passed no gradient on any sample in the last epoch, over all hidden layers\n"
       "layer 1 grad: the first hidden layer's gradient norm ||dW||, mean over the steps of epoch 1 (where vanishing "
       "gradients show)\n"
       "time: seconds of training per run\n";
  return t;
}

std::string csv_number(double v) { return std::isfinite(v) ? fmt("%.9g", v) : ""; }

std::string summary_csv(const Setup& s, const Kind& k, const std::vector<RunStats>& runs) {
  const std::vector<Measure> ms = measures(k);
  std::string out = "activation,runs";
  for (const Measure& m : ms) out += "," + m.key + "_mean," + m.key + "_sd";
  out += "\n";
  for (std::size_t a = 0; a < s.activations.size(); ++a) {
    out += s.activations[a] + "," + std::to_string(s.seeds.size());
    for (const Measure& m : ms) {
      const Summary sum = summarize(runs_of(s, runs, a), m.field);
      out += "," + csv_number(sum.mean) + "," + csv_number(sum.sd);
    }
    out += "\n";
  }
  return out;
}

std::string runs_csv(const Setup& s, const Kind& k, const std::vector<RunStats>& runs) {
  const std::vector<Measure> ms = measures(k);
  std::string out = "activation,seed,epochs_run,best_epoch";
  for (const Measure& m : ms) out += "," + m.key;
  out += "\n";
  const std::vector<Job> jobs = jobs_of(s);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    out += s.activations[jobs[i].activation] + "," + std::to_string(jobs[i].seed) + "," +
           std::to_string(runs[i].epochs_run) + "," + std::to_string(runs[i].best_epoch);
    for (const Measure& m : ms) out += "," + csv_number(runs[i].*m.field);
    out += "\n";
  }
  return out;
}

// The validation metric per epoch: one line per activation, the mean over the seeds still running
// at that epoch, in a band from the lowest seed to the highest.
std::string chart(const Setup& s, const Kind& k, const std::vector<RunStats>& runs) {
  svg::LineChart c;
  const std::string words = metric_words(k);
  c.title = "Validation " + words + " per epoch: " + fs::path(s.data).filename().string();
  c.subtitle = describe(s) + (s.seeds.size() > 1 ? "\nline: mean over the seeds; band: lowest to highest seed" : "");
  c.y_label = "validation " + words;
  double lowest = std::numeric_limits<double>::infinity();
  std::size_t longest = 0;
  for (const RunStats& r : runs) longest = std::max(longest, r.curve.size());
  // Most of what differs happens in the first epochs: on a log axis they get room.
  c.log_x = longest >= 50;
  if (std::any_of(runs.begin(), runs.end(), [&](const RunStats& r) { return r.curve.size() != longest; }))
    c.subtitle += "; after a run stopped early, the seeds still running";
  c.x_label = c.log_x ? "epoch (log scale)" : "epoch";
  for (std::size_t a = 0; a < s.activations.size(); ++a) {
    svg::Series line;
    line.name = s.activations[a];
    const auto seeds = runs_of(s, runs, a);
    std::size_t epochs = 0;
    for (const RunStats* r : seeds) epochs = std::max(epochs, r->curve.size());
    for (std::size_t e = 0; e < epochs; ++e) {
      std::vector<double> v;
      for (const RunStats* r : seeds)
        if (e < r->curve.size()) v.push_back(r->curve[e]);
      line.x.push_back(static_cast<double>(e + 1));
      line.y.push_back(summarize(v).mean);
      if (s.seeds.size() > 1) {
        double lo = kNaN, hi = kNaN;
        for (double x : v)
          if (std::isfinite(x)) lo = std::isnan(lo) ? x : std::min(lo, x), hi = std::isnan(hi) ? x : std::max(hi, x);
        line.lower.push_back(lo);
        line.upper.push_back(hi);
      }
      if (std::isfinite(line.y.back())) lowest = std::min(lowest, line.y.back());
    }
    c.series.push_back(std::move(line));
  }
  // R² of the first epochs can be far below 0; the axis stops at -1, where the curves that matter begin.
  if (k.metric == "val_r2" && lowest < -1) {
    double highest = -1;
    for (const auto& line : c.series)
      for (std::size_t i = 0; i < line.y.size(); ++i) {
        if (std::isfinite(line.y[i])) highest = std::max(highest, line.y[i]);
        if (!line.upper.empty() && std::isfinite(line.upper[i])) highest = std::max(highest, line.upper[i]);
      }
    c.y_min = -1;
    c.y_max = svg::nice_ticks(-1, highest).last;
    c.subtitle += "; r2 below -1 not shown";
  }
  return svg::render(c);
}

void report(const CompareOptions& c, const Setup& s, const Kind& k, const std::vector<RunStats>& runs) {
  std::printf("%s", table(s, k, runs).c_str());
  if (!c.out_csv.empty()) write_file_atomically(c.out_csv, summary_csv(s, k, runs));
  if (!c.runs_csv.empty()) write_file_atomically(c.runs_csv, runs_csv(s, k, runs));
  if (!c.svg.empty()) write_file_atomically(c.svg, chart(s, k, runs));
}

int compare(const CompareOptions& c, const CLI::App& cmd) {
  check_writable("-o", c.out_csv);
  check_writable("--runs", c.runs_csv);
  check_writable("--svg", c.svg);
  Setup s;
  Kind kind;
  if (!c.collect.empty()) {
    for (const CLI::Option* opt : cmd.get_options())
      if (opt->count() > 0 && !opt->check_name("--collect") && !opt->check_name("-o") && !opt->check_name("--runs") &&
          !opt->check_name("--svg"))
        throw Error("--collect builds the table from the runs' files alone; " + opt->get_name() +
                    " belongs to the compare that wrote the plan");
    const std::vector<RunStats> runs = collect(c.collect, s, kind);
    if (!kind.layers.empty()) s.options["layers"] = kind.layers;
    report(c, s, kind, runs);
    return 0;
  }
  if (!c.single_activation.empty())
    throw Error("compare takes --activations, a list (e.g. --activations relu," + c.single_activation +
                "), not --activation");
  if (c.train.data.empty()) throw Error("compare needs a data file (or --collect DIR to read a plan's runs)");
  if (c.train.epochs == kAutoEpochs)
    throw Error(
        "--epochs auto: compare draws the validation curves of runs of one fixed length; give --epochs N "
        "(200 when not given)");
  s.data = c.train.data;
  s.activations = parse_activation_list(c.activations);
  s.options = options_json(c.train);
  s.options.erase("activation");  // each run's own, as is the seed
  check_runs(c, s);
  for (int i = 0; i < c.seeds; ++i) s.seeds.push_back(c.train.seed + static_cast<std::uint64_t>(i));
  if (!c.plan.empty()) {
    if (!c.out_csv.empty() || !c.runs_csv.empty() || !c.svg.empty())
      throw Error("--plan trains nothing, so it has no table to write: give -o, --runs and --svg to --collect");
    return write_plan(c, s);
  }

  const auto start = std::chrono::steady_clock::now();
  const std::vector<RunStats> runs = run_in_process(s, c.train, c.jobs, kind);
  if (!kind.layers.empty()) s.options["layers"] = kind.layers;
  report(c, s, kind, runs);
  const int jobs = c.jobs > 0 ? c.jobs : hardware_threads();
  std::printf("\n%zu runs in %.1fs on %d worker thread%s\n", runs.size(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
              std::min<int>(jobs, static_cast<int>(runs.size())), jobs > 1 && runs.size() > 1 ? "s" : "");
  return 0;
}

}  // namespace

Command add_compare_command(CLI::App& app) {
  auto c = std::make_shared<CompareOptions>();
  auto* cmd = app.add_subcommand(
      "compare",
      "Train the same network with each of several hidden activations and seeds; one row per activation (mean ± sd "
      "over the seeds), optionally a CSV and an SVG of the validation curves");
  c->train.epochs = 200;  // a comparison draws the validation curves of fixed-length runs
  add_training_options(cmd, c->train);
  // --activations replaces train's --activation, kept hidden only to say so.
  cmd->remove_option(cmd->get_option("--activation"));
  cmd->add_option("--activation", c->single_activation)->group("");
  cmd->get_option("data")->required(false);  // not with --collect
  cmd->get_option("--layers")->description("Hidden layer sizes, e.g. 64,32");
  cmd->add_option("--activations", c->activations,
                  "Hidden activations to compare, comma-separated, each with its parameter if any (e.g. "
                  "relu,leaky_relu:0.3,elu); known: " +
                      mlp::activation_names())
      ->capture_default_str();
  cmd->add_option("--seeds", c->seeds, "Runs per activation, with seeds --seed, --seed + 1, ...")
      ->capture_default_str();
  cmd->add_option("--jobs", c->jobs,
                  "Runs trained at once, on worker threads (0 = one per core); each run uses --threads threads")
      ->capture_default_str();
  cmd->add_option("-o,--output", c->out_csv, "Write the table to this CSV file: one row per activation, mean and sd");
  cmd->add_option("--runs", c->runs_csv, "Write every run's numbers to this CSV file: one row per activation and seed");
  cmd->add_option("--svg", c->svg, "Draw the validation curves to this SVG file: one colour per activation");
  cmd->add_option("--plan", c->plan,
                  "Train nothing: write one self-contained `mlp train` command per run to this file, for xargs -P, GNU "
                  "parallel or a job array");
  cmd->add_option("--plan-dir", c->plan_dir,
                  "Where the planned runs write their files (default: the plan's name without its extension, e.g. "
                  "runs/ for runs.txt); must be new or empty");
  cmd->add_option("--collect", c->collect, "Build the table from the files a plan's runs left in this directory");
  return {cmd, [c, cmd] { return compare(*c, *cmd); }};
}

}  // namespace mlp::app
