#include "models/cpu/packed_block.hpp"


#include <ATen/Parallel.h>

#include <algorithm>
#include <array>
#include <dnnl.hpp>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "models/cpu/minimal_filter.hpp"
#include "models/cpu/taps.hpp"

namespace gbmsweep::models {

namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// oneDNN errors enter our code here, with what was being set up or run.
template <class F>
auto dnnl_call(const char* what, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const dnnl::error& e) {
    GBM_THROW("oneDNN " << what << " failed: " << e.what() << " (status " << e.status << ")");
  }
}

// After the convolution: nothing; ReLU; dst = relu(dst + conv) (dst holds the 'B' shortcut);
// dst = relu(conv + residual) (the identity shortcut, read from x: no copy into dst first).
enum class Post { kNone, kRelu, kSumRelu, kAddRelu };

dnnl::memory::desc blocked_desc(int64_t n, int64_t c, int64_t d, int64_t h, int64_t w) {
  return dnnl::memory::desc({n, c, d, h, w}, dt::f32, tag::nCdhw16c);
}

// A user scratchpad of `desc`'s size in args (none when it is empty); the returned tensor owns
// it and must outlive the execution.
torch::Tensor add_scratchpad(std::unordered_map<int, dnnl::memory>& args,
                             const dnnl::memory::desc& desc) {
  const auto bytes = desc.get_size();
  if (bytes == 0) return {};
  auto scratch = torch::empty({static_cast<int64_t>(bytes)}, torch::kByte);
  args.emplace(DNNL_ARG_SCRATCHPAD, dnnl::memory(desc, cpu_engine(), scratch.data_ptr()));
  return scratch;
}

// src -> dst between two layouts of the same [n, c, d, h, w] (oneDNN's jit reorder); with
// `accumulate`, dst += reordered src.
void reorder(const float* src, tag from, float* dst, tag to, const dnnl::memory::dims& dims,
             bool accumulate = false) {
  dnnl_call("reorder", [&] {
    auto& eng = cpu_engine();
    dnnl::memory s({dims, dt::f32, from}, eng, const_cast<float*>(src));
    dnnl::memory d({dims, dt::f32, to}, eng, dst);
    dnnl::primitive_attr attr;
    if (accumulate) {
      dnnl::post_ops ops;
      ops.append_sum(1.0f);
      attr.set_post_ops(ops);
    }
    // Our own scratchpad, as in PackedConv: the primitive cache may hand this thread a reorder
    // made in another, and the library scratchpad is safe only in the thread that made it.
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    const dnnl::reorder::primitive_desc pd(s, d, attr);
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_FROM, s}, {DNNL_ARG_TO, d}};
    const auto scratch = add_scratchpad(args, pd.scratchpad_desc());
    dnnl::stream stream(eng);
    dnnl::reorder(pd).execute(stream, args);
    stream.wait();
  });
}

// One folded convolution on blocked activations.
class PackedConv {
 public:
  PackedConv(const FoldedResBlock::Conv& c, Post post)
      : post_(post), cache_(std::make_unique<Cache>()) {
    weight_ = c.weight.contiguous();
    bias_ = c.bias.contiguous();
    GBM_CHECK(weight_.dim() == 5 && weight_.size(2) == weight_.size(3) &&
                  weight_.size(3) == weight_.size(4),
              "PackedConv: expected a cubic 3D kernel");
    cout_ = weight_.size(0);
    cin_ = weight_.size(1);
    k_ = weight_.size(2);
    for (int i = 0; i < 3; ++i) {
      stride_[i] = c.stride[i];
      pad_[i] = c.padding[i];
      dil_[i] = c.dilation[i];
    }
  }

  int64_t out_channels() const { return cout_; }
  std::array<int64_t, 3> out_dims(const torch::Tensor& x) const {
    std::array<int64_t, 3> o{};
    for (int i = 0; i < 3; ++i)
      o[i] = (x.size(2 + i) + 2 * pad_[i] - dil_[i] * (k_ - 1) - 1) / stride_[i] + 1;
    return o;
  }

  // src, dst (and residual, for kAddRelu) blocked and contiguous; with kSumRelu dst holds
  // what is added.
  void run(const torch::Tensor& src, torch::Tensor& dst, const torch::Tensor& residual = {}) const {
    GBM_CHECK((post_ == Post::kAddRelu) == residual.defined(),
              "PackedConv: a residual goes with the kAddRelu post-op only");
    const Route r = route(src);
    if (r == Route::kDirect) {
      run_direct(src, dst, residual);
    } else {
      run_channels_last(r, src, dst, residual);
    }
  }

