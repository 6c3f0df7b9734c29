#pragma once
// 3D ResNet in the MedicalNet layout (Chen et al., "Med3D"): parameter names match the
// MedicalNet state dicts (conv1, bn1, layer1.0.conv1, layer1.0.downsample.0, ...) so that
// pretrained weights load by name. Our only additions: a classifier `fc` (MedicalNet has a
// segmentation head `conv_seg` instead) and a `width` knob (MedicalNet = 64) for tiny tests.
#include <torch/torch.h>

#include <array>
#include <vector>

namespace gbmsweep::models {

// `c` applied to x, in the forward pass through oneDNN (MKLDNN) whenever it can run there. ATen
// picks its slow native kernels for 1x1x1 convolutions at one thread and for batch-1 3x3x3
// convolutions of small volumes; oneDNN's forward was 1.3-4x faster at the SpotTune shapes. The
// backward pass still goes where ATen's convolution_backward sends it, except for dilated 3x3x3
// convolutions in training (models/cpu/dilated_conv.hpp: a tap-wise weight gradient).
torch::Tensor conv3d(const torch::nn::Conv3dImpl& c, const torch::Tensor& x);

// One residual block: BasicBlock (depth 10/18/34) or Bottleneck (depth 50). Its output includes
// its own residual and the final ReLU, as in MedicalNet.
struct ResBlockOptions {
  bool bottleneck = false;
  int64_t in_planes = 64;
  int64_t planes = 64;
  int64_t stride = 1;
  int64_t dilation = 1;
  // Shortcut: 'N' identity, 'A' parameter-free (stride + zero channel padding),
  // 'B' 1x1x1 conv + BN (registered as `downsample.0` / `downsample.1`).
  char shortcut = 'N';
};

class FoldedResBlock;

class ResBlockImpl : public torch::nn::Cloneable<ResBlockImpl> {
 public:
  explicit ResBlockImpl(const ResBlockOptions& options);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);
  const ResBlockOptions& options() const { return options_; }
  int64_t out_planes() const { return options_.planes * (options_.bottleneck ? 4 : 1); }

 private:
  friend class FoldedResBlock;
  ResBlockOptions options_;
  torch::nn::Conv3d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  torch::nn::BatchNorm3d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
  torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(ResBlock);

// A value-only snapshot of a ResBlock with its eval-mode BatchNorms folded into the convolutions
// (w' = w * s, b' = beta - mean * s, s = gamma / sqrt(var + eps)): the same function up to float
// rounding, one pass less per BatchNorm, ReLUs and the residual add in place. Used where a block
// runs many times without autograd (SpotTune evaluation); rebuild it when the block changes.
class FoldedResBlock {
 public:
  explicit FoldedResBlock(const ResBlockImpl& block);
  // Call under no-grad; `x` is not modified.
  torch::Tensor forward(const torch::Tensor& x) const;

  // One convolution with its BatchNorm folded in (bias always defined).
  struct Conv {
    torch::Tensor weight, bias;
    std::vector<int64_t> padding, stride, dilation;
    torch::Tensor operator()(const torch::Tensor& x) const;
  };
  const ResBlockOptions& options() const { return options_; }
  const std::vector<Conv>& convs() const { return convs_; }
  const Conv& downsample() const { return downsample_; }

 private:
  static Conv fold(const torch::nn::Conv3dImpl& conv, const torch::nn::BatchNorm3dImpl& bn);
  ResBlockOptions options_;
  std::vector<Conv> convs_;  // 2 (basic) or 3 (bottleneck)
  Conv downsample_;          // shortcut 'B' only
};

struct ResNet3DOptions {
  int depth = 50;           // 10, 18, 34 or 50
  int64_t in_channels = 1;  // > 1: see inflate_conv1 for pretrained weights
  int64_t num_outputs = 1;  // size of the `fc` classifier
  int64_t width = 64;       // planes of layer1 (MedicalNet: 64); layers 2-4 use 2x, 4x, 8x
  // 0 = MedicalNet's choice for the depth: 'B' for 10 and 50, 'A' for 18 and 34.
  char shortcut = 0;
};

// Blocks per stage for a depth; throws for unsupported depths.
std::vector<int> stage_blocks(int depth);
char default_shortcut(int depth);

class ResNet3DImpl : public torch::nn::Cloneable<ResNet3DImpl> {
 public:
  explicit ResNet3DImpl(const ResNet3DOptions& options);
  void reset() override;

  torch::Tensor forward(const torch::Tensor& x);
  // The pieces, for SpotTune: stem = conv1 -> bn1 -> relu -> maxpool; head = global average
  // pool -> fc (returns [N, num_outputs]).
  torch::Tensor stem(const torch::Tensor& x);
  torch::Tensor features(const torch::Tensor& x);  // stem + blocks + pool, [N, C]
  torch::Tensor head(const torch::Tensor& x);
  // The residual blocks in order (16 for depth 34/50), shared with the module (not copies).
  std::vector<ResBlock> blocks() const;
  // The stem and block parameters (everything but fc).
  std::vector<torch::Tensor> backbone_parameters() const;
  const ResNet3DOptions& options() const { return options_; }
  int64_t feature_channels() const;

  torch::nn::Conv3d conv1{nullptr};
  torch::nn::BatchNorm3d bn1{nullptr};
  torch::nn::ModuleList layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
  torch::nn::Linear fc{nullptr};

 private:
  ResNet3DOptions options_;
};
TORCH_MODULE(ResNet3D);

// Convolution and classifier FLOPs of one image's forward pass (2 per multiply-add, from the
// layers' options and the spatial sizes they see; BatchNorm, ReLU, pooling and the residual
// adds are not counted: about 1 % at MedicalNet widths). For `gbmsweep bench`'s TFLOP/s.
struct ForwardFlops {
  double stem = 0;             // conv1 (the max-pool's size change is followed)
  std::vector<double> blocks;  // each residual block, shortcut convolution included
  double fc = 0;
  double total() const;
};
ForwardFlops forward_flops(const ResNet3DImpl& net, std::array<int64_t, 3> shape);

// Copies every parameter and buffer of `src` into the same-named one of `dst` (no autograd).
void copy_state(torch::nn::Module& dst, const torch::nn::Module& src);

}  // namespace gbmsweep::models
