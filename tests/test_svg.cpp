// The SVG line chart (mlp/io/svg.hpp): round-number ticks, well-formed XML whatever the text,
// bands under the lines, gaps for missing values, and the charts with no data or one point.
#include <doctest/doctest.h>

#include "mlp/error.hpp"
#include "mlp/io/svg.hpp"
#include "xml_util.hpp"

#include <cmath>
#include <limits>
#include <set>

using namespace mlp;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

svg::Series series(const std::string& name, std::vector<double> y, bool band) {
  svg::Series s;
  s.name = name;
  for (std::size_t i = 0; i < y.size(); ++i) {
    s.x.push_back(static_cast<double>(i + 1));
    s.y.push_back(y[i]);
    if (band) {
      s.lower.push_back(y[i] - 0.05);
      s.upper.push_back(y[i] + 0.05);
    }
  }
  return s;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void check_well_formed(const std::string& svg_text) {
  INFO(svg_text);
  CHECK(xml::problem(svg_text) == "");
  CHECK(svg_text.rfind("<?xml", 0) == 0);
  CHECK(svg_text.find("</svg>") != std::string::npos);
}

// 1, 2 or 5 times a power of ten.
bool round_step(double step) {
  const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
  return std::abs(mantissa - 1) < 1e-9 || std::abs(mantissa - 2) < 1e-9 || std::abs(mantissa - 5) < 1e-9;
}

}  // namespace