 private:
  // How a dilated 3x3x3 convolution runs: minimal filtering where every sublattice is at most 3
  // long (layer3 and layer4 at 5x6x6: 448 and 384 products per row instead of 2156 and 700
  // (voxel, tap) pairs), else tap by tap where most taps fall in the padding, else oneDNN's
  // direct kernel (which also takes every undilated convolution).
  enum class Route { kDirect, kMinimal, kTaps };
  Route route(const torch::Tensor& x) const {
    if (k_ != 3) return Route::kDirect;
    for (int i = 0; i < 3; ++i)
      if (stride_[i] != 1 || dil_[i] < 2 || pad_[i] != dil_[i] || dil_[i] != dil_[0])
        return Route::kDirect;
    if (minimal_filter::applicable(dil_[0], {x.size(2), x.size(3), x.size(4)}))
      return Route::kMinimal;
    if (valid_tap_fraction(dil_[0], x.size(2), x.size(3), x.size(4)) < kTapFraction)
      return Route::kTaps;
    return Route::kDirect;
  }

  struct Prim {
    dnnl::convolution_forward prim;
    dnnl::memory weights;
    dnnl::memory::desc scratchpad;
  };

  // The primitive for x's shape, made on first use. Inside a parallel region oneDNN runs one
  // thread and its kernels are set up for that: the key tells the two apart.
  const Prim& prim(const torch::Tensor& x) const {
    const std::array<int64_t, 5> key{x.size(0), x.size(2), x.size(3), x.size(4),
                                     at::in_parallel_region() ? 1 : 0};
    std::lock_guard<std::mutex> lock(cache_->mutex);
    auto& prims = cache_->prims;
    auto it = prims.find(key);
    if (it != prims.end()) return it->second;
    return dnnl_call("convolution setup", [&]() -> const Prim& {
      auto& eng = cpu_engine();
      const auto od = out_dims(x);
      const auto src = blocked_desc(x.size(0), cin_, x.size(2), x.size(3), x.size(4));
      const auto dst = blocked_desc(x.size(0), cout_, od[0], od[1], od[2]);
      dnnl::memory::desc wany({cout_, cin_, k_, k_, k_}, dt::f32, tag::any);
      dnnl::memory::desc bias({cout_}, dt::f32, tag::x);
      dnnl::convolution_forward::desc desc(
          dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src, wany,
          bias, dst, {stride_[0], stride_[1], stride_[2]},
          {dil_[0] - 1, dil_[1] - 1, dil_[2] - 1},  // oneDNN counts dilation from 0
          {pad_[0], pad_[1], pad_[2]}, {pad_[0], pad_[1], pad_[2]});
      dnnl::post_ops ops;
      if (post_ == Post::kSumRelu) ops.append_sum(1.0f);
      if (post_ == Post::kAddRelu) ops.append_binary(dnnl::algorithm::binary_add, dst);
      if (post_ != Post::kNone) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
      dnnl::primitive_attr attr;
      attr.set_post_ops(ops);
      // Our own scratchpad per execution: the library's is safe only in the thread that made
      // the primitive, and evaluation jobs run it side by side (run_jobs in spottune.cpp).
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      dnnl::convolution_forward::primitive_desc pd(desc, attr, eng);
      // Pack the weights once per layout the kernels ask for (in practice one per convolution).
      dnnl::memory packed;
      for (const auto& m : cache_->packed)
        if (m.get_desc() == pd.weights_desc()) packed = m;
      if (!packed) {
        dnnl::memory plain({{cout_, cin_, k_, k_, k_}, dt::f32, tag::oidhw}, eng,
                           weight_.data_ptr<float>());
        packed = dnnl::memory(pd.weights_desc(), eng);
        dnnl::stream s(eng);
        dnnl::reorder(plain, packed).execute(s, plain, packed);
        s.wait();
        cache_->packed.push_back(packed);
      }
      return prims
          .emplace(key, Prim{dnnl::convolution_forward(pd), packed, pd.scratchpad_desc()})
          .first->second;
    });
  }

