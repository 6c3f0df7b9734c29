#pragma once
// Preprocessing of one volume as in the paper (METHODS.md, study A): mask with the tumour
// segmentation, crop to a cohort-wide box, downscale with Gaussian anti-aliasing and linear
// interpolation, min-max to [0,1], zero-pad centred to the target size. Every size is a
// parameter: the paper's 155×240×240 → 140×172×164 → 70×86×82 → 70×86×86 is one setting.
#include <array>

#include "mri/volume.hpp"

namespace gbmsweep::mri {

struct PreprocessOptions {
  // Integer downscale factor (paper: 2). 1 keeps the cropped grid (no smoothing).
  int downscale = 2;
  // Final D, H, W after centred zero-padding (paper: 70×86×86). An axis given as 0 keeps the
  // downscaled size of the crop box. An axis larger than the target is centre-cropped.
  std::array<int, 3> target_shape{0, 0, 0};
};

// Bounding box of the voxels > 0 of a segmentation (empty when there are none).
Box tumour_box(const Volume& segm);

// Output size of downscaling `n` voxels by `factor`: round(n / factor), at least 1.
std::array<int, 3> downscaled_shape(const std::array<int, 3>& shape, int factor);
// The shape preprocess() returns for a crop box and options.
std::array<int, 3> output_shape(const Box& crop, const PreprocessOptions& opts);

// The steps, exposed for tests and benchmarks.
Volume apply_mask(const Volume& image, const Volume& segm);  // image × (segm > 0)
Volume crop(const Volume& v, const Box& box);  // box must lie inside v
// Gaussian anti-aliasing (sigma = (factor − 1) / 2 voxels, as skimage's rescale) then linear
// resampling onto a grid of spacing × factor centred on the input grid. Separable: per axis one
// 1-D pass that smooths and samples at once (ITK's kernel coefficients, float32 data), so the
// volume shrinks axis by axis; equal to downscale_itk up to float rounding (tested).
Volume downscale(const Volume& v, int factor);
// The same with ITK's DiscreteGaussianImageFilter and ResampleImageFilter on the whole volume:
// the reference the separable path is tested against (and the path before issue 19).
Volume downscale_itk(const Volume& v, int factor);
void minmax_inplace(Volume& v);  // to [0, 1]; a constant volume becomes 0
Volume pad_centred(const Volume& v, const std::array<int, 3>& target);

// crop(apply_mask(image, segm), box) without touching a voxel outside the box.
Volume masked_crop(const Volume& image, const Volume& segm, const Box& box);

// All steps in order. `segm` has image's shape; `crop` lies inside it.
Volume preprocess(const Volume& image, const Volume& segm, const Box& crop,
                  const PreprocessOptions& opts);
// The same through the full-volume mask and downscale_itk (the reference for tests).
Volume preprocess_itk(const Volume& image, const Volume& segm, const Box& crop,
                      const PreprocessOptions& opts);

}  // namespace gbmsweep::mri
