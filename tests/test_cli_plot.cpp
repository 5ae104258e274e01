// `mlp plot` and `mlp train --report`: each picture parses as XML and holds the series it should
// (one curve per activation, one per layer, one set of dots per class), the curves are where the
// functions are, the decision regions agree with `mlp predict`, and the report is one page that
// references nothing outside itself. Bad input is an error that names it and writes nothing.
#include "cli_util.hpp"
#include "xml_util.hpp"

#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

using namespace cli;

namespace {

const std::string kMoons = std::string(MLP_SOURCE_DIR) + "/datasets/moons.csv";

struct Point {
  double x, y;
};

// The points of an SVG path "M1,2 L3,4 L5,6".
std::vector<Point> path_points(const std::string& d) {
  std::vector<Point> points;
  const std::regex pair(R"(([-0-9.]+),([-0-9.]+))");
  for (auto it = std::sregex_iterator(d.begin(), d.end(), pair); it != std::sregex_iterator(); ++it)
    points.push_back({std::stod((*it)[1]), std::stod((*it)[2])});
  return points;
}

// The text of each <svg class="panel"> of a figure.
std::vector<std::string> panels(const std::string& svg) {
  std::vector<std::string> out;
  for (std::size_t p = svg.find("<svg class=\"panel\""); p != std::string::npos;
       p = svg.find("<svg class=\"panel\"", p + 1))
    out.push_back(svg.substr(p, svg.find("</svg>", p) - p));
  return out;
}

// The line path of the series named `name` in a panel.
std::string series_path(const std::string& panel, const std::string& name) {
  const std::size_t g = panel.find("<g class=\"series\" data-name=\"" + name + "\"");
  REQUIRE_MESSAGE(g != std::string::npos, "no series ", name);
  const auto d = xml::attributes(panel.substr(g, panel.find("</g>", g) - g), "path", "d");
  REQUIRE(d.size() == 1);
  return d[0];
}

double zero_line_y(const std::string& panel) {
  for (std::size_t p = panel.find("<line class=\"zero\""); p != std::string::npos;
       p = panel.find("<line class=\"zero\"", p + 1)) {
    const auto y1 = xml::attributes(panel.substr(p), "line", "y1")[0];
    const auto y2 = xml::attributes(panel.substr(p), "line", "y2")[0];
    if (y1 == y2) return std::stod(y1);
  }
  FAIL("no horizontal zero line");
  return 0;
}

void check_svg(const TempDir& d, const std::string& name) {
  REQUIRE(d.exists(name));
  const std::string text = d.read(name);
  INFO(name);
  CHECK(xml::problem(text) == "");
  CHECK(text.rfind("<?xml", 0) == 0);
}

}  // namespace

TEST_CASE("cli plot: activations draws f for each activation and f′ beside it with --derivative") {
  TempDir d;
  const std::string list = "relu,leaky_relu:0.3,elu,swish,sigmoid";
  Run r = d.mlp("plot activations " + list + " -o f.svg");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  check_svg(d, "f.svg");
  const std::string f = d.read("f.svg");
  CHECK(panels(f).size() == 1);
  CHECK(xml::count(f, "class=\"line\"") == 5);

  r = d.mlp("plot activations " + list + " -o fd.svg --derivative --range -4:4");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  check_svg(d, "fd.svg");
  const auto p = panels(d.read("fd.svg"));
  REQUIRE(p.size() == 2);
  // Named as they parse back: with the parameter each one uses (elu's α = 1).
  for (const std::string& name : {"relu", "leaky_relu:0.3", "elu:1", "swish:1", "sigmoid"}) {
    CAPTURE(name);
    CHECK(xml::count(p[0], "data-name=\"" + name + "\"") == 1);
    CHECK(xml::count(p[1], "data-name=\"" + name + "\"") == 1);
  }
  CHECK(contains(p[0], ">-4<"));  // the range asked for
  CHECK(contains(p[0], ">4<"));

  // The curves are the functions: relu is flat on the zero line left of 0 and rises right of it;
  // leaky_relu lies below the zero line left of 0; relu′ is 0 then 1 (the derivative panel's zero
  // line), sigmoid′ peaks at x = 0 (the middle point).
  const double zero = zero_line_y(p[0]);
  const auto relu = path_points(series_path(p[0], "relu"));
  REQUIRE(relu.size() == 401);
  for (std::size_t i = 0; i < 200; ++i) CHECK(relu[i].y == doctest::Approx(zero).epsilon(1e-3));
  CHECK(relu.back().y < zero - 100);
  CHECK(path_points(series_path(p[0], "leaky_relu:0.3")).front().y > zero + 10);
  const std::string relu_d_path = series_path(p[1], "relu");
  CHECK(xml::count(relu_d_path, "M") == 2);  // a gap at the kink, not a vertical line from 0 to 1
  const auto relu_d = path_points(relu_d_path);
  CHECK(relu_d.front().y == doctest::Approx(zero_line_y(p[1])).epsilon(1e-3));
  CHECK(relu_d.back().y < zero_line_y(p[1]) - 50);
  const auto sigmoid_d = path_points(series_path(p[1], "sigmoid"));
  std::size_t top = 0;
  for (std::size_t i = 0; i < sigmoid_d.size(); ++i)
    if (sigmoid_d[i].y < sigmoid_d[top].y) top = i;
  CHECK(std::abs(static_cast<int>(top) - 200) <= 1);  // x = 0, to the pixel's rounding
}

