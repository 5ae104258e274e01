// The SVG chart (svg.hpp): the data's range widened to round-number ticks, then the frame (grid,
// axes, labels), the cells, each series' band and line (or dots) clipped to the plot, and the
// legend at the right. A figure places charts in a grid, each in a nested <svg>. Coordinates are
// written with two decimals: finer than any screen shows.
#include "mlp/io/svg.hpp"

#include "mlp/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace mlp::svg {

namespace {

// Average glyph width of a sans-serif font, per pixel of font size: enough to size the legend.
constexpr double kCharWidth = 0.6;
constexpr int kFontSize = 12;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// 1, 2, 5 or 10 times a power of ten near x > 0: rounded to the nearest (round) or the next up.
double nice_number(double x, bool round) {
  const double power = std::pow(10.0, std::floor(std::log10(x)));
  const double f = x / power;
  double nice;
  if (round)
    nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  else
    nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * power;
}

struct Range {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return lo > hi; }
};

void check_lengths(const Series& s) {
  const auto n = s.x.size();
  if (s.y.size() != n)
    throw Error("chart series '" + s.name + "': " + std::to_string(n) + " x values but " + std::to_string(s.y.size()) +
                " y values");
  if ((!s.lower.empty() || !s.upper.empty()) && (s.lower.size() != n || s.upper.size() != n))
    throw Error("chart series '" + s.name + "': its band needs " + std::to_string(n) +
                " lower and upper values, one per point");
}

// The plot area and the mapping from data to pixels.
struct Frame {
  double left, top, right, bottom;  // pixels
  Ticks xt, yt;
  double xlo, xhi, ylo, yhi;  // the data range the area shows
  bool log_x = false, log_y = false;
  double px(double x) const {
    const double share = log_x ? std::log(x / xlo) / std::log(xhi / xlo) : (x - xlo) / (xhi - xlo);
    return left + share * (right - left);
  }
  double py(double y) const {
    const double share = log_y ? std::log(y / ylo) / std::log(yhi / ylo) : (y - ylo) / (yhi - ylo);
    return bottom - share * (bottom - top);
  }
};

std::string text(double x, double y, const std::string& s, const std::string& attributes) {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" " + attributes + ">" + escape(s) + "</text>\n";
}

