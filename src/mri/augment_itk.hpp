#pragma once
// The ITK implementations of the geometric augmentations that gbmsweep used before issue 19
// (resample filters on an itk::Image). No longer on the training path: kept as the reference
// the fast transforms of augment.cpp are tested against (≤ 1e-5) and benchmarked against.
#include <cstdint>

#include "mri/volume.hpp"

namespace gbmsweep::mri::itk_reference {

Volume flip_all_axes(const Volume& v);                   // itk::FlipImageFilter
Volume rotate_axial(const Volume& v, double angle_deg);  // itk::Euler3DTransform + resample
// itk::BSplineTransform with the coefficients of detail::draw_elastic_spline. field_density 0
// evaluates the spline at every voxel (exact); N > 0 samples it on a grid N times finer than
// the knots and warps with the linearly interpolated field (the old default, 8: positions
// within 0.25 voxel of the exact spline). nearest: itk::NearestNeighborInterpolateImageFunction.
Volume elastic(const Volume& v, int points, double sigma_vox, std::uint64_t seed, int field_density,
               bool nearest = false);

}  // namespace gbmsweep::mri::itk_reference
