#include "models/resnet3d.hpp"

#include "common/error.hpp"
#include "gbmsweep/config.hpp"
#if GBMSWEEP_HAS_CPU_ENGINE
#include "models/cpu/dilated_conv.hpp"
#include "models/cpu/pointwise_conv.hpp"
#endif
#include "models/torch_compat.hpp"

namespace gbmsweep::models {

namespace nn = torch::nn;

namespace {

nn::Conv3d conv(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t pad, int64_t dil) {
  return nn::Conv3d(nn::Conv3dOptions(in, out, k).stride(stride).padding(pad).dilation(dil).bias(
      false));
}

// MedicalNet's initialisation: Kaiming normal (fan_out) for convolutions, BN = identity.
void init_like_medicalnet(nn::Module& m) {
  torch::NoGradGuard no_grad;
  // include_self=false: reset() runs before the module is owned by a shared_ptr.
  for (auto& mod : m.modules(/*include_self=*/false)) {
    if (auto* c = mod->as<nn::Conv3d>()) {
      nn::init::kaiming_normal_(c->weight, 0.0, torch::kFanOut, torch::kReLU);
    } else if (auto* b = mod->as<nn::BatchNorm3d>()) {
      b->weight.fill_(1.0);
      b->bias.zero_();
    }
  }
}

}  // namespace

// The one convolution dispatch of the models: the CPU engine's kernels for float CPU tensors,
// ATen's (cuDNN on a GPU) for everything else.
torch::Tensor conv3d(const nn::Conv3dImpl& c, const torch::Tensor& x) {
#if !GBMSWEEP_HAS_CPU_ENGINE
  return const_cast<nn::Conv3dImpl&>(c).forward(x);
#else
  const auto& o = c.options;
  const auto* pad = compat::get_if<torch::ExpandingArray<3>>(&o.padding());
  if (!pad || !at::hasMKLDNN() || !at::globalContext().userEnabledMkldnn() || !x.is_cpu() ||
      x.is_mkldnn() || x.scalar_type() != torch::kFloat || c.weight.scalar_type() != torch::kFloat)
    return const_cast<nn::Conv3dImpl&>(c).forward(x);
  // Training through a dilated 3x3x3 conv: same forward, tap-wise backward (see dilated_conv).
  if (torch::GradMode::is_enabled() && (x.requires_grad() || c.weight.requires_grad()) &&
      dilated_conv3d_applies(x, c.weight, *o.stride(), **pad, *o.dilation(), o.groups(),
                             c.bias.defined())) {
    DilatedConv3dOptions d;
    d.dilation = (*o.dilation())[0];
    return dilated_conv3d(x, c.weight, d);
  }
  // Training through a 1x1x1 conv: GEMMs on the plain layout, forward and backward.
  if (torch::GradMode::is_enabled() && (x.requires_grad() || c.weight.requires_grad()) &&
      pointwise_conv3d_applies(x, c.weight, *o.stride(), **pad, o.groups(), c.bias.defined()))
    return pointwise_conv3d(x, c.weight);
  c10::optional<torch::Tensor> bias;
  if (c.bias.defined()) bias = c.bias;
  return at::mkldnn_convolution(x, c.weight, bias, **pad, *o.stride(), *o.dilation(), o.groups());
#endif
}

std::vector<int> stage_blocks(int depth) {
  switch (depth) {
    case 10: return {1, 1, 1, 1};
    case 18: return {2, 2, 2, 2};
    case 34: return {3, 4, 6, 3};
    case 50: return {3, 4, 6, 3};
  }
  GBM_THROW("unsupported ResNet depth " << depth << " (10, 18, 34 or 50)");
}

char default_shortcut(int depth) { return depth == 10 || depth == 50 ? 'B' : 'A'; }

ResBlockImpl::ResBlockImpl(const ResBlockOptions& options) : options_(options) { reset(); }

void ResBlockImpl::reset() {
  const auto& o = options_;
  const int64_t out = out_planes();
  if (o.bottleneck) {
    conv1 = register_module("conv1", conv(o.in_planes, o.planes, 1, 1, 0, 1));
    bn1 = register_module("bn1", nn::BatchNorm3d(o.planes));
    conv2 = register_module("conv2", conv(o.planes, o.planes, 3, o.stride, o.dilation, o.dilation));
    bn2 = register_module("bn2", nn::BatchNorm3d(o.planes));
    conv3 = register_module("conv3", conv(o.planes, out, 1, 1, 0, 1));
    bn3 = register_module("bn3", nn::BatchNorm3d(out));
  } else {
    conv1 = register_module("conv1", conv(o.in_planes, o.planes, 3, o.stride, o.dilation, o.dilation));
    bn1 = register_module("bn1", nn::BatchNorm3d(o.planes));
    conv2 = register_module("conv2", conv(o.planes, o.planes, 3, 1, o.dilation, o.dilation));
    bn2 = register_module("bn2", nn::BatchNorm3d(o.planes));
  }
  if (o.shortcut == 'B') {
    downsample = register_module(
        "downsample", nn::Sequential(conv(o.in_planes, out, 1, o.stride, 0, 1), nn::BatchNorm3d(out)));
  }
  init_like_medicalnet(*this);
}

torch::Tensor ResBlockImpl::forward(const torch::Tensor& x) {
  auto y = torch::relu(bn1(conv3d(*conv1, x)));
  if (options_.bottleneck) {
    y = torch::relu(bn2(conv3d(*conv2, y)));
    y = bn3(conv3d(*conv3, y));
  } else {
    y = bn2(conv3d(*conv2, y));
  }
  torch::Tensor residual = x;
  if (options_.shortcut == 'B') {
    residual = downsample[1]->as<nn::BatchNorm3d>()->forward(
        conv3d(*downsample[0]->as<nn::Conv3d>(), x));
  } else if (options_.shortcut == 'A') {
    // MedicalNet's downsample_basic_block: avg_pool3d(kernel 1, stride) then zero channels.
    residual = x.slice(2, 0, c10::nullopt, options_.stride)
                   .slice(3, 0, c10::nullopt, options_.stride)
                   .slice(4, 0, c10::nullopt, options_.stride);
    auto pad = torch::zeros({residual.size(0), y.size(1) - residual.size(1), residual.size(2),
                             residual.size(3), residual.size(4)},
                            residual.options());
    residual = torch::cat({residual, pad}, 1);
  }
  return torch::relu(y + residual);
}

FoldedResBlock::Conv FoldedResBlock::fold(const nn::Conv3dImpl& conv,
                                           const nn::BatchNorm3dImpl& bn) {
  torch::NoGradGuard no_grad;
  const auto* pad = compat::get_if<torch::ExpandingArray<3>>(&conv.options.padding());
  GBM_CHECK(pad, "FoldedResBlock: convolution padding must be explicit");
  GBM_CHECK(bn.options.affine() && bn.options.track_running_stats(),
            "FoldedResBlock: BatchNorm needs affine parameters and running statistics");
  auto scale = bn.weight / torch::sqrt(bn.running_var + bn.options.eps());
  Conv c;
  c.weight = (conv.weight * scale.view({-1, 1, 1, 1, 1})).contiguous();
  c.bias = bn.bias - bn.running_mean * scale;
  if (conv.bias.defined()) c.bias = c.bias + conv.bias * scale;
  c.padding = std::vector<int64_t>((*pad)->begin(), (*pad)->end());
  c.stride = std::vector<int64_t>(conv.options.stride()->begin(), conv.options.stride()->end());
  c.dilation =
      std::vector<int64_t>(conv.options.dilation()->begin(), conv.options.dilation()->end());
  return c;
}

torch::Tensor FoldedResBlock::Conv::operator()(const torch::Tensor& x) const {
  if (at::hasMKLDNN() && at::globalContext().userEnabledMkldnn() && x.is_cpu() &&
      x.scalar_type() == torch::kFloat)
    return at::mkldnn_convolution(x, weight, bias, padding, stride, dilation, 1);
  return torch::conv3d(x, weight, bias, stride, padding, dilation);
}

FoldedResBlock::FoldedResBlock(const ResBlockImpl& b) : options_(b.options_) {
  convs_.push_back(fold(*b.conv1, *b.bn1));
  convs_.push_back(fold(*b.conv2, *b.bn2));
  if (options_.bottleneck) convs_.push_back(fold(*b.conv3, *b.bn3));
  if (options_.shortcut == 'B')
    downsample_ = fold(*b.downsample->ptr(0)->as<nn::Conv3d>(),
                       *b.downsample->ptr(1)->as<nn::BatchNorm3d>());
}

torch::Tensor FoldedResBlock::forward(const torch::Tensor& x) const {
  auto y = x;
  for (size_t i = 0; i + 1 < convs_.size(); ++i) y = convs_[i](y).relu_();
  y = convs_.back()(y);
  if (options_.shortcut == 'B') {
    y.add_(downsample_(x));
  } else if (options_.shortcut == 'A') {
    auto r = x.slice(2, 0, c10::nullopt, options_.stride)
                 .slice(3, 0, c10::nullopt, options_.stride)
                 .slice(4, 0, c10::nullopt, options_.stride);
    y.narrow(1, 0, r.size(1)).add_(r);  // the zero-padded channels add nothing
  } else {
    y.add_(x);
  }
  return y.relu_();
}

ResNet3DImpl::ResNet3DImpl(const ResNet3DOptions& options) : options_(options) { reset(); }

int64_t ResNet3DImpl::feature_channels() const {
  return options_.width * 8 * (options_.depth == 50 ? 4 : 1);
}

void ResNet3DImpl::reset() {
  const auto& o = options_;
  const auto counts = stage_blocks(o.depth);
  const char shortcut = o.shortcut ? o.shortcut : default_shortcut(o.depth);
  GBM_CHECK(shortcut == 'A' || shortcut == 'B', "shortcut type must be A or B, got " << shortcut);
  const bool bottleneck = o.depth == 50;
  const int64_t expansion = bottleneck ? 4 : 1;
  conv1 = register_module("conv1", conv(o.in_channels, o.width, 7, 2, 3, 1));
  bn1 = register_module("bn1", nn::BatchNorm3d(o.width));
  const int64_t strides[4] = {1, 2, 1, 1};
  const int64_t dilations[4] = {1, 1, 2, 4};  // every block of layer3/layer4, as MedicalNet
  nn::ModuleList* layers[4] = {&layer1, &layer2, &layer3, &layer4};
  int64_t in_planes = o.width;
  for (int s = 0; s < 4; ++s) {
    const int64_t planes = o.width << s;
    nn::ModuleList list;
    for (int b = 0; b < counts[s]; ++b) {
      ResBlockOptions bo;
      bo.bottleneck = bottleneck;
      bo.in_planes = in_planes;
      bo.planes = planes;
      bo.stride = b == 0 ? strides[s] : 1;
      bo.dilation = dilations[s];
      bo.shortcut = (b == 0 && (strides[s] != 1 || in_planes != planes * expansion)) ? shortcut : 'N';
      list->push_back(ResBlock(bo));
      in_planes = planes * expansion;
    }
    *layers[s] = register_module("layer" + std::to_string(s + 1), list);
  }
  fc = register_module("fc", nn::Linear(in_planes, o.num_outputs));
  {
    torch::NoGradGuard no_grad;  // the blocks initialised themselves
    nn::init::kaiming_normal_(conv1->weight, 0.0, torch::kFanOut, torch::kReLU);
  }
}

namespace {

// One convolution on an input of spatial size `in` (per image): its FLOPs, and `in` becomes
// the output size.
double conv_flops(const nn::Conv3dImpl& c, std::array<int64_t, 3>& in) {
  const auto& o = c.options;
  const auto* pad = compat::get_if<torch::ExpandingArray<3>>(&o.padding());
  GBM_CHECK(pad, "forward_flops: convolution padding must be explicit");
  double voxels = 1;
  for (int d = 0; d < 3; ++d) {
    const int64_t k = (*o.kernel_size())[d], s = (*o.stride())[d], dil = (*o.dilation())[d];
    in[d] = (in[d] + 2 * (**pad)[d] - dil * (k - 1) - 1) / s + 1;
    voxels *= static_cast<double>(in[d]);
  }
  double taps = static_cast<double>(o.in_channels() / o.groups());
  for (int d = 0; d < 3; ++d) taps *= static_cast<double>((*o.kernel_size())[d]);
  return 2.0 * voxels * static_cast<double>(o.out_channels()) * taps;
}

}  // namespace

double ForwardFlops::total() const {
  double t = stem + fc;
  for (double b : blocks) t += b;
  return t;
}

ForwardFlops forward_flops(const ResNet3DImpl& net, std::array<int64_t, 3> shape) {
  ForwardFlops f;
  f.stem = conv_flops(*net.conv1, shape);
  for (auto& n : shape) n = (n + 2 * 1 - 3) / 2 + 1;  // stem(): max_pool3d(3, 2, 1)
  for (const auto& b : net.blocks()) {
    const auto in = shape;
    double flops = 0;
    for (const auto& m : b->children()) {
      if (const auto* c = m->as<nn::Conv3d>()) flops += conv_flops(*c, shape);  // conv1..3
      if (const auto* s = m->as<nn::Sequential>()) {  // the shortcut convolution, on the input
        auto sin = in;
        flops += conv_flops(*(*s)[0]->as<nn::Conv3d>(), sin);
      }
    }
    f.blocks.push_back(flops);
  }
  f.fc = 2.0 * static_cast<double>(net.fc->weight.numel());
  return f;
}

torch::Tensor ResNet3DImpl::stem(const torch::Tensor& x) {
  auto y = torch::relu(bn1(conv3d(*conv1, x)));
  return torch::max_pool3d(y, 3, 2, 1);
}

torch::Tensor ResNet3DImpl::head(const torch::Tensor& x) {
  return fc(torch::mean(x, {2, 3, 4}));
}

torch::Tensor ResNet3DImpl::features(const torch::Tensor& x) {
  auto y = stem(x);
  for (auto& b : blocks()) y = b->forward(y);
  return torch::mean(y, {2, 3, 4});
}

torch::Tensor ResNet3DImpl::forward(const torch::Tensor& x) { return fc(features(x)); }

std::vector<ResBlock> ResNet3DImpl::blocks() const {
  std::vector<ResBlock> out;
  for (const auto* layer : {&layer1, &layer2, &layer3, &layer4})
    for (size_t i = 0; i < (*layer)->size(); ++i)
      out.emplace_back((*layer)->ptr<ResBlockImpl>(i));
  return out;
}

std::vector<torch::Tensor> ResNet3DImpl::backbone_parameters() const {
  std::vector<torch::Tensor> out;
  for (const auto& p : named_parameters())
    if (p.key().rfind("fc.", 0) != 0) out.push_back(p.value());
  return out;
}

void copy_state(torch::nn::Module& dst, const torch::nn::Module& src) {
  torch::NoGradGuard no_grad;
  auto sp = src.named_parameters();
  for (auto& p : dst.named_parameters()) {
    const auto* s = sp.find(p.key());
    GBM_CHECK(s, "copy_state: source has no parameter " << p.key());
    p.value().copy_(*s);
  }
  auto sb = src.named_buffers();
  for (auto& b : dst.named_buffers()) {
    const auto* s = sb.find(b.key());
    GBM_CHECK(s, "copy_state: source has no buffer " << b.key());
    b.value().copy_(*s);
  }
}

}  // namespace gbmsweep::models
