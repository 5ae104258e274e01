// `mlp trace`: one training step of a saved model on one sample. The numbers it prints are checked
// against the equations, recomputed here in double from the model file's own weights: z = W·x + b,
// a = f(z), ∂L/∂z = p − y at a softmax or sigmoid output, ∂L/∂a = W_aboveᵀ·∂L/∂z_above,
// ∂L/∂z = ∂L/∂a ⊙ f′(z) with f′ written out here, ‖∂L/∂W‖ = ‖∂L/∂z‖·‖x‖. A trace that dropped a
// factor, or read a gradient from the wrong layer, fails them.
#include "cli_util.hpp"

#include <cmath>
#include <string>
#include <vector>

using namespace cli;

namespace {

using Vec = std::vector<double>;
using Mat = std::vector<Vec>;  // rows, as the model file stores a weight matrix: W[j] is unit j's

// The engine computes in float, and every number here went through float once (the model file
// holds floats' exact values, the trace prints them in full). Recomputing in double differs by a
// few float roundings of sums of at most 64 terms, ~1e-6 relative; 1e-4 leaves room, while a
// missing f′ factor or a sign error is off by tens of per cent.
bool close(double a, double b) { return std::abs(a - b) <= 1e-6 + 1e-4 * std::max(std::abs(a), std::abs(b)); }

void check_close(const Vec& got, const Vec& want, const std::string& what) {
  INFO(what);
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    CHECK_MESSAGE(close(got[i], want[i]), what, "[", i, "]: ", got[i], " vs ", want[i]);
}

Vec vec(const json& j) { return j.get<Vec>(); }

double norm(const Vec& v) {
  double s = 0;
  for (double x : v) s += x * x;
  return std::sqrt(s);
}

Vec affine(const Mat& W, const Vec& x, const Vec& b) {  // W·x + b
  Vec z = b;
  for (std::size_t j = 0; j < W.size(); ++j)
    for (std::size_t k = 0; k < x.size(); ++k) z[j] += W[j][k] * x[k];
  return z;
}

Vec transposed_times(const Mat& W, const Vec& dz) {  // Wᵀ·dz
  Vec dx(W[0].size(), 0.0);
  for (std::size_t j = 0; j < W.size(); ++j)
    for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += W[j][k] * dz[j];
  return dx;
}

Vec softmax(const Vec& z) {
  double m = z[0], sum = 0;
  for (double v : z) m = std::max(m, v);
  Vec p;
  for (double v : z) sum += std::exp(v - m);
  for (double v : z) p.push_back(std::exp(v - m) / sum);
  return p;
}

// The model file's Dense layers (dropout entries skipped), as the trace lists them.
std::vector<json> dense_layers(const json& model) {
  std::vector<json> d;
  for (const auto& l : model.at("layers"))
    if (l.at("type") == "dense") d.push_back(l);
  return d;
}

// A trained model in the temp dir; the test stops if training failed.
json train(const TempDir& d, const std::string& args, const std::string& name) {
  const Run r = d.mlp("train " + args + " --epochs 5 --seed 1 -q --save " + name);
  INFO(describe("train " + args, r));
  REQUIRE(r.status == 0);
  return json::parse(d.read(name));
}

json trace_json(const TempDir& d, const std::string& args) {
  const Run r = d.mlp("trace " + args + " --json");
  INFO(describe("trace " + args, r));
  REQUIRE(r.status == 0);
  return parse_json(r);
}

// x = (raw − shift) / scale per numeric feature, from the model's preprocessing.
Vec scaled(const json& model, const Vec& raw) {
  Vec x;
  const auto& features = model.at("preprocessing").at("features");
  for (std::size_t k = 0; k < raw.size(); ++k)
    x.push_back((raw[k] - features[k].at("shift").get<double>()) / features[k].at("scale").get<double>());
  return x;
}

// The forward equations for every layer: its x is the layer below's a (the input for the first),
// and z = W·x + b with the model file's W and b.
void check_forward(const json& model, const json& t, const Vec& input) {
  const auto dense = dense_layers(model);
  REQUIRE(t.at("layers").size() == dense.size());
  Vec x = input;
  for (std::size_t i = 0; i < dense.size(); ++i) {
    const json& l = t["layers"][i];
    const std::string name = l.at("name").get<std::string>();
    check_close(vec(l.at("x")), x, name + " x");
    check_close(vec(l.at("z")), affine(dense[i].at("weight").get<Mat>(), x, vec(dense[i].at("bias"))), name + " z");
    x = vec(l.at("a"));
  }
}

// The backward equations that hold in every network: a hidden layer's ∂L/∂a is Wᵀ·∂L/∂z of the
// layer above (and that layer's dL_dx), its ∂L/∂z is ∂L/∂a ⊙ f′(z), and the gradient norms of a
// single sample's outer product. Returns the smallest ‖∂L/∂z‖, so a test can see it was not 0.
double check_backward(const json& model, const json& t) {
  const auto dense = dense_layers(model);
  const json& layers = t.at("layers");
  double smallest = 1e300;
  for (std::size_t i = 0; i < dense.size(); ++i) {
    const json& l = layers[i];
    const std::string name = l.at("name").get<std::string>();
    const Vec dz = vec(l.at("dL_dz")), x = vec(l.at("x"));
    const Mat W = dense[i].at("weight").get<Mat>();
    smallest = std::min(smallest, norm(dz));
    if (i + 1 < dense.size()) {
      const Vec above = vec(layers[i + 1].at("dL_dz"));
      check_close(vec(l.at("dL_da")), transposed_times(dense[i + 1].at("weight").get<Mat>(), above), name + " dL_da");
      check_close(vec(l.at("dL_da")), vec(layers[i + 1].at("dL_dx")), name + " dL_da = dL_dx above");
      Vec chain;
      for (std::size_t j = 0; j < dz.size(); ++j)
        chain.push_back(l["dL_da"][j].get<double>() * l["f_prime"][j].get<double>());
      check_close(dz, chain, name + " dL_dz = dL_da * f'");
    }
    check_close(vec(l.at("dL_dx")), transposed_times(W, dz), name + " dL_dx");
    CHECK(close(l.at("grad_W_norm").get<double>(), norm(dz) * norm(x)));
    CHECK(close(l.at("grad_b_norm").get<double>(), norm(dz)));
  }
  return smallest;
}

const std::string kSetosa = "5.1,3.5,1.4,0.2";
const Vec kSetosaRaw = {5.1, 3.5, 1.4, 0.2};

}  // namespace

