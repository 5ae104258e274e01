// `mlp born-dead`: how often a deep, narrow network starts life as a constant function, "born dead"
// (Lu, Shin, Su & Karniadakis, "Dying ReLU and Initialization", Commun. Comput. Phys. 28, 2020):
// He-initialised nets on a 1-D input grid, counted by width and depth. Computed in double, with the
// engine's Dense layer on the whole grid as one batch (apps/CMakeLists.txt).
#include "cli.hpp"
#include "progress.hpp"
#include "text.hpp"

#include "mlp/dense.hpp"
#include "mlp/error.hpp"
#include "mlp/io/files.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

namespace mlp::app {

namespace {

constexpr Index kGridPoints = 2001;

struct BornDeadArgs {
  std::vector<long> widths = {2, 3, 4, 8};
  std::vector<long> depths = {1, 2, 5, 10, 20, 50};
  long trials = 2000;
  std::string bias = "zero";
  std::string activation = "relu";
  std::uint64_t seed = 42;
  int threads = 0;  // 0: one per core
  std::string out;
};

// The seed of trial `trial` of width `width`: each net has a stream of its own, so its weights do not
// depend on which nets ran before it, nor on which thread draws it.
std::uint64_t stream_seed(std::uint64_t seed, long width, long trial) {
  auto mix = [](std::uint64_t z) {  // splitmix64's finaliser
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  std::uint64_t s = mix(seed);
  for (long v : {width, trial}) s = mix(s ^ static_cast<std::uint64_t>(v));
  return s;
}

// Whether a layer's output A (P, width) is the same row at every grid point.
bool constant_over_grid(const ConstMatrixView& A) {
  for (Index i = 1; i < A.rows(); ++i)
    if (A.row(i) != A.row(0)) return false;
  return true;
}

// One net's layers, reused for every net of one width: the first (1 → width), and two hidden
// (width → width) used in turn, each reading the other's output.
struct Layers {
  std::unique_ptr<Dense> first, hidden[2];
  Layers(long width, const Activation& act) {
    Rng unused(0);  // the weights are redrawn for every net
    first = std::make_unique<Dense>(1, width, act, InitKind::HeNormal, unused);
    for (auto& h : hidden) h = std::make_unique<Dense>(width, width, act, InitKind::HeNormal, unused);
  }
  Dense& layer(long l) { return l == 1 ? *first : *hidden[l % 2]; }  // l = 1, 2, ...
};

// Where one net first became constant: the first hidden layer (1-based) that is 0 at every grid point
// (born dead), and the first that is the same at every grid point; 0 where there is none.
struct Fate {
  long zero_at = 0, constant_at = 0;
};

// Draws a net of `depth` layers one layer at a time (He-normal weights N(0, 2/fan_in), biases 0 or
// from the same normal) and runs the grid X (P, 1) through it. Stops at the first layer that is 0
// on the grid. After a layer that is constant but not 0, the rest see one row: every row is that row.
Fate draw_net(Layers& net, long depth, bool he_bias, const Matrix& X, Rng& rng) {
  Fate fate;
  for (long l = 1; l <= depth; ++l) {
    Dense& d = net.layer(l);
    initialize(d.W, InitKind::HeNormal, rng);
    const double sd = std::sqrt(2.0 / static_cast<double>(d.W.cols()));
    for (Index j = 0; j < d.b.size(); ++j) d.b(j) = he_bias ? static_cast<Scalar>(rng.normal(0.0, sd)) : Scalar(0);
    const ConstMatrixView in = l == 1 ? ConstMatrixView(X.data(), X.rows(), 1) : net.layer(l - 1).A();
    const ConstMatrixView A =
        d.forward(fate.constant_at ? ConstMatrixRef(in.topRows(1)) : ConstMatrixRef(in), false, rng);
    if (!fate.constant_at && constant_over_grid(A)) fate.constant_at = l;
    if (fate.constant_at && (A.row(0).array() == Scalar(0)).all()) {
      fate.zero_at = l;
      break;
    }
  }
  return fate;
}

std::string percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * share);
  return buf;
}

// dead[w][d]: nets of widths[w] and depths[d] with a layer that is 0 (or, in `constant`, the same)
// at every grid point.
struct Counts {
  std::vector<std::vector<long>> dead, constant;
};

// Runs `trials` nets of each width. Trial t of a width draws one net of the largest depth; the net of
// depth d is its first d layers, dead when its first 0 layer is among them. Work is handed out in
// blocks of trials to `threads` workers; every net has its own stream, and counts are sums, so the
// result is the same for any number of threads.
Counts run_trials(const BornDeadArgs& a, const Activation& act, bool he_bias, const Matrix& X, int threads) {
  const long max_depth = *std::max_element(a.depths.begin(), a.depths.end());
  const long block = 25;
  struct Item {
    std::size_t w;
    long begin, end;
  };
  std::vector<Item> items;  // widest first: the slowest blocks start early, the quick ones fill the end
  for (std::size_t w = a.widths.size(); w-- > 0;)
    for (long t = 0; t < a.trials; t += block) items.push_back({w, t, std::min(t + block, a.trials)});

  Counts c;
  c.dead.assign(a.widths.size(), std::vector<long>(a.depths.size(), 0));
  c.constant = c.dead;
  std::mutex m;
  std::condition_variable finished;
  std::size_t next = 0;
  long done = 0;
  int running = threads;
  std::exception_ptr error;
  auto worker = [&] {
    try {
      std::unique_ptr<Layers> net;
      long net_width = 0;
      std::vector<Fate> fates;
      for (;;) {
        Item item;
        {
          std::lock_guard<std::mutex> lock(m);
          if (next == items.size() || error) break;
          item = items[next++];
        }
        const long width = a.widths[item.w];
        if (width != net_width) {
          net = std::make_unique<Layers>(width, act);
          net_width = width;
        }
        fates.clear();
        for (long t = item.begin; t < item.end; ++t) {
          Rng rng(stream_seed(a.seed, width, t));
          fates.push_back(draw_net(*net, max_depth, he_bias, X, rng));
        }
        std::lock_guard<std::mutex> lock(m);
        for (const Fate& f : fates)
          for (std::size_t d = 0; d < a.depths.size(); ++d) {
            c.dead[item.w][d] += f.zero_at && f.zero_at <= a.depths[d];
            c.constant[item.w][d] += f.constant_at && f.constant_at <= a.depths[d];
          }
        done += item.end - item.begin;
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(m);
      if (!error) error = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(m);
    --running;
    finished.notify_all();
  };

  // Progress on stderr once a run has taken a second, only on a terminal (as `mlp train` does).
  const bool bar = Progress(stderr, false).interactive();
  const auto start = std::chrono::steady_clock::now();
  const long total = static_cast<long>(a.widths.size()) * a.trials;
  bool drawn = false;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  {
    std::unique_lock<std::mutex> lock(m);
    while (!finished.wait_for(lock, std::chrono::milliseconds(100), [&] { return running == 0; })) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (!bar || seconds < 1) continue;
      std::fprintf(stderr, "\r\033[Kborn-dead: %ld/%ld nets of depth %ld, %.0fs", done, total, max_depth, seconds);
      std::fflush(stderr);
      drawn = true;
    }
  }
  for (auto& t : pool) t.join();
  if (drawn) std::fprintf(stderr, "\r\033[K");
  if (error) std::rethrow_exception(error);
  return c;
}

void print_table(const BornDeadArgs& a, const std::vector<std::vector<long>>& counts) {
  std::printf("%-14s", "depth \\ width");
  for (long w : a.widths) std::printf(" %15ld", w);
  std::printf("\n");
  for (std::size_t d = 0; d < a.depths.size(); ++d) {
    std::printf("%-14ld", a.depths[d]);
    for (std::size_t w = 0; w < a.widths.size(); ++w) {
      const long n = counts[w][d];
      const std::string cell =
          percent(static_cast<double>(n) / static_cast<double>(a.trials)) + " (" + std::to_string(n) + ")";
      std::printf(" %15s", cell.c_str());
    }
    std::printf("\n");
  }
}

// The table in one line: the worst cell, and the trends that hold in it.
void print_reading(const BornDeadArgs& a, const Counts& c, const Activation& act) {
  const auto& dead = c.dead;
  long total = 0;
  std::size_t bw = 0, bd = 0;
  for (std::size_t w = 0; w < a.widths.size(); ++w)
    for (std::size_t d = 0; d < a.depths.size(); ++d) {
      total += dead[w][d];
      if (dead[w][d] > dead[bw][bd]) bw = w, bd = d;
    }
  if (total == 0) {
    std::printf("reading: not one net was born dead with %s\n", act.spec().c_str());
    return;
  }
  std::printf("reading: up to %s of the nets of width %ld and depth %ld are born dead",
              percent(static_cast<double>(dead[bw][bd]) / static_cast<double>(a.trials)).c_str(), a.widths[bw],
              a.depths[bd]);
  bool grows = a.depths.size() > 1, shrinks = a.widths.size() > 1;  // with depth, with width
  for (std::size_t w = 0; w < a.widths.size(); ++w)
    for (std::size_t d = 1; d < a.depths.size(); ++d)
      grows = grows && a.depths[d] > a.depths[d - 1] && dead[w][d] >= dead[w][d - 1];
  for (std::size_t d = 0; d < a.depths.size(); ++d)
    for (std::size_t w = 1; w < a.widths.size(); ++w)
      shrinks = shrinks && a.widths[w] > a.widths[w - 1] && dead[w][d] <= dead[w - 1][d];
  if (grows) std::printf("; the share grows with depth");
  if (shrinks) std::printf("%s shrinks with width", grows ? " and" : "; the share");
  std::printf("\n");
}

int run_born_dead(const BornDeadArgs& a) {
  if (a.widths.empty() || a.depths.empty()) throw Error("--widths and --depths need at least one value each");
  for (long w : a.widths)
    if (w < 1 || w > 4096) throw Error("--widths: " + std::to_string(w) + " is not a width (1 to 4096 units)");
  for (long d : a.depths)
    if (d < 1 || d > 10000)
      throw Error("--depths: " + std::to_string(d) + " is not a depth (1 to 10000 hidden layers)");
  if (a.trials < 1 || a.trials > 100000000) throw Error("--trials must be between 1 and 100000000");
  if (a.threads < 0) throw Error("--threads must be at least 1 (or 0: one per core)");
  if (a.bias != "zero" && a.bias != "he") throw Error("--bias '" + a.bias + "': use zero or he");
  Activation act;
  try {
    act = parse_activation(a.activation);
  } catch (const Error& e) {
    throw Error(std::string("--activation: ") + e.what());
  }
  if (act.info->output_only)
    throw Error("--activation: " + a.activation + " belongs on an output layer, not a hidden one");
  const bool he_bias = a.bias == "he";
  const int cores = hardware_threads();
  const long blocks = static_cast<long>(a.widths.size()) * ((a.trials + 24) / 25);
  const int threads = static_cast<int>(std::min<long>(a.threads > 0 ? a.threads : cores, blocks));

  // The input: 2001 points evenly spaced over [-√3, √3] (mean 0, variance 1 as a uniform).
  const double edge = std::sqrt(3.0);
  Matrix X(kGridPoints, 1);
  for (Index i = 0; i < kGridPoints; ++i)
    X(i, 0) = static_cast<Scalar>(-edge + 2 * edge * static_cast<double>(i) / (kGridPoints - 1));

  const auto start = std::chrono::steady_clock::now();
  const Counts c = run_trials(a, act, he_bias, X, threads);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const long max_depth = *std::max_element(a.depths.begin(), a.depths.end());
  std::printf("born-dead: share of %s nets born dead at initialisation, %ld nets per width, seed %llu\n",
              act.spec().c_str(), a.trials, static_cast<unsigned long long>(a.seed));
  std::printf(
      "setting: x on %lld points of [-sqrt(3), sqrt(3)]; `depth` hidden layers of `width` units; He-normal weights "
      "N(0, 2/fan_in); %s biases\n",
      static_cast<long long>(kGridPoints), he_bias ? "He-normal N(0, 2/fan_in)" : "zero");
  std::printf(
      "born dead: some hidden layer is 0 at every grid point (Lu et al. 2020); every later layer, and the output, "
      "is then constant\n");
  std::printf("each net is drawn at depth %ld; the net of a smaller depth is its first layers\n\n", max_depth);
  print_table(a, c.dead);
  std::printf("\n");
  print_reading(a, c, act);
  // Mathematically a relu layer that is the same at every grid point is 0 there (a unit that is not 0
  // on the whole grid varies with x). In double a layer can also be constant without being 0: saturated
  // (hardtanh at ±1), or its spread over the grid lost below the rounding of its bias, after a deep,
  // narrow net has contracted the grid to less than one ulp (leaky_relu, tanh with --bias he).
  if (c.constant != c.dead) {
    std::printf(
        "\nconstant without being born dead: some hidden layer is the same at every grid point but not 0, either "
        "saturated\n(as hardtanh at 1) or its spread over the grid lost below double rounding (a deep, narrow net "
        "can contract\nthe grid to one point); the net is constant in double too, but not counted above\n\n");
    std::vector<std::vector<long>> extra = c.constant;
    for (std::size_t w = 0; w < extra.size(); ++w)
      for (std::size_t d = 0; d < extra[w].size(); ++d) extra[w][d] -= c.dead[w][d];
    print_table(a, extra);
  }
  std::fprintf(stderr, "born-dead: %ld nets of depth %ld in %.2f s on %d thread%s\n",
               static_cast<long>(a.widths.size()) * a.trials, max_depth, seconds, threads, threads > 1 ? "s" : "");

  if (!a.out.empty()) {
    std::string csv = "width,depth,trials,born_dead,share,constant\n";
    for (std::size_t w = 0; w < a.widths.size(); ++w)
      for (std::size_t d = 0; d < a.depths.size(); ++d) {
        char row[160];
        std::snprintf(row, sizeof row, "%ld,%ld,%ld,%ld,%.6g,%ld\n", a.widths[w], a.depths[d], a.trials, c.dead[w][d],
                      static_cast<double>(c.dead[w][d]) / static_cast<double>(a.trials), c.constant[w][d]);
        csv += row;
      }
    write_file_atomically(a.out, csv);
  }
  return 0;
}

}  // namespace

Command add_born_dead_command(CLI::App& app) {
  auto a = std::make_shared<BornDeadArgs>();
  auto* cmd = app.add_subcommand(
      "born-dead",
      "How often a deep, narrow net is born dead: constant at initialisation (Lu, Shin, Su & Karniadakis, \"Dying "
      "ReLU and Initialization\", 2020).\nEach net: a 1-D input on 2001 points of [-sqrt(3), sqrt(3)], `depth` hidden "
      "layers of `width` units, He-normal weights N(0, 2/fan_in), zero or He-normal biases, computed in double. It "
      "is born dead when some hidden layer is 0 at every grid point: every later layer, and the output, is then "
      "constant. A one-to-one activation (leaky_relu, elu, tanh, ...) never gives such a layer, so its share is 0; a "
      "layer that is the same at every grid point without being 0 "
      "(saturated, or its spread lost to double rounding) is counted apart, in a second table and the CSV. "
      "Each (width, trial) draws one net of the largest depth from its own stream of --seed; the net of a smaller "
      "depth is its first layers, so the same --seed gives the same table on any number of threads.");
  cmd->add_option("--widths", a->widths, "Units per hidden layer, one column each")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->capture_default_str();
  cmd->add_option("--depths", a->depths, "Numbers of hidden layers, one row each")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->capture_default_str();
  cmd->add_option("--trials", a->trials,
                  "Random nets per width and depth (the nets of a smaller depth are their first layers)")
      ->capture_default_str();
  cmd->add_option("--bias", a->bias, "Biases at initialisation: zero, or he (N(0, 2/fan_in), as the weights)")
      ->capture_default_str();
  cmd->add_option("--activation", a->activation, "Hidden activation: " + activation_names(true))->capture_default_str();
  cmd->add_option("--seed", a->seed, "Seed of every net's stream")->check(no_minus_sign())->capture_default_str();
  cmd->add_option("--threads", a->threads, "Worker threads (0: one per core); the table does not depend on it")
      ->capture_default_str();
  cmd->add_option("-o,--output", a->out,
                  "Also write CSV to this file: width,depth,trials,born_dead,share,constant (constant: nets with a "
                  "layer the same at every grid point, born dead included)");
  return {cmd, [a] { return run_born_dead(*a); }};
}

}  // namespace mlp::app
