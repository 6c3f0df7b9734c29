// models::pointwise_conv3d (1x1x1 convolutions as GEMMs on the plain layout) against
// torch::conv3d autograd.
#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

#include "models/cpu/pointwise_conv.hpp"

using namespace gbmsweep::models;

namespace {

bool close(const torch::Tensor& got, const torch::Tensor& want) {
  if (!got.defined() || got.sizes() != want.sizes()) return false;
  const double scale = want.abs().max().item<double>() + 1e-12;
  return (got - want).abs().max().item<double>() <= 1e-5 * scale;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pointwise_conv_suite)

// Values, input and weight gradients; batch 1, 2 and 3; either input alone requiring a gradient.
BOOST_AUTO_TEST_CASE(pointwise_conv3d_matches_conv3d_and_its_gradients) {
  torch::manual_seed(21);
  for (int64_t batch : {1, 2, 3}) {
    for (int needs : {3, 1, 2}) {  // bit 0: x, bit 1: weight
      BOOST_TEST_CONTEXT("batch " << batch << " needs " << needs) {
        const auto x0 = torch::randn({batch, 6, 3, 4, 5});
        const auto w0 = torch::randn({9, 6, 1, 1, 1});
        const auto gy = torch::randn({batch, 9, 3, 4, 5});
        auto xa = x0.clone().set_requires_grad(needs & 1);
        auto wa = w0.clone().set_requires_grad(needs & 2);
        auto xb = x0.clone().set_requires_grad(needs & 1);
        auto wb = w0.clone().set_requires_grad(needs & 2);
        const auto want = torch::conv3d(xa, wa);
        const auto got = pointwise_conv3d(xb, wb);
        BOOST_TEST(close(got.detach(), want.detach()));
        want.backward(gy);
        got.backward(gy);
        if (needs & 1) BOOST_TEST(close(xb.grad(), xa.grad()));
        if (needs & 2) BOOST_TEST(close(wb.grad(), wa.grad()));
        BOOST_TEST(xb.grad().defined() == bool(needs & 1));
        BOOST_TEST(wb.grad().defined() == bool(needs & 2));
      }
    }
  }
}

// A non-contiguous input (a channel slice) gives the same as its contiguous copy.
BOOST_AUTO_TEST_CASE(pointwise_conv3d_takes_non_contiguous_inputs) {
  torch::manual_seed(22);
  const auto big = torch::randn({2, 8, 3, 3, 3});
  const auto x = big.narrow(1, 2, 4);
  const auto w = torch::randn({5, 4, 1, 1, 1});
  BOOST_TEST(!x.is_contiguous());
  BOOST_TEST(close(pointwise_conv3d(x, w), torch::conv3d(x.contiguous(), w)));
}

BOOST_AUTO_TEST_CASE(pointwise_conv3d_applies_to_stride_one_unpadded_1x1x1_only) {
  const auto x = torch::zeros({1, 4, 3, 3, 3});
  const auto w1 = torch::zeros({2, 4, 1, 1, 1});
  const auto w3 = torch::zeros({2, 4, 3, 3, 3});
  BOOST_TEST(pointwise_conv3d_applies(x, w1, {1, 1, 1}, {0, 0, 0}, 1, false));
  BOOST_TEST(!pointwise_conv3d_applies(x, w1, {2, 2, 2}, {0, 0, 0}, 1, false));  // 'B' stride 2
  BOOST_TEST(!pointwise_conv3d_applies(x, w1, {1, 1, 1}, {1, 1, 1}, 1, false));
  BOOST_TEST(!pointwise_conv3d_applies(x, w3, {1, 1, 1}, {0, 0, 0}, 1, false));
  BOOST_TEST(!pointwise_conv3d_applies(x, w1, {1, 1, 1}, {0, 0, 0}, 1, true));
  BOOST_TEST(!pointwise_conv3d_applies(x, w1, {1, 1, 1}, {0, 0, 0}, 2, false));
  BOOST_TEST(!pointwise_conv3d_applies(x.to(torch::kDouble), w1, {1, 1, 1}, {0, 0, 0}, 1, false));
}

BOOST_AUTO_TEST_SUITE_END()
