#pragma once
// Shared helpers of the MRI tests: scratch directories and small phantoms.
#include <filesystem>
#include <ostream>
#include <string>

#include "mri/volume.hpp"

namespace gbmsweep::mri {
// So that Boost.Test can print boxes in failed comparisons.
inline std::ostream& operator<<(std::ostream& os, const Box& b) { return os << to_string(b); }
}  // namespace gbmsweep::mri

namespace mri_test {

// A fresh, empty directory under the build tree, named after the test.
inline std::string scratch(const std::string& name) {
  std::filesystem::path p = std::filesystem::path(GBMSWEEP_BINARY_DIR) / "tests-tmp" / "mri" / name;
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

// A volume filled with `inside` within the box and 0 elsewhere.
inline gbmsweep::mri::Volume box_phantom(std::array<int, 3> shape, const gbmsweep::mri::Box& b,
                                         float inside) {
  gbmsweep::mri::Volume v(shape);
  for (int z = b.lo[0]; z < b.hi[0]; ++z)
    for (int y = b.lo[1]; y < b.hi[1]; ++y)
      for (int x = b.lo[2]; x < b.hi[2]; ++x) v.at(z, y, x) = inside;
  return v;
}

inline double sum(const gbmsweep::mri::Volume& v) {
  double s = 0;
  for (float x : v.data) s += x;
  return s;
}

}  // namespace mri_test
