// The random number generator behind everything random in mlp: initialisation, shuffling,
// dropout masks, synthetic datasets. One seed drives it, and it gives the same numbers on
// every platform (std::normal_distribution does not), so a seed reproduces a run anywhere.
#pragma once

#include <cstdint>
#include <vector>

namespace mlp {

// Everything an Rng's next numbers depend on, for checkpoints: the generator's four words and the
// second normal of the last pair, when one is waiting.
struct RngState {
  std::uint64_t s[4] = {0, 0, 0, 0};
  bool has_spare = false;
  double spare = 0.0;
};

// xoshiro256** (Blackman & Vigna), seeded through splitmix64.
class Rng {
 public:
  explicit Rng(std::uint64_t seed = 42) { reseed(seed); }
  void reseed(std::uint64_t seed);
  RngState state() const;
  void set_state(const RngState& state);  // throws mlp::Error for the all-zero state, which stays zero

  std::uint64_t next_u64();
  double uniform();                      // [0, 1)
  double uniform(double lo, double hi);  // [lo, hi)
  double normal(double mean = 0.0, double stddev = 1.0);
  std::uint64_t below(std::uint64_t n);  // uniform integer in [0, n), n > 0

  // Fisher-Yates shuffle of an index vector, in place (no allocation).
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) {
      std::size_t j = static_cast<std::size_t>(below(i));
      T tmp = v[i - 1];
      v[i - 1] = v[j];
      v[j] = tmp;
    }
  }

 private:
  std::uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace mlp
