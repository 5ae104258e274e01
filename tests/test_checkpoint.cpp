// Checkpoints: every state a later step depends on (rng, optimizer buffers, running metric, the
// trainer's progress) is copied out and put back exactly, and a run stopped at an epoch's end or
// between two batches, saved to a file, loaded and resumed ends with the very bits of a run that
// never stopped: SGD with momentum, Adam, dropout, a schedule and early stopping.
#include "mlp/io/checkpoint.hpp"

#include "mlp/io/metrics.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <unistd.h>

using namespace mlp;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "mlp_test_checkpoint_XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

// 3 classes of 4-feature points: the class is the largest of three sums of features.
struct Data {
  Matrix X, Y, Xval, Yval;  // (N, 4), (N, 1) labels
  explicit Data(Index n = 150) : X(n, 4), Y(n, 1), Xval(40, 4), Yval(40, 1) {
    Rng rng(5);
    for (Matrix* m : {&X, &Xval})
      for (Index i = 0; i < m->size(); ++i) m->data()[i] = static_cast<Scalar>(rng.normal());
    auto label = [](const Matrix& A, Matrix& L) {
      for (Index i = 0; i < A.rows(); ++i) {
        const Scalar s[3] = {A(i, 0) + A(i, 1), A(i, 2) - A(i, 0), A(i, 3)};
        L(i, 0) = static_cast<Scalar>(std::max_element(s, s + 3) - s);
      }
    };
    label(X, Y);
    label(Xval, Yval);
  }
};

struct Setup {
  std::string name;
  OptimizerConfig optimizer;
  double dropout = 0;
  std::string schedule = "constant";
  int patience = 0;
  bool class_weight = false;  // the loss weighs the three classes 0.5, 2 and 1.25
};

Network build(const Setup& s) {
  Network net(4, 11);
  net.add_dense(16, "relu");
  if (s.dropout > 0) net.add_dropout(s.dropout);
  net.add_dense(12, "tanh");
  net.add_dense(3, "softmax");
  Loss loss = parse_loss("cross_entropy");
  if (s.class_weight) {
    loss.class_weight = RowVector(3);
    loss.class_weight << 0.5, 2, 1.25;
  }
  net.set_loss(loss);
  net.set_optimizer(make_optimizer(s.optimizer));
  return net;
}

FitOptions options(const Setup& s, int epochs) {
  FitOptions o;
  o.epochs = epochs;
  o.batch_size = 16;  // 150 rows: 10 batches, the last of 6
  o.schedule = parse_schedule(s.schedule);
  o.early_stopping = s.patience;
  o.train_metric = running_accuracy();
  return o;
}

std::vector<Setup> setups() {
  std::vector<Setup> all;
  Setup momentum{"sgd with momentum, step schedule", {}, 0, "step:2:0.5", 0};
  momentum.optimizer.name = "sgd";
  momentum.optimizer.learning_rate = 0.05;
  momentum.optimizer.momentum = 0.9;
  all.push_back(momentum);
  Setup adam{"adam with dropout", {}, 0.3, "constant", 0};
  adam.optimizer.name = "adam";
  adam.optimizer.learning_rate = 0.01;
  all.push_back(adam);
  Setup stopping{"adam, cosine schedule, early stopping", {}, 0.2, "cosine", 2};
  stopping.optimizer.name = "adam";
  stopping.optimizer.learning_rate = 0.05;
  all.push_back(stopping);
  Setup nesterov{"sgd with nesterov, weight decay, clipping", {}, 0, "exponential:0.9", 0};
  nesterov.optimizer.name = "sgd";
  nesterov.optimizer.learning_rate = 0.1;
  nesterov.optimizer.momentum = 0.8;
  nesterov.optimizer.nesterov = true;
  nesterov.optimizer.weight_decay = 1e-3;
  nesterov.optimizer.clip_norm = 0.5;
  all.push_back(nesterov);
  Setup weighted{"adam with class weights", {}, 0, "constant", 0};
  weighted.optimizer.name = "adam";
  weighted.optimizer.learning_rate = 0.01;
  weighted.class_weight = true;
  all.push_back(weighted);
  return all;
}

bool same_bits(const Network& a, const Network& b) {
  if (a.parameters().size() != b.parameters().size()) return false;
  for (std::size_t i = 0; i < a.parameters().size(); ++i) {
    const Parameter &p = a.parameters()[i], &q = b.parameters()[i];
    if (p.size != q.size || std::memcmp(p.value, q.value, sizeof(Scalar) * static_cast<std::size_t>(p.size)) != 0)
      return false;
  }
  return true;
}