TEST_CASE("cli plot: activations --grid draws one panel per activation with f solid and f′ dashed") {
  TempDir d;
  const Run r = d.mlp("plot activations relu,tanh,gelu -o g.svg --grid --derivative");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  check_svg(d, "g.svg");
  const auto p = panels(d.read("g.svg"));
  REQUIRE(p.size() == 3);
  for (const std::string& panel : p) {
    CHECK(xml::count(panel, "class=\"line\"") == 2);
    CHECK(xml::count(panel, "stroke-dasharray") == 2);  // f′'s line and its legend entry
  }
  CHECK(contains(p[1], "tanh"));
}

TEST_CASE("cli plot: activations rejects an unknown name, softmax and a bad range, writing nothing") {
  TempDir d;
  check_rejected("plot activations relu,relux -o a.svg", d.mlp("plot activations relu,relux -o a.svg"),
                 {"relux", "leaky_relu"}, "");
  check_rejected("plot activations softmax -o a.svg", d.mlp("plot activations softmax -o a.svg"), {"softmax", "row"},
                 "");
  check_rejected("plot activations relu --range 5:-5 -o a.svg", d.mlp("plot activations relu --range 5:-5 -o a.svg"),
                 {"--range", "LOW:HIGH"}, "");
  check_rejected("plot activations relu,,tanh -o a.svg", d.mlp("plot activations relu,,tanh -o a.svg"), {"empty"}, "");
  CHECK_FALSE(d.exists("a.svg"));
}

TEST_CASE("cli plot: history draws train and validation loss beside the validation accuracy") {
  TempDir d;
  Run r = d.mlp("train " + shell_quote(kIris) + " --epochs 7 --seed 3 --history h.csv -q");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  r = d.mlp("plot history h.csv -o h.svg");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  check_svg(d, "h.svg");
  const auto p = panels(d.read("h.svg"));
  REQUIRE(p.size() == 2);
  CHECK(path_points(series_path(p[0], "train")).size() == 7);
  CHECK(path_points(series_path(p[0], "validation")).size() == 7);
  CHECK(path_points(series_path(p[1], "validation")).size() == 7);
  CHECK(contains(p[1], ">accuracy<"));

  CHECK(path_points(series_path(p[1], "train")).size() == 7);  // the running training accuracy

  // Without validation data: training curves only, and the subtitle says why.
  r = d.mlp("train " + shell_quote(kIris) + " --epochs 3 --val-split 0 --history n.csv -q");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  r = d.mlp("plot history n.csv -o n.svg");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const std::string n = d.read("n.svg");
  REQUIRE(panels(n).size() == 2);
  CHECK(contains(n, "no validation data"));
  CHECK_FALSE(contains(n, "data-name=\"validation\""));
  CHECK(path_points(series_path(panels(n)[1], "train")).size() == 3);
}