  void run_direct(const torch::Tensor& src, torch::Tensor& dst, const torch::Tensor& residual) const {
    const Prim& p = prim(src);
    dnnl_call("convolution", [&] {
      auto& eng = cpu_engine();
      const auto od = out_dims(src);
      const auto dst_desc = blocked_desc(src.size(0), cout_, od[0], od[1], od[2]);
      dnnl::memory s(blocked_desc(src.size(0), cin_, src.size(2), src.size(3), src.size(4)), eng,
                     src.data_ptr<float>());
      dnnl::memory d(dst_desc, eng, dst.data_ptr<float>());
      dnnl::memory b({{cout_}, dt::f32, tag::x}, eng, bias_.data_ptr<float>());
      std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, s},
                                                 {DNNL_ARG_WEIGHTS, p.weights},
                                                 {DNNL_ARG_BIAS, b},
                                                 {DNNL_ARG_DST, d}};
      if (residual.defined())
        args.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1,
                     dnnl::memory(dst_desc, eng, residual.data_ptr<float>()));
      const auto scratch = add_scratchpad(args, p.scratchpad);
      dnnl::stream stream(eng);
      p.prim.execute(stream, args);
      stream.wait();
    });
  }

  // Minimal filtering or tap by tap, on a channels-last copy of src, then back to blocked.
  void run_channels_last(Route r, const torch::Tensor& src, torch::Tensor& dst,
                         const torch::Tensor& residual) const {
    const int64_t n = src.size(0), D = src.size(2), H = src.size(3), W = src.size(4);
    auto x = torch::empty({n, D, H, W, cin_}, src.options());
    reorder(src.data_ptr<float>(), tag::nCdhw16c, x.data_ptr<float>(), tag::ndhwc,
            {n, cin_, D, H, W});
    auto y = torch::empty({n * D * H * W, cout_}, src.options());
    float* Y = y.data_ptr<float>();
    if (r == Route::kMinimal) {
      plan({D, H, W}).conv_channels_last(x.data_ptr<float>(), Y, n);
    } else {
      // [27, Cout, Cin], tap t = (kd * 3 + kh) * 3 + kw.
      const torch::Tensor taps = tap_weights();
      taps::TapWeights w;
      w.data = taps.data_ptr<float>();
      w.tap_stride = cout_ * cin_;
      w.ld = cin_;
      w.transposed = true;  // y = x * W_t^T, W_t stored [Cout, Cin]
      taps::conv_channels_last(x.data_ptr<float>(), Y, n, {D, H, W}, cin_, cout_, dil_[0], w);
    }
    y.add_(bias_);
    if (post_ == Post::kRelu) y.relu_();
    // Back to blocked (added onto dst for kSumRelu).
    reorder(Y, tag::ndhwc, dst.data_ptr<float>(), tag::nCdhw16c, {n, cout_, D, H, W},
            post_ == Post::kSumRelu);
    if (post_ == Post::kAddRelu) dst.add_(residual);
    if (post_ == Post::kSumRelu || post_ == Post::kAddRelu) dst.relu_();
  }

  Post post_;
  torch::Tensor weight_, bias_;
  int64_t cin_ = 0, cout_ = 0, k_ = 1;
  std::array<int64_t, 3> stride_{}, pad_{}, dil_{};
  // The minimal-filtering plan (transformed weights) for a volume size, made on first use.
  const minimal_filter::Plan& plan(const std::array<int64_t, 3>& size) const {
    std::lock_guard<std::mutex> lock(cache_->mutex);
    auto& p = cache_->plans[size];
    if (!p)
      p = std::make_unique<minimal_filter::Plan>(weight_.data_ptr<float>(), cout_, cin_, dil_[0],
                                                 size);
    return *p;
  }
  // [27, Cout, Cin], made on first use: a transpose of [Cout * Cin, 27] (the [27, Cin, Cout]
  // order took 150 ms per 512x512 weight, a permuted copy with a far stride).
  torch::Tensor tap_weights() const {
    std::lock_guard<std::mutex> lock(cache_->mutex);
    if (!cache_->taps.defined()) cache_->taps = weight_.view({cout_ * cin_, 27}).t().contiguous();
    return cache_->taps;
  }

  // What is made on first use, shared by the evaluation jobs that run this convolution side by
  // side: behind a mutex (and a pointer, so that PackedConv stays movable).
  struct Cache {
    std::mutex mutex;
    std::map<std::array<int64_t, 5>, Prim> prims;
    std::vector<dnnl::memory> packed;
    std::map<std::array<int64_t, 3>, std::unique_ptr<minimal_filter::Plan>> plans;
    torch::Tensor taps;
  };
  std::unique_ptr<Cache> cache_;
};

