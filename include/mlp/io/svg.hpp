// Charts as standalone SVG text: series of (x, y) points drawn as lines, dashed lines or dots,
// each line with an optional band (lower..upper, e.g. the spread over seeds) under it; an optional
// grid of coloured cells under everything (a classifier's decision regions); axes with
// round-number ticks (linear or logarithmic), axis labels, a legend and a title. Several charts
// side by side make a Figure. No scripts, no fonts embedded: any browser or `rsvg-convert` shows
// it. Used by `mlp compare --svg`, `mlp plot` and the HTML report of `mlp train --report`.
#pragma once

#include <limits>
#include <string>
#include <vector>

namespace mlp::svg {

enum class Style {
  Line,    // a solid line through the points
  Dashed,  // a dashed line: a second quantity beside a solid one (f′ beside f)
  Points,  // one dot per point, unjoined: data
};

struct Series {
  std::string name;                  // the legend's text ("" = not in the legend)
  std::vector<double> x, y;          // (n) the points; a NaN (or infinite) y leaves a gap in the line
  std::vector<double> lower, upper;  // (n) a band under the line, or both empty for none
  std::string colour;                // "#rrggbb"; "" = palette()[index of the series, wrapping]
  Style style = Style::Line;
  // The line's width in pixels (0 = 2). Series that coincide in places (relu′ and leaky_relu′
  // for x > 0) stay visible when the earlier, lower ones are drawn wider.
  double width = 0;
};

// A grid of coloured rectangles under the series, covering [x_min, x_max] × [y_min, y_max]:
// `columns` cells across and `rows` up, cell (row r, column c) at index r·columns + c, row 0 at
// the bottom. Neighbours in a row with the same colour and opacity are drawn as one rectangle.
struct Cells {
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
  int columns = 0, rows = 0;        // 0 = no grid
  std::vector<std::string> colour;  // (rows·columns) "#rrggbb"
  std::vector<double> opacity;      // (rows·columns) in [0, 1]
};

struct LineChart {
  std::string title, subtitle;  // above the plot; either may be empty; '\n' starts a subtitle line
  std::string x_label, y_label;
  std::vector<Series> series;     // drawn in order: a later one lies on top
  Cells cells;                    // drawn under the series
  int width = 760, height = 460;  // pixels
  // A logarithmic x axis (ticks 1, 2, 5, 10, 20, ...), e.g. for epochs: the first ones, where the
  // curves differ most, get as much room as the last hundred. Points with x ≤ 0 are left out.
  bool log_x = false;
  // A logarithmic y axis, for quantities spanning powers of ten (gradient norms); points with
  // y ≤ 0 are left out.
  bool log_y = false;
  // The x (y) axis covers [x_min, x_max] ([y_min, y_max]) when both are set (points outside are
  // clipped); by default it covers every point, band and cell, widened to round numbers.
  double x_min = std::numeric_limits<double>::quiet_NaN();
  double x_max = std::numeric_limits<double>::quiet_NaN();
  double y_min = std::numeric_limits<double>::quiet_NaN();
  double y_max = std::numeric_limits<double>::quiet_NaN();
  bool zero_lines = false;  // dark lines along x = 0 and y = 0 where they are inside the plot
  // Prefix of the ids inside the SVG (its clip path): charts that share one HTML page need
  // different ones, or every chart is clipped to the first one's plot area.
  std::string id = "chart";
};

// Charts side by side, `columns` to a row, under one title: f beside f′, loss beside accuracy.
struct Figure {
  std::string title, subtitle;
  std::vector<LineChart> panels;  // each keeps its own size, title, axes and legend
  int columns = 2;
  std::string id = "figure";  // the panels' ids are ID-1, ID-2, ...
};

// Okabe and Ito's colour-blind-safe colours (2008), in an order that reads well on white: blue,
// vermillion, bluish green, reddish purple, orange, sky blue, black; yellow, the faintest, last.
const std::vector<std::string>& palette();

// Round-number ticks: a step of 1, 2 or 5 times a power of ten giving about `count` ticks from
// first ≤ lo to last ≥ hi. lo = hi (a single value) is widened around it; non-finite bounds give
// the ticks of [0, 1].
struct Ticks {
  double first = 0, last = 1, step = 0.2;
  int decimals = 1;                   // digits after the point that tell every tick apart
  bool exponent = false;              // labels as 1e-05, 1e+06 (a logarithmic axis far from 1)
  std::vector<double> values;         // first, first + step, ..., last
  std::string label(double v) const;  // v with `decimals` digits, never "-0"
};
Ticks nice_ticks(double lo, double hi, int count = 6);
// Ticks of a logarithmic axis over [lo, hi], 0 < lo: 1, 2 and 5 times each power of ten inside
// it (only the powers of ten when that would be more than `count`); first and last are lo and hi.
Ticks log_ticks(double lo, double hi, int count = 10);

// Text safe inside an XML element or attribute: & < > " ' as entities.
std::string escape(const std::string& text);

// The chart as an SVG document. Throws mlp::Error when a series' x and y (or its band) differ in
// length. A chart with no finite point draws its axes and says "no data".
std::string render(const LineChart& chart);
// The figure as one SVG document: each panel as render draws it, placed in a grid.
std::string render(const Figure& figure);

}  // namespace mlp::svg
