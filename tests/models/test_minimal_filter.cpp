// models::minimal_filter (polyphase minimal filtering of dilated 3x3x3 convolutions) against
// torch::conv3d.
#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

#include <array>

#include "models/cpu/minimal_filter.hpp"

using namespace gbmsweep::models;

namespace {

// x: [N, C, D, H, W] -> [N, D, H, W, C] contiguous.
torch::Tensor channels_last(const torch::Tensor& x) {
  return x.permute({0, 2, 3, 4, 1}).contiguous();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(minimal_filter_suite)

BOOST_AUTO_TEST_CASE(applicable_when_every_sublattice_is_at_most_three_long) {
  BOOST_TEST(minimal_filter::applicable(2, {5, 6, 6}));    // layer3 at 35x43x43
  BOOST_TEST(minimal_filter::applicable(4, {5, 6, 6}));    // layer4
  BOOST_TEST(minimal_filter::applicable(4, {12, 1, 12}));  // 3 x 4 exactly
  BOOST_TEST(!minimal_filter::applicable(4, {13, 1, 1}));
  BOOST_TEST(!minimal_filter::applicable(2, {3, 4, 7}));
  BOOST_TEST(!minimal_filter::applicable(0, {1, 1, 1}));
  BOOST_TEST(!minimal_filter::applicable(2, {0, 1, 1}));
}

// Products per voxel row: per axis 1, 3 and 4 for sublattices of length 1, 2 and 3, multiplied
// over the axes. Layer3 (dilation 2 at 5x6x6): (4 + 3) (4 + 4) (4 + 4); layer4 (dilation 4):
// (3 + 1 + 1 + 1) (3 + 3 + 1 + 1) (3 + 3 + 1 + 1). Where every sublattice is one voxel long,
// only the centre tap reaches inside: one product per voxel.
BOOST_AUTO_TEST_CASE(products_per_row_follow_the_sublattice_lengths) {
  const std::vector<float> w(2 * 3 * 27, 0.0f);
  BOOST_TEST(minimal_filter::Plan(w.data(), 2, 3, 2, {5, 6, 6}).products_per_row() == 448);
  BOOST_TEST(minimal_filter::Plan(w.data(), 2, 3, 4, {5, 6, 6}).products_per_row() == 384);
  BOOST_TEST(minimal_filter::Plan(w.data(), 2, 3, 3, {3, 2, 1}).products_per_row() == 6);
  BOOST_TEST(minimal_filter::Plan(w.data(), 2, 3, 1, {2, 3, 1}).products_per_row() == 12);
  BOOST_CHECK_THROW(minimal_filter::Plan(w.data(), 2, 3, 2, {7, 1, 1}), std::exception);
}

// Every mix of sublattice lengths 1, 2 and 3 on each axis, odd channel counts, two images.
BOOST_AUTO_TEST_CASE(minimal_filter_matches_conv3d) {
  torch::manual_seed(11);
  struct Case {
    int64_t dilation;
    std::array<int64_t, 3> size;
  };
  const Case cases[] = {
      {2, {5, 6, 6}},  {4, {5, 6, 6}},  {2, {3, 4, 4}}, {1, {1, 2, 3}},  {1, {3, 1, 2}},
      {2, {6, 5, 4}},  {4, {9, 12, 7}}, {3, {3, 3, 3}}, {4, {12, 8, 1}}, {3, {7, 9, 2}},
  };
  const int64_t batch = 2, cin = 5, cout = 7;
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT("dilation " << c.dilation << " size " << c.size[0] << "x" << c.size[1]
                                   << "x" << c.size[2]) {
      auto x = torch::randn({batch, cin, c.size[0], c.size[1], c.size[2]});
      auto w = torch::randn({cout, cin, 3, 3, 3});
      const auto want = channels_last(
          torch::conv3d(x, w, {}, 1, c.dilation, c.dilation));
      const minimal_filter::Plan plan(w.data_ptr<float>(), cout, cin, c.dilation, c.size);
      const auto xc = channels_last(x);
      auto got = torch::full_like(want, std::nanf(""));
      plan.conv_channels_last(xc.data_ptr<float>(), got.data_ptr<float>(), batch);
      const double scale = want.abs().max().item<double>();
      const double diff = (got - want).abs().max().item<double>();
      BOOST_TEST(diff <= 1e-5 * scale, "max diff " << diff << " of " << scale);
      // One image alone gives the second image's result (the rows of a batch do not mix).
      auto one = torch::empty_like(want.narrow(0, 1, 1));
      plan.conv_channels_last(xc.narrow(0, 1, 1).contiguous().data_ptr<float>(),
                              one.data_ptr<float>(), 1);
      BOOST_TEST(torch::allclose(one, want.narrow(0, 1, 1), 1e-5, 1e-5 * scale));
    }
  }
}

// A single tap (one weight one, the rest zero) moves the input by its offset: the algorithm's
// filter transforms keep the taps apart exactly, not only in a random average.
BOOST_AUTO_TEST_CASE(each_tap_shifts_by_its_offset) {
  torch::manual_seed(12);
  const int64_t dilation = 2;
  const std::array<int64_t, 3> size{5, 6, 6};
  auto x = torch::randn({1, 1, size[0], size[1], size[2]});
  for (int t = 0; t < 27; ++t) {
    auto w = torch::zeros({1, 1, 3, 3, 3});
    w.view({27})[t] = 1.0f;
    const auto want = channels_last(torch::conv3d(x, w, {}, 1, dilation, dilation));
    const minimal_filter::Plan plan(w.data_ptr<float>(), 1, 1, dilation, size);
    auto got = torch::empty_like(want);
    plan.conv_channels_last(channels_last(x).data_ptr<float>(), got.data_ptr<float>(), 1);
    BOOST_TEST(torch::allclose(got, want, 1e-5, 1e-5), "tap " << t);
  }
}

BOOST_AUTO_TEST_SUITE_END()
