#pragma once
// Training-set augmentation (METHODS.md, study A), seeded and reproducible: every draw comes
// from a stream derived from (seed, sample ID, augmentation), so the result does not depend on
// the order of samples or on the ITK thread count.
#include <cstdint>
#include <string>
#include <vector>

#include "mri/volume.hpp"

namespace gbmsweep::mri {

enum class Augmentation { Flip, Rotate, Noise, Elastic };
const char* augmentation_name(Augmentation a);  // "flip", "rotate", "noise", "elastic"

struct AugmentOptions {
  std::uint64_t seed = 42;
  // One augmented copy per listed kind and training sample (paper: all four).
  std::vector<Augmentation> copies{Augmentation::Flip, Augmentation::Rotate, Augmentation::Noise,
                                   Augmentation::Elastic};
  double max_angle_deg = 180.0;  // rotation angle ~ U[−max, max], in the axial (H, W) plane
  double noise_variance = 0.01;  // additive N(0, variance), then clipped to [0, 1]
  int elastic_points = 3;        // control points per axis of the random B-spline grid
  double elastic_sigma = 5.0;    // s.d. of the control-point displacements, in voxels
  // The B-spline is evaluated on a grid `elastic_field_density` times finer than its control
  // points (at least every voxel) and the displacement field interpolated linearly in between:
  // ~6× faster at the paper size; positions differ from the exact spline by < 0.2 voxel.
  // 0 = evaluate at every voxel.
  int elastic_field_density = 8;
  bool balance = true;           // randomly prune the majority class to the minority's size
};

// Single-volume transforms (ITK except the noise, which uses our RNG so that it does not
// depend on how ITK splits the image between threads). Linear interpolation, 0 outside.
Volume flip_all_axes(const Volume& v);
Volume rotate_axial(const Volume& v, double angle_deg);  // about the volume centre
Volume add_noise(const Volume& v, double variance, std::uint64_t seed);
// Cubic B-spline deformation; the control-point displacements are drawn from `seed`; the
// spline is evaluated on a grid `field_density` times finer than the control points (see
// AugmentOptions; 0 = at every voxel).
Volume elastic(const Volume& v, int points, double sigma_vox, std::uint64_t seed,
               int field_density = 8);

// One augmented copy of sample `n` of `batch` (all channels get the same geometric draw).
Batch augment_sample(const Batch& batch, int n, Augmentation kind, const AugmentOptions& opts);

// The training set plus its augmented copies (ids "<id>#flip" ...), then, when opts.balance,
// the majority class randomly pruned until both classes have the same count. Validation and
// test data must not go through here.
Batch augment_training_set(const Batch& train, const AugmentOptions& opts);

}  // namespace gbmsweep::mri
