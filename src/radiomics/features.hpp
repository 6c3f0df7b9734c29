#pragma once
// IBSI-compliant radiomics features (IBSI 1 reference manual, Zwanenburg et al. 2020,
// arXiv:1612.07003): first-order statistics, GLCM, GLSZM and NGTDM of a 3D region of
// interest, computed "3D" (whole volume, 26-neighbourhood). Feature names are IBSI's
// (stat_skew, cm_contrast_3d_avg, szm_lgze, ngt_busyness ...). Plain arrays in and out: no
// ITK, no LibTorch; the callers read NIfTI files and turn errors into InputError.
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gbmsweep::radiomics {

// A region of interest cropped to its bounding box: intensities and the ROI mask, C order
// [z][y][x] like mri::Volume. Voxels outside the ROI keep their value but are never used.
struct Roi {
  std::array<int, 3> shape{0, 0, 0};  // D, H, W of the bounding box
  std::vector<float> value;
  std::vector<std::uint8_t> inside;
  std::size_t voxels = 0;  // voxels inside the ROI
};

// The ROI of `labels` (a segmentation of the same shape as `image`) whose label is one of
// `wanted` (empty: every non-zero label), cropped to its bounding box. Throws
// std::invalid_argument when no voxel has a wanted label or a ROI voxel is NaN/Inf.
Roi make_roi(const std::array<int, 3>& shape, const float* image, const float* labels,
             const std::vector<int>& wanted);

// Intensity discretisation (IBSI §2.7). Fixed bin width: X_d = floor((X − X_min) / w) + 1
// with X_min the ROI minimum (IBSI), or X_min = 0 (`origin_zero`: pyradiomics' bin edges at
// multiples of w, X_d = floor(X / w) − floor(min / w) + 1). Fixed bin number:
// X_d = floor(N (X − min) / (max − min)) + 1, max → N.
enum class Discretisation { FixedBinWidth, FixedBinNumber };
struct DiscretiseOptions {
  Discretisation method = Discretisation::FixedBinWidth;
  double bin_width = 1.0;    // FixedBinWidth; IBSI digital phantom: 1
  int bins = 32;             // FixedBinNumber
  bool origin_zero = false;  // FixedBinWidth: pyradiomics-style bin edges
};

// Grey levels 1..levels inside the ROI (0 outside), same layout as the Roi.
struct Discretised {
  std::array<int, 3> shape{0, 0, 0};
  std::vector<int> level;
  int levels = 0;  // N_g: the highest grey level (levels absent from the ROI still count)
};
Discretised discretise(const Roi& roi, const DiscretiseOptions& opts);

using Features = std::map<std::string, double>;

// Intensity-based statistics on the raw intensities (stat_mean, stat_var, stat_skew,
// stat_kurt, stat_min, stat_max, stat_energy, stat_rms).
Features first_order(const Roi& roi);
// GLCM, symmetric, Chebyshev distance 1, 13 directions: features averaged over the per-
// direction matrices (suffix _3d_avg) and of the merged matrix (suffix _3d_mrg).
Features glcm(const Discretised& d);
// GLSZM of 26-connected zones (3D).
Features glszm(const Discretised& d);
// NGTDM, Chebyshev distance 1, neighbours inside the ROI only; voxels without any
// neighbour in the ROI are left out (IBSI).
Features ngtdm(const Discretised& d);

// Everything above for one image and ROI.
Features all_features(const Roi& roi, const DiscretiseOptions& opts);

}  // namespace gbmsweep::radiomics
