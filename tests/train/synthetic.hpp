#pragma once
// Tiny labelled volumes for training tests: label-1 volumes carry a bright central cube.
#include <cstdint>
#include <random>
#include <string>

#include "train/mri_training.hpp"

inline gbmsweep::train::VolumeBatchSet tiny_volumes(int n, std::uint64_t seed, int64_t side = 16,
                                                    double signal = 0.6) {
  gbmsweep::train::VolumeBatchSet s;
  s.shape = {1, side, side, side};
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 0.4f);
  for (int i = 0; i < n; ++i) {
    const float y = static_cast<float>(i % 2);
    s.ids.push_back("P" + std::to_string(seed) + "_" + std::to_string(i));
    s.labels.push_back(y);
    for (int64_t z = 0; z < side; ++z)
      for (int64_t a = 0; a < side; ++a)
        for (int64_t b = 0; b < side; ++b) {
          const bool centre = z >= side / 4 && z < 3 * side / 4 && a >= side / 4 &&
                              a < 3 * side / 4 && b >= side / 4 && b < 3 * side / 4;
          s.data.push_back(u(rng) + (centre && y > 0 ? static_cast<float>(signal) : 0.0f));
        }
  }
  return s;
}