// Characters, not bytes: a UTF-8 continuation byte (10xxxxxx) adds none.
std::size_t glyphs(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

// The lines of a subtitle: at each '\n', and wrapped at spaces to fit `width` pixels of 12 px text.
std::vector<std::string> wrap_lines(const std::string& text, double width) {
  std::vector<std::string> lines;
  if (text.empty()) return lines;
  const auto fits = static_cast<std::size_t>(std::max(10.0, width / (kCharWidth * 12)));
  std::stringstream paragraphs(text);
  for (std::string paragraph; std::getline(paragraphs, paragraph);) {
    std::string line;
    std::stringstream words(paragraph);
    for (std::string word; words >> word;) {
      if (!line.empty() && glyphs(line) + 1 + glyphs(word) > fits) {
        lines.push_back(line);
        line.clear();
      }
      line += (line.empty() ? "" : " ") + word;
    }
    lines.push_back(line);
  }
  return lines;
}

// A chart's title and subtitle start at the plot's left edge (72 px) and may reach its right edge.
std::vector<std::string> subtitle_lines(const LineChart& c) { return wrap_lines(c.subtitle, c.width - 72 - 12); }

std::string draw_frame(const Frame& f, const LineChart& c) {
  std::string out = "<g stroke=\"#e3e3e3\" stroke-width=\"1\">\n";  // the grid
  auto inside = [](double v, double lo, double hi) { return v >= lo - 1e-9 * (hi - lo) && v <= hi + 1e-9 * (hi - lo); };
  for (double v : f.yt.values)
    if (inside(v, f.ylo, f.yhi))
      out += "<line x1=\"" + num(f.left) + "\" y1=\"" + num(f.py(v)) + "\" x2=\"" + num(f.right) + "\" y2=\"" +
             num(f.py(v)) + "\"/>\n";
  for (double v : f.xt.values)
    if (inside(v, f.xlo, f.xhi))
      out += "<line x1=\"" + num(f.px(v)) + "\" y1=\"" + num(f.top) + "\" x2=\"" + num(f.px(v)) + "\" y2=\"" +
             num(f.bottom) + "\"/>\n";
  out += "</g>\n";
  out += "<path d=\"M" + num(f.left) + "," + num(f.top) + " V" + num(f.bottom) + " H" + num(f.right) +
         "\" fill=\"none\" stroke=\"#444\" stroke-width=\"1\"/>\n";
  out += "<g font-size=\"11\" fill=\"#333\">\n";
  for (double v : f.yt.values)
    if (inside(v, f.ylo, f.yhi)) out += text(f.left - 6, f.py(v) + 4, f.yt.label(v), "text-anchor=\"end\"");
  for (double v : f.xt.values)
    if (inside(v, f.xlo, f.xhi)) out += text(f.px(v), f.bottom + 17, f.xt.label(v), "text-anchor=\"middle\"");
  out += "</g>\n";
  const double mid_x = (f.left + f.right) / 2, mid_y = (f.top + f.bottom) / 2;
  if (!c.x_label.empty())
    out += text(mid_x, f.bottom + 38, c.x_label,
                "font-size=\"" + std::to_string(kFontSize + 1) + "\" fill=\"#222\" text-anchor=\"middle\"");
  if (!c.y_label.empty())
    out += "<text transform=\"translate(18," + num(mid_y) + ") rotate(-90)\" font-size=\"" +
           std::to_string(kFontSize + 1) + "\" fill=\"#222\" text-anchor=\"middle\">" + escape(c.y_label) + "</text>\n";
  double baseline = 24;
  if (!c.title.empty()) {
    out += text(f.left, baseline, c.title, "font-size=\"16\" font-weight=\"bold\" fill=\"#111\"");
    baseline += 18;
  }
  for (const std::string& line : subtitle_lines(c)) {
    out += text(f.left, baseline, line, "font-size=\"12\" fill=\"#555\"");
    baseline += 16;
  }
  return out;
}

bool finite_point(const Series& s, std::size_t i) { return std::isfinite(s.x[i]) && std::isfinite(s.y[i]); }
bool finite_band(const Series& s, std::size_t i) {
  return std::isfinite(s.x[i]) && std::isfinite(s.lower[i]) && std::isfinite(s.upper[i]);
}

// The band: one polygon per run of points where it is defined (upper bound left to right, lower
// bound back), under the line.
std::string draw_band(const Frame& f, const Series& s, const std::string& colour) {
  std::string out;
  for (std::size_t i = 0; i < s.x.size();) {
    if (!finite_band(s, i)) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < s.x.size() && finite_band(s, end)) ++end;
    if (end - i >= 2) {
      std::string points;
      for (std::size_t k = i; k < end; ++k) points += num(f.px(s.x[k])) + "," + num(f.py(s.upper[k])) + " ";
      for (std::size_t k = end; k-- > i;) points += num(f.px(s.x[k])) + "," + num(f.py(s.lower[k])) + " ";
      points.pop_back();
      out += "<polygon class=\"band\" points=\"" + points + "\" fill=\"" + colour +
             "\" fill-opacity=\"0.16\" stroke=\"none\"/>\n";
    }
    i = end;
  }
  return out;
}

std::string dot(const Frame& f, double x, double y, double radius, const std::string& colour) {
  return "<circle cx=\"" + num(f.px(x)) + "\" cy=\"" + num(f.py(y)) + "\" r=\"" + num(radius) + "\" fill=\"" + colour +
         "\"/>\n";
}