TEST_CASE("cli trace: iris with a target, every printed number obeys the forward and backward equations") {
  TempDir d;
  const json model = train(d, shell_quote(kIris) + " --layers 6:tanh,5", "iris.json");
  const json t = trace_json(d, "iris.json --sample " + kSetosa + " --target versicolor");
  check_forward(model, t, scaled(model, kSetosaRaw));
  check_close(vec(t.at("x")), scaled(model, kSetosaRaw), "x");

  // f′ written out here: tanh′ = 1 − a², relu′ = 1 where z > 0 (0 at and below 0).
  const json& tanh_layer = t["layers"][0];
  const json& relu_layer = t["layers"][1];
  const json& out = t["layers"][2];
  for (std::size_t j = 0; j < 6; ++j) {
    const double a = tanh_layer["a"][j];
    CHECK(close(a, std::tanh(tanh_layer["z"][j].get<double>())));
    CHECK(close(tanh_layer["f_prime"][j], 1 - a * a));
  }
  int active = 0;
  for (std::size_t j = 0; j < 5; ++j) {
    const double z = relu_layer["z"][j];
    CHECK(close(relu_layer["a"][j], std::max(0.0, z)));
    CHECK(relu_layer["f_prime"][j] == (z > 0 ? 1.0 : 0.0));
    active += z > 0;
  }
  CHECK(active > 0);  // else every gradient below the relu layer is 0 and the checks prove little

  // The output: p = softmax(z), the loss −log p[target], and backprop starting at ∂L/∂z = p − y.
  const Vec p = softmax(vec(out.at("z")));
  check_close(vec(out.at("a")), p, "softmax");
  check_close(vec(t.at("probabilities")), p, "probabilities");
  CHECK(out.at("from_logits") == true);
  CHECK(out.at("dL_da").is_null());
  CHECK(out.at("f_prime").is_null());
  const Vec y = {0, 1, 0};  // versicolor, the second class
  CHECK(vec(t.at("y")) == y);
  CHECK(close(t.at("loss").get<double>(), -std::log(p[1])));
  check_close(vec(out.at("dL_dz")), {p[0] - y[0], p[1] - y[1], p[2] - y[2]}, "p - y");
  CHECK(t.at("loss_name") == "cross_entropy");

  CHECK(check_backward(model, t) > 1e-4);
  const std::size_t best = std::max_element(p.begin(), p.end()) - p.begin();
  CHECK(t.at("prediction") == t.at("classes")[best]);
}

