// Tests for the synthetic datasets: sizes and class balance for every kind in the table, seeds,
// the exact noise-free geometry each kind documents, the CSV round trip, and the user errors.
#include <doctest/doctest.h>

#include "mlp/error.hpp"
#include "mlp/io/synthetic.hpp"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace syn = mlp::synthetic;

namespace {

constexpr double kPi = 3.14159265358979323846;

// Noise-free points still go through cos/sin and a sum of squares, so "exactly on the circle"
// means within a few ulps; 1e-12 is far above rounding and far below any real mistake.
constexpr double kGeomTol = 1e-12;

std::vector<std::size_t> class_counts(const syn::Dataset& d) {
  std::vector<std::size_t> n(static_cast<std::size_t>(d.classes), 0);
  for (int l : d.label) ++n.at(static_cast<std::size_t>(l));
  return n;
}

template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const mlp::Error& e) {
    return e.what();
  }
  return "<no mlp::Error thrown>";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

double norm(double a, double b) { return std::sqrt(a * a + b * b); }

}  // namespace

TEST_CASE("synthetic: the kinds table lists the five kinds with usable entries") {
  const std::vector<std::string> expected = {"xor", "spiral", "moons", "circles", "blobs"};
  REQUIRE(syn::kinds().size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const syn::Kind& k = syn::kinds()[i];
    CHECK(k.name == expected[i]);
    CHECK(std::string(k.description).size() > 40);
    CHECK(k.min_classes >= 2);
    CHECK(k.min_classes <= k.default_classes);
    CHECK(k.default_classes <= k.max_classes);
  }
  CHECK(syn::kinds()[1].default_classes == 3);  // spiral
  CHECK(syn::kinds()[4].default_classes == 3);  // blobs
}

TEST_CASE("synthetic: every kind gives the requested count with balanced classes") {
  for (const syn::Kind& k : syn::kinds()) {
    for (int K : {0, k.min_classes, k.max_classes}) {
      const int classes = K == 0 ? k.default_classes : K;
      for (std::size_t n : {static_cast<std::size_t>(classes), std::size_t{7} * classes + 3, std::size_t{1001}}) {
        CAPTURE(k.name);
        CAPTURE(K);
        CAPTURE(n);
        const syn::Dataset d = syn::make(k.name, n, 0.1, 5, K);
        CHECK(d.columns == std::vector<std::string>{"x1", "x2", "label"});
        CHECK(d.classes == classes);
        REQUIRE(d.x.size() == n);
        REQUIRE(d.label.size() == n);
        for (int l : d.label) REQUIRE((l >= 0 && l < classes));
        const std::vector<std::size_t> counts = class_counts(d);
        // As even as possible, and the extra rows go to the first classes.
        for (int c = 0; c < classes; ++c) {
          const std::size_t want = n / classes + (static_cast<std::size_t>(c) < n % classes ? 1 : 0);
          CHECK(counts[static_cast<std::size_t>(c)] == want);
        }
        for (const auto& p : d.x) CHECK((std::isfinite(p[0]) && std::isfinite(p[1])));
      }
    }
  }
}

TEST_CASE("synthetic: a seed reproduces a dataset and another seed changes it") {
  for (const syn::Kind& k : syn::kinds()) {
    CAPTURE(k.name);
    const syn::Dataset a = syn::make(k.name, 300, 0.2, 123);
    const syn::Dataset b = syn::make(k.name, 300, 0.2, 123);
    const syn::Dataset c = syn::make(k.name, 300, 0.2, 124);
    CHECK(a.x == b.x);
    CHECK(a.label == b.label);
    CHECK(a.x != c.x);
    CHECK(a.label != c.label);  // the shuffle differs too
  }
}

TEST_CASE("synthetic: rows come shuffled, so the first rows mix classes") {
  for (const syn::Kind& k : syn::kinds()) {
    CAPTURE(k.name);
    const syn::Dataset d = syn::make(k.name, 600, 0.1, 9);
    // Unshuffled, the first 30 rows would all be class 0.
    const std::set<int> first(d.label.begin(), d.label.begin() + 30);
    CHECK(first.size() == static_cast<std::size_t>(d.classes));
  }
}

TEST_CASE("synthetic: rows are shuffled within a class too, so position says nothing") {
  // Spiral points are made in order of radius; if rows followed that order within each class,
  // the first half of the file would hold the inner half of every arm (mean radius ~0.25 vs
  // ~0.75). Shuffled, both halves average ~0.5: each mean has sd 0.29/sqrt(1500) = 0.0075, so
  // their difference has sd 0.011 and 0.05 is 4.7 sd.
  const syn::Dataset d = syn::make("spiral", 3000, 0.0, 29);
  double first = 0, second = 0;
  for (std::size_t r = 0; r < 1500; ++r) first += norm(d.x[r][0], d.x[r][1]);
  for (std::size_t r = 1500; r < 3000; ++r) second += norm(d.x[r][0], d.x[r][1]);
  CHECK(std::abs(first / 1500 - second / 1500) < 0.05);
}

