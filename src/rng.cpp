// xoshiro256** with splitmix64 seeding; Box-Muller (Marsaglia polar) normals.
#include "mlp/rng.hpp"

#include "mlp/error.hpp"

#include <cmath>

namespace mlp {

namespace {
std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

void Rng::reseed(std::uint64_t seed) {
  std::uint64_t x = seed;
  for (auto& s : s_) s = splitmix64(x);
  has_spare_ = false;
}

RngState Rng::state() const {
  RngState r;
  for (int i = 0; i < 4; ++i) r.s[i] = s_[i];
  r.has_spare = has_spare_;
  r.spare = spare_;
  return r;
}

void Rng::set_state(const RngState& r) {
  if ((r.s[0] | r.s[1] | r.s[2] | r.s[3]) == 0) throw Error("a random generator's state cannot be all zeros");
  for (int i = 0; i < 4; ++i) s_[i] = r.s[i];
  has_spare_ = r.has_spare;
  spare_ = r.spare;
}

std::uint64_t Rng::next_u64() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Rng::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

std::uint64_t Rng::below(std::uint64_t n) {
  // Lemire's nearly-divisionless method would be faster; rejection keeps it exactly uniform.
  const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
  std::uint64_t r;
  do r = next_u64();
  while (r >= limit);
  return r % n;
}

double Rng::normal(double mean, double stddev) {
  if (has_spare_) {
    has_spare_ = false;
    return mean + stddev * spare_;
  }
  double u, v, s;
  do {
    u = uniform(-1.0, 1.0);
    v = uniform(-1.0, 1.0);
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double m = std::sqrt(-2.0 * std::log(s) / s);
  spare_ = v * m;
  has_spare_ = true;
  return mean + stddev * u * m;
}

}  // namespace mlp
