#pragma once
// 1x1x1 stride-1 convolutions in training (three of the four convolutions of a bottleneck block)
// as GEMMs on the plain NCDHW layout, forward and backward. Through ATen, each call reordered
// its activations and weights into oneDNN's blocked layout and back, and the backward went
// where ATen's convolution_backward sends it: for 1x1 kernels at one thread, and for batch-1
// inputs of small volumes (the efficient SpotTune step splits a batch by branch), that is
// slow_conv3d on OpenBLAS, whose kernels here are its AVX2 ones (12 % of a 1-thread step at
// 35x43x43). Per image: y = W x, dx = W^T dy, dW = sum over images of dy x^T.
#include <ATen/core/Tensor.h>

namespace gbmsweep::models {

// Whether pointwise_conv3d computes this convolution: float CPU strided x [N, C, D, H, W],
// weight [Cout, C, 1, 1, 1], stride 1, no padding, no dilation effect, one group, no bias.
bool pointwise_conv3d_applies(const at::Tensor& x, const at::Tensor& weight,
                              at::IntArrayRef stride, at::IntArrayRef padding, int64_t groups,
                              bool has_bias);

// conv3d(x, weight) for such a convolution, differentiable in x and weight (no double backward).
at::Tensor pointwise_conv3d(const at::Tensor& x, const at::Tensor& weight);

}  // namespace gbmsweep::models