TEST_CASE("synthetic: noise only moves the points of a seed, in proportion to noise") {
  for (const syn::Kind& k : syn::kinds()) {
    CAPTURE(k.name);
    const syn::Dataset clean = syn::make(k.name, 200, 0.0, 77);
    const syn::Dataset little = syn::make(k.name, 200, 0.1, 77);
    const syn::Dataset more = syn::make(k.name, 200, 0.2, 77);
    CHECK(clean.label == little.label);
    CHECK(clean.label == more.label);
    CHECK(clean.x != little.x);
    if (std::string(k.name) == "spiral" || std::string(k.name) == "blobs") continue;
    // Jitter kinds: x = clean + noise * z with the same z, so doubling noise doubles the offset.
    // 1e-12 allows for the rounding of the sum; a different z would be off by ~0.1.
    for (std::size_t r = 0; r < clean.x.size(); ++r)
      for (int j = 0; j < 2; ++j) {
        const double d1 = little.x[r][j] - clean.x[r][j];
        const double d2 = more.x[r][j] - clean.x[r][j];
        CHECK(std::abs(d2 - 2.0 * d1) < 1e-12);
      }
  }
}

TEST_CASE("synthetic: xor without noise follows the quadrant rule inside [-1,1]^2") {
  const syn::Dataset d = syn::make("xor", 2000, 0.0, 3);
  int quadrants[4] = {0, 0, 0, 0};
  for (std::size_t r = 0; r < d.x.size(); ++r) {
    const double x1 = d.x[r][0], x2 = d.x[r][1];
    CHECK((x1 >= -1.0 && x1 <= 1.0 && x2 >= -1.0 && x2 <= 1.0));
    CHECK(d.label[r] == ((x1 > 0) != (x2 > 0) ? 1 : 0));
    ++quadrants[(x1 > 0 ? 1 : 0) + (x2 > 0 ? 2 : 0)];
  }
  // Uniform on the square: each quadrant gets ~500 of 2000 (sd ~19; 400 is 5 sd away).
  for (int q : quadrants) CHECK(q > 400);
}

TEST_CASE("synthetic: xor with noise keeps the clean labels, so points cross the axes") {
  const syn::Dataset d = syn::make("xor", 2000, 0.3, 3);
  int against_rule = 0;
  for (std::size_t r = 0; r < d.x.size(); ++r)
    against_rule += d.label[r] != ((d.x[r][0] > 0) != (d.x[r][1] > 0) ? 1 : 0);
  CHECK(against_rule > 0);
}

TEST_CASE("synthetic: circles without noise lie on radii 1 and 0.5, evenly spaced") {
  const syn::Dataset d = syn::make("circles", 401, 0.0, 11);
  std::vector<double> angles0;
  for (std::size_t r = 0; r < d.x.size(); ++r) {
    const double radius = norm(d.x[r][0], d.x[r][1]);
    CHECK(std::abs(radius - (d.label[r] == 0 ? 1.0 : 0.5)) < kGeomTol);
    if (d.label[r] == 0) angles0.push_back(std::atan2(d.x[r][1], d.x[r][0]));
  }
  // 201 outer points: one at angle 0, the rest 2*pi/201 apart, no duplicate at 2*pi.
  REQUIRE(angles0.size() == 201);
  std::set<long> steps;
  for (double a : angles0) {
    const double k = (a < 0 ? a + 2 * kPi : a) / (2 * kPi / 201);
    CHECK(std::abs(k - std::round(k)) < 1e-9);
    steps.insert(std::lround(k) % 201);
  }
  CHECK(steps.size() == 201);
}

TEST_CASE("synthetic: moons without noise lie on their unit half circles") {
  const syn::Dataset d = syn::make("moons", 300, 0.0, 13);
  bool has_tip0 = false, has_tip1 = false;
  for (std::size_t r = 0; r < d.x.size(); ++r) {
    const double x1 = d.x[r][0], x2 = d.x[r][1];
    CAPTURE(r);
    if (d.label[r] == 0) {  // upper half of the unit circle round (0, 0)
      CHECK(std::abs(norm(x1, x2) - 1.0) < kGeomTol);
      CHECK(x2 >= -kGeomTol);
      has_tip0 |= std::abs(x1 - 1.0) < kGeomTol;
    } else {  // lower half of the unit circle round (1, 0.5)
      CHECK(std::abs(norm(x1 - 1.0, x2 - 0.5) - 1.0) < kGeomTol);
      CHECK(x2 <= 0.5 + kGeomTol);
      has_tip1 |= std::abs(x1 - 0.0) < kGeomTol;
    }
  }
  // Both ends of each half circle are included (linspace with endpoints, as in sklearn).
  CHECK(has_tip0);
  CHECK(has_tip1);
}

