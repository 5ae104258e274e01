// The model file: a saved network loads back bit for bit (every activation, dropout, categorical
// features, classes); saving is atomic; every kind of bad file is a clear mlp::Error naming the
// path and the problem, and no JSON at all can crash the loader.
#include "mlp/error.hpp"
#include "mlp/io/files.hpp"
#include "mlp/io/model.hpp"

#include <doctest/doctest.h>

#include "test_util.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <thread>

using namespace mlp;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A fresh directory, removed with everything in it at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "mlp_test_model_XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(path, ignored);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  // Names of leftover temporary files ("model.json.tmp-ab12cd").
  std::vector<std::string> temporaries() const {
    std::vector<std::string> found;
    for (const auto& e : fs::directory_iterator(path))
      if (e.path().filename().string().find(".tmp-") != std::string::npos) found.push_back(e.path().string());
    return found;
  }
};

Matrix random_matrix(Index rows, Index cols, Rng& rng) {
  Matrix M(rows, cols);
  for (Index i = 0; i < M.size(); ++i) M.data()[i] = static_cast<Scalar>(rng.normal());
  return M;
}

// Inputs: x1, colour (3 categories), x2 → 5. Three classes.
Preprocessing iris_like_prep() {
  Preprocessing prep;
  prep.task = Task::Classification;
  prep.scaling = Scaling::Standard;
  FeatureColumn x1, colour, x2;
  x1.name = "x1";
  x1.shift = 5.843333333333334;
  x1.scale = 0.8253012917851409;
  colour.name = "colour";
  colour.categorical = true;
  colour.categories = {"blue", "green", "red"};  // sorted, as fit_preprocessing keeps them
  x2.name = "x 2, \"quoted\"";                   // names are free text
  x2.shift = -1e-300;
  x2.scale = 3e10;
  prep.features = {x1, colour, x2};
  prep.targets = {"species"};
  prep.classes = {"setosa", "versicolor", "virginica"};
  return prep;
}

// One hidden layer for every activation in the table (two for those whose parameter may be
// learned), a dropout layer, and a softmax output. Biases and per-unit parameters are set to
// distinct values, so a parameter written to the wrong place cannot go unnoticed.
Network every_activation_net() {
  Rng rng(11);
  Network net(5, 3);
  std::vector<std::string> specs;
  for (const auto& a : activations()) {
    if (a.output_only) continue;
    specs.push_back(a.name);
    if (a.has_param() && a.param.learnable == Learnable::Optional) specs.push_back(std::string(a.name) + ":learn");
  }
  for (std::size_t i = 0; i < specs.size(); ++i) {
    Dense& d = net.add_dense(4, specs[i]);
    d.b = random_matrix(1, 4, rng);
    for (Index u = 0; u < d.p.size(); ++u)  // stays inside every parameter's valid range
      d.p[u] = static_cast<Scalar>(d.activation.param * (1.0 + 0.37 * static_cast<double>(u + 1)));
    if (i == 2) net.add_dropout(0.25);
  }
  Dense& out = net.add_dense(3, "softmax");
  // Awkward floats: negative zero, the smallest denormal, the float just above 1.
  out.W(0, 0) = Scalar(-0.0);
  out.W(0, 1) = std::numeric_limits<Scalar>::denorm_min();
  out.W(0, 2) = std::nextafter(Scalar(1), Scalar(2));
  net.set_loss(parse_loss("cross_entropy"));
  return net;
}

bool same_bits(const Matrix& a, const Matrix& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  // An empty matrix has no data pointer, and memcmp's may not be null even for 0 bytes.
  return a.size() == 0 || std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * sizeof(Scalar)) == 0;
}

json training_record() {
  return {{"epochs", 30},
          {"seed", 7},
          {"optimizer", {{"name", "adam"}, {"learning_rate", 0.001}}},
          {"final", {{"val_accuracy", 0.9666666666666667}, {"loss", 0.0712}}},
          {"note", "ünïcode ✓"}};
}

// A small valid model as a document, for the load-error tests to break.
json small_model_json() {
  Network net(2, 1);
  net.add_dense(3, "prelu");
  net.add_dense(2, "softmax");
  net.set_loss(parse_loss("cross_entropy"));
  Preprocessing prep;
  FeatureColumn a, b;
  a.name = "a";
  b.name = "b";
  prep.features = {a, b};
  prep.targets = {"y"};
  prep.classes = {"no", "yes"};
  return model_to_json(net, prep, {{"seed", 1}});
}

