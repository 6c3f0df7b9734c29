#pragma once
// Training-set augmentation (METHODS.md, study A), seeded and reproducible: every draw comes
// from a stream derived from (seed, sample ID, augmentation), so the result does not depend on
// the order of samples or on the thread count.
#include <cstdint>
#include <string>
#include <vector>

#include "mri/volume.hpp"

namespace gbmsweep::mri {

enum class Augmentation { Flip, Rotate, Noise, Elastic };
const char* augmentation_name(Augmentation a);  // "flip", "rotate", "noise", "elastic"

// How the elastic warp samples the image between voxels. Linear is gbmsweep's default (as its
// ITK version was); the authors' code samples the nearest voxel (elasticdeform, order=0).
enum class Interpolation { Linear, Nearest };
Interpolation parse_interpolation(const std::string& name);  // "linear" | "nearest"

struct AugmentOptions {
  std::uint64_t seed = 42;
  // One augmented copy per listed kind and training sample (paper: all four).
  std::vector<Augmentation> copies{Augmentation::Flip, Augmentation::Rotate, Augmentation::Noise,
                                   Augmentation::Elastic};
  double max_angle_deg = 180.0;  // rotation angle ~ U[−max, max], in the axial (H, W) plane
  double noise_variance = 0.01;  // additive N(0, variance), then clipped to [0, 1]
  int elastic_points = 3;        // control points per axis of the random B-spline grid
  double elastic_sigma = 5.0;    // s.d. of the control-point displacements, in voxels
  Interpolation elastic_interpolation = Interpolation::Linear;
  bool balance = true;           // randomly prune the majority class to the minority's size
  int threads = 1;               // augment_training_set's copies in parallel; same result
};

// Single-volume transforms, float32 loops with ITK's geometry and linear interpolation (0
// outside; ITK's versions are in augment_itk.hpp, the tests' reference).
Volume flip_all_axes(const Volume& v);
Volume rotate_axial(const Volume& v, double angle_deg);  // about the volume centre
Volume add_noise(const Volume& v, double variance, std::uint64_t seed);
// Cubic B-spline deformation through a points³ grid of knots spanning the volume, whose
// displacements are drawn from `seed` (s.d. sigma_vox voxels per axis); the spline is
// evaluated at every voxel.
Volume elastic(const Volume& v, int points, double sigma_vox, std::uint64_t seed,
               Interpolation interpolation = Interpolation::Linear);

// One augmented copy of sample `n` of `batch` (all channels get the same geometric draw).
Batch augment_sample(const Batch& batch, int n, Augmentation kind, const AugmentOptions& opts);

// The training set plus its augmented copies (ids "<id>#flip" ...), then, when opts.balance,
// the majority class randomly pruned until both classes have the same count. Validation and
// test data must not go through here.
Batch augment_training_set(const Batch& train, const AugmentOptions& opts);

}  // namespace gbmsweep::mri