TEST_CASE("cli plot: a history file that is not one is an error naming the file and line") {
  TempDir d;
  d.write("bad.csv",
          "epoch,train_loss,val_loss,val_acc,lr,seconds\n1,0.5,0.6,0.7,0.001,0.1\n2,oops,0.5,0.8,0.001,0.1\n");
  check_rejected("plot history bad.csv -o b.svg", d.mlp("plot history bad.csv -o b.svg"), {"bad.csv:3", "oops"}, "");
  d.write("other.csv", "a,b\n1,2\n");
  check_rejected("plot history other.csv -o b.svg", d.mlp("plot history other.csv -o b.svg"),
                 {"other.csv", "--history"}, "");
  check_rejected("plot history missing.csv -o b.svg", d.mlp("plot history missing.csv -o b.svg"), {"missing.csv"}, "");
  CHECK_FALSE(d.exists("b.svg"));
}

TEST_CASE("cli plot: diagnostics draws one curve per hidden layer for dead units and gradient norms") {
  TempDir d;
  Run r = d.mlp("train " + shell_quote(kIris) + " --layers 8,8,8 --epochs 5 --seed 2 --diagnostics g.csv -q");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  r = d.mlp("plot diagnostics g.csv -o g.svg");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  check_svg(d, "g.svg");
  const auto p = panels(d.read("g.svg"));
  REQUIRE(p.size() >= 2);
  for (int panel : {0, 1})
    for (const std::string& layer : {"layer 1 (relu, 8)", "layer 2 (relu, 8)", "layer 3 (relu, 8)"}) {
      CAPTURE(layer);
      CHECK(path_points(series_path(p[static_cast<std::size_t>(panel)], layer)).size() == 5);
    }
  CHECK(contains(p[1], "log scale"));

  // A sigmoid stack saturates: a third panel for saturated units.
  r = d.mlp("train " + shell_quote(kIris) +
            " --layers 8,8 --activation sigmoid --epochs 3 --seed 2 "
            "--diagnostics s.csv -q");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  r = d.mlp("plot diagnostics s.csv -o s.svg");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const std::string s = d.read("s.csv");
  bool saturated = false;
  for (const std::string& line : lines(s))
    if (line.rfind("epoch", 0) != 0) saturated = saturated || std::stod(split(line)[7]) > 0;
  CHECK(panels(d.read("s.svg")).size() == (saturated ? 3u : 2u));
}

