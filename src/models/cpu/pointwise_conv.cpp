#include "models/cpu/pointwise_conv.hpp"

#include <torch/torch.h>

#include "common/error.hpp"
#include "models/cpu/conv_operands.hpp"
#include "models/cpu/taps.hpp"

namespace gbmsweep::models {

namespace {

using taps::sgemm;

int64_t voxels(const at::Tensor& t) { return t.size(2) * t.size(3) * t.size(4); }

class PointwiseConv3dFn : public torch::autograd::Function<PointwiseConv3dFn> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x,
                            const at::Tensor& w) {
    const auto xc = x.contiguous();
    const auto wc = w.contiguous();
    ctx->save_for_backward({xc, wc});
    const int64_t n = x.size(0), cin = x.size(1), cout = w.size(0), v = voxels(x);
    auto y = at::empty({n, cout, x.size(2), x.size(3), x.size(4)}, x.options());
    const float* W = wc.data_ptr<float>();
    for (int64_t i = 0; i < n; ++i)  // y[i] [cout, v] = W [cout, cin] x[i] [cin, v]
      sgemm('N', 'N', cout, v, cin, W, cin, xc.data_ptr<float>() + i * cin * v, v, 0.0f,
            y.data_ptr<float>() + i * cout * v, v);
    return y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& w = saved[1];
    at::Tensor gx, gw;
    if (!grads[0].defined()) return {gx, gw};
    const auto g = grads[0].contiguous();
    const int64_t n = x.size(0), cin = x.size(1), cout = w.size(0), v = voxels(x);
    const float* G = g.data_ptr<float>();
    if (ctx->needs_input_grad(0)) {  // dx[i] [cin, v] = W^T dy[i]
      gx = at::empty_like(x);
      for (int64_t i = 0; i < n; ++i)
        sgemm('T', 'N', cin, v, cout, w.data_ptr<float>(), cin, G + i * cout * v, v, 0.0f,
              gx.data_ptr<float>() + i * cin * v, v);
    }
    if (ctx->needs_input_grad(1)) {  // dW [cout, cin] = sum over i of dy[i] x[i]^T
      gw = at::empty_like(w);
      for (int64_t i = 0; i < n; ++i)
        sgemm('N', 'T', cout, cin, v, G + i * cout * v, v, x.data_ptr<float>() + i * cin * v, v,
              i == 0 ? 0.0f : 1.0f, gw.data_ptr<float>(), cin);
      if (n == 0) gw.zero_();
    }
    return {gx, gw};
  }
};

}  // namespace

bool pointwise_conv3d_applies(const at::Tensor& x, const at::Tensor& weight,
                              at::IntArrayRef stride, at::IntArrayRef padding, int64_t groups,
                              bool has_bias) {
  if (!plain_float_conv3d(x, weight, stride, padding, groups, has_bias)) return false;
  for (int d = 0; d < 3; ++d)
    if (weight.size(2 + d) != 1 || stride[d] != 1 || padding[d] != 0) return false;
  return true;
}

at::Tensor pointwise_conv3d(const at::Tensor& x, const at::Tensor& weight) {
  GBM_CHECK(x.dim() == 5 && weight.dim() == 5 && x.size(1) == weight.size(1) &&
                weight.size(2) == 1 && weight.size(3) == 1 && weight.size(4) == 1,
            "pointwise_conv3d: expected x [N, C, D, H, W] and weight [Cout, C, 1, 1, 1]");
  return PointwiseConv3dFn::apply(x, weight);
}

}  // namespace gbmsweep::models