torch::Tensor empty_blocked(int64_t n, int64_t c, const std::array<int64_t, 3>& dims,
                            const torch::TensorOptions& options) {
  return torch::empty({n, c / kChannelBlock, dims[0], dims[1], dims[2], kChannelBlock}, options);
}

}  // namespace

torch::Tensor to_blocked(const torch::Tensor& x) {
  GBM_CHECK(x.dim() == 5 && x.size(1) % kChannelBlock == 0,
            "to_blocked: expected [N, C, D, H, W] with C a multiple of 16");
  return x.view({x.size(0), x.size(1) / kChannelBlock, kChannelBlock, x.size(2), x.size(3),
                 x.size(4)})
      .permute({0, 1, 3, 4, 5, 2})
      .contiguous();
}

torch::Tensor from_blocked(const torch::Tensor& x) {
  GBM_CHECK(x.dim() == 6 && x.size(5) == kChannelBlock, "from_blocked: expected a blocked tensor");
  return x.permute({0, 1, 5, 2, 3, 4})
      .reshape({x.size(0), x.size(1) * kChannelBlock, x.size(2), x.size(3), x.size(4)});
}

torch::Tensor blocked_mean(const torch::Tensor& x) {
  GBM_CHECK(x.dim() == 6 && x.size(5) == kChannelBlock, "blocked_mean: expected a blocked tensor");
  return x.mean({2, 3, 4}).reshape({x.size(0), x.size(1) * kChannelBlock});
}

bool packable(const ResBlockOptions& o) {
  const int64_t out = o.planes * (o.bottleneck ? 4 : 1);
  return (o.shortcut == 'N' || o.shortcut == 'B') && o.in_planes % kChannelBlock == 0 &&
         o.planes % kChannelBlock == 0 && out % kChannelBlock == 0;
}

double valid_tap_fraction(int64_t dilation, int64_t d, int64_t h, int64_t w) {
  return taps::valid_fraction(dilation, {d, h, w});
}

struct PackedResBlock::Impl {
  ResBlockOptions options;
  std::vector<PackedConv> convs;
  std::vector<PackedConv> downsample;  // empty or one ('B' shortcut)
};

PackedResBlock::PackedResBlock(const FoldedResBlock& folded) : impl_(std::make_unique<Impl>()) {
  impl_->options = folded.options();
  GBM_CHECK(packable(impl_->options), "PackedResBlock: block has channels that are not multiples "
                                      "of 16 or an 'A' shortcut");
  const auto& convs = folded.convs();
  const Post last = impl_->options.shortcut == 'B' ? Post::kSumRelu : Post::kAddRelu;
  for (size_t i = 0; i < convs.size(); ++i)
    impl_->convs.emplace_back(convs[i], i + 1 < convs.size() ? Post::kRelu : last);
  if (impl_->options.shortcut == 'B') impl_->downsample.emplace_back(folded.downsample(), Post::kNone);
}

PackedResBlock::~PackedResBlock() = default;
PackedResBlock::PackedResBlock(PackedResBlock&&) noexcept = default;
PackedResBlock& PackedResBlock::operator=(PackedResBlock&&) noexcept = default;

torch::Tensor PackedResBlock::forward(const torch::Tensor& x) const {
  GBM_CHECK(x.dim() == 6 && x.size(5) == kChannelBlock && x.is_contiguous() &&
                x.scalar_type() == torch::kFloat,
            "PackedResBlock: expected a contiguous float blocked tensor");
  auto y = x;
  const auto& convs = impl_->convs;
  for (size_t i = 0; i + 1 < convs.size(); ++i) {
    auto out = empty_blocked(x.size(0), convs[i].out_channels(), convs[i].out_dims(y), x.options());
    convs[i].run(y, out);
    y = out;
  }
  // The last convolution adds the shortcut: x itself (a binary post-op reading x), or the
  // downsampled x written into the output first.
  const auto& last = convs.back();
  auto out = empty_blocked(x.size(0), last.out_channels(), last.out_dims(y), x.options());
  if (impl_->downsample.empty()) {
    last.run(y, out, x);
  } else {
    impl_->downsample.front().run(x, out);
    last.run(y, out);
  }
  return out;
}

}  // namespace gbmsweep::models
