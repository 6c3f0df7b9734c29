#pragma once
// torch::optim::Adam whose update runs over all of a group's parameters at once with ATen's
// _foreach_ ops (PyTorch's foreach Adam, _multi_tensor_adam in torch/optim/adam.py): on CUDA a
// few multi-tensor kernels per step instead of about ten kernels per parameter (ResNet50 has
// 161 parameter tensors). The same arithmetic, state layout and options as torch::optim::Adam,
// so the two are interchangeable (amsgrad is not supported). Internal to train/.
#include <torch/torch.h>

namespace gbmsweep::train {

class ForeachAdam : public torch::optim::Adam {
 public:
  using torch::optim::Adam::Adam;
  torch::Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace gbmsweep::train
