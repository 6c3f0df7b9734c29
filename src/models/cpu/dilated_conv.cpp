#include "models/cpu/dilated_conv.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <array>

#include "common/error.hpp"
#include "models/cpu/conv_operands.hpp"
#include "models/cpu/taps.hpp"
#include "models/cpu/workers.hpp"

namespace gbmsweep::models {

namespace {

using taps::Box;
using taps::kCentre;
using taps::kTaps;
using taps::tap_box;

using taps::sgemm;

// [N, C, D, H, W] -> contiguous [N, D, H, W, C]: one tap's box is then [N, box] rows of C floats.
at::Tensor channels_last(const at::Tensor& t) { return t.permute({0, 2, 3, 4, 1}).contiguous(); }

// The box of a channels-last [N, D, H, W, C] tensor starting at `lo` (a strided view).
at::Tensor box_view(const at::Tensor& cl, const std::array<int64_t, 3>& lo, const Box& b) {
  return cl.slice(1, lo[0], lo[0] + b.len[0])
      .slice(2, lo[1], lo[1] + b.len[1])
      .slice(3, lo[2], lo[2] + b.len[2]);
}

// Copies that box into the front of `scratch` (contiguous [N * voxels, C]); returns its data.
const float* gather(const at::Tensor& cl, const std::array<int64_t, 3>& lo, const Box& b,
                    at::Tensor& scratch) {
  const int64_t n = cl.size(0), c = cl.size(4);
  auto dst = scratch.narrow(0, 0, n * b.voxels() * c).view({n, b.len[0], b.len[1], b.len[2], c});
  dst.copy_(box_view(cl, lo, b));
  return scratch.data_ptr<float>();
}

std::array<int64_t, 3> spatial(const at::Tensor& t) { return {t.size(2), t.size(3), t.size(4)}; }

void check_shapes(const at::Tensor& a, const at::Tensor& b, const char* what) {
  GBM_CHECK(a.dim() == 5 && b.dim() == 5 && a.scalar_type() == at::kFloat &&
                b.scalar_type() == at::kFloat,
            what << ": expected 5-d float tensors");
}

// dst[r][j][i] = src[r][i][j] for r < rows, i < a, j < b. One row (27 x Cin floats) stays in
// cache; a generic permute of the whole 512x512x27 weight to tap-major took 28 ms, this ~5.
void swap_inner(const float* src, float* dst, int64_t rows, int64_t a, int64_t b) {
  parallel_range(rows, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* s = src + r * a * b;
      float* d = dst + r * a * b;
      for (int64_t j = 0; j < b; ++j)
        for (int64_t i = 0; i < a; ++i) d[j * a + i] = s[i * b + j];
    }
  });
}

// Weight [Cout, Cin, 3, 3, 3] -> [Cout, 27, Cin]: tap t's [Cout, Cin] matrix starts at t * Cin
// with leading dimension 27 * Cin.
at::Tensor taps_of(const at::Tensor& w) {
  const auto wc = w.contiguous();
  const int64_t cout = w.size(0), cin = w.size(1);
  auto out = at::empty({cout, kTaps, cin}, w.options());
  swap_inner(wc.data_ptr<float>(), out.data_ptr<float>(), cout, cin, kTaps);
  return out;
}

class DilatedConv3dFn : public torch::autograd::Function<DilatedConv3dFn> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x,
                            const at::Tensor& w, int64_t dilation, bool tapwise_grad_input) {
    ctx->save_for_backward({x, w});
    ctx->saved_data["dilation"] = dilation;
    ctx->saved_data["tapwise_grad_input"] = tapwise_grad_input;
    // Exactly models::conv3d's call, so forward values do not change.
    const std::vector<int64_t> dil(3, dilation), stride(3, 1);
    return at::mkldnn_convolution(x, w, c10::nullopt, dil, stride, dil, 1);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& w = saved[1];
    const int64_t dilation = ctx->saved_data["dilation"].toInt();
    const auto& g = grads[0];
    at::Tensor gx, gw;
    if (g.defined() && ctx->needs_input_grad(0)) {
      if (ctx->saved_data["tapwise_grad_input"].toBool()) {
        gx = dilated_conv3d_grad_input(g, w, dilation);
      } else {
        // What autograd does for mkldnn_convolution (MkldnnConvolutionBackward0).
        const std::vector<int64_t> dil(3, dilation), stride(3, 1), zero(3, 0);
        gx = std::get<0>(at::convolution_backward(g, x, w, c10::nullopt, stride, dil, dil, false,
                                                  zero, 1, {true, false, false}));
      }
    }
    if (g.defined() && ctx->needs_input_grad(1)) gw = dilated_conv3d_grad_weight(x, g, dilation);
    return {gx, gw, at::Tensor(), at::Tensor()};
  }
};

}  // namespace

