#include "mri/augment_itk.hpp"

#include <itkBSplineTransform.h>
#include <itkDisplacementFieldTransform.h>
#include <itkEuler3DTransform.h>
#include <itkFlipImageFilter.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkNearestNeighborInterpolateImageFunction.h>
#include <itkResampleImageFilter.h>
#include <itkTransformToDisplacementFieldFilter.h>

#include <algorithm>
#include <cmath>

#include "common/error.hpp"
#include "mri/augment_spline.hpp"
#include "mri/itk_bridge.hpp"

namespace gbmsweep::mri::itk_reference {

using itkb::Image;

namespace {

// The physical centre of an image (origin 0, identity direction).
Image::PointType centre_of(const Image* img) {
  Image::PointType c;
  for (int a = 0; a < 3; ++a)
    c[a] = img->GetOrigin()[a] +
           (img->GetLargestPossibleRegion().GetSize()[a] - 1) * img->GetSpacing()[a] / 2.0;
  return c;
}

template <class Transform>
Volume resample_with(const Image::Pointer& img, Transform* transform, bool nearest = false) {
  auto resample = itk::ResampleImageFilter<Image, Image, double>::New();
  resample->SetInput(img);
  resample->SetTransform(transform);
  if (nearest)
    resample->SetInterpolator(itk::NearestNeighborInterpolateImageFunction<Image, double>::New());
  else
    resample->SetInterpolator(itk::LinearInterpolateImageFunction<Image, double>::New());
  resample->SetReferenceImage(img);
  resample->UseReferenceImageOn();
  resample->SetDefaultPixelValue(0.0f);
  try {
    resample->Update();
  } catch (const itk::ExceptionObject& e) {
    GBM_THROW("ITK resampling failed: " << e.GetDescription());
  }
  return itkb::from_itk(resample->GetOutput());
}

}  // namespace

Volume flip_all_axes(const Volume& v) {
  auto flip = itk::FlipImageFilter<Image>::New();
  flip->SetInput(itkb::to_itk(v));
  itk::FixedArray<bool, 3> axes;
  axes.Fill(true);
  flip->SetFlipAxes(axes);
  flip->FlipAboutOriginOff();  // keep the image on its grid
  try {
    flip->Update();
  } catch (const itk::ExceptionObject& e) {
    GBM_THROW("ITK flip failed: " << e.GetDescription());
  }
  Volume out = itkb::from_itk(flip->GetOutput());
  out.spacing = v.spacing;
  return out;
}

Volume rotate_axial(const Volume& v, double angle_deg) {
  auto img = itkb::to_itk(v);
  auto t = itk::Euler3DTransform<double>::New();
  t->SetCenter(centre_of(img));
  // ITK's z axis is the D axis: a rotation about it turns the axial (H, W) plane.
  t->SetRotation(0.0, 0.0, angle_deg * M_PI / 180.0);
  return resample_with(img, t.GetPointer());
}

Volume elastic(const Volume& v, int points, double sigma_vox, std::uint64_t seed, int field_density,
               bool nearest) {
  GBM_CHECK(points >= 2, "elastic deformation needs at least 2 control points per axis");
  GBM_CHECK(field_density >= 0, "elastic field density must be >= 0, got " << field_density);
  auto img = itkb::to_itk(v);
  using BSpline = itk::BSplineTransform<double, 3, 3>;
  auto t = BSpline::New();
  // A mesh of (points − 1) cells spans the image, so `points` knots lie on it per axis;
  // ITK's cubic support adds one coefficient beyond each end.
  BSpline::PhysicalDimensionsType extent;
  BSpline::MeshSizeType mesh;
  BSpline::OriginType origin;
  for (int a = 0; a < 3; ++a) {
    extent[a] = (img->GetLargestPossibleRegion().GetSize()[a] - 1) * img->GetSpacing()[a];
    mesh[a] = static_cast<unsigned>(points - 1);
    origin[a] = img->GetOrigin()[a];
  }
  t->SetTransformDomainOrigin(origin);
  t->SetTransformDomainPhysicalDimensions(extent);
  t->SetTransformDomainMeshSize(mesh);
  t->SetTransformDomainDirection(img->GetDirection());
  // The same draws as the fast path (augment_spline.hpp), in ITK's parameter order.
  const detail::ElasticSpline spline = detail::draw_elastic_spline(v, points, sigma_vox, seed);
  BSpline::ParametersType params(t->GetNumberOfParameters());
  GBM_CHECK(params.size() == spline.coef.size(),
            "unexpected B-spline parameter count " << params.size());
  for (std::size_t k = 0; k < spline.coef.size(); ++k) params[k] = spline.coef[k];
  t->SetParameters(params);

  // The displacement field on a grid `field_density` times finer than the knots (about
  // whole voxels) covering the image, then a displacement-field transform (linear interpolation of
  // the field) for the warp. Where that grid is every voxel anyway, the spline warps directly.
  using Field = itk::Image<itk::Vector<double, 3>, 3>;
  Field::SizeType size;
  Field::SpacingType spacing;
  bool every_voxel = true;
  for (int a = 0; a < 3; ++a) {
    const auto n = img->GetLargestPossibleRegion().GetSize()[a];
    const double cell_vox = double(n - 1) / (points - 1);
    const auto step = field_density == 0 ? 1ul : std::max(1ul, static_cast<unsigned long>(cell_vox / field_density));
    every_voxel = every_voxel && step == 1;
    // The grid ends on the last voxel: outside its domain the spline gives no displacement.
    size[a] = (n - 1 + step - 1) / step + 1;
    spacing[a] = img->GetSpacing()[a] * double(n - 1) / double(size[a] - 1);
  }
  if (every_voxel) return resample_with(img, t.GetPointer(), nearest);
  auto to_field = itk::TransformToDisplacementFieldFilter<Field, double>::New();
  to_field->SetTransform(t);
  to_field->SetSize(size);
  to_field->SetOutputSpacing(spacing);
  to_field->SetOutputOrigin(img->GetOrigin());
  to_field->SetOutputDirection(img->GetDirection());
  try {
    to_field->Update();
  } catch (const itk::ExceptionObject& e) {
    GBM_THROW("ITK displacement field failed: " << e.GetDescription());
  }
  auto warp = itk::DisplacementFieldTransform<double, 3>::New();
  warp->SetDisplacementField(to_field->GetOutput());
  return resample_with(img, warp.GetPointer(), nearest);
}

}  // namespace gbmsweep::mri::itk_reference