bool same_history(const std::vector<EpochReport>& a, const std::vector<EpochReport>& b) {
  if (a.size() != b.size()) return false;
  auto same = [](double x, double y) { return (std::isnan(x) && std::isnan(y)) || x == y; };
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].epoch != b[i].epoch || !same(a[i].train_loss, b[i].train_loss) || !same(a[i].val_loss, b[i].val_loss) ||
        !same(a[i].train_metric, b[i].train_metric) || a[i].learning_rate != b[i].learning_rate)
      return false;
  return true;
}

}  // namespace

TEST_CASE("checkpoint: an rng's state, put back into another, draws the same numbers, a waiting normal included") {
  Rng a(123);
  (void)a.normal();  // leaves the pair's second normal waiting
  const RngState saved = a.state();
  CHECK(saved.has_spare);
  std::vector<double> expected;
  for (int i = 0; i < 5; ++i) expected.push_back(a.normal());
  for (int i = 0; i < 5; ++i) expected.push_back(a.uniform());
  Rng b(999);
  b.set_state(saved);
  for (int i = 0; i < 5; ++i) CHECK(b.normal() == expected[static_cast<std::size_t>(i)]);
  for (int i = 5; i < 10; ++i) CHECK(b.uniform() == expected[static_cast<std::size_t>(i)]);
  CHECK_THROWS_AS(b.set_state(RngState{}), Error);
}

TEST_CASE("checkpoint: an optimizer's state, put back, makes the same next step as the optimizer that kept it") {
  for (const std::string name : {"sgd", "adam"}) {
    CAPTURE(name);
    Setup s;
    s.optimizer.name = name;
    s.optimizer.learning_rate = 0.05;
    s.optimizer.momentum = name == "sgd" ? 0.9 : 0.0;
    const Data d;
    Network a = build(s), b = build(s);
    for (int step = 0; step < 3; ++step) (void)a.train_step(d.X.topRows(32), d.Y.topRows(32));
    const Optimizer::State state = a.optimizer()->state();
    CHECK(state.steps == 3);
    REQUIRE(!state.buffers.empty());
    CHECK(state.buffers[0].size() == a.parameters().size());
    for (std::size_t i = 0; i < a.parameters().size(); ++i) b.parameters()[i].v() = a.parameters()[i].v();
    b.optimizer()->set_state(state, b.parameters());
    (void)a.train_step(d.X.bottomRows(32), d.Y.bottomRows(32));
    (void)b.train_step(d.X.bottomRows(32), d.Y.bottomRows(32));
    CHECK(same_bits(a, b));

    Optimizer::State wrong = state;  // another size of one buffer
    wrong.buffers[0][0].resize(wrong.buffers[0][0].size() + 1);
    CHECK_THROWS_WITH_AS(b.optimizer()->set_state(wrong, b.parameters()), doctest::Contains("has"), Error);
    Optimizer::State other = state;  // another optimizer's buffer names
    other.names[0] = name == "sgd" ? "m" : "velocity";
    CHECK_THROWS_AS(b.optimizer()->set_state(other, b.parameters()), Error);
  }
}

TEST_CASE("checkpoint: a running metric's sums, put back, give the value it would have had") {
  Matrix P(4, 2), Y(4, 1);
  P << 0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7;
  Y << 0, 1, 1, 1;
  RunningMetric a = running_accuracy(), b = running_accuracy();
  a.reset();
  a.add(P.topRows(2), Y.topRows(2));
  b.reset();
  b.set_sums(a.sums());
  a.add(P.bottomRows(2), Y.bottomRows(2));
  b.add(P.bottomRows(2), Y.bottomRows(2));
  CHECK(a.value() == doctest::Approx(0.75));
  CHECK(b.value() == a.value());
  CHECK_THROWS_AS(b.set_sums({3, 2}), Error);  // more hits than seen

  Matrix T(4, 1);
  T << 1, 2, 3, 4;
  RunningMetric r = running_r2(T), q = running_r2(T);
  r.reset();
  r.add(T.topRows(2).array() + 0.5, T.topRows(2));
  q.reset();
  q.set_sums(r.sums());
  r.add(T.bottomRows(2), T.bottomRows(2));
  q.add(T.bottomRows(2), T.bottomRows(2));
  CHECK(q.value() == r.value());
  CHECK(r.value() == doctest::Approx(1 - 0.5 / 5.0));
}

