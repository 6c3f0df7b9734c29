#pragma once
// splitmix64 (Steele, Lea & Flood 2014, with Vigna's constants): the step every portable
// generator of gbmsweep is built on (sweep probe DAGs, the radiomics forest, the drug folds,
// the MRI augmentation's seeding), so that a seed gives the same stream with every standard
// library. Header-only: src/radiomics uses it without linking common.
#include <cstdint>

namespace gbmsweep {

inline std::uint64_t splitmix64_next(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace gbmsweep