TEST_CASE("svg: ticks are round numbers covering the range") {
  const svg::Ticks unit = svg::nice_ticks(0, 1);
  std::vector<std::string> labels;
  for (double v : unit.values) labels.push_back(unit.label(v));
  CHECK(labels == std::vector<std::string>{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"});

  const svg::Ticks accuracy = svg::nice_ticks(0.13, 0.97);
  CHECK(accuracy.first == 0);
  CHECK(accuracy.last == doctest::Approx(1));
  CHECK(accuracy.step == doctest::Approx(0.2));

  const svg::Ticks epochs = svg::nice_ticks(1, 200, 8);
  CHECK(epochs.step == 20);
  CHECK(epochs.label(epochs.values.back()) == "200");
  CHECK(epochs.decimals == 0);

  // Whatever the range: first ≤ lo, last ≥ hi, a round step, a handful of ticks, labels that
  // differ and are never "-0".
  for (double lo : {-1234.5, -3.2, -0.7, 0.0, 1e-6, 0.13, 42.0})
    for (double width : {1e-7, 0.003, 0.84, 11.1, 199.0, 5e6}) {
      const double hi = lo + width;
      const svg::Ticks t = svg::nice_ticks(lo, hi, 6);
      CAPTURE(lo);
      CAPTURE(hi);
      CHECK(t.first <= lo + 1e-12 * std::abs(lo));
      CHECK(t.last >= hi - 1e-12 * std::abs(hi));
      CHECK(round_step(t.step));
      CHECK(t.values.size() >= 3);
      CHECK(t.values.size() <= 12);
      std::set<std::string> labels;
      for (double v : t.values) {
        labels.insert(t.label(v));
        if (std::abs(v) < t.step / 2) CHECK(t.label(v).find('-') == std::string::npos);
      }
      CHECK(labels.size() == t.values.size());
    }
}

TEST_CASE("svg: a single value or no finite value still gives a range") {
  const svg::Ticks one = svg::nice_ticks(5, 5);
  CHECK(one.first < 5);
  CHECK(one.last > 5);
  const svg::Ticks zero = svg::nice_ticks(0, 0);
  CHECK(zero.first < 0);
  CHECK(zero.last > 0);
  const svg::Ticks none = svg::nice_ticks(kNaN, kNaN);
  CHECK(none.first == 0);
  CHECK(none.last == 1);
}

TEST_CASE("svg: text is escaped and the document is well-formed XML") {
  CHECK(svg::escape("a<b&c.csv") == "a&lt;b&amp;c.csv");
  CHECK(svg::escape("\"it's\" > 1") == "&quot;it&apos;s&quot; &gt; 1");
  svg::LineChart c;
  c.title = "Validation accuracy: a<b&c.csv";
  c.subtitle = "5 seeds & \"bands\"\nsecond line";
  c.x_label = "epoch <1..n>";
  c.y_label = "accuracy & more";
  c.series = {series("relu", {0.5, 0.7, 0.8}, true), series("leaky_relu:0.3 <'x'>", {0.4, 0.6, 0.9}, true)};
  const std::string text = svg::render(c);
  check_well_formed(text);
  CHECK(text.find("a&lt;b&amp;c.csv") != std::string::npos);
  CHECK(text.find("a<b") == std::string::npos);
  CHECK(text.find("leaky_relu:0.3 &lt;&apos;x&apos;&gt;") != std::string::npos);
  CHECK(xml::count(text, "<title>") == 1);
  CHECK(text.find("&quot;bands&quot;</text>") != std::string::npos);  // a subtitle line per '\n'
  CHECK(text.find(">second line</text>") != std::string::npos);
}

TEST_CASE("svg: one line per series, in palette colours, with its band under it") {
  svg::LineChart c;
  c.series = {series("a", {1, 2, 3}, true), series("b", {2, 3, 1}, true), series("c", {3, 1, 2}, false)};
  c.series[2].colour = "#123456";
  const std::string text = svg::render(c);
  check_well_formed(text);
  CHECK(xml::count(text, "class=\"line\"") == 3);
  CHECK(xml::count(text, "<polygon class=\"band\"") == 2);  // c has none
  CHECK(text.find("stroke=\"" + svg::palette()[0] + "\"") != std::string::npos);
  CHECK(text.find("stroke=\"" + svg::palette()[1] + "\"") != std::string::npos);
  CHECK(text.find("stroke=\"#123456\"") != std::string::npos);
  CHECK(text.find("stroke=\"" + svg::palette()[2] + "\"") == std::string::npos);
  // Every band is drawn before every line, so no band hides a line.
  CHECK(text.rfind("class=\"band\"") < text.find("class=\"line\""));
  CHECK(std::set<std::string>(svg::palette().begin(), svg::palette().end()).size() == 8);
}

TEST_CASE("svg: a missing value breaks the line and the band into pieces") {
  svg::LineChart c;
  c.series = {series("gappy", {0.1, 0.2, kNaN, 0.4, 0.5}, true)};
  c.series[0].lower[2] = c.series[0].upper[2] = kNaN;
  const std::string text = svg::render(c);
  check_well_formed(text);
  CHECK(xml::count(text, "<polygon class=\"band\"") == 2);
  const std::size_t path = text.find("class=\"line\" d=\"");
  REQUIRE(path != std::string::npos);
  const std::string d = text.substr(path, text.find('"', path + 16) - path);
  CHECK(xml::count(d, "M") == 2);
  CHECK(text.find("nan") == std::string::npos);
}

TEST_CASE("svg: empty series, an all-missing series and a single point") {
  svg::LineChart empty;
  empty.title = "nothing";
  empty.series = {svg::Series{}, series("missing", {kNaN, kNaN}, true)};
  const std::string none = svg::render(empty);
  check_well_formed(none);
  CHECK(none.find(">no data<") != std::string::npos);
  CHECK(none.find("nan") == std::string::npos);
  CHECK(xml::count(none, "<polygon") == 0);

  svg::LineChart no_series;
  check_well_formed(svg::render(no_series));

  svg::LineChart one;
  one.series = {series("one point", {0.7}, true)};
  const std::string point = svg::render(one);
  check_well_formed(point);
  CHECK(xml::count(point, "<circle") == 1);  // a line of one point would not show
  CHECK(point.find("inf") == std::string::npos);
  CHECK(point.find("nan") == std::string::npos);
}

TEST_CASE("svg: a fixed y range clips what lies outside it") {
  svg::LineChart c;
  c.y_min = -1;
  c.y_max = 1;
  c.series = {series("r2", {-30, -2, 0.2, 0.6}, false)};
  const std::string text = svg::render(c);
  check_well_formed(text);
  CHECK(text.find("clip-path=\"url(#chart-area)\"") != std::string::npos);
  CHECK(text.find(">-1.0<") != std::string::npos);
  CHECK(text.find(">-30") == std::string::npos);  // no tick down there
}

TEST_CASE("svg: a series whose lengths differ is an error naming it") {
  svg::LineChart c;
  c.series = {series("short", {1, 2}, false)};
  c.series[0].y.pop_back();
  CHECK_THROWS_WITH_AS(svg::render(c), doctest::Contains("short"), mlp::Error);
  c.series = {series("band", {1, 2}, true)};
  c.series[0].upper.pop_back();
  CHECK_THROWS_WITH_AS(svg::render(c), doctest::Contains("band"), mlp::Error);
}

TEST_CASE("svg: a logarithmic x axis ticks 1 2 5 10 and leaves out x at or below 0") {
  const svg::Ticks epochs = svg::log_ticks(1, 200);
  CHECK(epochs.values == std::vector<double>{1, 2, 5, 10, 20, 50, 100, 200});
  CHECK(epochs.first == 1);
  CHECK(epochs.last == 200);
  CHECK(epochs.label(50) == "50");
  const svg::Ticks wide = svg::log_ticks(1, 1e6);
  CHECK(wide.values == std::vector<double>{1, 10, 100, 1000, 1e4, 1e5, 1e6});  // only powers of ten
  const svg::Ticks small = svg::log_ticks(0.02, 0.5);
  CHECK(small.values.front() == doctest::Approx(0.02));
  CHECK(small.label(0.05) == "0.05");
  const svg::Ticks narrow = svg::log_ticks(3, 8);  // no 1, 2 or 5 but 5 inside: round numbers instead
  CHECK(narrow.values.size() >= 2);
  for (double v : narrow.values) CHECK((v >= 3 && v <= 8));

  svg::LineChart c;
  c.log_x = true;
  c.series = {series("curve", {0.2, 0.5, 0.7, 0.8}, true)};
  c.series[0].x[0] = 0;  // no place on a log axis
  const std::string text = svg::render(c);
  check_well_formed(text);
  CHECK(text.find("nan") == std::string::npos);
  CHECK(text.find("inf") == std::string::npos);
  CHECK(xml::count(text, "<polygon class=\"band\"") == 1);
}

TEST_CASE("svg: points are unjoined dots and a dashed line is dashed, in the legend too") {
  svg::LineChart c;
  svg::Series dots = series("data", {1, 2, 3, 4}, false);
  dots.style = svg::Style::Points;
  svg::Series dashed = series("f′", {2, 1, 2, 1}, false);
  dashed.style = svg::Style::Dashed;
  c.series = {dots, dashed};
  const std::string text = svg::render(c);
  check_well_formed(text);
  CHECK(xml::count(text, "class=\"series points\"") == 1);
  CHECK(xml::count(text, "<circle") == 4 + 1);               // four dots and the legend's
  CHECK(xml::count(text, "class=\"line\"") == 1);            // the dashed series only
  CHECK(xml::count(text, "stroke-dasharray=\"6 4\"") == 2);  // its line and its legend line
}

TEST_CASE("svg: a logarithmic y axis spans powers of ten and leaves out y at or below 0") {
  svg::LineChart c;
  c.log_y = true;
  c.series = {series("grad", {1e-6, 1e-4, 0, 1e-3, 1e-2}, false)};
  const std::string text = svg::render(c);
  check_well_formed(text);
  CHECK(contains(text, ">1e-06<"));
  CHECK(contains(text, ">0.01<"));
  // y = 0 has no place: the line breaks there (two pieces).
  const auto d = xml::attributes(text, "path", "d");
  REQUIRE(d.size() == 2);  // the frame and the line
  CHECK(xml::count(d[1], "M") == 2);
  // Equal ratios are equal distances: 1e-6 → 1e-4 climbs twice as far as 1e-3 → 1e-2.
  std::vector<double> ys;
  const std::string& path = d[1];
  for (std::size_t p = 0; (p = path.find(',', p)) != std::string::npos; ++p) {
    std::size_t end = path.find_first_of(" LM", p + 1);
    ys.push_back(std::stod(path.substr(p + 1, end == std::string::npos ? std::string::npos : end - p - 1)));
  }
  REQUIRE(ys.size() == 4);  // 1e-6, 1e-4 | 1e-3, 1e-2
  CHECK(ys[0] - ys[1] == doctest::Approx(2 * (ys[2] - ys[3])).epsilon(0.01));
  CHECK(ys[1] - ys[2] == doctest::Approx(ys[2] - ys[3]).epsilon(0.01));
  const svg::Ticks t = svg::log_ticks(1e-6, 1e-2);
  CHECK(t.exponent);
  CHECK(t.values.front() == doctest::Approx(1e-6));
}

TEST_CASE("svg: cells are drawn under the series, equal neighbours in a row as one rectangle") {
  svg::LineChart c;
  c.cells.columns = 4;
  c.cells.rows = 2;
  c.cells.x_min = 0, c.cells.x_max = 4, c.cells.y_min = 0, c.cells.y_max = 2;
  // Bottom row: A A' B B (A' the same colour, paler); top row: A B B A.
  c.cells.colour = {"#aaaaaa", "#aaaaaa", "#bbbbbb", "#bbbbbb", "#aaaaaa", "#bbbbbb", "#bbbbbb", "#aaaaaa"};
  c.cells.opacity = {0.5, 0.3, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5};
  c.series = {series("points", {0.5, 1.5}, false)};
  const std::string text = svg::render(c);
  check_well_formed(text);
  const std::size_t at = text.find("class=\"cells\"");
  const std::string cells = text.substr(at, text.find("</g>", at) - at);
  CHECK(xml::count(cells, "<rect") == 3 + 3);
  const auto widths = xml::attributes(cells, "rect", "width");
  const auto opacities = xml::attributes(cells, "rect", "fill-opacity");
  // Bottom row: one cell, one paler cell, a run of two; top row: one, two, one.
  CHECK(std::stod(widths[2]) == doctest::Approx(2 * std::stod(widths[0])).epsilon(0.01));
  CHECK(widths[1] == widths[0]);
  CHECK(opacities[1] == "0.30");
  CHECK(widths[4] == widths[2]);
  CHECK(text.find("class=\"cells\"") < text.find("class=\"series\""));

  c.cells.opacity.pop_back();
  CHECK_THROWS_WITH_AS(svg::render(c), doctest::Contains("4 × 2 cells need 8"), Error);
}

TEST_CASE("svg: a figure places its panels side by side, each with its own clip path") {
  svg::Figure f;
  f.title = "Two & two";
  svg::LineChart a, b;
  a.width = b.width = 300;
  a.height = 200, b.height = 250;
  a.series = {series("a", {1, 2}, false)};
  b.series = {series("b", {2, 1}, false)};
  f.panels = {a, b, a};
  f.columns = 2;
  const std::string text = svg::render(f);
  check_well_formed(text);
  CHECK(xml::count(text, "class=\"panel\"") == 3);
  CHECK(xml::attributes(text, "svg", "x") == std::vector<std::string>{"", "0", "300", "0"});
  const auto ys = xml::attributes(text, "svg", "y");
  CHECK(ys[1] == ys[2]);                              // one row
  CHECK(std::stoi(ys[3]) == std::stoi(ys[1]) + 250);  // below the taller of the two
  CHECK(xml::attributes(text, "svg", "width")[0] == "600");
  const auto clips = xml::attributes(text, "clipPath", "id");
  CHECK(std::set<std::string>(clips.begin(), clips.end()).size() == 3);
  CHECK(contains(text, ">Two &amp; two<"));
}