// The heart of it: for each setup, a run of 6 epochs straight against the same run stopped (at
// an epoch's end, and between two batches of an epoch), checkpointed to a file, loaded into a
// freshly built network and resumed.
TEST_CASE("checkpoint: a run stopped, saved, loaded and resumed ends with the bits of a run that never stopped") {
  const Data d;
  const int epochs = 6;
  for (const Setup& s : setups()) {
    CAPTURE(s.name);
    Network straight = build(s);
    FitOptions straight_options = options(s, epochs);
    std::vector<double> running;  // the running loss after each batch, as the progress bar shows it
    straight_options.on_batch = [&](int, Index, Index, double loss) { running.push_back(loss); };
    const FitResult whole = fit(straight, d.X, d.Y, d.Xval, d.Yval, straight_options);
    if (s.patience > 0) CHECK(whole.best_epoch >= 1);

    for (const long stop_after : {20L, 33L}) {  // batches: after epoch 2, and in the middle of epoch 4
      CAPTURE(stop_after);
      TempDir dir;
      const std::string path = dir.file("ck.json");
      Network first = build(s);
      FitOptions o = options(s, epochs);
      long batches = 0;
      o.on_batch = [&](int, Index, Index, double) { ++batches; };
      o.interrupted = [&] { return batches >= stop_after; };
      o.checkpoint_every = 1000;  // only the interrupt's
      o.checkpoint = [&](const TrainingProgress& p) {
        save_checkpoint(path, first, Preprocessing{}, nlohmann::json::object(), p, {{"note", "test"}});
      };
      const FitResult part = fit(first, d.X, d.Y, d.Xval, d.Yval, o);
      REQUIRE(part.interrupted);
      CHECK(part.progress.epoch == static_cast<int>(stop_after / 10));
      CHECK(part.progress.batch == stop_after % 10);

      const Checkpoint c = load_checkpoint(path);
      CHECK(c.run.at("note") == "test");
      CHECK(c.progress.epoch == part.progress.epoch);
      CHECK(c.progress.order == part.progress.order);
      CHECK(same_history(c.progress.history, part.history));
      Network resumed = build(s);
      restore_network(resumed, c, path);
      CHECK(same_bits(resumed, first));
      FitOptions go_on = options(s, epochs);
      go_on.resume = &c.progress;
      std::vector<double> running_after;
      go_on.on_batch = [&](int, Index, Index, double loss) { running_after.push_back(loss); };
      const FitResult rest = fit(resumed, d.X, d.Y, d.Xval, d.Yval, go_on);
      // The running loss goes on from the batches done before the stop (their weight recounted).
      REQUIRE(running_after.size() + static_cast<std::size_t>(stop_after) == running.size());
      for (std::size_t i = 0; i < running_after.size(); ++i)
        CHECK(running_after[i] == doctest::Approx(running[i + static_cast<std::size_t>(stop_after)]).epsilon(1e-12));
      CHECK(same_bits(resumed, straight));
      CHECK(same_history(rest.history, whole.history));
      CHECK(rest.best_epoch == whole.best_epoch);
      CHECK(rest.stopped_early == whole.stopped_early);
    }
  }
}

TEST_CASE("checkpoint: a diverging run throws Diverged before any checkpoint could take non-finite weights") {
  const Data d;
  Setup s{"sgd, far too large steps", {}, 0, "exponential:40", 0};
  s.optimizer.name = "sgd";
  s.optimizer.learning_rate = 0.05;
  s.optimizer.momentum = 0.9;
  Network net = build(s);
  FitOptions o = options(s, 30);
  int written = 0;
  o.checkpoint = [&](const TrainingProgress& p) {
    for (const Parameter& q : net.parameters()) REQUIRE(q.v().allFinite());
    CHECK(p.epoch == written + 1);
    ++written;
  };
  try {
    (void)fit(net, d.X, d.Y, d.Xval, d.Yval, o);
    FAIL("the run did not diverge");
  } catch (const Diverged& e) {
    CHECK(e.epoch == written + 1);  // it diverged in the epoch after the last checkpoint
    CHECK(e.epoch > 1);
    CHECK(std::string(e.what()).find("training diverged in epoch " + std::to_string(e.epoch)) == 0);
    CHECK(std::string(e.what()).find("--lr") != std::string::npos);
  }
}

