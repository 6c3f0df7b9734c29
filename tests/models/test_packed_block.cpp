#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

#include "models/cpu/minimal_filter.hpp"
#include "models/cpu/packed_block.hpp"
#include "models/resnet3d.hpp"
#include "blocks.hpp"

using namespace gbmsweep::models;

using testing::block_options;
using testing::random_eval_block;

BOOST_AUTO_TEST_CASE(blocked_layout_round_trips_and_pools) {
  auto x = torch::randn({3, 32, 4, 5, 6});
  auto b = to_blocked(x);
  BOOST_TEST(b.sizes() == torch::IntArrayRef({3, 2, 4, 5, 6, 16}));
  // Channel c lives in block c / 16, lane c % 16.
  BOOST_TEST(b[1][1][2][3][4][5].item<float>() == x[1][21][2][3][4].item<float>());
  BOOST_TEST(torch::equal(from_blocked(b), x));
  BOOST_TEST(torch::allclose(blocked_mean(b), x.mean({2, 3, 4}), 1e-5, 1e-6));
  BOOST_CHECK_THROW(to_blocked(torch::randn({1, 8, 2, 2, 2})), std::exception);
}

BOOST_AUTO_TEST_CASE(valid_tap_fraction_counts_taps_inside_the_volume) {
  // Dilation 4 on 5x6x6 (layer4 at 35x43x43): per axis 7/15, 10/18, 10/18.
  BOOST_TEST(valid_tap_fraction(4, 5, 6, 6) == (7.0 / 15) * (10.0 / 18) * (10.0 / 18),
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(valid_tap_fraction(1, 1, 1, 1) == 1.0 / 27, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(valid_tap_fraction(2, 100, 100, 100) > 0.9);
}

// The packed block computes the eval-mode block, on each of its paths (oneDNN direct kernels,
// minimal filtering, tap-by-tap GEMMs) and with each post-op (ReLU; residual sum + ReLU after a
// 'B' or identity shortcut).
BOOST_AUTO_TEST_CASE(packed_block_matches_eval_block) {
  torch::manual_seed(5);
  struct Case {
    bool bottleneck;
    int64_t in, planes, stride, dilation;
    char shortcut;
    std::array<int64_t, 3> dims;
  };
  const Case cases[] = {
      {true, 32, 16, 2, 1, 'B', {9, 11, 10}},  // strided conv2 and downsample, direct
      {true, 64, 16, 1, 4, 'N', {5, 6, 6}},    // layer4-like: conv2 by minimal filtering
      {true, 64, 16, 1, 2, 'N', {5, 6, 6}},    // layer3-like: conv2 by minimal filtering
      {true, 64, 16, 1, 2, 'N', {9, 8, 10}},   // dilated but mostly inside: direct
      {true, 64, 16, 1, 2, 'N', {3, 4, 7}},    // tap by tap (W = 7 > 3 x 2)
      {false, 16, 32, 1, 4, 'B', {5, 6, 6}},   // basic block: both convs minimal, sum + ReLU
      {false, 32, 32, 1, 1, 'N', {6, 7, 5}},   // basic block, identity shortcut, direct
  };
  for (const Case& c : cases) {
    const auto o = block_options(c.bottleneck, c.in, c.planes, c.stride, c.dilation, c.shortcut);
    BOOST_TEST_CONTEXT("bottleneck " << c.bottleneck << " dilation " << c.dilation << " dims "
                                     << c.dims[0] << "x" << c.dims[1] << "x" << c.dims[2]) {
      BOOST_TEST(packable(o));
      auto block = random_eval_block(o);
      auto x = torch::randn({3, c.in, c.dims[0], c.dims[1], c.dims[2]});
      torch::NoGradGuard no_grad;
      auto want = block->forward(x);
      auto xb = to_blocked(x);
      auto xb_copy = xb.clone();
      PackedResBlock packed{FoldedResBlock(*block)};
      auto got = from_blocked(packed.forward(xb));
      BOOST_TEST(torch::equal(xb, xb_copy));  // the input is not modified
      BOOST_TEST(got.sizes() == want.sizes());
      const float diff = (got - want).abs().max().item<float>();
      BOOST_TEST(diff <= 1e-4f * (want.abs().max().item<float>() + 1.0f), "max diff " << diff);
      // A second call (cached primitives, other batch size) gives the same as a fresh one.
      auto x1 = xb.narrow(0, 1, 1).contiguous();
      BOOST_TEST(torch::equal(packed.forward(x1), PackedResBlock{FoldedResBlock(*block)}.forward(x1)));
      BOOST_TEST(torch::allclose(from_blocked(packed.forward(x1)), want.narrow(0, 1, 1), 1e-4, 1e-4));
    }
  }
  // Each path really was exercised by the cases above.
  BOOST_TEST(minimal_filter::applicable(4, {5, 6, 6}));
  BOOST_TEST(minimal_filter::applicable(2, {5, 6, 6}));
  BOOST_TEST(!minimal_filter::applicable(2, {3, 4, 7}));
  BOOST_TEST(valid_tap_fraction(2, 3, 4, 7) < kTapFraction);
  BOOST_TEST(!minimal_filter::applicable(2, {9, 8, 10}));
  BOOST_TEST(valid_tap_fraction(2, 9, 8, 10) >= kTapFraction);
}

BOOST_AUTO_TEST_CASE(unpackable_blocks_are_refused) {
  ResBlockOptions o;
  o.in_planes = 8;
  o.planes = 8;
  BOOST_TEST(!packable(o));
  o.in_planes = o.planes = 16;
  o.shortcut = 'A';
  BOOST_TEST(!packable(o));
  auto block = random_eval_block(o);
  BOOST_CHECK_THROW(PackedResBlock{FoldedResBlock(*block)}, std::exception);
}
