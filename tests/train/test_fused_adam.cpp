#include <ATen/Parallel.h>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

#include "train/fused_adam.hpp"

// FusedAdam follows torch::optim::Adam (weight decay, bias correction, eps) step by step, at one
// thread and with the large tensor's update split over two.
BOOST_DATA_TEST_CASE(fused_adam_matches_torch_adam, boost::unit_test::data::make({1, 2}), threads) {
  const int before = at::get_num_threads();
  at::set_num_threads(threads);
  torch::manual_seed(11);
  auto opts = torch::optim::AdamOptions(1e-2).weight_decay(1e-2);
  std::vector<torch::Tensor> a, b, start;
  for (auto shape : {std::vector<int64_t>{7, 3}, std::vector<int64_t>{100003}}) {
    auto t = torch::randn(shape);
    start.push_back(t);
    a.push_back(t.clone().set_requires_grad(true));
    b.push_back(t.clone().set_requires_grad(true));
  }
  torch::optim::Adam ref(a, opts);
  gbmsweep::train::FusedAdam fused(b, opts);
  for (int step = 0; step < 5; ++step) {
    for (size_t i = 0; i < a.size(); ++i) {
      auto g = torch::randn_like(a[i]) * (step + 1);
      a[i].mutable_grad() = g.clone();
      b[i].mutable_grad() = g.clone();
    }
    ref.step();
    fused.step();
    for (size_t i = 0; i < a.size(); ++i) {
      BOOST_TEST(!torch::equal(b[i].detach(), start[i]));  // the parameters do move
      BOOST_TEST(torch::allclose(a[i], b[i], 1e-6, 1e-7),
                 "step " << step << " max diff " << (a[i] - b[i]).abs().max().item<float>());
    }
  }
  at::set_num_threads(before);
}
