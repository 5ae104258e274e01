// Toy 2-D classification datasets (xor, spiral, moons, circles, blobs): try a network without a
// data file and see what a hidden layer buys. All randomness comes from mlp::Rng, so (kind,
// samples, noise, seed, classes) names one dataset (bit for bit where libm's cos/sin/log agree).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace mlp {
namespace synthetic {

// One row per sample, as everywhere in mlp. Rows come shuffled, so any prefix mixes classes.
struct Dataset {
  std::vector<std::string> columns;      // {"x1", "x2", "label"}: the CSV header
  std::vector<std::array<double, 2>> x;  // (samples, 2) features
  std::vector<int> label;                // (samples): class index in [0, classes)
  int classes = 0;
};

// The one table of dataset kinds: the CLI's choices, its --help, the docs and the tests all
// iterate kinds(), so a new kind is one entry in src/synthetic.cpp.
struct Kind {
  const char* name;
  const char* description;  // how it is made and what noise means, for --help and docs
  int default_classes;      // used when make() is called with classes = 0
  int min_classes;          // the range make() accepts; equal to default for fixed kinds
  int max_classes;
};

const std::vector<Kind>& kinds();  // xor, spiral, moons, circles, blobs, in that order

// Largest dataset make() will build: 10,000,000 rows take 200 MB (280 MB while being shuffled),
// and anything bigger is more likely a typo than a toy problem.
constexpr std::size_t kMaxSamples = 10000000;

// Builds `samples` rows of `kind`, split as evenly as possible among the classes (the first
// samples % classes classes get one extra row), in shuffled order; the shuffle uses the same Rng.
// classes = 0 means the kind's default. Throws mlp::Error, with a message saying what to change,
// for an unknown kind, classes outside the kind's range, samples < classes or > kMaxSamples,
// and noise that is negative, NaN or infinite.
// One seed makes the same random draws whatever noise is, so noise only changes how far each
// point is moved from its noise-free place (blobs: from its centre, scaled by 1 + noise).
Dataset make(const std::string& kind, std::size_t samples, double noise, std::uint64_t seed, int classes = 0);

// Writes a header line (the columns, "x1,x2,label") and one line per row. Features are written
// in the shortest form that reads back to the same double; labels as integers. The output does
// not depend on the locale. Throws mlp::Error if the stream fails.
void write_csv(const Dataset& data, std::ostream& out);

}  // namespace synthetic
}  // namespace mlp