bool dilated_conv3d_applies(const at::Tensor& x, const at::Tensor& weight, at::IntArrayRef stride,
                            at::IntArrayRef padding, at::IntArrayRef dilation, int64_t groups,
                            bool has_bias) {
  if (!plain_float_conv3d(x, weight, stride, padding, groups, has_bias) ||
      dilation.size() != 3 || !at::hasMKLDNN() || !at::globalContext().userEnabledMkldnn())
    return false;
  for (int d = 0; d < 3; ++d)
    if (weight.size(2 + d) != 3 || stride[d] != 1 || dilation[d] < 2 ||
        dilation[d] != dilation[0] || padding[d] != dilation[d])
      return false;
  return true;
}

at::Tensor dilated_conv3d(const at::Tensor& x, const at::Tensor& weight,
                          const DilatedConv3dOptions& o) {
  GBM_CHECK(o.dilation >= 2, "dilated_conv3d: dilation must be >= 2, got " << o.dilation);
  using G = DilatedConv3dOptions::GradInput;
  const bool tapwise_gx =
      o.grad_input == G::kTapwise || (o.grad_input == G::kAuto && x.size(0) == 1);
  return DilatedConv3dFn::apply(x, weight, o.dilation, tapwise_gx);
}

at::Tensor dilated_conv3d_grad_weight(const at::Tensor& x, const at::Tensor& grad_out,
                                      int64_t dilation) {
  check_shapes(x, grad_out, "dilated_conv3d_grad_weight");
  GBM_CHECK(spatial(x) == spatial(grad_out) && x.size(0) == grad_out.size(0),
            "dilated_conv3d_grad_weight: x and grad_out sizes differ");
  torch::NoGradGuard no_grad;
  const auto xc = channels_last(x);
  const auto gc = channels_last(grad_out);
  const int64_t n = x.size(0), cin = x.size(1), cout = grad_out.size(1);
  const auto size = spatial(x);
  // Per tap into [Cout, 27, Cin] (ldc 27 * Cin), then one cache-local swap to [Cout, Cin, 27].
  auto taps = at::empty({cout, kTaps, cin}, x.options());
  float* tp = taps.data_ptr<float>();
  auto xs = at::empty({xc.numel()}, x.options());
  auto gs = at::empty({gc.numel()}, x.options());
  for (int t = 0; t < kTaps; ++t) {
    const Box b = tap_box(t, dilation, size);
    if (b.empty() || n == 0) {  // a tap that never meets the volume has a zero gradient
      taps.select(1, t).zero_();
      continue;
    }
    const int64_t mb = n * b.voxels();
    const bool centre = t == kCentre;
    const float* xp = centre ? xc.data_ptr<float>() : gather(xc, b.in, b, xs);
    const float* gp = centre ? gc.data_ptr<float>() : gather(gc, b.out, b, gs);
    // grad_w[:, :, tap] = G^T X over the box: [Cout, M] x [M, Cin].
    sgemm('T', 'N', cout, cin, mb, gp, cout, xp, cin, 0.0f, tp + t * cin, kTaps * cin);
  }
  auto gw = at::empty({cout, cin, 3, 3, 3}, x.options());
  swap_inner(tp, gw.data_ptr<float>(), cout, kTaps, cin);
  return gw;
}

at::Tensor dilated_conv3d_grad_input(const at::Tensor& grad_out, const at::Tensor& weight,
                                     int64_t dilation) {
  check_shapes(grad_out, weight, "dilated_conv3d_grad_input");
  torch::NoGradGuard no_grad;
  // grad_x[i] += grad_out[o] W_t for i = o + offset(t): a tap convolution of grad_out that reads
  // through the mirrored taps, with W_t as [Cout, Cin] ('N').
  const auto gc = channels_last(grad_out);
  const auto wt = taps_of(weight);  // [Cout, 27, Cin]
  const int64_t n = grad_out.size(0), cout = weight.size(0), cin = weight.size(1);
  const auto size = spatial(grad_out);
  auto gx = at::empty({n, size[0], size[1], size[2], cin}, grad_out.options());
  taps::TapWeights w;
  w.data = wt.data_ptr<float>();
  w.tap_stride = cin;
  w.ld = kTaps * cin;
  w.mirrored = true;
  taps::conv_channels_last(gc.data_ptr<float>(), gx.data_ptr<float>(), n, size, cout, cin,
                           dilation, w);
  return gx.permute({0, 4, 1, 2, 3}).contiguous();
}

}  // namespace gbmsweep::models
