#pragma once
// The elastic deformation's random cubic B-spline, drawn once and shared by the fast warp
// (augment.cpp) and its ITK reference (augment_itk.cpp), so that both see the same draws.
// Internal to gbmsweep_mri and its tests; no ITK here.
#include <cstdint>
#include <vector>

#include "mri/volume.hpp"

namespace gbmsweep::mri::detail {

struct ElasticSpline {
  int points = 3;  // knots per axis; the spline has points + 2 coefficients per axis
  // Displacement coefficients in physical units, in itk::BSplineTransform's parameter order:
  // ITK axis a (x = W, y = H, z = D) major, then a (points+2)³ grid [k][j][i] with i along x.
  std::vector<double> coef;
};

// Displacements ~ N(0, (sigma_vox · spacing)²) drawn at the points³ knots spanning the volume,
// then solved for the coefficients of the spline that passes through them (mirrored ends).
ElasticSpline draw_elastic_spline(const Volume& v, int points, double sigma_vox, std::uint64_t seed);

}  // namespace gbmsweep::mri::detail
