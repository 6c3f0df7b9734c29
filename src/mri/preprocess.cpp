#include "mri/preprocess.hpp"

#include <itkDiscreteGaussianImageFilter.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkResampleImageFilter.h>

#include <algorithm>
#include <cmath>

#include "common/error.hpp"
#include "mri/itk_bridge.hpp"

namespace gbmsweep::mri {

Box tumour_box(const Volume& segm) {
  Box b{{segm.shape[0], segm.shape[1], segm.shape[2]}, {0, 0, 0}};
  for (int z = 0; z < segm.shape[0]; ++z)
    for (int y = 0; y < segm.shape[1]; ++y)
      for (int x = 0; x < segm.shape[2]; ++x)
        if (segm.at(z, y, x) > 0.0f) {
          const int p[3] = {z, y, x};
          for (int a = 0; a < 3; ++a) {
            b.lo[a] = std::min(b.lo[a], p[a]);
            b.hi[a] = std::max(b.hi[a], p[a] + 1);
          }
        }
  return b.empty() ? Box{} : b;
}

std::array<int, 3> downscaled_shape(const std::array<int, 3>& shape, int factor) {
  GBM_CHECK(factor >= 1, "downscale factor must be >= 1, got " << factor);
  std::array<int, 3> out;
  for (int a = 0; a < 3; ++a)
    out[a] = std::max(1, static_cast<int>(std::lround(double(shape[a]) / factor)));
  return out;
}

std::array<int, 3> output_shape(const Box& crop, const PreprocessOptions& opts) {
  auto s = downscaled_shape(crop.size(), opts.downscale);
  for (int a = 0; a < 3; ++a)
    if (opts.target_shape[a] > 0) s[a] = opts.target_shape[a];
  return s;
}

Volume apply_mask(const Volume& image, const Volume& segm) {
  GBM_CHECK(image.shape == segm.shape, "mask shape " << to_string(segm.shape)
                                                     << " differs from image " << to_string(image.shape));
  Volume out = image;
  for (std::size_t i = 0; i < out.size(); ++i)
    if (!(segm.data[i] > 0.0f)) out.data[i] = 0.0f;
  return out;
}

Volume crop(const Volume& v, const Box& box) {
  for (int a = 0; a < 3; ++a)
    GBM_CHECK(box.lo[a] >= 0 && box.hi[a] <= v.shape[a] && !box.empty(),
              "crop box " << to_string(box) << " outside volume " << to_string(v.shape));
  Volume out(box.size(), v.spacing);
  for (int z = 0; z < out.shape[0]; ++z)
    for (int y = 0; y < out.shape[1]; ++y) {
      const float* src = &v.data[v.index(z + box.lo[0], y + box.lo[1], box.lo[2])];
      std::copy(src, src + out.shape[2], &out.data[out.index(z, y, 0)]);
    }
  return out;
}

Volume downscale(const Volume& v, int factor) {
  GBM_CHECK(factor >= 1, "downscale factor must be >= 1, got " << factor);
  if (factor == 1) return v;
  using itkb::Image;
  auto img = itkb::to_itk(v);
  // skimage.transform.rescale(anti_aliasing=True) uses sigma = (1/scale − 1) / 2 voxels.
  const double sigma_vox = (factor - 1) / 2.0;
  auto smooth = itk::DiscreteGaussianImageFilter<Image, Image>::New();
  smooth->SetInput(img);
  itk::DiscreteGaussianImageFilter<Image, Image>::ArrayType variance;
  for (int a = 0; a < 3; ++a) variance[a] = std::pow(sigma_vox * img->GetSpacing()[a], 2);
  smooth->SetVariance(variance);  // physical units (UseImageSpacing is on)
  smooth->SetMaximumError(0.01);
  smooth->SetMaximumKernelWidth(64);

  auto out_shape = downscaled_shape(v.shape, factor);
  Image::SizeType size;
  Image::SpacingType spacing;
  Image::PointType origin;
  for (int a = 0; a < 3; ++a) {
    const int n_in = v.shape[2 - a], n_out = out_shape[2 - a];
    const double s = img->GetSpacing()[a];
    size[a] = static_cast<itk::SizeValueType>(n_out);
    spacing[a] = s * factor;
    // Both grids share their centre, so the image does not drift by half a voxel.
    origin[a] = img->GetOrigin()[a] + (n_in - 1) * s / 2.0 - (n_out - 1) * spacing[a] / 2.0;
  }
  auto resample = itk::ResampleImageFilter<Image, Image>::New();
  resample->SetInput(smooth->GetOutput());
  resample->SetInterpolator(itk::LinearInterpolateImageFunction<Image, double>::New());
  resample->SetSize(size);
  resample->SetOutputSpacing(spacing);
  resample->SetOutputOrigin(origin);
  resample->SetOutputDirection(img->GetDirection());
  resample->SetDefaultPixelValue(0.0f);
  try {
    resample->Update();
  } catch (const itk::ExceptionObject& e) {
    GBM_THROW("ITK downscale failed: " << e.GetDescription());
  }
  return itkb::from_itk(resample->GetOutput());
}

void minmax_inplace(Volume& v) {
  if (v.data.empty()) return;
  auto [lo, hi] = std::minmax_element(v.data.begin(), v.data.end());
  const float mn = *lo, range = *hi - *lo;
  for (float& x : v.data) x = range > 0.0f ? (x - mn) / range : 0.0f;
}

Volume pad_centred(const Volume& v, const std::array<int, 3>& target) {
  Volume out(target, v.spacing);
  // For each axis: where the source starts in the output (padding) or the output in the
  // source (centre-crop when the source is larger).
  int dst0[3], src0[3], n[3];
  for (int a = 0; a < 3; ++a) {
    const int diff = target[a] - v.shape[a];
    dst0[a] = diff > 0 ? diff / 2 : 0;
    src0[a] = diff < 0 ? -diff / 2 : 0;
    n[a] = std::min(target[a], v.shape[a]);
  }
  for (int z = 0; z < n[0]; ++z)
    for (int y = 0; y < n[1]; ++y) {
      const float* src = &v.data[v.index(z + src0[0], y + src0[1], src0[2])];
      std::copy(src, src + n[2], &out.data[out.index(z + dst0[0], y + dst0[1], dst0[2])]);
    }
  return out;
}

Volume preprocess(const Volume& image, const Volume& segm, const Box& box,
                  const PreprocessOptions& opts) {
  Volume v = crop(apply_mask(image, segm), box);
  v = downscale(v, opts.downscale);
  minmax_inplace(v);
  return pad_centred(v, output_shape(box, opts));
}

}  // namespace gbmsweep::mri
