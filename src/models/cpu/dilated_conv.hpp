#pragma once
// Dilated 3x3x3 convolutions (SpotTune's layer3/layer4: stride 1, padding == dilation >= 2, no
// bias, one group) with a tap-wise backward. On the small volumes there (5x6x6 at the benchmark
// shape) most (output voxel, tap) pairs of a dilated kernel fall outside the volume (85 % at
// dilation 4), so oneDNN's im2col GEMM for the weight gradient mostly multiplies zeros. Here
// each of the 27 taps multiplies only the voxels it actually reaches (one sgemm per tap).
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace gbmsweep::models {

struct DilatedConv3dOptions {
  int64_t dilation = 2;  // also the padding
  // grad_input: tap-wise (sgemm + scatter-add per tap) or ATen's convolution_backward (oneDNN
  // backward_data). kAuto: tap-wise at batch 1 only, where it was 1.5-3x faster; at batch 2
  // oneDNN was 15 % (1 thread) to 2x (2 threads) faster (docs/models.md).
  enum class GradInput { kAuto, kTapwise, kOneDnn };
  GradInput grad_input = GradInput::kAuto;
};

// Whether dilated_conv3d computes this convolution: float CPU strided x, 3x3x3 weight, stride 1,
// padding == dilation >= 2 on all three axes, one group, no bias.
bool dilated_conv3d_applies(const at::Tensor& x, const at::Tensor& weight, at::IntArrayRef stride,
                            at::IntArrayRef padding, at::IntArrayRef dilation, int64_t groups,
                            bool has_bias);

// conv3d(x, weight, stride 1, padding = dilation = o.dilation) with the tap-wise backward above.
// The backward is not itself differentiable (no double backward).
at::Tensor dilated_conv3d(const at::Tensor& x, const at::Tensor& weight,
                          const DilatedConv3dOptions& o);

// The pieces, exposed for tests and benchmarks. x, grad_out: [N, C, D, H, W] (same D, H, W).
at::Tensor dilated_conv3d_grad_weight(const at::Tensor& x, const at::Tensor& grad_out,
                                      int64_t dilation);
at::Tensor dilated_conv3d_grad_input(const at::Tensor& grad_out, const at::Tensor& weight,
                                     int64_t dilation);

}  // namespace gbmsweep::models
