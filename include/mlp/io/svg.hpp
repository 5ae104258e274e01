// Line charts as standalone SVG text: series of (x, y) points, each with an optional band
// (lower..upper, e.g. the spread over seeds) drawn under its line, on axes with round-number
// ticks, with axis labels, a legend and a title. No scripts, no fonts embedded: any browser or
// `rsvg-convert` shows it. Written for `mlp compare`'s validation curves; meant for every chart.
#pragma once

#include <limits>
#include <string>
#include <vector>

namespace mlp::svg {

struct Series {
  std::string name;                  // the legend's text
  std::vector<double> x, y;          // (n) the points; a NaN (or infinite) y leaves a gap in the line
  std::vector<double> lower, upper;  // (n) a band under the line, or both empty for none
  std::string colour;                // "#rrggbb"; "" = palette()[index of the series, wrapping]
};

struct LineChart {
  std::string title, subtitle;  // above the plot; either may be empty; '\n' starts a subtitle line
  std::string x_label, y_label;
  std::vector<Series> series;     // drawn in order: a later one lies on top
  int width = 760, height = 460;  // pixels
  // A logarithmic x axis (ticks 1, 2, 5, 10, 20, ...), e.g. for epochs: the first ones, where the
  // curves differ most, get as much room as the last hundred. Points with x ≤ 0 are left out.
  bool log_x = false;
  // The y axis covers [y_min, y_max] when both are set (points outside are clipped); by default
  // it covers every point and band, widened to round numbers.
  double y_min = std::numeric_limits<double>::quiet_NaN();
  double y_max = std::numeric_limits<double>::quiet_NaN();
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

}  // namespace mlp::svg
