#pragma once
// Residual blocks for the block-level tests (folded and packed evaluation blocks).
#include <torch/torch.h>

#include "models/resnet3d.hpp"

namespace gbmsweep::models::testing {

inline ResBlockOptions block_options(bool bottleneck, int64_t in, int64_t planes, int64_t stride,
                                     int64_t dilation, char shortcut) {
  ResBlockOptions o;
  o.bottleneck = bottleneck;
  o.in_planes = in;
  o.planes = planes;
  o.stride = stride;
  o.dilation = dilation;
  o.shortcut = shortcut;
  return o;
}

// An eval-mode block whose BatchNorms have non-trivial statistics and affine parameters.
inline ResBlock random_eval_block(const ResBlockOptions& o) {
  ResBlock block(o);
  block->eval();
  torch::NoGradGuard no_grad;
  for (auto& m : block->modules(false))
    if (auto* bn = m->as<torch::nn::BatchNorm3d>()) {
      bn->running_mean.normal_(0.0, 0.2);
      bn->running_var.uniform_(0.5, 2.0);
      bn->weight.uniform_(0.5, 1.5);
      bn->bias.normal_(0.0, 0.2);
    }
  return block;
}

}  // namespace gbmsweep::models::testing
