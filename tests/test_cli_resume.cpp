// `mlp train --checkpoint` and `--resume` as a user runs them, and the signals of a long run: a
// resumed run ends with the same model file and the same predictions as a run that never stopped;
// Ctrl-C and SIGTERM leave a checkpoint that resumes; SIGKILL at any moment leaves only files that
// load; a diverging run keeps its last good checkpoint and does not touch a saved model.
#include "cli_util.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <random>
#include <regex>
#include <thread>

using namespace cli;

namespace {

// `mlp ARGS` started in the background, stdout to /dev/null, stderr kept.
struct Background {
  pid_t pid = -1;
  int err_fd = -1;
};

Background start_mlp(const std::string& args, const std::string& cwd) {
  char err_name[] = "/tmp/mlp_cli_stderr_XXXXXX";
  Background b;
  b.err_fd = ::mkstemp(err_name);
  REQUIRE(b.err_fd >= 0);
  ::unlink(err_name);
  const std::string command = "exec " + shell_quote(MLP_BINARY) + " " + args;
  b.pid = ::fork();
  REQUIRE(b.pid >= 0);
  if (b.pid == 0) {
    const int null_fd = ::open("/dev/null", O_RDWR);
    if (::chdir(cwd.c_str()) != 0 || null_fd < 0) ::_exit(126);
    ::dup2(null_fd, 0);
    ::dup2(null_fd, 1);
    ::dup2(b.err_fd, 2);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return b;
}

// Waits for it; its status as run_mlp gives it (128 + signal when killed).
Run finish(Background& b) {
  int wstatus = 0;
  while (::waitpid(b.pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  Run r{WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus), "", ""};
  char buf[65536];
  ::lseek(b.err_fd, 0, SEEK_SET);
  for (ssize_t n; (n = ::read(b.err_fd, buf, sizeof buf)) > 0;) r.err.append(buf, static_cast<std::size_t>(n));
  ::close(b.err_fd);
  return r;
}

// Until `name` exists in dir (at most ~20 s).
bool wait_for(const TempDir& dir, const std::string& name) {
  for (int i = 0; i < 2000 && !dir.exists(name); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return dir.exists(name);
}

// A model file's layers: the weights, nothing of how long the training took.
// Waits (up to 60 s) until the running process has written `text` to its stderr.
bool wait_for_stderr(const Background& b, const std::string& text) {
  for (int i = 0; i < 6000; ++i) {
    std::string err(1 << 16, '\0');
    const ssize_t n = ::pread(b.err_fd, err.data(), err.size(), 0);
    if (n > 0 && err.substr(0, static_cast<std::size_t>(n)).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

json layers(const TempDir& dir, const std::string& name) { return json::parse(dir.read(name)).at("layers"); }

// A history file without its seconds column (the 6th), which no two runs share.
std::string history_without_time(const std::string& csv) {
  std::string out;
  for (const std::string& line : lines(csv)) {
    std::vector<std::string> cells = split(line);
    if (cells.size() > 5) cells.erase(cells.begin() + 5);
    for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + cells[i];
    out += "\n";
  }
  return out;
}

// 20,000 rows of a 3-armed spiral: epochs of 600 batches, long enough to be interrupted.
void make_spiral(const TempDir& dir) {
  const Run r = dir.mlp("make-dataset spiral --samples 20000 --noise 0.2 -o spiral.csv");
  REQUIRE(r.status == 0);
}

}  // namespace

TEST_CASE("resume: 5 epochs, then --resume to 10, give the model and predictions of 10 epochs straight") {
  struct Case {
    const char* what;
    std::string data, options;
    int total, first;
  };
  const std::vector<Case> cases = {
      {"sgd with momentum, dropout, a step schedule", kIris,
       "--optimizer sgd --momentum 0.9 --dropout 0.2 --lr-schedule step:3:0.5 --layers 16,8", 10, 5},
      {"adam (the default) with early stopping", kIris, "--early-stopping 2 --layers 16 --lr 0.05", 10, 4},
      {"a regression with its default early stopping, nesterov, clipping", kDiabetes,
       "--optimizer sgd --momentum 0.8 --nesterov --clip-norm 1 --layers 8 --batch-size 64", 30, 13},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    TempDir dir;
    const std::string data = shell_quote(c.data);
    const std::string epochs = " --epochs " + std::to_string(c.total);
    Run r = dir.mlp("train " + data + " " + c.options + epochs +
                    " -q --save straight.json --history straight.csv --diagnostics straight-d.csv");
    REQUIRE(r.status == 0);
    r = dir.mlp("train " + data + " " + c.options + " --epochs " + std::to_string(c.first) +
                " -q --checkpoint ck.json --save first.json --diagnostics first-d.csv");
    REQUIRE(r.status == 0);
    r = dir.mlp("train " + data + " --resume ck.json" + epochs +
                " -q --save resumed.json --history resumed.csv --diagnostics resumed-d.csv");
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(layers(dir, "resumed.json") == layers(dir, "straight.json"));
    CHECK(layers(dir, "first.json") != layers(dir, "straight.json"));  // the check can fail
    CHECK(history_without_time(dir.read("resumed.csv")) == history_without_time(dir.read("straight.csv")));
    CHECK(dir.read("resumed-d.csv") == dir.read("straight-d.csv"));  // the epochs before the resume too
    REQUIRE(dir.mlp("predict straight.json " + data + " -o straight-p.csv").status == 0);
    REQUIRE(dir.mlp("predict resumed.json " + data + " -o resumed-p.csv").status == 0);
    CHECK(dir.read("resumed-p.csv") == dir.read("straight-p.csv"));
  }
}

TEST_CASE("resume: a checkpoint is a model file that summary, evaluate and predict take as they are") {
  TempDir dir;
  REQUIRE(dir.mlp("train " + shell_quote(kIris) + " --epochs 3 --layers 8 -q --checkpoint ck.json").status == 0);
  const Run summary = dir.mlp("summary ck.json");
  CHECK(summary.status == 0);
  CHECK(contains(summary.out, "dense_1"));
  CHECK(dir.mlp("evaluate ck.json " + shell_quote(kIris)).status == 0);
  const Run predict = dir.mlp("predict ck.json " + shell_quote(kIris) + " -o p.csv");
  CHECK(predict.status == 0);
  CHECK(lines(dir.read("p.csv")).size() == 151);
  const json ck = json::parse(dir.read("ck.json"));
  CHECK(ck.at("checkpoint").at("epoch") == 3);
  CHECK(ck.at("checkpoint").at("optimizer").at("name") == "adam");
  CHECK(ck.at("checkpoint").at("optimizer").at("steps") == 12);  // 3 epochs of 4 batches (120 rows, 32 each)
}

TEST_CASE("resume: options that contradict the checkpoint are errors, and those that may change are taken") {
  TempDir dir;
  const std::string iris = shell_quote(kIris);
  REQUIRE(dir.mlp("train " + iris + " --layers 16,8 --seed 3 --epochs 4 -q --checkpoint ck.json").status == 0);
  const std::vector<std::pair<std::string, std::vector<std::string>>> refused = {
      {"--layers 32", {"--layers 32 contradicts the checkpoint", "--layers 16,8", "may change only --epochs"}},
      {"--seed 4", {"--seed 4 contradicts", "--seed 3"}},
      {"--optimizer sgd", {"--optimizer sgd contradicts", "--optimizer adam"}},
      {"--dropout 0.1", {"--dropout 0.1 contradicts"}},
      {"--val-split 0.3", {"--val-split 0.3 contradicts", "0.2"}},
  };
  for (const auto& [option, words] : refused) {
    const std::string command = "train " + iris + " --resume ck.json --epochs 6 " + option;
    check_rejected(command, dir.mlp(command), words, "");
  }
  // The same value again is no contradiction; the options that may change are taken.
  const Run r = dir.mlp("train " + iris + " --resume ck.json --layers 16,8 --epochs 6 --lr 0.002 --save m.json -q");
  INFO(r.err);
  CHECK(r.status == 0);
  const json m = json::parse(dir.read("m.json"));
  CHECK(m.at("training").at("epochs_run") == 6);
  CHECK(m.at("training").at("options").at("lr") == 0.002);
  CHECK(m.at("training").at("options").at("layers") == "16,8");
  CHECK(m.at("training").at("options").at("seed") == 3);
  const Run help = dir.mlp("train --help");
  CHECK(contains(help.out, "--resume"));
  CHECK(contains(help.out, "--checkpoint-every"));
}

TEST_CASE("resume: another data set, a changed file, too few epochs or a plain model file are refused") {
  TempDir dir;
  const std::string iris = shell_quote(kIris);
  REQUIRE(dir.mlp("train " + iris + " --layers 8 --epochs 4 -q --checkpoint ck.json --save model.json").status == 0);
  std::string changed = read_text(kIris);
  changed.replace(changed.find("5.1"), 3, "5.2");  // one value of the first row
  dir.write("changed.csv", changed);
  std::string fewer = read_text(kIris);
  fewer.erase(fewer.rfind('\n', fewer.size() - 2) + 1);  // the last row gone
  dir.write("fewer.csv", fewer);
  const std::string wine = shell_quote(std::string(MLP_SOURCE_DIR) + "/datasets/wine.csv");
  const std::vector<std::pair<std::string, std::vector<std::string>>> refused = {
      {"train " + wine + " --resume ck.json --epochs 6", {"other columns", "than the data the checkpoint ck.json"}},
      {"train changed.csv --resume ck.json --epochs 6", {"changed.csv: the same columns and rows, but other values"}},
      {"train fewer.csv --resume ck.json --epochs 6", {"fewer.csv:", "rows after the split, other counts"}},
      {"train " + iris + " --resume ck.json --epochs 3", {"--epochs 3", "has trained 4 epochs already"}},
      {"train " + iris + " --resume model.json --epochs 6", {"model.json: is a model file without training state"}},
      {"train " + iris + " --resume missing.json", {"missing.json", "No such file"}},
      {"train " + iris + " --checkpoint same.json --save same.json", {"--checkpoint and --save name the same file"}},
      {"train " + iris + " --checkpoint ck2.json --checkpoint-every 0", {"--checkpoint-every", "at least 1"}},
      {"train " + iris + " --checkpoint nodir/ck.json", {"--checkpoint nodir/ck.json", "does not exist"}},
  };
  for (const auto& [command, words] : refused) check_rejected(command, dir.mlp(command), words, "");
  // The run is complete at --epochs equal to those done: nothing to train, the results written.
  const Run done = dir.mlp("train " + iris + " --resume ck.json --epochs 4 --save again.json");
  CHECK(done.status == 0);
  CHECK(contains(done.out, "all 4 epochs are done"));
  CHECK(layers(dir, "again.json") == layers(dir, "model.json"));
}

TEST_CASE("signals: Ctrl-C stops between two batches with exit 130, and the checkpoint resumes to the same model") {
  TempDir dir;
  make_spiral(dir);
  const std::string options = "--layers 16 --epochs 150 --dropout 0.1 -q";
  Background b = start_mlp("train spiral.csv " + options + " --checkpoint ck.json --save model.json", dir.path);
  REQUIRE(wait_for(dir, "ck.json"));  // the first epoch's checkpoint: training is under way
  ::kill(b.pid, SIGINT);
  const Run r = finish(b);
  INFO(r.err);
  CHECK(r.status == 130);
  CHECK(contains(r.err, "mlp: interrupted "));
  CHECK(contains(r.err, "the training state is in ck.json"));
  CHECK(contains(r.err, "mlp train spiral.csv --resume ck.json"));
  CHECK_FALSE(dir.exists("model.json"));  // the model is saved when training ends
  const json ck = json::parse(dir.read("ck.json")).at("checkpoint");
  CHECK(ck.at("epoch") < 150);

  const Run resumed = dir.mlp("train spiral.csv --resume ck.json");  // the options, --save too, from the checkpoint
  INFO(resumed.err);
  REQUIRE(resumed.status == 0);
  REQUIRE(dir.mlp("train spiral.csv " + options + " --save straight.json").status == 0);
  CHECK(layers(dir, "model.json") == layers(dir, "straight.json"));
}

TEST_CASE("signals: Ctrl-C while --epochs auto chooses the weight decay exits 130 and saves nothing") {
  TempDir dir;
  make_spiral(dir);
  // With --json the progress lines go to stderr: the signal goes once the line that starts the
  // choice is out.
  const auto interrupted = [&](const std::string& options, const std::string& started) {
    Background b = start_mlp("train spiral.csv --layers 256,256 --json --save model.json " + options, dir.path);
    REQUIRE(wait_for_stderr(b, started));
    ::kill(b.pid, SIGINT);
    return finish(b);
  };
  const Run r = interrupted("--checkpoint ck.json", "--epochs auto: one run per weight decay");
  INFO(r.err);
  CHECK(r.status == 130);
  CHECK(contains(r.err, "mlp: interrupted while choosing the epochs (weight decay "));
  CHECK_FALSE(contains(r.err, "saving"));
  CHECK(contains(r.err, "nothing was saved"));
  CHECK_FALSE(dir.exists("model.json"));
  CHECK_FALSE(dir.exists("ck.json"));  // checkpoints start with the final run

  // On folds, whose runs go on every core at once: every worker stops, and the message names the
  // run and its fold.
  const Run f =
      interrupted("--folds 3", "--epochs auto: 3-fold cross-validation on the 20000 training and validation rows");
  INFO(f.err);
  CHECK(f.status == 130);
  CHECK(
      std::regex_search(f.err, std::regex("mlp: interrupted while choosing the epochs \\(weight decay [0-9.e-]+, "
                                          "fold [123], (epoch [0-9]+|before its first epoch)\\); nothing was saved")));
  CHECK_FALSE(dir.exists("model.json"));
}

TEST_CASE("signals: SIGTERM without --checkpoint writes SAVE.interrupted (exit 143), and without --save nothing") {
  TempDir dir;
  make_spiral(dir);
  dir.write("model.json", "an older model, to keep\n");
  Background b = start_mlp("train spiral.csv --layers 16 --epochs 5000 -q --save model.json --history h.csv", dir.path);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ::kill(b.pid, SIGTERM);
  Run r = finish(b);
  INFO(r.err);
  CHECK(r.status == 143);
  CHECK(dir.read("model.json") == "an older model, to keep\n");
  REQUIRE(dir.exists("model.json.interrupted"));
  CHECK(contains(r.err, "the training state is in model.json.interrupted"));
  CHECK(dir.mlp("summary model.json.interrupted").status == 0);
  const int done = json::parse(dir.read("model.json.interrupted")).at("checkpoint").at("epoch");
  r = dir.mlp("train spiral.csv --resume model.json.interrupted --epochs " + std::to_string(done + 1));
  CHECK(r.status == 0);  // it resumes, to a total of epochs of its own choosing
  CHECK(contains(r.out, "model saved to model.json"));
  CHECK(dir.mlp("summary model.json").status == 0);

  Background c = start_mlp("train spiral.csv --layers 16 --epochs 5000 -q", dir.path);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ::kill(c.pid, SIGINT);
  r = finish(c);
  CHECK(r.status == 130);
  CHECK(contains(r.err, "nothing was saved"));
}

TEST_CASE("signals: a second Ctrl-C exits at once and leaves no torn file") {
  TempDir dir;
  make_spiral(dir);
  Background b = start_mlp("train spiral.csv --layers 256,256 --epochs 300 -q --checkpoint ck.json", dir.path);
  REQUIRE(wait_for(dir, "ck.json"));
  ::kill(b.pid, SIGINT);
  ::kill(b.pid, SIGINT);
  const Run r = finish(b);
  CHECK(r.status == 130);
  for (const std::string& name : dir.files_starting("ck.json")) {
    CAPTURE(name);
    CHECK(dir.mlp("summary " + name).status == 0);
  }
}

TEST_CASE("signals: SIGKILL at random moments while checkpointing every epoch leaves only files that load") {
  TempDir dir;
  // Epochs of iris are short and the checkpoint of 256×256 weights is long to write: most kills
  // land while a checkpoint is being written.
  const std::string command =
      "train " + shell_quote(kIris) + " --layers 256,256 --epochs 100000 -q --checkpoint ck.json";
  // How long the first checkpoint takes here (a sanitizer build is slower): the kills then land
  // at random from half that time to three times it, before, during and after writes.
  const auto t0 = std::chrono::steady_clock::now();
  Background first = start_mlp(command, dir.path);
  REQUIRE(wait_for(dir, "ck.json"));
  const long first_checkpoint = static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count());
  ::kill(first.pid, SIGKILL);
  finish(first);
  std::mt19937 random(12345);
  std::uniform_int_distribution<long> delay(first_checkpoint / 2, first_checkpoint * 3);
  for (int round = 0; round < 12; ++round) {
    CAPTURE(round);
    Background b = start_mlp(command, dir.path);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay(random)));
    ::kill(b.pid, SIGKILL);
    CHECK(finish(b).status == 128 + SIGKILL);
    for (const auto& entry : fs::directory_iterator(dir.path)) {
      const std::string name = entry.path().filename().string();
      CAPTURE(name);
      CHECK(name.rfind("ck.json", 0) == 0);  // nothing else, and no unnamed temporary ever shows
      CHECK(dir.mlp("summary " + name).status == 0);
    }
  }
  const Run resumed =
      dir.mlp("train " + shell_quote(kIris) + " --resume ck.json --epochs " +
              std::to_string(json::parse(dir.read("ck.json")).at("checkpoint").at("epoch").get<int>() + 2) + " -q");
  CHECK(resumed.status == 0);
}

TEST_CASE("divergence: the checkpoint keeps the last good epoch, and a saved model is not touched") {
  TempDir dir;
  dir.write("model.json", "the model of an earlier run\n");
  // The learning rate grows 40-fold each epoch: fine for a few epochs, then the loss explodes.
  const Run r = dir.mlp("train " + shell_quote(kIris) +
                        " --optimizer sgd --lr 0.01 --lr-schedule exponential:40 --epochs 30 -q --checkpoint ck.json "
                        "--save model.json");
  INFO(r.err);
  CHECK(r.status == 1);
  CHECK(contains(r.err, "training diverged in epoch"));
  CHECK(contains(r.err, "the steps are too large"));
  CHECK(contains(r.err, "ck.json holds the state after epoch"));
  CHECK(contains(r.err, "--resume ck.json --lr"));
  CHECK(contains(r.err, "model.json is as it was"));
  CHECK(dir.read("model.json") == "the model of an earlier run\n");
  const json ck = json::parse(dir.read("ck.json"));
  CHECK(ck.at("checkpoint").at("epoch") >= 1);
  CHECK(dir.mlp("summary ck.json").status == 0);
}
