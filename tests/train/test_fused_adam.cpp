#include <ATen/Parallel.h>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

#include "models/cpu/fused_adam.hpp"

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

// The update runs 16 elements at a time with a scalar tail; which elements fall in a tail
// depends on where each thread's range starts. Both forms compute the same bits, so 1 and 2
// threads agree exactly (100003 elements: the 2-thread split at 50001 is not a multiple of 16).
BOOST_AUTO_TEST_CASE(fused_adam_gives_the_same_bits_on_one_and_two_threads) {
  const int before = at::get_num_threads();
  torch::manual_seed(12);
  const auto start = torch::randn({100003});
  std::vector<torch::Tensor> grads;
  for (int step = 0; step < 3; ++step) grads.push_back(torch::randn({100003}));
  std::vector<torch::Tensor> result;
  for (int threads : {1, 2}) {
    at::set_num_threads(threads);
    auto p = start.clone().set_requires_grad(true);
    gbmsweep::train::FusedAdam adam({p}, torch::optim::AdamOptions(1e-2).weight_decay(1e-2));
    for (const auto& g : grads) {
      p.mutable_grad() = g.clone();
      adam.step();
    }
    result.push_back(p.detach().clone());
  }
  at::set_num_threads(before);
  BOOST_TEST(!torch::equal(result[0], start));
  BOOST_TEST(torch::equal(result[0], result[1]),
             "max diff " << (result[0] - result[1]).abs().max().item<float>());
}