TEST_CASE("cli plot: boundary colours each cell by the class mlp predict gives there") {
  // moons.csv with its second feature moved and stretched (50·x2 + 200): a grid that skipped the
  // model's scaling, or swapped the features, would predict nonsense under the dots.
  TempDir d;
  std::string data = "x1,x2,label\n";
  std::vector<std::string> labels;
  for (const std::string& line : lines(read_text(kMoons))) {
    const auto f = split(line);
    if (f.size() != 3 || f[0] == "x1") continue;
    data += f[0] + "," + std::to_string(50 * std::stod(f[1]) + 200) + "," + f[2] + "\n";
    labels.push_back(f[2]);
  }
  d.write("far.csv", data);
  Run r = d.mlp("train far.csv --epochs 40 --seed 1 --save m.json -q");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  r = d.mlp("plot boundary m.json far.csv -o b.svg --resolution 80");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  check_svg(d, "b.svg");
  const std::string svg = d.read("b.svg");
  r = d.mlp("predict m.json far.csv");
  REQUIRE(r.status == 0);
  auto predicted = lines(r.out);  // "prediction", then one class per row
  predicted.erase(predicted.begin());
  REQUIRE(predicted.size() == labels.size());

  // The cells, as rectangles in pixels.
  const std::size_t cells_at = svg.find("class=\"cells\"");
  REQUIRE(cells_at != std::string::npos);
  const std::string cells = svg.substr(cells_at, svg.find("</g>", cells_at) - cells_at);
  const auto x = xml::attributes(cells, "rect", "x"), y = xml::attributes(cells, "rect", "y"),
             w = xml::attributes(cells, "rect", "width"), h = xml::attributes(cells, "rect", "height"),
             fill = xml::attributes(cells, "rect", "fill");
  auto cell_colour = [&](double px, double py) {
    for (std::size_t k = 0; k < x.size(); ++k)
      if (px >= std::stod(x[k]) && px < std::stod(x[k]) + std::stod(w[k]) && py >= std::stod(y[k]) &&
          py < std::stod(y[k]) + std::stod(h[k]))
        return fill[k];
    return std::string("outside");
  };
  // The dots: one series per class, each in the file's row order; the class's colour is its dots'.
  std::map<std::string, std::string> colour_of;           // class name -> colour
  std::map<std::string, std::vector<std::string>> under;  // class name -> the cell colour under each dot
  for (std::size_t g = svg.find("class=\"series points\""); g != std::string::npos;
       g = svg.find("class=\"series points\"", g + 1)) {
    const std::string group = svg.substr(g, svg.find("</g>", g) - g);
    const std::size_t name_at = group.find("data-name=\"") + 11;
    const std::string name = group.substr(name_at, group.find('"', name_at) - name_at);
    const auto cx = xml::attributes(group, "circle", "cx"), cy = xml::attributes(group, "circle", "cy");
    REQUIRE_FALSE(cx.empty());
    colour_of[name] = xml::attributes(group, "circle", "fill")[0];
    for (std::size_t i = 0; i < cx.size(); ++i) under[name].push_back(cell_colour(std::stod(cx[i]), std::stod(cy[i])));
  }
  REQUIRE(colour_of.size() == 2);
  // Row by row: the cell under the row's dot has the colour of the class mlp predict gives the row.
  // Cells are 1/80 of the range wide, so a dot right at the boundary may sit in a cell whose centre
  // falls the other way: allow 2% of the rows.
  std::map<std::string, std::size_t> next;
  std::size_t rows = 0, agree = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::string& label = labels[i];
    REQUIRE(next[label] < under[label].size());
    agree += under[label][next[label]++] == colour_of[predicted[i]];
    ++rows;
  }
  CAPTURE(agree);
  CHECK(rows == 400);
  CHECK(static_cast<double>(agree) >= 0.98 * static_cast<double>(rows));
}

TEST_CASE("cli plot: boundary draws a one-feature regression's curve and rejects other models by name") {
  TempDir d;
  std::string data = "x,y\n";
  for (int i = 0; i < 120; ++i) {
    const double x = -3 + 6.0 * i / 119;
    data += std::to_string(x) + "," + std::to_string(std::sin(x)) + "\n";
  }
  d.write("sine.csv", data);
  Run r = d.mlp("train sine.csv --layers 16:tanh --epochs 30 --seed 1 --save s.json -q");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  r = d.mlp("plot boundary s.json sine.csv -o s.svg");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  check_svg(d, "s.svg");
  const std::string svg = d.read("s.svg");
  CHECK(xml::count(svg, "class=\"series points\"") == 1);
  CHECK(path_points(series_path(svg, "model")).size() == 400);
  CHECK_FALSE(contains(svg, "class=\"cells\""));

  r = d.mlp("train " + shell_quote(kIris) + " --epochs 2 --save iris.json -q");
  REQUIRE(r.status == 0);
  check_rejected("plot boundary iris.json iris.csv",
                 d.mlp("plot boundary iris.json " + shell_quote(kIris) + " -o i.svg"),
                 {"two numeric feature columns", "sepal_length"}, "");
  CHECK_FALSE(d.exists("i.svg"));
}