TEST_CASE("synthetic: spiral arms follow angle 2*pi*c/K + 4r with radii (i+1)/n") {
  for (int K : {2, 3, 10}) {
    CAPTURE(K);
    const std::size_t per_class = 50;
    const syn::Dataset d = syn::make("spiral", per_class * K, 0.0, 17, K);
    std::vector<std::set<long>> radii(static_cast<std::size_t>(K));
    for (std::size_t r = 0; r < d.x.size(); ++r) {
      const int c = d.label[r];
      const double rad = norm(d.x[r][0], d.x[r][1]);
      const double step = rad * per_class;  // (i+1)/n * n = i+1, an integer in 1..n
      CHECK(std::abs(step - std::round(step)) < 1e-9);
      radii[static_cast<std::size_t>(c)].insert(std::lround(step));
      // Compare directions, not angles, to stay clear of the wrap at +-pi.
      const double t = 2 * kPi * c / K + 4 * rad;
      CHECK(std::abs(d.x[r][0] - rad * std::cos(t)) < kGeomTol);
      CHECK(std::abs(d.x[r][1] - rad * std::sin(t)) < kGeomTol);
    }
    for (const auto& s : radii) {
      CHECK(s.size() == per_class);
      CHECK(*s.begin() == 1);  // never at the origin, where the arms would meet
      CHECK(*s.rbegin() == static_cast<long>(per_class));
    }
  }
}

TEST_CASE("synthetic: spiral noise turns points without changing their radius") {
  const syn::Dataset clean = syn::make("spiral", 300, 0.0, 19);
  const syn::Dataset noisy = syn::make("spiral", 300, 0.5, 19);
  bool moved = false;
  for (std::size_t r = 0; r < clean.x.size(); ++r) {
    CHECK(std::abs(norm(clean.x[r][0], clean.x[r][1]) - norm(noisy.x[r][0], noisy.x[r][1])) < kGeomTol);
    moved |= std::abs(clean.x[r][0] - noisy.x[r][0]) > 1e-3;
  }
  CHECK(moved);
}

TEST_CASE("synthetic: blobs centre on the radius-3 circle with sd 1 + noise") {
  const int K = 4;
  const double noise = 0.5;
  const syn::Dataset d = syn::make("blobs", 8000, noise, 23, K);
  std::vector<double> sx(K, 0), sy(K, 0), ss(K, 0);
  const std::vector<std::size_t> n = class_counts(d);
  for (std::size_t r = 0; r < d.x.size(); ++r) {
    const int c = d.label[r];
    sx[c] += d.x[r][0];
    sy[c] += d.x[r][1];
  }
  for (int c = 0; c < K; ++c) {
    CAPTURE(c);
    const double mx = sx[c] / n[c], my = sy[c] / n[c];
    // 2000 points per blob with sd 1.5: the mean's sd is 1.5/sqrt(2000) = 0.034; 0.15 is 4.4 sd.
    CHECK(std::abs(mx - 3 * std::cos(2 * kPi * c / K)) < 0.15);
    CHECK(std::abs(my - 3 * std::sin(2 * kPi * c / K)) < 0.15);
  }
  double sq = 0;
  for (std::size_t r = 0; r < d.x.size(); ++r) {
    const int c = d.label[r];
    const double a = 2 * kPi * c / K;
    sq += std::pow(d.x[r][0] - 3 * std::cos(a), 2) + std::pow(d.x[r][1] - 3 * std::sin(a), 2);
  }
  // 16000 squared deviations: the sd estimate is within ~0.6% of 1.5 (1 sd); 5% is 8 sd, while
  // sd = noise (0.5) or sd = 1 would be off by 67% or 33%.
  CHECK(std::sqrt(sq / (2.0 * d.x.size())) == doctest::Approx(1.0 + noise).epsilon(0.05));
}

TEST_CASE("synthetic: a fixed seed gives the same numbers as when this test was written") {
  // xor without noise uses only uniform draws and sign flips, so these values are exact on
  // every platform. If this fails, every dataset a seed names has changed: change the
  // generator only on purpose, and then update these numbers.
  const syn::Dataset d = syn::make("xor", 4, 0.0, 2024);
  std::ostringstream csv;
  syn::write_csv(d, csv);
  CHECK(csv.str() ==
        "x1,x2,label\n"
        "-0.9571468645040099,0.3472727493893655,1\n"
        "-0.9493324590871565,-0.2796551565122911,0\n"
        "-0.6960110279725299,0.8053364767787194,1\n"
        "-0.22634961028106904,-0.755127875544704,0\n");
}