TEST_CASE("cli trace: diabetes regression, the target scaled as in training and mse's gradient at the output") {
  TempDir d;
  const json model = train(d, shell_quote(kDiabetes) + " --layers 8:sigmoid", "diabetes.json");
  const std::string sample = "59,2,32.1,101,157,93.2,38,4,4.8598,87";
  const json t = trace_json(d, "diabetes.json --sample " + sample + " --target 151");
  check_forward(model, t, scaled(model, {59, 2, 32.1, 101, 157, 93.2, 38, 4, 4.8598, 87}));

  const json& prep = model.at("preprocessing");
  const double shift = prep.at("target_shift")[0], scale = prep.at("target_scale")[0];
  const double y = (151 - shift) / scale;
  const json& hidden = t["layers"][0];
  const json& out = t["layers"][1];
  for (std::size_t j = 0; j < 8; ++j) {  // sigmoid′ = a(1 − a)
    const double a = hidden["a"][j];
    CHECK(close(a, 1 / (1 + std::exp(-hidden["z"][j].get<double>()))));
    CHECK(close(hidden["f_prime"][j], a * (1 - a)));
  }
  const double a = out["a"][0];
  CHECK(close(t.at("y")[0], y));
  CHECK(close(t.at("loss"), (a - y) * (a - y)));  // mse of one value
  CHECK(close(out["dL_da"][0], 2 * (a - y)));     // ∂L/∂a = 2(a − y)/N, N = 1
  CHECK(out["f_prime"][0] == 1.0);                // identity output
  CHECK(close(out["dL_dz"][0], 2 * (a - y)));
  CHECK(out.at("from_logits") == false);
  CHECK(close(t.at("prediction")[0], a * scale + shift));  // back in the target's units
  CHECK(check_backward(model, t) > 1e-6);
}

TEST_CASE("cli trace: a categorical column becomes one-hot inputs and a sigmoid output starts at p - y") {
  TempDir d;
  std::string csv = "u,colour,label\n";
  const char* colours[] = {"red", "green", "blue"};
  for (int i = 0; i < 30; ++i)
    csv += std::to_string(i % 7) + "," + colours[i % 3] + "," + (i % 3 == 0 || i % 7 > 4 ? "yes" : "no") + "\n";
  d.write("c.csv", csv);
  const json model = train(d, "c.csv --categorical colour --layers 4", "c.json");
  const json t = trace_json(d, "c.json --sample 3,green --target yes");
  CHECK(t.at("input_names") == json({"u", "colour=blue", "colour=green", "colour=red"}));
  const auto& u = model.at("preprocessing").at("features")[0];
  const Vec x = {(3 - u.at("shift").get<double>()) / u.at("scale").get<double>(), 0, 1, 0};
  check_forward(model, t, x);

  const json& out = t["layers"][1];
  REQUIRE(out.at("units") == 1);  // two classes: one sigmoid unit, p = P(yes)
  const double p = 1 / (1 + std::exp(-out["z"][0].get<double>()));
  CHECK(close(out["a"][0], p));
  CHECK(t.at("y") == json({1.0}));
  CHECK(close(t.at("loss"), -std::log(p)));
  CHECK(close(out["dL_dz"][0], p - 1));
  check_backward(model, t);

  const Run bad = d.mlp("trace c.json --sample 3,purple");
  check_rejected("trace c.json --sample 3,purple", bad, {"'purple'", "colour", "'blue', 'green', 'red'"}, "");
}

TEST_CASE("cli trace: dropout is off, so each layer's input is the last layer's output") {
  TempDir d;
  const json model = train(d, shell_quote(kIris) + " --layers 6 --dropout 0.5", "drop.json");
  const json t = trace_json(d, "drop.json --sample " + kSetosa + " --target setosa");
  CHECK(t.at("dropout_off") == true);
  check_forward(model, t, scaled(model, kSetosaRaw));
  check_backward(model, t);
  const Run again = d.mlp("trace drop.json --json --sample " + kSetosa + " --target setosa");
  CHECK(parse_json(again) == t);  // no random mask: the same step every run
}