// The line: one path, broken where y is missing; a point alone between gaps is drawn as a dot.
// Points: a dot per point, outlined in white so that overlapping ones stay apart.
std::string draw_line(const Frame& f, const Series& s, const std::string& colour) {
  std::string d, dots;
  if (s.style == Style::Points) {
    std::string out =
        "<g class=\"series points\" data-name=\"" + escape(s.name) + "\" stroke=\"white\" stroke-width=\"0.6\">\n";
    for (std::size_t i = 0; i < s.x.size(); ++i)
      if (finite_point(s, i)) out += dot(f, s.x[i], s.y[i], 3, colour);
    return out + "</g>\n";
  }
  for (std::size_t i = 0; i < s.x.size(); ++i) {
    if (!finite_point(s, i)) continue;
    const bool joined = i > 0 && finite_point(s, i - 1);
    const bool alone = !joined && !(i + 1 < s.x.size() && finite_point(s, i + 1));
    if (alone)
      dots += "<circle cx=\"" + num(f.px(s.x[i])) + "\" cy=\"" + num(f.py(s.y[i])) + "\" r=\"3\" fill=\"" + colour +
              "\"/>\n";
    else
      d += (joined ? " L" : (d.empty() ? "M" : " M")) + num(f.px(s.x[i])) + "," + num(f.py(s.y[i]));
  }
  std::string out = "<g class=\"series\" data-name=\"" + escape(s.name) + "\">\n";
  if (!d.empty())
    out += "<path class=\"line\" d=\"" + d + "\" fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"" +
           num(s.width > 0 ? s.width : 2) + "\" stroke-linejoin=\"round\" stroke-linecap=\"round\"" +
           (s.style == Style::Dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>\n";
  return out + dots + "</g>\n";
}

std::string draw_legend(const LineChart& c, const std::vector<std::string>& colours, double x, double y) {
  std::string out = "<g class=\"legend\" font-size=\"" + std::to_string(kFontSize) + "\" fill=\"#222\">\n";
  double row = y - 20;
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    const Series& s = c.series[i];
    if (s.name.empty()) continue;
    row += 20;
    if (s.style == Style::Points) {
      out += "<circle cx=\"" + num(x + 12) + "\" cy=\"" + num(row) + "\" r=\"4\" fill=\"" + colours[i] + "\"/>\n";
      out += text(x + 31, row + 4, s.name, "");
      continue;
    }
    if (!s.lower.empty())
      out += "<rect x=\"" + num(x) + "\" y=\"" + num(row - 6) + "\" width=\"24\" height=\"12\" fill=\"" + colours[i] +
             "\" fill-opacity=\"0.16\"/>\n";
    out += "<line x1=\"" + num(x) + "\" y1=\"" + num(row) + "\" x2=\"" + num(x + 24) + "\" y2=\"" + num(row) +
           "\" stroke=\"" + colours[i] + "\" stroke-width=\"2.5\"" +
           (s.style == Style::Dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>\n";
    out += text(x + 31, row + 4, s.name, "");
  }
  return out + "</g>\n";
}

}  // namespace

const std::vector<std::string>& palette() {
  static const std::vector<std::string> colours = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                   "#E69F00", "#56B4E9", "#000000", "#F0E442"};
  return colours;
}

std::string Ticks::label(double v) const {
  if (std::abs(v) < step * 1e-9) v = 0;  // no "-0.0" from a sum that missed zero by a rounding error
  char buf[64];
  if (exponent)
    std::snprintf(buf, sizeof buf, "%.3g", v);
  else
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

Ticks log_ticks(double lo, double hi, int count) {
  if (!(lo > 0) || !std::isfinite(lo) || !std::isfinite(hi)) lo = 1, hi = 10;
  if (lo > hi) std::swap(lo, hi);
  if (lo == hi) lo /= 2, hi *= 2;
  Ticks t;
  t.first = lo;
  t.last = hi;
  t.step = 0;
  auto within = [&](double v) { return v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9); };
  for (bool all : {true, false}) {
    t.values.clear();
    for (int decade = static_cast<int>(std::floor(std::log10(lo))); decade <= std::ceil(std::log10(hi)); ++decade)
      for (double m : {1.0, 2.0, 5.0})
        if (all || m == 1.0)
          if (const double v = m * std::pow(10.0, decade); within(v)) t.values.push_back(v);
    if (static_cast<int>(t.values.size()) <= count) break;
  }
  if (t.values.size() < 2) {  // less than a decade with no 1, 2 or 5 in it: round numbers inside
    const Ticks linear = nice_ticks(lo, hi, 4);
    t.values.clear();
    for (double v : linear.values)
      if (within(v)) t.values.push_back(v);
  }
  t.decimals = 0;
  for (double v : t.values) t.decimals = std::max(t.decimals, -static_cast<int>(std::floor(std::log10(v) + 1e-9)));
  t.exponent = lo < 1e-3 || hi >= 1e5;  // 1e-05 reads better than 0.00001
  return t;
}

