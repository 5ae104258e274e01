// The synthetic datasets: one formula per kind giving "point i of the n points of class c",
// one table naming them, and make() which validates, shuffles and fills the rows.
// To add a kind, write its point function and add one line to kTable.
#include "mlp/io/synthetic.hpp"

#include "mlp/error.hpp"
#include "mlp/rng.hpp"

#include <charconv>
#include <cmath>
#include <numeric>
#include <ostream>
#include <stdexcept>

namespace mlp {
namespace synthetic {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Which point a generator is asked for: point i of the n points of class c, out of K classes.
// Generators see i and n (not just a fresh random draw) so shapes that follow sklearn and
// CS231n can space their points evenly along a curve, as those do.
struct Slot {
  int c;
  int K;
  std::size_t i;
  std::size_t n;
};

using PointFn = std::array<double, 2> (*)(Rng& rng, const Slot& s, double noise);

// i evenly spaced in [0, 1] with both ends, like numpy.linspace(0, 1, n).
double linspace01(std::size_t i, std::size_t n) {
  return n > 1 ? static_cast<double>(i) / static_cast<double>(n - 1) : 0.0;
}

// Gaussian jitter with sd `noise` on both coordinates. It always draws two normals, even when
// noise is 0, so the random stream (and with it every noise-free point) is the same whatever
// noise is: changing noise only moves the points.
std::array<double, 2> jitter(Rng& rng, double x1, double x2, double noise) {
  const double d1 = rng.normal(0.0, noise);
  const double d2 = rng.normal(0.0, noise);
  return {x1 + d1, x2 + d2};
}

// xor: class 0 in quadrants I and III, class 1 in II and IV, so label = (x1>0) xor (x2>0).
// Drawing per class (a random sign, then magnitudes) keeps the classes exactly balanced while
// the union stays uniform on [-1,1]^2. Magnitudes are in (0, 1], never 0, so no point sits on
// an axis where the quadrant rule would be ambiguous. Jitter comes after labelling.
std::array<double, 2> xor_point(Rng& rng, const Slot& s, double noise) {
  const double sign = rng.below(2) == 0 ? 1.0 : -1.0;
  const double a = 1.0 - rng.uniform();  // (0, 1]
  const double b = 1.0 - rng.uniform();
  const double x1 = sign * a;
  const double x2 = (s.c == 0 ? sign : -sign) * b;
  return jitter(rng, x1, x2, noise);
}

// spiral (CS231n, "Putting it together"): arm c is rotated by 2*pi*c/K so any K is symmetric;
// along an arm the radius grows evenly and the angle turns 4 radians. Radii are (i+1)/n, not
// CS231n's i/(n-1): at radius 0 all K arms would share the origin with K different labels.
// Noise jitters the angle (in radians), as in CS231n, so the arms blur more far from the centre.
std::array<double, 2> spiral_point(Rng& rng, const Slot& s, double noise) {
  const double r = static_cast<double>(s.i + 1) / static_cast<double>(s.n);
  const double t = 2.0 * kPi * s.c / s.K + 4.0 * r + rng.normal(0.0, noise);
  return {r * std::cos(t), r * std::sin(t)};
}

// moons (sklearn make_moons): class 0 on the upper unit half circle, class 1 on the lower one
// moved right by 1 and up by 0.5, so each moon's tip reaches into the other's hollow.
std::array<double, 2> moons_point(Rng& rng, const Slot& s, double noise) {
  const double t = kPi * linspace01(s.i, s.n);
  if (s.c == 0) return jitter(rng, std::cos(t), std::sin(t), noise);
  return jitter(rng, 1.0 - std::cos(t), 0.5 - std::sin(t), noise);
}

// circles (sklearn make_circles, factor 0.5): class 0 on the unit circle, class 1 on radius 0.5,
// angles evenly spaced without repeating the start (numpy's endpoint=False).
std::array<double, 2> circles_point(Rng& rng, const Slot& s, double noise) {
  const double radius = s.c == 0 ? 1.0 : 0.5;
  const double t = 2.0 * kPi * static_cast<double>(s.i) / static_cast<double>(s.n);
  return jitter(rng, radius * std::cos(t), radius * std::sin(t), noise);
}

// blobs: centres fixed (not random, unlike sklearn make_blobs) so the picture depends only on K.
// The sd is 1 + noise rather than noise: a blob with sd 0 would be K repeated points, and with
// sd 1 neighbours on the radius-3 circle are well apart for K = 3 but overlap by K = 10.
std::array<double, 2> blobs_point(Rng& rng, const Slot& s, double noise) {
  const double a = 2.0 * kPi * s.c / s.K;
  return jitter(rng, 3.0 * std::cos(a), 3.0 * std::sin(a), 1.0 + noise);
}

struct Entry {
  Kind kind;
  PointFn point;
};

// Up to 10 classes for the kinds that take a count: beyond that the arms or blobs crowd the
// plane so that the classes overlap almost everywhere, which teaches nothing.
const Entry kTable[] = {
    {{"xor",
      "Points uniform in [-1,1]^2, labelled 1 where x1 and x2 have opposite signs (the XOR of "
      "x1>0 and x2>0), else 0. noise is the sd of Gaussian jitter added to both coordinates "
      "after labelling, blurring the boundary along the axes. 2 classes.",
      2, 2, 2},
     xor_point},
    {{"spiral",
      "K interleaved spiral arms, as in CS231n: point i of n in class c has radius r = (i+1)/n "
      "and angle 2*pi*c/K + 4r + noise*N(0,1), so each arm turns 4 radians. noise is the sd of "
      "the angle jitter, in radians. 3 classes by default, 2 to 10.",
      3, 2, 10},
     spiral_point},
    {{"moons",
      "Two interleaving half circles, as in scikit-learn's make_moons: class 0 at (cos t, sin t), "
      "class 1 at (1 - cos t, 0.5 - sin t), t evenly spaced in [0, pi]. noise is the sd of "
      "Gaussian jitter on both coordinates. 2 classes.",
      2, 2, 2},
     moons_point},
    {{"circles",
      "Two concentric circles, as in scikit-learn's make_circles with factor 0.5: class 0 on "
      "radius 1, class 1 on radius 0.5, angles evenly spaced. noise is the sd of Gaussian "
      "jitter on both coordinates. 2 classes.",
      2, 2, 2},
     circles_point},
    {{"blobs",
      "K round Gaussian blobs centred evenly on a circle of radius 3 (centre c at angle "
      "2*pi*c/K); each coordinate has sd 1 + noise about its centre, so neighbouring blobs "
      "overlap more as K grows. 3 classes by default, 2 to 10.",
      3, 2, 10},
     blobs_point},
};

// Shortest text that reads back to the same double, independent of the locale (unlike printf).
std::string format_double(double v) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

const Entry& find(const std::string& name) {
  for (const Entry& e : kTable)
    if (name == e.kind.name) return e;
  std::string valid;
  for (const Entry& e : kTable) valid += std::string(valid.empty() ? "" : ", ") + e.kind.name;
  throw Error("unknown synthetic dataset '" + name + "'; choose one of: " + valid);
}

}  // namespace

const std::vector<Kind>& kinds() {
  static const std::vector<Kind> table = [] {
    std::vector<Kind> v;
    for (const Entry& e : kTable) v.push_back(e.kind);
    return v;
  }();
  return table;
}

Dataset make(const std::string& kind, std::size_t samples, double noise, std::uint64_t seed, int classes) {
  const Entry& entry = find(kind);
  const Kind& k = entry.kind;
  const std::string name = k.name;

  const int K = classes == 0 ? k.default_classes : classes;
  if (K < k.min_classes || K > k.max_classes) {
    if (k.min_classes == k.max_classes)
      throw Error("the " + name + " dataset always has " + std::to_string(k.min_classes) + " classes, but " +
                  std::to_string(classes) + " were asked for; leave the class count unset or use " +
                  std::to_string(k.min_classes));
    throw Error("the " + name + " dataset takes " + std::to_string(k.min_classes) + " to " +
                std::to_string(k.max_classes) + " classes, but " + std::to_string(classes) +
                " were asked for; pick a count in that range");
  }
  if (samples < static_cast<std::size_t>(K))
    throw Error(std::to_string(samples) + " samples cannot cover the " + std::to_string(K) + " classes of the " + name +
                " dataset; ask for at least " + std::to_string(K) + " samples");
  if (samples > kMaxSamples)
    throw Error(std::to_string(samples) + " samples is more than the limit of " + std::to_string(kMaxSamples) +
                "; ask for fewer");
  if (!std::isfinite(noise) || noise < 0.0)
    throw Error("noise must be a finite number >= 0 (it is a standard deviation), but got " + format_double(noise));

  Rng rng(seed);
  Dataset d;
  d.columns = {"x1", "x2", "label"};
  d.classes = K;

  // The points are made in class order (class 0's n0 points, then class 1's, ...) but written
  // to the rows a shuffled permutation names, so no row position says anything about the class
  // or about where along its curve a point sits (a head or a split by position stays fair).
  std::vector<std::size_t> row(samples);  // row[m]: where the m-th point made goes
  std::iota(row.begin(), row.end(), std::size_t{0});
  rng.shuffle(row);

  const std::size_t nK = static_cast<std::size_t>(K);
  d.x.resize(samples);
  d.label.resize(samples);
  std::size_t made = 0;
  for (std::size_t c = 0; c < nK; ++c) {
    const std::size_t n = samples / nK + (c < samples % nK ? 1 : 0);
    for (std::size_t i = 0; i < n; ++i, ++made) {
      d.x[row[made]] = entry.point(rng, Slot{static_cast<int>(c), K, i, n}, noise);
      d.label[row[made]] = static_cast<int>(c);
    }
  }
  return d;
}

void write_csv(const Dataset& data, std::ostream& out) {
  if (data.x.size() != data.label.size())
    throw std::invalid_argument("synthetic::write_csv: x has " + std::to_string(data.x.size()) +
                                " rows but label has " + std::to_string(data.label.size()));
  for (std::size_t j = 0; j < data.columns.size(); ++j) out << (j ? "," : "") << data.columns[j];
  out << '\n';

  // One buffer per line, written in one call: 10 million rows through operator<< is slow.
  char line[96];  // two doubles (at most 24 chars each), an int (11), separators
  for (std::size_t r = 0; r < data.x.size(); ++r) {
    char* p = line;
    char* const end = line + sizeof line;
    p = std::to_chars(p, end, data.x[r][0]).ptr;
    *p++ = ',';
    p = std::to_chars(p, end, data.x[r][1]).ptr;
    *p++ = ',';
    p = std::to_chars(p, end, data.label[r]).ptr;
    *p++ = '\n';
    out.write(line, p - line);
  }
  out.flush();
  if (!out) throw Error("could not write the synthetic dataset as CSV: the output failed (disk full?)");
}

}  // namespace synthetic
}  // namespace mlp
