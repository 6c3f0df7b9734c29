#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

#include <map>
#include <string>

#include "models/spottune.hpp"

using namespace gbmsweep::models;

namespace {

// Depth-50 SpotTune (16 Bottleneck blocks; width 2 unless asked) with fine-tuned blocks that
// already differ from the frozen ones, so that the two branches give different outputs.
SpotTune3D make_spottune(int64_t width = 2) {
  torch::manual_seed(7);
  SpotTuneOptions o;
  o.depth = 50;
  o.width = width;
  o.agent_width = 4;
  SpotTune3D net(o);
  torch::NoGradGuard no_grad;
  for (auto& p : net->tuned->parameters()) p.add_(0.05 * torch::randn_like(p));
  for (auto& b : net->backbone->named_buffers())
    if (b.key().find("running_var") != std::string::npos) b.value().uniform_(0.5, 1.5);
  net->train();
  return net;
}

// Gumbel noise that forces mixed routes: per (image, block) a large push to one branch, with
// block 0 sending every image to the fine-tuned branch and block 1 every image to the frozen
// one (the empty-subset paths).
torch::Tensor forcing_gumbel(int64_t n, int64_t L) {
  auto g = torch::zeros({n, L, 2});
  for (int64_t i = 0; i < n; ++i)
    for (int64_t l = 0; l < L; ++l) {
      const bool fine = l == 0 || (l > 1 && (i + l) % 3 != 0);
      g[i][l][fine ? 1 : 0] = 30.0;
    }
  return g;
}

std::map<std::string, torch::Tensor> grads_of(SpotTune3D& net) {
  std::map<std::string, torch::Tensor> out;
  for (auto& p : net->named_parameters())
    if (p.value().grad().defined()) out[p.key()] = p.value().grad().clone();
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(straight_through_policy_is_exactly_one_hot) {
  auto logits = torch::randn({3, 16, 2}, torch::requires_grad());
  auto g = torch::randn({3, 16, 2});
  auto p = SpotTune3DImpl::gumbel_policy(logits, g, 100.0);
  auto hard = torch::one_hot((logits + g).argmax(-1), 2).to(torch::kFloat);
  BOOST_TEST(torch::equal(p, hard));
  p.select(2, 1).sum().backward();
  BOOST_TEST(logits.grad().abs().sum().item<float>() > 0.0f);
}

BOOST_AUTO_TEST_CASE(efficient_forward_matches_naive_values_and_gradients) {
  auto net = make_spottune();
  const int64_t n = 3, L = net->num_blocks();
  BOOST_TEST(L == 16);
  auto x = torch::rand({n, 1, 16, 16, 16});
  auto y = torch::tensor({1.0f, 0.0f, 1.0f});
  auto g = forcing_gumbel(n, L);

  auto run = [&](bool naive) {
    net->zero_grad();
    auto policy = SpotTune3DImpl::gumbel_policy(net->agent_logits(x), g, 100.0);
    auto logits = naive ? net->forward_naive(x, policy) : net->forward(x, policy);
    torch::binary_cross_entropy_with_logits(logits, y).backward();
    return std::make_pair(logits.detach(), grads_of(net));
  };
  auto [fast, gfast] = run(false);
  auto [slow, gslow] = run(true);
  BOOST_TEST(torch::allclose(fast, slow, 1e-5, 1e-6),
             "logits " << fast << " vs " << slow);
  // Same gradients: fine-tuned blocks, classifier, agent; nothing for the frozen copy. A
  // fine-tuned block that no image chose has no gradient in the efficient pass, and exactly
  // zero in the naive one.
  for (auto& [k, gf] : gfast) BOOST_TEST(gslow.count(k) == 1u, k);
  for (auto& [k, gs] : gslow) {
    BOOST_TEST_CONTEXT(k) {
      const bool frozen = k.rfind("backbone.", 0) == 0 && k.rfind("backbone.fc.", 0) != 0;
      BOOST_TEST(!frozen);
      if (!gfast.count(k)) {
        BOOST_TEST(k.rfind("tuned.1.", 0) == 0u);  // block 1: every image chose F
        BOOST_TEST(gs.abs().max().item<float>() == 0.0f);
        continue;
      }
      const auto scale = gs.abs().max().item<float>() + 1e-12f;
      const auto diff = (gfast[k] - gs).abs().max().item<float>();
      BOOST_TEST(diff <= 1e-4f * scale + 1e-9f, "max diff " << diff << " scale " << scale);
    }
  }
  // The agent learns through the straight-through estimator.
  BOOST_TEST(gslow.at("agent.fc.weight").abs().sum().item<float>() > 0.0f);
}

// An evaluation-mode SpotTune of this width, 2 images and 12 Gumbel draws per image.
struct EvalCase {
  SpotTune3D net{nullptr};
  torch::Tensor x, gumbel;
  EvalCase(int64_t width, uint64_t seed) : net(make_spottune(width)) {
    net->eval();
    x = torch::rand({2, 1, 16, 16, 16});
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    gumbel = sample_gumbel({12, 2, net->num_blocks(), 2}, gen);
  }
};

// Width 2 runs the evaluation on FoldedResBlock; width 16 (channels 16..512, all multiples of
// 16) on the oneDNN-packed blocks, whose layer3/4 convolutions at 2x2x2 go tap by tap.
BOOST_DATA_TEST_CASE(prefix_shared_evaluation_matches_one_pass_per_sample,
                     boost::unit_test::data::make({2, 16}), width) {
  EvalCase c(width, 42);
  auto& net = c.net;
  const auto& x = c.x;
  const auto& g = c.gumbel;
  const int64_t n = x.size(0), S = g.size(0);
  auto probs = net->sample_probabilities(x, g);
  BOOST_TEST(probs.sizes() == torch::IntArrayRef({n, S}));
  torch::NoGradGuard no_grad;
  auto logits = net->agent_logits(x);
  for (int64_t s = 0; s < S; ++s) {
    auto policy = torch::one_hot((logits + g[s]).argmax(-1), 2).to(torch::kFloat);
    auto p = torch::sigmoid(net->forward_naive(x, policy));
    BOOST_TEST(torch::allclose(probs.select(1, s), p, 1e-5, 1e-6), "sample " << s);
  }
}

// With 2 threads each level's jobs run side by side (run_workers), each on one thread: the
// probabilities agree with the 1-thread evaluation and do not depend on which thread ran
// which job (two calls give the same bits).
BOOST_DATA_TEST_CASE(two_thread_evaluation_matches_one_thread_and_repeats_exactly,
                     boost::unit_test::data::make({2, 16}), width) {
  EvalCase c(width, 43);
  const int before = at::get_num_threads();
  at::set_num_threads(1);
  auto one = c.net->sample_probabilities(c.x, c.gumbel);
  at::set_num_threads(2);
  auto two = c.net->sample_probabilities(c.x, c.gumbel);
  auto again = c.net->sample_probabilities(c.x, c.gumbel);
  at::set_num_threads(before);
  BOOST_TEST(torch::allclose(one, two, 1e-5, 1e-6));
  BOOST_TEST(torch::equal(two, again));
}