TEST_CASE("checkpoint: a file that is not a checkpoint, or a damaged one, is an error naming the field") {
  const Data d;
  Setup s;
  s.optimizer.name = "adam";
  s.optimizer.learning_rate = 0.01;
  Network net = build(s);
  FitOptions o = options(s, 2);
  nlohmann::json document;
  TempDir dir;
  const std::string path = dir.file("ck.json");
  o.checkpoint = [&](const TrainingProgress& p) {
    save_checkpoint(path, net, Preprocessing{}, nlohmann::json::object(), p, nlohmann::json::object());
  };
  (void)fit(net, d.X, d.Y, d.Xval, d.Yval, o);
  document = load_model_json(path);
  REQUIRE(document.contains("checkpoint"));
  CHECK(load_model(path).net.parameter_count() == net.parameter_count());  // a checkpoint is a model file

  struct Damage {
    const char* what;
    std::function<void(nlohmann::json&)> damage;
    const char* message;
  };
  const std::vector<Damage> damages = {
      {"a model without the section", [](nlohmann::json& j) { j.erase("checkpoint"); }, "not a checkpoint"},
      {"a newer version", [](nlohmann::json& j) { j["checkpoint"]["version"] = 2; }, "written by a newer mlp"},
      {"an order of other rows", [](nlohmann::json& j) { j["checkpoint"]["rows"] = 151; }, "checkpoint.order"},
      {"an order that repeats a row",
       [](nlohmann::json& j) {
         const std::string order = j["checkpoint"]["order"];
         j["checkpoint"]["order"] = std::string(order.size(), 'A');  // row 0, 150 times
       },
       "checkpoint.order"},
      {"an order whose padding leaves a row short",  // 2 rows are 8 bytes; this is 7, and decoded [0, 1]
       [](nlohmann::json& j) {
         j["checkpoint"]["rows"] = 2;
         j["checkpoint"]["order"] = "AAAAAAEAAA==";
       },
       "is not base64 of 2 rows"},
      {"a history of another length", [](nlohmann::json& j) { j["checkpoint"]["history"].erase(0); },
       "checkpoint.history"},
      {"a moment of another size", [](nlohmann::json& j) { j["checkpoint"]["optimizer"]["buffers"]["m"][0].erase(0); },
       "checkpoint.optimizer.buffers.m[0]"},
      {"an rng word that is not hex", [](nlohmann::json& j) { j["checkpoint"]["rng"]["state"][1] = "xyz"; },
       "checkpoint.rng.state[1]"},
      {"a batch beyond the rows", [](nlohmann::json& j) { j["checkpoint"]["batch"] = 1000; }, "checkpoint.batch"},
      {"a best epoch without best weights",
       [](nlohmann::json& j) { j["checkpoint"]["early_stopping"]["best_epoch"] = 1; }, "checkpoint.early_stopping"},
  };
  for (const Damage& x : damages) {
    CAPTURE(x.what);
    nlohmann::json j = document;
    x.damage(j);
    CHECK_THROWS_WITH_AS(checkpoint_from_json(j, "ck.json"), doctest::Contains(x.message), Error);
  }

  // Put into a network of another shape, or with another optimizer: named.
  const Checkpoint c = checkpoint_from_json(document, "ck.json");
  Setup sgd = s;
  sgd.optimizer.name = "sgd";
  Network other_optimizer = build(sgd);
  CHECK_THROWS_WITH_AS(restore_network(other_optimizer, c, "ck.json"), doctest::Contains("trained with adam"), Error);
  Setup dropout = s;
  dropout.dropout = 0.5;
  Network other_layers = build(dropout);
  CHECK_THROWS_WITH_AS(restore_network(other_layers, c, "ck.json"), doctest::Contains("is not this one"), Error);
  Setup elu = s;  // the same shapes, another activation
  Network other_activation(4, 11);
  other_activation.add_dense(16, "elu");
  other_activation.add_dense(12, "tanh");
  other_activation.add_dense(3, "softmax");
  other_activation.set_loss(parse_loss("cross_entropy"));
  other_activation.set_optimizer(make_optimizer(elu.optimizer));
  CHECK_THROWS_WITH_AS(restore_network(other_activation, c, "ck.json"), doctest::Contains("layer 1"), Error);
  // A negative second moment, which no Adam step can make (its square root would be NaN).
  nlohmann::json negative = document;
  negative["checkpoint"]["optimizer"]["buffers"]["v"][0][0] = -1.0;
  Network fresh = build(s);
  CHECK_THROWS_WITH_AS(restore_network(fresh, checkpoint_from_json(negative, "ck.json"), "ck.json"),
                       doctest::Contains("negative"), Error);
}