Ticks nice_ticks(double lo, double hi, int count) {
  Ticks t;
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (lo > hi) std::swap(lo, hi);
  if (lo == hi) {  // one value: a range around it
    const double pad = lo == 0 ? 1 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  count = std::max(count, 2);
  t.step = nice_number(nice_number(hi - lo, false) / (count - 1), true);
  t.first = std::floor(lo / t.step + 1e-9) * t.step;
  t.last = std::ceil(hi / t.step - 1e-9) * t.step;
  t.decimals = std::max(0, -static_cast<int>(std::floor(std::log10(t.step) + 1e-9)));
  const long n = std::lround((t.last - t.first) / t.step);
  for (long i = 0; i <= n; ++i) t.values.push_back(t.first + static_cast<double>(i) * t.step);
  return t;
}

std::string escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

namespace {

void check_cells(const Cells& g) {
  if (g.columns == 0 && g.rows == 0) return;
  const auto n = static_cast<std::size_t>(g.columns) * static_cast<std::size_t>(g.rows);
  if (g.columns < 0 || g.rows < 0 || g.colour.size() != n || g.opacity.size() != n)
    throw Error("chart cells: " + std::to_string(g.columns) + " × " + std::to_string(g.rows) + " cells need " +
                std::to_string(n) + " colours and opacities (got " + std::to_string(g.colour.size()) + " and " +
                std::to_string(g.opacity.size()) + ")");
}

// One rectangle per run of equal neighbours in a row; crispEdges, so no hairline shows between.
std::string draw_cells(const Frame& f, const Cells& g) {
  std::string out = "<g class=\"cells\" shape-rendering=\"crispEdges\">\n";
  const double w = (g.x_max - g.x_min) / g.columns, h = (g.y_max - g.y_min) / g.rows;
  for (int r = 0; r < g.rows; ++r) {
    for (int c = 0; c < g.columns;) {
      const std::size_t k = static_cast<std::size_t>(r) * static_cast<std::size_t>(g.columns) + c;
      int end = c + 1;
      while (end < g.columns && g.colour[k + (end - c)] == g.colour[k] && g.opacity[k + (end - c)] == g.opacity[k])
        ++end;
      const double x0 = f.px(g.x_min + c * w), x1 = f.px(g.x_min + end * w);
      const double y0 = f.py(g.y_min + (r + 1) * h), y1 = f.py(g.y_min + r * h);
      out += "<rect x=\"" + num(x0) + "\" y=\"" + num(y0) + "\" width=\"" + num(x1 - x0) + "\" height=\"" +
             num(y1 - y0) + "\" fill=\"" + g.colour[k] + "\" fill-opacity=\"" + num(g.opacity[k]) + "\"/>\n";
      c = end;
    }
  }
  return out + "</g>\n";
}

std::string draw_zero_lines(const Frame& f) {
  std::string out;
  const bool x0 = !f.log_x && f.xlo < 0 && f.xhi > 0, y0 = !f.log_y && f.ylo < 0 && f.yhi > 0;
  if (y0)
    out += "<line class=\"zero\" x1=\"" + num(f.left) + "\" y1=\"" + num(f.py(0)) + "\" x2=\"" + num(f.right) +
           "\" y2=\"" + num(f.py(0)) + "\" stroke=\"#888\" stroke-width=\"1\"/>\n";
  if (x0)
    out += "<line class=\"zero\" x1=\"" + num(f.px(0)) + "\" y1=\"" + num(f.top) + "\" x2=\"" + num(f.px(0)) +
           "\" y2=\"" + num(f.bottom) + "\" stroke=\"#888\" stroke-width=\"1\"/>\n";
  return out;
}

// The chart's content in a width × height box, without the document around it.
std::string chart_body(const LineChart& chart) {
  LineChart c = chart;
  check_cells(c.cells);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (Series& s : c.series) {
    check_lengths(s);
    if (c.log_x)  // no place on a logarithmic axis: missing, as a NaN would be
      for (double& x : s.x) x = x > 0 ? x : nan;
    if (c.log_y) {
      for (double& y : s.y) y = y > 0 ? y : nan;
      for (double& y : s.lower) y = y > 0 ? y : nan;
      for (double& y : s.upper) y = y > 0 ? y : nan;
    }
  }
  Range xr, yr;
  for (const Series& s : c.series) {
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i])) continue;
      if (std::isfinite(s.y[i])) xr.add(s.x[i]), yr.add(s.y[i]);
      if (!s.lower.empty() && finite_band(s, i)) xr.add(s.x[i]), yr.add(s.lower[i]), yr.add(s.upper[i]);
    }
  }
  const bool has_cells = c.cells.columns > 0 && c.cells.rows > 0;
  if (has_cells) xr.add(c.cells.x_min), xr.add(c.cells.x_max), yr.add(c.cells.y_min), yr.add(c.cells.y_max);
  const bool no_data = xr.empty();
  const bool fixed_x =
      std::isfinite(c.x_min) && std::isfinite(c.x_max) && c.x_min < c.x_max && (!c.log_x || c.x_min > 0);
  const bool fixed_y =
      std::isfinite(c.y_min) && std::isfinite(c.y_max) && c.y_min < c.y_max && (!c.log_y || c.y_min > 0);

  std::vector<std::string> colours;
  std::size_t longest = 0;
  bool legend = false;
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    colours.push_back(c.series[i].colour.empty() ? palette()[i % palette().size()] : c.series[i].colour);
    longest = std::max(longest, c.series[i].name.size());
    legend = legend || !c.series[i].name.empty();
  }
  const double legend_width = legend ? 31 + kCharWidth * kFontSize * static_cast<double>(longest) + 24 : 0;

  Frame f;
  f.left = 72;
  // Below the title (18 px) and each line of the subtitle (16 px), or 20 px from the top.
  f.top = c.title.empty() && c.subtitle.empty()
              ? 20
              : 24 + (c.title.empty() ? 0 : 18) + 16 * static_cast<double>(subtitle_lines(c).size());
  f.right = c.width - std::max(20.0, legend_width);
  f.bottom = c.height - 52;
  f.log_x = c.log_x;
  f.log_y = c.log_y;
  auto axis = [&](bool log, bool fixed, double lo, double hi, double data_lo, double data_hi, int count) {
    if (fixed) return log ? log_ticks(lo, hi) : nice_ticks(lo, hi, count);
    if (log) return log_ticks(no_data ? 1 : data_lo, no_data ? 10 : data_hi);
    return nice_ticks(no_data ? 0 : data_lo, no_data ? 1 : data_hi, count);
  };
  f.xt = axis(c.log_x, fixed_x, c.x_min, c.x_max, xr.lo, xr.hi, 8);
  f.yt = axis(c.log_y, fixed_y, c.y_min, c.y_max, yr.lo, yr.hi, 6);
  f.xlo = fixed_x ? c.x_min : f.xt.first, f.xhi = fixed_x ? c.x_max : f.xt.last;
  f.ylo = fixed_y ? c.y_min : f.yt.first, f.yhi = fixed_y ? c.y_max : f.yt.last;

  const std::string W = std::to_string(c.width), H = std::to_string(c.height);
  const std::string clip = escape(c.id) + "-area";
  std::string out;
  if (!c.title.empty()) out += "<title>" + escape(c.title) + "</title>\n";
  out += "<rect width=\"" + W + "\" height=\"" + H + "\" fill=\"white\"/>\n";
  out += "<defs><clipPath id=\"" + clip + "\"><rect x=\"" + num(f.left) + "\" y=\"" + num(f.top) + "\" width=\"" +
         num(f.right - f.left) + "\" height=\"" + num(f.bottom - f.top) + "\"/></clipPath></defs>\n";
  out += draw_frame(f, c);
  out += "<g clip-path=\"url(#" + clip + ")\">\n";
  if (has_cells) out += draw_cells(f, c.cells);
  if (c.zero_lines) out += draw_zero_lines(f);
  for (std::size_t i = 0; i < c.series.size(); ++i)
    if (!c.series[i].lower.empty()) out += draw_band(f, c.series[i], colours[i]);
  for (std::size_t i = 0; i < c.series.size(); ++i) out += draw_line(f, c.series[i], colours[i]);
  out += "</g>\n";
  if (no_data)
    out += text((f.left + f.right) / 2, (f.top + f.bottom) / 2, "no data",
                "font-size=\"14\" fill=\"#888\" text-anchor=\"middle\"");
  if (legend) out += draw_legend(c, colours, f.right + 16, f.top + 8);
  return out;
}

