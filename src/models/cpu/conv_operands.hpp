#pragma once
// The operand checks shared by our own training convolutions (dilated_conv, pointwise_conv):
// float CPU strided x [N, C, D, H, W], weight [Cout, C, k, k, k], 3-element stride and padding,
// one group, no bias.
#include <ATen/core/Tensor.h>

namespace gbmsweep::models {

inline bool plain_float_conv3d(const at::Tensor& x, const at::Tensor& weight,
                               at::IntArrayRef stride, at::IntArrayRef padding, int64_t groups,
                               bool has_bias) {
  return !has_bias && groups == 1 && x.is_cpu() && !x.is_mkldnn() && !weight.is_mkldnn() &&
         x.scalar_type() == at::kFloat && weight.scalar_type() == at::kFloat && x.dim() == 5 &&
         weight.dim() == 5 && stride.size() == 3 && padding.size() == 3 &&
         x.size(1) == weight.size(1);
}

}  // namespace gbmsweep::models
