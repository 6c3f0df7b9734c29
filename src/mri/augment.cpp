#include "mri/augment.hpp"

#include <itkBSplineTransform.h>
#include <itkDisplacementFieldTransform.h>
#include <itkEuler3DTransform.h>
#include <itkFlipImageFilter.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkResampleImageFilter.h>
#include <itkTransformToDisplacementFieldFilter.h>

#include <algorithm>
#include <cmath>

#include "common/error.hpp"
#include "mri/itk_bridge.hpp"
#include "mri/rng.hpp"

namespace gbmsweep::mri {

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
Volume resample_with(const Image::Pointer& img, Transform* transform) {
  auto resample = itk::ResampleImageFilter<Image, Image, double>::New();
  resample->SetInput(img);
  resample->SetTransform(transform);
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

// The inverse of the p×p matrix that maps cubic B-spline coefficients to the values at the
// knots, (c[u−1] + 4 c[u] + c[u+1]) / 6, with mirrored ends (c[−1] = c[1], c[p] = c[p−2]) as
// scipy's spline prefilter. Row-major.
std::vector<double> interpolation_inverse(int p) {
  std::vector<double> m(std::size_t(p) * p, 0.0), inv(std::size_t(p) * p, 0.0);
  auto mirror = [p](int u) { return u < 0 ? -u : u >= p ? 2 * (p - 1) - u : u; };
  for (int u = 0; u < p; ++u) {
    m[u * p + mirror(u - 1)] += 1.0 / 6;
    m[u * p + u] += 4.0 / 6;
    m[u * p + mirror(u + 1)] += 1.0 / 6;
    inv[u * p + u] = 1.0;
  }
  // Gauss-Jordan; the matrix is strictly diagonally dominant, so no pivoting is needed.
  for (int c = 0; c < p; ++c) {
    const double d = m[c * p + c];
    for (int k = 0; k < p; ++k) m[c * p + k] /= d, inv[c * p + k] /= d;
    for (int r = 0; r < p; ++r) {
      if (r == c) continue;
      const double f = m[r * p + c];
      for (int k = 0; k < p; ++k) m[r * p + k] -= f * m[c * p + k], inv[r * p + k] -= f * inv[c * p + k];
    }
  }
  return inv;
}

std::uint64_t sample_seed(const AugmentOptions& opts, const std::string& id, Augmentation kind) {
  return derive_seed(opts.seed, id + "#" + augmentation_name(kind));
}

}  // namespace

const char* augmentation_name(Augmentation a) {
  switch (a) {
    case Augmentation::Flip: return "flip";
    case Augmentation::Rotate: return "rotate";
    case Augmentation::Noise: return "noise";
    case Augmentation::Elastic: return "elastic";
  }
  return "?";
}

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

Volume add_noise(const Volume& v, double variance, std::uint64_t seed) {
  Rng rng(seed);
  const double sd = std::sqrt(variance);
  Volume out = v;
  for (float& x : out.data)
    x = static_cast<float>(std::clamp(double(x) + sd * rng.normal(), 0.0, 1.0));
  return out;
}

Volume elastic(const Volume& v, int points, double sigma_vox, std::uint64_t seed, int field_density) {
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
  // The displacements are drawn at the points×points×points knots (the paper's random grid,
  // s.d. sigma voxels) and the spline is made to pass through them: an ITK B-spline only
  // approximates its coefficients, which would shrink the deformation about 3-fold.
  const int p = points, q = points + 2;  // knots, coefficients per axis
  const auto inv = interpolation_inverse(p);
  BSpline::ParametersType params(t->GetNumberOfParameters());
  GBM_CHECK(params.size() == 3u * q * q * q, "unexpected B-spline parameter count " << params.size());
  Rng rng(seed);
  for (int a = 0; a < 3; ++a) {
    std::vector<double> grid(std::size_t(p) * p * p);  // [k][j][i], i along ITK's x
    for (double& g : grid) g = sigma_vox * img->GetSpacing()[a] * rng.normal();
    // Coefficients = inv ⊗ inv ⊗ inv applied to the grid, one axis at a time.
    for (int axis = 0; axis < 3; ++axis) {
      std::vector<double> out(grid.size(), 0.0);
      const int stride = axis == 0 ? 1 : axis == 1 ? p : p * p;
      for (int idx = 0; idx < p * p * p; ++idx) {
        const int u = idx / stride % p, base = idx - u * stride;
        for (int w = 0; w < p; ++w) out[idx] += inv[u * p + w] * grid[base + w * stride];
      }
      grid.swap(out);
    }
    // Parameters: all x coefficients, then y, then z; each a q×q×q image, x fastest.
    // Coefficient c ↔ knot c − 1; the ones beyond the ends mirror (knot −1 = knot 1).
    auto knot = [p](int c) { return c == 0 ? 1 : c == p + 1 ? p - 2 : c - 1; };
    for (int k = 0; k < q; ++k)
      for (int j = 0; j < q; ++j)
        for (int i = 0; i < q; ++i)
          params[a * q * q * q + (k * q + j) * q + i] = grid[(knot(k) * p + knot(j)) * p + knot(i)];
  }
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
  if (every_voxel) return resample_with(img, t.GetPointer());
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
  return resample_with(img, warp.GetPointer());
}

Batch augment_sample(const Batch& batch, int n, Augmentation kind, const AugmentOptions& opts) {
  Batch out;
  out.ids = {batch.ids[n] + "#" + augmentation_name(kind)};
  out.labels = {batch.labels[n]};
  out.shape = batch.shape;
  out.shape[0] = 1;
  out.data.resize(out.sample_size());
  const std::uint64_t seed = sample_seed(opts, batch.ids[n], kind);
  // Geometric draws are shared by the channels; the noise is drawn per channel.
  const double angle = Rng(seed).uniform(-opts.max_angle_deg, opts.max_angle_deg);
  for (int c = 0; c < batch.shape[1]; ++c) {
    Volume v = batch.channel(n, c);
    switch (kind) {
      case Augmentation::Flip: v = flip_all_axes(v); break;
      case Augmentation::Rotate: v = rotate_axial(v, angle); break;
      case Augmentation::Noise:
        v = add_noise(v, opts.noise_variance, derive_seed(seed, "channel" + std::to_string(c)));
        break;
      case Augmentation::Elastic:
        v = elastic(v, opts.elastic_points, opts.elastic_sigma, seed, opts.elastic_field_density);
        break;
    }
    out.set_channel(0, c, v);
  }
  return out;
}

Batch augment_training_set(const Batch& train, const AugmentOptions& opts) {
  const int n = train.shape[0];
  GBM_CHECK(int(train.ids.size()) == n && int(train.labels.size()) == n,
            "batch of " << n << " samples has " << train.ids.size() << " ids and "
                        << train.labels.size() << " labels");
  // Everything (originals and copies) in sample order, then the kept subset.
  std::vector<Batch> parts;
  std::vector<std::pair<int, int>> where;  // (part, index in part); part −1 = the originals
  for (int i = 0; i < n; ++i) {
    where.emplace_back(-1, i);
    for (Augmentation kind : opts.copies) {
      parts.push_back(augment_sample(train, i, kind, opts));
      where.emplace_back(int(parts.size()) - 1, 0);
    }
  }
  auto label_of = [&](std::size_t k) {
    return where[k].first < 0 ? train.labels[where[k].second] : parts[where[k].first].labels[0];
  };
  std::vector<bool> keep(where.size(), true);
  if (opts.balance) {
    std::vector<std::size_t> pos, neg;
    for (std::size_t k = 0; k < where.size(); ++k) (label_of(k) == 1 ? pos : neg).push_back(k);
    auto& major = pos.size() > neg.size() ? pos : neg;
    const std::size_t target = std::min(pos.size(), neg.size());
    Rng rng(derive_seed(opts.seed, "balance"));
    // Partial Fisher-Yates: the first (size − target) entries after shuffling are dropped.
    for (std::size_t i = 0; i + target < major.size(); ++i) {
      std::size_t j = i + rng.below(major.size() - i);
      std::swap(major[i], major[j]);
      keep[major[i]] = false;
    }
  }
  Batch out;
  out.shape = train.shape;
  out.shape[0] = static_cast<int>(std::count(keep.begin(), keep.end(), true));
  out.data.reserve(out.shape[0] * train.sample_size());
  for (std::size_t k = 0; k < where.size(); ++k) {
    if (!keep[k]) continue;
    const Batch& src = where[k].first < 0 ? train : parts[where[k].first];
    const int i = where[k].second;
    out.ids.push_back(src.ids[i]);
    out.labels.push_back(src.labels[i]);
    auto first = src.data.begin() + static_cast<std::ptrdiff_t>(i * src.sample_size());
    out.data.insert(out.data.end(), first, first + static_cast<std::ptrdiff_t>(src.sample_size()));
  }
  return out;
}

}  // namespace gbmsweep::mri
