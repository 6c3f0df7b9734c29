#pragma once
// A small portable RNG (splitmix64 seeding + xoshiro256**) with our own uniform and normal
// draws: std::*_distribution differ between standard libraries, and splits, augmentations and
// synthetic cohorts must be the same wherever gbmsweep is built.
#include <cstdint>
#include <string_view>

namespace gbmsweep::mri {

class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  std::uint64_t next();
  double uniform();                      // [0, 1)
  double uniform(double lo, double hi);  // [lo, hi)
  std::uint64_t below(std::uint64_t n);  // [0, n), unbiased; n > 0
  double normal();                       // N(0, 1), Box-Muller
  bool bernoulli(double p) { return uniform() < p; }

 private:
  std::uint64_t s_[4];
  double spare_ = 0.0;
  bool has_spare_ = false;
};

// A seed derived from a base seed and a label ("split", a patient ID, "rotate" ...), so that
// each consumer draws from its own stream whatever the order of processing.
std::uint64_t derive_seed(std::uint64_t seed, std::string_view label);

}  // namespace gbmsweep::mri