TEST_CASE("cli train: --report writes one HTML page with every picture inline and nothing outside it") {
  TempDir d;
  Run r = d.mlp("train " + shell_quote(kMoons) + " --epochs 20 --seed 1 --test-split 0.2 --report r.html");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(contains(r.out, "report written to r.html"));
  const std::string html = d.read("r.html");
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  for (const std::string& section : {"Configuration", "The data", "Results", "Confusion matrix (test set)",
                                     "Training curves", "Inside the network", "Decision regions"})
    CHECK_MESSAGE(contains(html, section), "missing section ", section);
  // Two classes: the results table has the scores from the probabilities as well.
  CHECK(contains(html, "<th>ROC AUC</th>"));
  CHECK(contains(html, "<th>log loss</th>"));
  // Three pictures, each a well-formed SVG inside the page.
  CHECK(xml::count(html, "<svg xmlns") == 3);
  for (std::size_t p = html.find("<svg xmlns"); p != std::string::npos; p = html.find("<svg xmlns", p + 1)) {
    std::size_t depth = 0, q = p;
    // Up to the matching </svg> (panels are nested <svg>s).
    for (;;) {
      const std::size_t open = html.find("<svg", q + 1), close = html.find("</svg>", q + 1);
      if (open < close) {
        ++depth, q = open;
      } else {
        q = close;
        if (depth-- == 0) break;
      }
    }
    CHECK(xml::problem(html.substr(p, q + 6 - p)) == "");
  }
  // Self-contained: no script, stylesheet, image or font fetched from anywhere. The only URL is
  // the SVG namespace's name, which no browser fetches.
  for (const std::string& outside : {"<script", "<link", "<img", "<iframe", "src=", "href=", "url(http", "@import"})
    CHECK_MESSAGE(!contains(html, outside), "the report references something outside itself: ", outside);
  std::string rest = html;
  for (std::size_t p; (p = rest.find("http://www.w3.org/2000/svg")) != std::string::npos;) rest.erase(p, 26);
  CHECK_FALSE(contains(rest, "http"));
  // The confusion matrix: one row per class, and its counts add up to the test set.
  const std::size_t table = html.find("<table class=\"confusion\">");
  REQUIRE(table != std::string::npos);
  const std::string confusion = html.substr(table, html.find("</table>", table) - table);
  CHECK(xml::count(confusion, "<tr>") == 3);  // the heading and two classes
  long total = 0;
  const std::regex cell(R"(<td[^>]*>([0-9]+)</td>)");
  for (auto it = std::sregex_iterator(confusion.begin(), confusion.end(), cell); it != std::sregex_iterator(); ++it)
    total += std::stol((*it)[1]);
  const std::size_t rows = lines(read_text(kMoons)).size() - 1;
  CHECK(total == std::lround(0.2 * static_cast<double>(rows)));
}

TEST_CASE("cli train: --report for a regression has R², no confusion matrix and no decision regions") {
  TempDir d;
  const Run r = d.mlp("train " + shell_quote(kDiabetes) + " --epochs 5 --seed 1 --report r.html -q");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const std::string html = d.read("r.html");
  CHECK(contains(html, "R²"));
  CHECK_FALSE(contains(html, "log loss"));
  CHECK_FALSE(contains(html, "Confusion matrix"));
  CHECK_FALSE(contains(html, "Decision regions"));
  CHECK(xml::count(html, "<svg xmlns") == 2);
}

TEST_CASE("cli train: --report into a directory that does not exist fails before training") {
  TempDir d;
  const Run r = d.mlp("train " + shell_quote(kIris) + " --report nowhere/r.html");
  check_rejected("train --report nowhere/r.html", r, {"--report", "nowhere"}, "");
  CHECK_FALSE(contains(r.out, "epoch 1/"));
}

TEST_CASE("cli train: the report renders in headless Chromium as a page that is not blank") {
  const char* candidates[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"};
  std::string browser;
  for (const char* c : candidates)
    if (fs::exists(c)) browser = c;
  if (browser.empty()) {
    MESSAGE("skipped: no Chromium installed (Debian: apt-get install chromium)");
    return;
  }
  TempDir d;
  Run r = d.mlp("train " + shell_quote(kMoons) + " --epochs 10 --seed 1 --report r.html -q");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  d.write("blank.html", "<!DOCTYPE html><html><body></body></html>\n");
  // The same window for both: a blank page compresses to almost nothing, a page of tables and
  // charts does not.
  auto shoot = [&](const std::string& page, const std::string& png) {
    const std::string command = shell_quote(browser) +
                                " --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,1600 "
                                "--screenshot=" +
                                shell_quote(d.file(png)) + " " + shell_quote("file://" + d.file(page)) +
                                " >/dev/null 2>&1";
    CHECK(std::system(command.c_str()) == 0);
    return fs::exists(d.file(png)) ? fs::file_size(d.file(png)) : 0;
  };
  const auto blank = shoot("blank.html", "blank.png"), page = shoot("r.html", "r.png");
  REQUIRE(blank > 0);
  CHECK(page > 10 * blank);
}