doctest::Contains contains(const std::string& text) { return doctest::Contains(text.c_str()); }

// Loads `text` written to a file and returns the error message ("" if it loaded).
std::string load_error(const TempDir& dir, const std::string& text, const std::string& name = "bad.json") {
  const std::string path = dir.file(name);
  write_text(path, text);
  try {
    load_model(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("model: a saved model loads back bit for bit and predicts identically") {
  TempDir dir;
  Network net = every_activation_net();
  const Preprocessing prep = iris_like_prep();
  const std::string path = dir.file("model.json");
  save_model(path, net, prep, training_record());
  Model m = load_model(path);

  REQUIRE(m.net.size() == net.size());
  CHECK(m.net.input_size() == net.input_size());
  CHECK(m.net.loss().spec() == "cross_entropy");
  int dense_with_param = 0;
  for (std::size_t i = 0; i < net.size(); ++i) {
    CAPTURE(i);
    CHECK(std::string(m.net.layer(i).type()) == net.layer(i).type());
    if (Dense* d = net.dense(i)) {
      Dense* e = m.net.dense(i);
      REQUIRE(e != nullptr);
      CHECK(e->activation.spec() == d->activation.spec());
      CHECK(e->activation.learn == d->activation.learn);
      CHECK(same_bits(e->W, d->W));
      CHECK(same_bits(e->b, d->b));
      CHECK(same_bits(e->p, d->p));
      if (d->activation.info->has_param()) {
        ++dense_with_param;
        CHECK(d->p[0] != d->p[1]);  // the per-unit values differ, so a mix-up would show
      }
    } else {
      CHECK(dynamic_cast<const Dropout&>(m.net.layer(i)).rate() == 0.25);
    }
  }
  int with_param = 0;  // leaky_relu, elu, swish (each fixed and learned), prelu, celu, ...
  for (const auto& a : activations())
    if (!a.output_only && a.has_param()) with_param += a.param.learnable == Learnable::Optional ? 2 : 1;
  CHECK(with_param >= 7);
  CHECK(dense_with_param == with_param);
  CHECK(std::signbit(m.net.dense(net.size() - 1)->W(0, 0)));

  Rng rng(5);
  const Matrix X = random_matrix(9, 5, rng);
  CHECK(same_bits(m.net.predict(X), net.predict(X)));

  CHECK(m.prep.task == prep.task);
  CHECK(m.prep.scaling == prep.scaling);
  REQUIRE(m.prep.features.size() == prep.features.size());
  for (std::size_t i = 0; i < prep.features.size(); ++i) {
    CHECK(m.prep.features[i].name == prep.features[i].name);
    CHECK(m.prep.features[i].categorical == prep.features[i].categorical);
    CHECK(m.prep.features[i].shift == prep.features[i].shift);
    CHECK(m.prep.features[i].scale == prep.features[i].scale);
    CHECK(m.prep.features[i].categories == prep.features[i].categories);
  }
  CHECK(m.prep.targets == prep.targets);
  CHECK(m.prep.classes == prep.classes);
  CHECK(m.training == training_record());
}

TEST_CASE("model: regression targets and their scaling round-trip") {
  TempDir dir;
  Network net(1, 2);
  net.add_dense(2, "tanh");
  net.add_dense(2, "identity");
  net.set_loss(parse_loss("huber:0.5"));
  Preprocessing prep;
  prep.task = Task::Regression;
  prep.scaling = Scaling::MinMax;
  FeatureColumn x;
  x.name = "x";
  prep.features = {x};
  prep.targets = {"price", "volume"};
  prep.target_shift = {1234.5, -0.1};
  prep.target_scale = {1e-7, 3.0};
  save_model(dir.file("r.json"), net, prep, json::object());
  Model m = load_model(dir.file("r.json"));
  CHECK(m.prep.task == Task::Regression);
  CHECK(m.prep.scaling == Scaling::MinMax);
  CHECK(m.prep.target_shift == prep.target_shift);
  CHECK(m.prep.target_scale == prep.target_scale);
  CHECK(m.net.loss().spec() == "huber:0.5");
  CHECK(m.training == json::object());
}

TEST_CASE("model: the document has the documented layout (weight rows are units, as torch.nn.Linear)") {
  Network net = every_activation_net();
  const json j = model_to_json(net, iris_like_prep(), json::object());
  CHECK(j.at("format") == "mlp-model");
  CHECK(j.at("version") == 1);
  CHECK(j.at("input_size") == 5);
  const json& first = j.at("layers").at(0);
  const Dense& d = *net.dense(0);
  CHECK(first.at("type") == "dense");
  CHECK(first.at("units") == 4);
  REQUIRE(first.at("weight").size() == 4);     // out rows
  REQUIRE(first.at("weight")[0].size() == 5);  // of in numbers
  CHECK(first.at("weight")[3][1].get<double>() == static_cast<double>(d.W(3, 1)));
  CHECK(first.at("bias")[2].get<double>() == static_cast<double>(d.b[2]));
  CHECK_FALSE(first.contains("activation_param"));  // identity has none
  const json& dropout = j.at("layers").at(3);
  CHECK(dropout == json{{"type", "dropout"}, {"rate", 0.25}});
  CHECK(j.at("preprocessing").at("features")[1] ==
        json{{"name", "colour"}, {"type", "categorical"}, {"categories", {"blue", "green", "red"}}});
}

// Weights are written as the shortest text that reads back as the same number, and a whole
// number keeps its decimal point ("1.0", as JSON writers print a float), so the file says which
// values are real numbers.
TEST_CASE("model: weights are written short, exact, and with a decimal point when whole") {
  TempDir dir;
  Network net = every_activation_net();
  Dense& d = *net.dense(0);
  d.W(0, 0) = 1;
  d.W(0, 1) = 0;
  d.W(0, 2) = -0.0f;
  d.W(0, 3) = 0.1f;
  const std::string path = dir.file("model.json");
  save_model(path, net, iris_like_prep(), training_record());
  const json j = json::parse(read_text(path));
  const json& row = j.at("layers").at(0).at("weight").at(0);
  for (int k = 0; k < 4; ++k) CHECK(row[k].is_number_float());
  const std::string text = read_text(path);
  CHECK(text.find("[1.0, 0.0, -0.0, 0.10000000149011612,") != std::string::npos);
  CHECK(std::signbit(load_model(path).net.dense(0)->W(0, 2)));
}

TEST_CASE("model: saving replaces an existing file and leaves no temporary file") {
  TempDir dir;
  const std::string path = dir.file("model.json");
  write_text(path, "old contents");
  Network net = every_activation_net();
  save_model(path, net, iris_like_prep(), json::object());
  CHECK(read_text(path).rfind("{\n  \"format\": \"mlp-model\"", 0) == 0);
  CHECK(dir.temporaries().empty());
  CHECK_NOTHROW(load_model(path));

  // A relative path (no directory part) is saved next to the working directory's other files.
  const fs::path cwd = fs::current_path();
  fs::current_path(dir.path);
  CHECK_NOTHROW(save_model("relative.json", net, iris_like_prep(), json::object()));
  fs::current_path(cwd);
  CHECK(fs::exists(dir.path / "relative.json"));
  CHECK(dir.temporaries().empty());
}

TEST_CASE("model: saving into a directory that does not exist fails and creates nothing") {
  TempDir dir;
  const std::string path = dir.file("missing/model.json");
  Network net = every_activation_net();
  CHECK_THROWS_WITH_AS(
      save_model(path, net, iris_like_prep(), json::object()),
      contains(path + ": cannot save the model: the directory '" + dir.file("missing") + "' does not exist"), Error);
  CHECK(fs::is_empty(dir.path));
}

TEST_CASE("files: a write through a symlink replaces the file it names and leaves the link a link") {
  TempDir dir;
  write_file_atomically(dir.file("real.txt"), "old\n");
  fs::create_symlink("real.txt", dir.path / "link.txt");
  write_file_atomically(dir.file("link.txt"), "new\n");
  CHECK(fs::is_symlink(dir.path / "link.txt"));
  CHECK(read_text(dir.file("real.txt")) == "new\n");
  // A link to a file that does not exist yet creates that file.
  fs::create_symlink("later.txt", dir.path / "dangling.txt");
  write_file_atomically(dir.file("dangling.txt"), "made\n");
  CHECK(fs::is_symlink(dir.path / "dangling.txt"));
  CHECK(read_text(dir.file("later.txt")) == "made\n");
  CHECK(dir.temporaries().empty());
}

TEST_CASE("files: a pipe is written into, never replaced, and a directory is refused") {
  TempDir dir;
  const std::string fifo = dir.file("pipe");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::string received;
  std::thread reader([&] { received = read_text(fifo); });  // opening blocks until the writer comes
  write_file_atomically(fifo, "through the pipe\n");
  reader.join();
  CHECK(received == "through the pipe\n");
  struct stat st {};
  REQUIRE(::lstat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));  // renaming over it would have made it a regular file
  CHECK(dir.temporaries().empty());

  fs::create_directory(dir.path / "sub");
  CHECK_THROWS_WITH_AS(write_file_atomically(dir.file("sub"), "x"), contains("it is a directory"), Error);
}

TEST_CASE("model: a save that fails mid-way leaves the old file untouched and no temporary file") {
  TempDir dir;
  const std::string path = dir.file("model.json");
  Network small(2, 1);
  small.add_dense(1, "sigmoid");
  small.set_loss(parse_loss("bce"));
  save_model(path, small, Preprocessing{}, json::object());
  const std::string old = read_text(path);
  Network big = every_activation_net();

  SUBCASE("the disk fills up while writing") {
    // A file size limit makes write() fail with EFBIG part-way through the temporary file, as a
    // full disk would, and works for root too (unlike a read-only directory).
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit saved{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
    rlimit limited = saved;
    limited.rlim_cur = 1000;  // bytes; the big model's file is several kilobytes
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &limited) == 0);
    std::string message;
    try {
      save_model(path, big, iris_like_prep(), json::object());
    } catch (const Error& e) {
      message = e.what();
    }
    ::setrlimit(RLIMIT_FSIZE, &saved);
    CHECK(message.find(path + ": cannot save the model: writing a temporary file in ") == 0);
    CHECK(message.find(std::strerror(EFBIG)) != std::string::npos);
  }
  SUBCASE("the target is a directory (refused before anything is written)") {
    const std::string target = dir.file("occupied");
    fs::create_directory(target);
    write_text(target + "/keep", "x");
    CHECK_THROWS_WITH_AS(save_model(target, big, iris_like_prep(), json::object()),
                         contains(target + ": cannot save the model: it is a directory"), Error);
    CHECK(read_text(target + "/keep") == "x");
  }
  SUBCASE("the directory is read-only (skipped as root, who may write anyway)") {
    if (::geteuid() != 0) {
      fs::permissions(dir.path, fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write,
                      fs::perm_options::remove);
      CHECK_THROWS_WITH_AS(save_model(path, big, iris_like_prep(), json::object()), contains(std::strerror(EACCES)),
                           Error);
    }
  }
  SUBCASE("the weights are not finite (nothing is written at all)") {
    big.dense(0)->W(1, 1) = std::numeric_limits<Scalar>::quiet_NaN();
    CHECK_THROWS_WITH_AS(save_model(path, big, iris_like_prep(), json::object()),
                         contains("dense_1 has NaN or infinite weights"), Error);
  }
  CHECK(read_text(path) == old);
  CHECK(dir.temporaries().empty());
}

TEST_CASE("model: a file that cannot be read, or is not JSON, is a clear error") {
  TempDir dir;
  const std::string missing = dir.file("nope.json");
  CHECK_THROWS_WITH_AS(load_model(missing), contains(missing + ": cannot open the model file: No such file"), Error);
  CHECK_THROWS_WITH_AS(load_model(dir.path.string()),
                       contains(dir.path.string() + ": cannot read the model file: Is a directory"), Error);
  const std::string path = dir.file("bad.json");
  CHECK(load_error(dir, "") == path + ": the file is empty, not a model file");
  CHECK(load_error(dir, "sepal_length,species\n5.1,setosa\n") ==
        path +
            ":1:1: not a valid model file (JSON error at byte 1: syntax error while parsing value - invalid literal; "
            "last read: 's')");
  CHECK(load_error(dir, "{\n  \"format\": \"mlp-model\",\n  \"version\": 1 x\n}")
            .find(path + ":3:16: not a valid model file (JSON error at byte 43:") == 0);
  CHECK(load_error(dir, "[1e999]") == path + ": not a valid model file (JSON error: number overflow parsing '1e999')");
}

TEST_CASE("model: a model file cut short is reported as truncated") {
  TempDir dir;
  const std::string path = dir.file("model.json");
  Network net = every_activation_net();
  save_model(path, net, iris_like_prep(), training_record());
  const std::string text = read_text(path);
  for (std::size_t cut : {text.size() / 2, text.size() - 2, std::size_t(1)}) {
    CAPTURE(cut);
    const std::string message = load_error(dir, text.substr(0, cut), "cut.json");
    CHECK(message.find(dir.file("cut.json") + ": the model file is truncated") == 0);
  }
}

TEST_CASE("model: each wrong field is named with the path and the problem") {
  TempDir dir;
  const std::string path = dir.file("bad.json");
  auto error_after = [&](auto&& edit) {
    json j = small_model_json();
    edit(j);
    return load_error(dir, j.dump());
  };
  auto expect = [&](const std::string& message, const std::string& problem) {
    CAPTURE(message);
    CHECK(message.find(path + ": ") == 0);
    CHECK(message.find(problem) != std::string::npos);
  };
  CHECK(error_after([](json&) {}).empty());  // the unedited model loads

  expect(error_after([](json& j) { j = json::array(); }),
         "not an mlp model file (expected a JSON object, found array)");
  expect(error_after([](json& j) { j["format"] = "keras"; }),
         "not an mlp model file (\"format\" is \"keras\", expected \"mlp-model\")");
  expect(error_after([](json& j) { j.erase("format"); }), "(\"format\" is missing");
  expect(
      error_after([](json& j) { j["version"] = 2; }),
      "version: model file version 2 is not supported; this mlp reads version 1 (the file was written by a newer mlp)");
  expect(error_after([](json& j) { j["version"] = "1"; }), "version \"1\" is not supported; this mlp reads version 1");
  expect(error_after([](json& j) { j.erase("layers"); }), "missing field \"layers\"");
  expect(error_after([](json& j) { j["layers"][0].erase("bias"); }), "layers[0]: missing field \"bias\"");
  expect(error_after([](json& j) { j["layers"] = json::array(); }), "layers: is empty");
  expect(error_after([](json& j) { j["input_size"] = 2.5; }), "input_size: expected a whole number from 1");
  expect(error_after([](json& j) { j["layers"][1]["units"] = -2; }), "layers[1].units: expected a whole number from 1");
  expect(error_after([](json& j) { j["layers"][0]["type"] = "conv2d"; }),
         "layers[0].type: unknown layer type \"conv2d\"");
  expect(error_after([](json& j) {
           j["layers"].push_back({{"type", "dropout"}, {"rate", 0.5}});
         }),
         "layers: the last layer must be dense");

  // Shapes: weight is (units, inputs), bias and activation_param one per unit.
  expect(error_after([](json& j) { j["layers"][0]["weight"].erase(0); }),
         "layers[0].weight: has 2 entries, expected 3 (one row per unit)");
  expect(error_after([](json& j) { j["layers"][1]["weight"][1].push_back(0.5); }),
         "layers[1].weight[1]: has 4 entries, expected 3 (one per input of the layer: 3)");
  expect(error_after([](json& j) { j["input_size"] = 3; }), "layers[0].weight[0]: has 2 entries, expected 3");
  expect(error_after([](json& j) { j["layers"][1]["bias"].push_back(0.5); }),
         "layers[1].bias: has 3 entries, expected 2 (one per unit)");
  expect(error_after([](json& j) { j["layers"][0]["activation_param"].erase(0); }),
         "layers[0].activation_param: has 2 entries, expected 3 (one per unit)");
  expect(error_after([](json& j) {
           j["layers"][0]["activation"] = "elu:1:learn";
           j["layers"][0]["activation_param"][1] = 0;
         }),
         "layers[0].activation_param[1]: 0 is outside the valid range of alpha, [1e-06, 100]");
  expect(error_after([](json& j) { j["layers"][0].erase("activation_param"); }),
         "layers[0]: missing field \"activation_param\"");
  expect(error_after([](json& j) {
           j["layers"][1]["activation_param"] = {1, 2};
         }),
         "layers[1].activation_param: given, but activation 'softmax' has no parameter");

  // Names the engine does not know: its own message, after the path and the field.
  expect(error_after([](json& j) { j["layers"][0]["activation"] = "relu7"; }),
         "layers[0].activation: unknown activation 'relu7'");
  expect(error_after([](json& j) { j["layers"][0]["activation"] = "leaky_relu:7"; }),
         "layers[0].activation: activation 'leaky_relu:7': alpha must be in [0, 1]");
  expect(error_after([](json& j) { j["loss"] = "hinge"; }), "loss: unknown loss 'hinge'");
  expect(error_after([](json& j) { j["layers"][1]["activation"] = "sigmoid"; }),
         "loss: loss 'cross_entropy' is computed from logits");
  expect(error_after([](json& j) {
           j["layers"].insert(j["layers"].begin() + 1, json{{"type", "dropout"}, {"rate", 1.5}});
         }),
         "layers[1].rate: dropout rate must be in [0, 1)");

  // Numbers.
  expect(error_after([](json& j) { j["layers"][0]["weight"][1][0] = "0.5"; }),
         "layers[0].weight[1][0]: expected a number, found string");
  expect(error_after([](json& j) { j["layers"][1]["bias"][1] = nullptr; }),
         "layers[1].bias[1]: expected a number, found null (NaN or infinity when saved?)");
  expect(error_after([](json& j) { j["layers"][0]["weight"][2][1] = 1e39; }),
         "layers[0].weight[2][1]: 1e+39 is out of range for a float");
  expect(error_after([](json& j) { j["layers"][0]["activation_param"][0] = true; }),
         "expected a number, found boolean");

  // Preprocessing.
  expect(error_after([](json& j) { j.erase("preprocessing"); }), "missing field \"preprocessing\"");
  expect(error_after([](json& j) { j["preprocessing"]["task"] = "clustering"; }),
         "preprocessing.task: unknown task \"clustering\"");
  expect(error_after([](json& j) { j["preprocessing"]["scaling"] = "robust"; }),
         "preprocessing.scaling: unknown scaling 'robust'");
  expect(error_after([](json& j) { j["preprocessing"]["features"][1]["type"] = "date"; }),
         "preprocessing.features[1].type: unknown feature type \"date\"");
  expect(error_after([](json& j) { j["preprocessing"]["features"][0]["scale"] = 0; }),
         "preprocessing.features[0].scale: is 0");
  expect(error_after([](json& j) {
           j["preprocessing"]["features"][0] = {{"name", "c"}, {"type", "categorical"}, {"categories", {"x", 3}}};
         }),
         "preprocessing.features[0].categories[1]: expected a string, found number");
  expect(error_after([](json& j) {
           j["preprocessing"]["features"][1] = {{"name", "c"}, {"type", "categorical"}, {"categories", {"b", "a"}}};
         }),
         "preprocessing.features[1].categories: must be sorted and distinct (byte order, as mlp writes them): \"b\" "
         "comes before \"a\"");
  expect(error_after([](json& j) { j["preprocessing"]["features"].push_back(j["preprocessing"]["features"][0]); }),
         "preprocessing.features: give 3 inputs, but input_size is 2");
  expect(error_after([](json& j) { j["preprocessing"]["classes"].push_back("maybe"); }),
         "preprocessing.classes: names 3 classes, but the network has 2 outputs");
  expect(error_after([](json& j) { j["preprocessing"]["target_shift"] = {0.5}; }),
         "preprocessing.target_scale: has 0 entries, expected 1");
  expect(error_after([](json& j) { j["training"] = "fast"; }), "training: expected an object, found string");
}

TEST_CASE("model: no JSON document crashes the loader: each is a model or an mlp::Error") {
  // Every value and every object member of a valid model is replaced by values of each JSON
  // type, or removed; the loader must answer each with a model or an mlp::Error, nothing else.
  const json valid = small_model_json();
  const json replacements[] = {
      nullptr, true, -1, 0, 3, 2.5, 1e300, "x", json::array(), json::object(), json::array({1, 2})};
  std::vector<json::json_pointer> places;
  const json flat = valid.flatten();  // {"/layers/0/bias/1": 0.0, ...}
  for (const auto& item : flat.items()) {
    for (json::json_pointer p(item.key()); !p.empty(); p = p.parent_pointer()) places.push_back(p);
  }
  int loaded = 0, refused = 0;
  auto attempt = [&](const json& j) {
    try {
      model_from_json(j, "fuzz.json");
      ++loaded;
    } catch (const Error& e) {
      ++refused;
      CHECK(std::string(e.what()).rfind("fuzz.json: ", 0) == 0);
    }  // anything else escapes and fails the test
  };
  for (const auto& place : places) {
    for (const json& value : replacements) {
      json j = valid;
      j[place] = value;
      attempt(j);
    }
    json j = valid;
    if (j[place.parent_pointer()].is_object()) {
      j[place.parent_pointer()].erase(place.back());
      attempt(j);
    }
  }
  CHECK(refused > 100);
  CHECK(loaded > 0);  // e.g. a different finite weight is still a valid model
}