TEST_CASE("cli trace: text fits 100 columns, wide layers are cut with a count and the output explains p - y") {
  TempDir d;
  train(d, shell_quote(kIris), "wide.json");  // the default layers, 64 and 32 units
  const Run r = d.mlp("trace wide.json --sample " + kSetosa + " --target setosa");
  INFO(describe("trace", r));
  INFO("stdout: ", r.out);
  REQUIRE(r.status == 0);
  for (const auto& l : lines(r.out)) {
    std::size_t cols = 0;  // UTF-8 characters: ∂, ‖, ⊙ are one column each
    for (unsigned char c : l) cols += (c & 0xC0) != 0x80;
    CHECK_MESSAGE(cols <= 100, "a line of ", cols, " columns: ", l);
  }
  CHECK(contains(r.out, "... 56 more units (--units 64 shows them all)"));
  CHECK(contains(r.out, "... 24 more units (--units 32 shows them all)"));
  CHECK(contains(r.out, "∂L/∂z = p - y"));
  CHECK(contains(r.out, "∂L/∂z = ∂L/∂a ⊙ f'(z)"));
  CHECK(contains(r.out, "sepal_length"));
  CHECK(contains(r.out, "loss: cross_entropy = "));
  CHECK(contains(r.out, "‖∂L/∂W‖ = "));

  const Run all = d.mlp("trace wide.json --units 64 --sample " + kSetosa + " --target setosa");
  REQUIRE(all.status == 0);
  CHECK_FALSE(contains(all.out, "more units"));
  // Every unit in the forward and the backward table of both hidden layers, and no "... more" line.
  CHECK(lines(all.out).size() == lines(r.out).size() + 2 * (56 + 24) - 4);
}

TEST_CASE("cli trace: without a target, the forward pass and the prediction only") {
  TempDir d;
  const json model = train(d, shell_quote(kIris) + " --layers 5", "iris.json");
  const Run r = d.mlp("trace iris.json --sample " + kSetosa);
  INFO(describe("trace", r));
  REQUIRE(r.status == 0);
  CHECK(contains(r.out, "prediction: "));
  CHECK(contains(r.out, "backward: needs a target"));
  CHECK(contains(r.out, "add --target CLASS\n  classes: 'setosa', 'versicolor', 'virginica'\n"));
  CHECK_FALSE(contains(r.out, "∂L/∂W"));

  const json t = trace_json(d, "iris.json --sample " + kSetosa);
  check_forward(model, t, scaled(model, kSetosaRaw));
  CHECK(t.at("loss").is_null());
  CHECK(t.at("target").is_null());
  for (const auto& l : t.at("layers")) CHECK_FALSE(l.contains("dL_dz"));
  CHECK(t.at("prediction").is_string());
}

TEST_CASE("cli trace: wrong samples, targets and options are rejected with what to do") {
  TempDir d;
  train(d, shell_quote(kIris) + " --layers 5", "iris.json");
  train(d, shell_quote(kDiabetes) + " --layers 5", "reg.json");
  const std::string reg_sample = "59,2,32.1,101,157,93.2,38,4,4.8598,87";
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"iris.json --sample 5.1,3.5,1.4", {"3 values", "takes 4 values", "'sepal_length', 'sepal_width'"}},
      {"iris.json --sample 5.1,3.5,1.4,0.2,9", {"5 values", "takes 4"}},
      {"iris.json --sample 5.1,abc,1.4,0.2", {"value 2", "'abc'", "not a number", "sepal_width"}},
      {"iris.json --sample ''", {"--sample is empty"}},
      {"iris.json --sample " + kSetosa + " --target rose",
       {"'rose'", "not a class", "'setosa', 'versicolor', 'virginica'"}},
      {"iris.json --sample " + kSetosa + " --target ''", {"not a class"}},
      {"iris.json --sample " + kSetosa + " --units 0", {"--units"}},
      {"reg.json --sample " + reg_sample + " --target abc", {"--target", "'abc'", "not a number"}},
      {"reg.json --sample " + reg_sample + " --target 1,2", {"--target", "2 value", "'progression'"}},
      {"missing.json --sample " + kSetosa, {"missing.json"}},
      {"iris.json", {"--sample"}},
  };
  for (const auto& [args, words] : cases) {
    const Run r = d.mlp("trace " + args);
    check_rejected("trace " + args, r, words, "");
    CHECK_MESSAGE(r.err.rfind("mlp: error: ", 0) == 0, "trace ", args, ": ", r.err);
    CHECK(r.out.empty());
  }
}
