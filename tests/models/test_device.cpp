// The models along the device axis: each case runs on the CPU and, where LibTorch sees a GPU,
// on CUDA, compared with the CPU run (TF32 off: relative error <= 1e-4). Without CUDA the CUDA
// half is skipped with a message, never silently.
#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "models/resnet3d.hpp"
#include "models/spottune.hpp"

using namespace gbmsweep::models;

namespace {

std::vector<torch::Device> devices() {
  std::vector<torch::Device> d{torch::kCPU};
  if (torch::cuda::is_available()) {
    at::globalContext().setAllowTF32CuDNN(false);
    at::globalContext().setAllowTF32CuBLAS(false);
    d.emplace_back(torch::kCUDA, 0);
  } else {
    BOOST_TEST_MESSAGE("CUDA cases skipped: torch::cuda::is_available() is false");
  }
  return d;
}

double rel_err(const torch::Tensor& a, const torch::Tensor& b) {
  auto x = a.to(torch::kCPU, torch::kDouble), y = b.to(torch::kCPU, torch::kDouble);
  return ((x - y).abs().max() / y.abs().max().clamp_min(1e-12)).item<double>();
}

struct Outputs {
  torch::Tensor logits;
  std::vector<torch::Tensor> grads;
};

template <class Net, class Forward>
Outputs run_on(Net net, const torch::Device& dev, const torch::Tensor& x, Forward forward) {
  net->to(dev);
  for (auto& p : net->parameters())
    if (p.grad().defined()) p.mutable_grad().reset();
  auto logits = forward(net, x.to(dev));
  logits.sum().backward();
  Outputs out{logits.detach().cpu(), {}};
  for (auto& p : net->parameters())
    out.grads.push_back(p.grad().defined() ? p.grad().cpu() : torch::zeros_like(p).cpu());
  return out;
}

void check_close(const Outputs& got, const Outputs& ref, const torch::Device& dev) {
  BOOST_TEST_CONTEXT("device " << dev) {
    if (dev.is_cpu()) {  // the same device: the same numbers
      BOOST_TEST(torch::equal(got.logits, ref.logits));
    } else {
      BOOST_TEST(rel_err(got.logits, ref.logits) <= 1e-4);
    }
    BOOST_REQUIRE(got.grads.size() == ref.grads.size());
    for (size_t i = 0; i < got.grads.size(); ++i)
      BOOST_TEST(rel_err(got.grads[i], ref.grads[i]) <= (dev.is_cpu() ? 0.0 : 1e-4));
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(resnet10_logits_and_gradients_on_every_device) {
  torch::manual_seed(3);
  ResNet3DOptions o;
  o.depth = 10;
  o.width = 4;
  auto x = torch::randn({2, 1, 12, 12, 12});
  const auto fwd = [](ResNet3D& net, const torch::Tensor& in) { return net->forward(in); };
  torch::manual_seed(5);
  Outputs ref = run_on(ResNet3D(o), torch::kCPU, x, fwd);
  for (const auto& dev : devices()) {
    torch::manual_seed(5);
    check_close(run_on(ResNet3D(o), dev, x, fwd), ref, dev);
  }
}

BOOST_AUTO_TEST_CASE(spottune_logits_gradients_and_samples_on_every_device) {
  SpotTuneOptions o;
  o.depth = 10;
  o.width = 4;
  o.agent_width = 4;
  torch::manual_seed(9);
  auto x = torch::randn({3, 1, 12, 12, 12});
  auto g = torch::randn({3, 4, 2});  // depth 10: 4 policy blocks
  const auto fwd = [&g](SpotTune3D& net, const torch::Tensor& in) {
    auto policy = SpotTune3DImpl::gumbel_policy(net->agent_logits(in), g.to(in.device()), 100.0);
    return net->forward(in, policy);
  };
  torch::manual_seed(5);
  Outputs ref = run_on(SpotTune3D(o), torch::kCPU, x, fwd);
  auto samples = torch::randn({4, 3, 4, 2});
  torch::Tensor ref_p;
  for (const auto& dev : devices()) {
    torch::manual_seed(5);
    SpotTune3D net(o);
    check_close(run_on(net, dev, x, fwd), ref, dev);
    // Sampled evaluation: the prefix tree's host bookkeeping works for device tensors.
    net->eval();
    auto p = net->sample_probabilities(x.to(dev), samples.to(dev));
    BOOST_TEST(p.device() == dev);
    BOOST_TEST((p.sizes() == torch::IntArrayRef{3, 4}));
    if (!ref_p.defined()) ref_p = p.cpu();
    BOOST_TEST(rel_err(p, ref_p) <= (dev.is_cpu() ? 0.0 : 1e-4));
  }
}
