#pragma once
// SpotTune evaluation's residual blocks run on oneDNN directly. Activations stay in oneDNN's
// blocked layout (nCdhw16c) from block to block, the folded weights are packed once per block,
// and bias, ReLU and the residual add are fused into the convolutions as post-ops.
// FoldedResBlock (ATen's mkldnn_convolution on plain tensors) pays per convolution call two
// activation reorders and one weight reorder: 2.4 s of a 21 s evaluation at 35x43x43. The
// dilated convolutions of small volumes (layer3 and layer4 at 5x6x6) run by minimal filtering
// (models/cpu/minimal_filter.hpp); other volumes where most taps fall in the zero padding run tap
// by tap as GEMMs over the voxels each tap really reaches.
#include <torch/torch.h>

#include <memory>

#include "models/resnet3d.hpp"

namespace gbmsweep::models {

// Channel block of oneDNN's nCdhw16c layout.
constexpr int64_t kChannelBlock = 16;

// [N, C, D, H, W] -> [N, C/16, D, H, W, 16], the nCdhw16c layout as a plain float tensor.
torch::Tensor to_blocked(const torch::Tensor& x);
// The inverse of to_blocked.
torch::Tensor from_blocked(const torch::Tensor& x);
// Global average pool of a blocked tensor: [N, C].
torch::Tensor blocked_mean(const torch::Tensor& x);

// Whether PackedResBlock runs this block: every channel count a multiple of 16 and shortcut
// 'N' or 'B' (MedicalNet's depth 10 and 50 at widths that are multiples of 16; the test models'
// tiny widths and the 'A' shortcut of depth 18/34 stay on FoldedResBlock).
bool packable(const ResBlockOptions& block);

// Fraction of (output voxel, kernel tap) pairs of a stride-1, 3x3x3 convolution with padding =
// dilation that read inside a d x h x w volume. Below kTapFraction, where minimal filtering does
// not apply, the convolution runs tap by tap (measured on layer4 at 5x6x6, 16 rows, 1 thread:
// fraction 0.145, 68-83 ms tap by tap against 107-123 ms for oneDNN's direct kernel; at 0.44
// (layer3) the two were even).
double valid_tap_fraction(int64_t dilation, int64_t d, int64_t h, int64_t w);
constexpr double kTapFraction = 0.3;

class PackedResBlock {
 public:
  explicit PackedResBlock(const FoldedResBlock& folded);
  ~PackedResBlock();
  PackedResBlock(PackedResBlock&&) noexcept;
  PackedResBlock& operator=(PackedResBlock&&) noexcept;

  // x: blocked [N, Cin/16, D, H, W, 16], not modified. Returns the block's output, blocked.
  // Call under no-grad. Not thread-safe: primitives are cached per input shape.
  torch::Tensor forward(const torch::Tensor& x) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gbmsweep::models