std::string document_head(int width, int height) {
  const std::string W = std::to_string(width), H = std::to_string(height);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + W +
         "\" height=\"" + H + "\" viewBox=\"0 0 " + W + " " + H + "\" font-family=\"Helvetica, Arial, sans-serif\">\n";
}

}  // namespace

std::string render(const LineChart& chart) {
  return document_head(chart.width, chart.height) + chart_body(chart) + "</svg>\n";
}

std::string render(const Figure& figure) {
  const int columns = std::max(1, figure.columns);
  std::vector<LineChart> panels = figure.panels;
  // Each row as tall as its tallest panel, each column as wide as its widest.
  const std::size_t n = panels.size(), rows = (n + columns - 1) / columns;
  std::vector<int> col_width(static_cast<std::size_t>(columns), 0), row_height(rows, 0);
  for (std::size_t i = 0; i < n; ++i) {
    panels[i].id = figure.id + "-" + std::to_string(i + 1);
    col_width[i % columns] = std::max(col_width[i % columns], panels[i].width);
    row_height[i / columns] = std::max(row_height[i / columns], panels[i].height);
  }
  int width = 0;
  for (int w : col_width) width += w;
  const std::vector<std::string> sub = wrap_lines(figure.subtitle, std::max(width, 400) - 40);
  // Baselines: the title's 26 px from the top, the first subtitle line's 20 px below it (18 px from
  // the top without a title), each further line's 16 px lower; the panels start 8 px below the last.
  const double first_baseline = figure.title.empty() ? 18 : 26;
  const double first_subtitle = figure.title.empty() ? 18 : 46;
  const double last_baseline = sub.empty() ? first_baseline : first_subtitle + 16 * static_cast<double>(sub.size() - 1);
  const int head = figure.title.empty() && sub.empty() ? 0 : static_cast<int>(last_baseline) + 8;
  int height = head;
  for (int h : row_height) height += h;
  if (n == 0) width = 400, height = std::max(height, 60);

  std::string out = document_head(width, height);
  if (!figure.title.empty()) out += "<title>" + escape(figure.title) + "</title>\n";
  out += "<rect width=\"" + std::to_string(width) + "\" height=\"" + std::to_string(height) + "\" fill=\"white\"/>\n";
  double baseline = first_baseline;
  if (!figure.title.empty()) {
    out += text(20, baseline, figure.title, "font-size=\"18\" font-weight=\"bold\" fill=\"#111\"");
    baseline += 20;
  }
  for (const std::string& line : sub) {
    out += text(20, baseline, line, "font-size=\"12\" fill=\"#555\"");
    baseline += 16;
  }
  int y = head;
  for (std::size_t r = 0; r < rows; ++r) {
    int x = 0;
    for (int c = 0; c < columns && r * columns + c < n; ++c) {
      const LineChart& p = panels[r * columns + c];
      out += "<svg class=\"panel\" x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) + "\" width=\"" +
             std::to_string(p.width) + "\" height=\"" + std::to_string(p.height) + "\">\n" + chart_body(p) + "</svg>\n";
      x += col_width[static_cast<std::size_t>(c)];
    }
    y += row_height[r];
  }
  return out + "</svg>\n";
}

}  // namespace mlp::svg
