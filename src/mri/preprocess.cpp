#include "mri/preprocess.hpp"

#include <itkDiscreteGaussianImageFilter.h>
#include <itkGaussianOperator.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkResampleImageFilter.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

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

Volume downscale_itk(const Volume& v, int factor) {
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

namespace {

// The settings downscale_itk gives ITK's DiscreteGaussianImageFilter.
constexpr double kMaxError = 0.01;
constexpr int kMaxKernelWidth = 64;

// One output sample of a 1-D pass: input indices and weights.
using Taps = std::vector<std::pair<int, float>>;

// Smoothing then linear sampling along one axis as one sparse n_out × n_in matrix: the ITK
// kernel (GaussianOperator, the filter's own coefficients, zero-flux Neumann ends = clamped
// indices), then ITK's linear interpolation at the centred coarse positions (clamped at the
// ends; outside [-0.5, n - 0.5) the resampler's default 0). Smoothing and sampling on different
// axes commute, so per-axis passes give the 3-D result with the volume shrinking at each pass.
std::vector<Taps> axis_taps(int n, int n_out, int factor) {
  itk::GaussianOperator<double, 3> op;
  const double sigma = (factor - 1) / 2.0;
  op.SetDirection(0);
  op.SetVariance(sigma * sigma);
  op.SetMaximumError(kMaxError);
  op.SetMaximumKernelWidth(kMaxKernelWidth);
  op.CreateDirectional();
  const int width = int(op.GetSize(0)), radius = width / 2;
  std::vector<double> kernel(width);
  for (int j = 0; j < width; ++j) kernel[j] = op[j];
  // Smoothed value at input index c as weights over the (clamped) input.
  auto add_smoothed = [&](std::vector<double>& w, int c, double scale) {
    for (int j = 0; j < width; ++j)
      w[std::clamp(c + j - radius, 0, n - 1)] += scale * kernel[j];
  };
  const double c0 = ((n - 1) - double(n_out - 1) * factor) / 2.0;
  std::vector<Taps> taps(n_out);
  std::vector<double> w(n);
  for (int i = 0; i < n_out; ++i) {
    const double pos = c0 + double(i) * factor;
    if (!(pos >= -0.5 && pos < n - 0.5)) continue;  // the resampler's default value, 0
    std::fill(w.begin(), w.end(), 0.0);
    const int base = std::max(0, int(std::floor(pos)));
    const double d = pos - base;
    if (d <= 0.0 || base + 1 > n - 1) {
      add_smoothed(w, std::min(base, n - 1), 1.0);
    } else {
      add_smoothed(w, base, 1.0 - d);
      add_smoothed(w, base + 1, d);
    }
    for (int j = 0; j < n; ++j)
      if (w[j] != 0.0) taps[i].emplace_back(j, float(w[j]));
  }
  return taps;
}

// Applies `taps` along `axis` (0 = D, 1 = H, 2 = W) of v.
Volume apply_axis(const Volume& v, int axis, const std::vector<Taps>& taps, double spacing) {
  auto shape = v.shape;
  shape[axis] = int(taps.size());
  auto sp = v.spacing;
  sp[axis] = spacing;
  Volume out(shape, sp);
  // outer × n × inner: inner is contiguous, the taps combine whole inner rows.
  std::size_t outer = 1, inner = 1;
  for (int a = 0; a < axis; ++a) outer *= std::size_t(v.shape[a]);
  for (int a = axis + 1; a < 3; ++a) inner *= std::size_t(v.shape[a]);
  const std::size_t n = std::size_t(v.shape[axis]), n_out = taps.size();
  for (std::size_t o = 0; o < outer; ++o) {
    const float* src = v.data.data() + o * n * inner;
    float* dst = out.data.data() + o * n_out * inner;
    if (inner == 1) {
      for (std::size_t i = 0; i < n_out; ++i) {
        float acc = 0.0f;
        for (const auto& [j, wt] : taps[i]) acc += wt * src[j];
        dst[i] = acc;
      }
      continue;
    }
    for (std::size_t i = 0; i < n_out; ++i) {
      float* d = dst + i * inner;
      for (const auto& [j, wt] : taps[i]) {
        const float* s = src + std::size_t(j) * inner;
        for (std::size_t k = 0; k < inner; ++k) d[k] += wt * s[k];
      }
    }
  }
  return out;
}

}  // namespace

Volume downscale(const Volume& v, int factor) {
  GBM_CHECK(factor >= 1, "downscale factor must be >= 1, got " << factor);
  if (factor == 1) return v;
  const auto out_shape = downscaled_shape(v.shape, factor);
  Volume r = v;
  for (int axis = 2; axis >= 0; --axis)  // W first: it is contiguous and halves the rest
    r = apply_axis(r, axis, axis_taps(v.shape[axis], out_shape[axis], factor),
                   v.spacing[axis] * factor);
  return r;
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

Volume masked_crop(const Volume& image, const Volume& segm, const Box& box) {
  GBM_CHECK(image.shape == segm.shape,
            "mask shape " << to_string(segm.shape) << " differs from image " << to_string(image.shape));
  Volume out = crop(image, box);
  for (int z = 0; z < out.shape[0]; ++z)
    for (int y = 0; y < out.shape[1]; ++y) {
      const float* m = &segm.data[segm.index(z + box.lo[0], y + box.lo[1], box.lo[2])];
      float* d = &out.data[out.index(z, y, 0)];
      for (int x = 0; x < out.shape[2]; ++x)
        if (!(m[x] > 0.0f)) d[x] = 0.0f;
    }
  return out;
}

Volume preprocess(const Volume& image, const Volume& segm, const Box& box,
                  const PreprocessOptions& opts) {
  Volume v = downscale(masked_crop(image, segm, box), opts.downscale);
  minmax_inplace(v);
  return pad_centred(v, output_shape(box, opts));
}

Volume preprocess_itk(const Volume& image, const Volume& segm, const Box& box,
                      const PreprocessOptions& opts) {
  Volume v = crop(apply_mask(image, segm), box);
  v = downscale_itk(v, opts.downscale);
  minmax_inplace(v);
  return pad_centred(v, output_shape(box, opts));
}

}  // namespace gbmsweep::mri
