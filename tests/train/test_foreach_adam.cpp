#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

#include <vector>

#include "train/foreach_adam.hpp"

// ForeachAdam (the optimiser of CUDA parameters) runs torch::optim::Adam's arithmetic with
// multi-tensor ops. On the CPU those ops apply the same per-tensor kernels, so the two must
// agree bit for bit, step after step: with weight decay, a learning rate changed between steps
// (ReduceLROnPlateau), a parameter that has no gradient in one step (it keeps its value and its
// step count, so its bias correction then differs from the others') and a channels_last_3d
// weight (CUDA networks keep their convolution weights in that layout).
BOOST_AUTO_TEST_CASE(foreach_adam_equals_torch_adam_bit_for_bit) {
  torch::manual_seed(21);
  auto opts = torch::optim::AdamOptions(1e-2).weight_decay(1e-2);
  std::vector<torch::Tensor> a, b, start;
  for (auto shape : {std::vector<int64_t>{7, 3}, std::vector<int64_t>{1003},
                     std::vector<int64_t>{4, 3, 3, 3, 3}}) {
    auto t = torch::randn(shape);
    if (t.dim() == 5) t = t.contiguous(torch::MemoryFormat::ChannelsLast3d);
    start.push_back(t.clone());
    a.push_back(t.clone().set_requires_grad(true));
    b.push_back(t.clone().set_requires_grad(true));
  }
  BOOST_REQUIRE(b[2].is_contiguous(torch::MemoryFormat::ChannelsLast3d));
  torch::optim::Adam ref(a, opts);
  gbmsweep::train::ForeachAdam fe(b, opts);
  const auto set_lr = [](torch::optim::Optimizer& o, double lr) {
    for (auto& g : o.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
  };
  for (int step = 0; step < 5; ++step) {
    if (step == 3) {
      set_lr(ref, 3e-3);
      set_lr(fe, 3e-3);
    }
    for (size_t i = 0; i < a.size(); ++i) {
      a[i].mutable_grad().reset();
      b[i].mutable_grad().reset();
      if (step == 1 && i == 0) continue;  // no gradient for parameter 0 in step 1
      auto g = torch::randn_like(a[i]) * (step + 1);
      a[i].mutable_grad() = g.clone();
      b[i].mutable_grad() = g.clone();
    }
    const auto before = b[0].detach().clone();
    ref.step();
    fe.step();
    if (step == 1) BOOST_TEST(torch::equal(b[0].detach(), before));  // no gradient, no step
    for (size_t i = 0; i < a.size(); ++i) {
      BOOST_TEST(!torch::equal(b[i].detach(), start[i]));  // the parameters do move
      BOOST_TEST(torch::equal(a[i].detach(), b[i].detach()),
                 "step " << step << " parameter " << i << " max diff "
                         << (a[i] - b[i]).abs().max().item<float>());
    }
  }
  BOOST_TEST(b[2].is_contiguous(torch::MemoryFormat::ChannelsLast3d));  // layout kept
}

// A gradient is read, never changed: weight decay is added out of place, as torch's Adam does
// (the data-parallel code reads gradients after the step in its tests).
BOOST_AUTO_TEST_CASE(foreach_adam_leaves_the_gradients_alone) {
  torch::manual_seed(22);
  auto p = torch::randn({50}).set_requires_grad(true);
  const auto g = torch::randn({50});
  p.mutable_grad() = g.clone();
  gbmsweep::train::ForeachAdam fe({p}, torch::optim::AdamOptions(1e-2).weight_decay(0.1));
  fe.step();
  BOOST_TEST(torch::equal(p.grad(), g));
}

BOOST_AUTO_TEST_CASE(foreach_adam_refuses_amsgrad) {
  auto p = torch::randn({5}).set_requires_grad(true);
  p.mutable_grad() = torch::ones({5});
  gbmsweep::train::ForeachAdam fe({p}, torch::optim::AdamOptions(1e-2).amsgrad(true));
  BOOST_CHECK_THROW(fe.step(), std::exception);
}