TEST_CASE("synthetic: CSV has the header, one line per row, and reads back exactly") {
  for (const syn::Kind& k : syn::kinds()) {
    CAPTURE(k.name);
    const syn::Dataset d = syn::make(k.name, 257, 0.15, 31);
    std::ostringstream out;
    syn::write_csv(d, out);
    std::istringstream in(out.str());
    std::string line;
    REQUIRE(std::getline(in, line));
    CHECK(line == "x1,x2,label");
    std::size_t r = 0;
    while (std::getline(in, line)) {
      REQUIRE(r < d.x.size());
      const char* p = line.c_str();
      char* end = nullptr;
      const double x1 = std::strtod(p, &end);
      REQUIRE(*end == ',');
      const double x2 = std::strtod(end + 1, &end);
      REQUIRE(*end == ',');
      const long label = std::strtol(end + 1, &end, 10);
      CHECK(*end == '\0');
      CHECK(x1 == d.x[r][0]);  // exact: the shortest form still round-trips
      CHECK(x2 == d.x[r][1]);
      CHECK(label == d.label[r]);
      ++r;
    }
    CHECK(r == d.x.size());
    CHECK(out.str().back() == '\n');
  }
}

TEST_CASE("synthetic: write_csv reports a failed stream and a malformed dataset") {
  const syn::Dataset d = syn::make("moons", 10, 0.1, 1);
  std::ostream broken(nullptr);  // no buffer: every write fails
  CHECK(contains(error_of([&] { syn::write_csv(d, broken); }), "could not write"));

  syn::Dataset bad = d;
  bad.label.pop_back();
  std::ostringstream out;
  CHECK_THROWS_AS(syn::write_csv(bad, out), std::invalid_argument);
}

TEST_CASE("synthetic: an unknown kind is an error that lists the valid kinds") {
  const std::string msg = error_of([] { syn::make("spirals", 100, 0.1, 1); });
  CHECK(contains(msg, "'spirals'"));
  for (const syn::Kind& k : syn::kinds()) CHECK(contains(msg, k.name));
  CHECK(contains(error_of([] { syn::make("", 100, 0.1, 1); }), "unknown"));
  CHECK(contains(error_of([] { syn::make("XOR", 100, 0.1, 1); }), "unknown"));
}

TEST_CASE("synthetic: a class count outside the kind's range is an error naming the range") {
  CHECK(contains(error_of([] { syn::make("xor", 100, 0.1, 1, 3); }), "always has 2 classes"));
  CHECK(contains(error_of([] { syn::make("circles", 100, 0.1, 1, 1); }), "always has 2 classes"));
  for (int bad : {1, 11, -1}) {
    CAPTURE(bad);
    const std::string msg = error_of([&] { syn::make("spiral", 100, 0.1, 1, bad); });
    CHECK(contains(msg, "2 to 10"));
    CHECK(contains(msg, std::to_string(bad)));
  }
  CHECK(contains(error_of([] { syn::make("blobs", 100, 0.1, 1, 11); }), "2 to 10"));
  CHECK_NOTHROW(syn::make("xor", 100, 0.1, 1, 2));  // the fixed count itself is fine
}

TEST_CASE("synthetic: too few or too many samples is an error saying the bound") {
  CHECK(contains(error_of([] { syn::make("spiral", 2, 0.1, 1); }), "at least 3 samples"));
  CHECK(contains(error_of([] { syn::make("blobs", 9, 0.1, 1, 10); }), "at least 10 samples"));
  CHECK(contains(error_of([] { syn::make("xor", 0, 0.1, 1); }), "at least 2 samples"));
  const std::string msg = error_of([] { syn::make("xor", syn::kMaxSamples + 1, 0.1, 1); });
  CHECK(contains(msg, "10000000"));
  CHECK(contains(msg, "fewer"));
  // What a negative count becomes after a careless cast to size_t.
  CHECK(contains(error_of([] { syn::make("xor", static_cast<std::size_t>(-5), 0.1, 1); }), "limit"));
}

TEST_CASE("synthetic: negative or non-finite noise is an error") {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (double bad : {-0.1, -inf, inf, nan}) {
    CAPTURE(bad);
    const std::string msg = error_of([&] { syn::make("moons", 100, bad, 1); });
    CHECK(contains(msg, "noise must be a finite number >= 0"));
  }
  CHECK(contains(error_of([] { syn::make("moons", 100, -0.25, 1); }), "-0.25"));
}
