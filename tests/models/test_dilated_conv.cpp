// models::dilated_conv3d (tap-wise backward) against torch::conv3d autograd.
#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

#include <sstream>
#include <string>
#include <vector>

#include "models/cpu/dilated_conv.hpp"
#include "models/resnet3d.hpp"

using namespace gbmsweep::models;

namespace {

using GI = DilatedConv3dOptions::GradInput;

// |got - want| <= rtol * max|want| (+ a floor for all-zero references), element-wise.
bool close(const torch::Tensor& got, const torch::Tensor& want, const torch::Tensor& scale_of,
           double rtol = 1e-4) {
  if (got.sizes() != want.sizes()) return false;
  const double scale = scale_of.abs().max().item<double>() + 1e-12;
  return (got - want).abs().max().item<double>() <= rtol * scale;
}

struct Case {
  int64_t batch, cin, cout, dilation;
  std::vector<int64_t> volume;
  std::string str() const {
    std::ostringstream os;
    os << "batch " << batch << " " << cin << "->" << cout << " dilation " << dilation
       << " volume " << volume[0] << "x" << volume[1] << "x" << volume[2];
    return os.str();
  }
};

std::vector<Case> cases() {
  std::vector<Case> out;
  for (int64_t batch : {1, 2, 3})
    for (int64_t dil : {2, 4})
      for (auto vol : {std::vector<int64_t>{5, 6, 6}, std::vector<int64_t>{3, 4, 7}})
        for (auto ch : {std::pair<int64_t, int64_t>{1, 3}, {16, 32}, {64, 64}})
          out.push_back({batch, ch.first, ch.second, dil, vol});
  return out;
}

struct Grads {
  torch::Tensor y, gx, gw;
};

// y = conv(x, w), then backward of sum(y * r) (a random upstream gradient).
template <class Conv>
Grads run(Conv conv, const torch::Tensor& x0, const torch::Tensor& w0, const torch::Tensor& r,
          bool x_grad, bool w_grad) {
  auto x = x0.clone().requires_grad_(x_grad);
  auto w = w0.clone().requires_grad_(w_grad);
  auto y = conv(x, w);
  (y * r).sum().backward();
  return {y.detach(), x_grad ? x.grad() : torch::Tensor(), w_grad ? w.grad() : torch::Tensor()};
}

// Checks values and both gradients, the weight gradient tap by tap.
void check_case(const Case& c, const DilatedConv3dOptions& o, bool x_grad, bool w_grad) {
  torch::manual_seed(static_cast<uint64_t>(c.batch * 1000 + c.cin * 10 + c.dilation));
  auto x = torch::randn({c.batch, c.cin, c.volume[0], c.volume[1], c.volume[2]});
  auto w = torch::randn({c.cout, c.cin, 3, 3, 3});
  auto r = torch::randn({c.batch, c.cout, c.volume[0], c.volume[1], c.volume[2]});
  const int64_t d = c.dilation;
  auto ref = run(
      [&](const torch::Tensor& a, const torch::Tensor& b) {
        return torch::conv3d(a, b, {}, 1, d, d);
      },
      x, w, r, x_grad, w_grad);
  auto got = run([&](const torch::Tensor& a,
                     const torch::Tensor& b) { return dilated_conv3d(a, b, o); },
                 x, w, r, x_grad, w_grad);
  const std::string what =
      c.str() + " grad_input mode " + std::to_string(static_cast<int>(o.grad_input));
  BOOST_TEST(close(got.y, ref.y, ref.y), what << ": forward");
  BOOST_TEST(got.gx.defined() == x_grad, what);
  BOOST_TEST(got.gw.defined() == w_grad, what);
  if (x_grad) BOOST_TEST(close(got.gx, ref.gx, ref.gx), what << ": grad_input");
  if (w_grad) {
    // Each tap on its own (a sum over taps would hide a wrong tap order).
    for (int64_t a = 0; a < 3; ++a)
      for (int64_t b = 0; b < 3; ++b)
        for (int64_t e = 0; e < 3; ++e) {
          using torch::indexing::Slice;
          auto tap = [&](const torch::Tensor& t) { return t.index({Slice(), Slice(), a, b, e}); };
          BOOST_TEST(close(tap(got.gw), tap(ref.gw), ref.gw),
                     what << ": grad_weight tap " << a << b << e);
        }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dilated_conv)

BOOST_AUTO_TEST_CASE(matches_conv3d_values_and_gradients) {
  for (const auto& c : cases())
    for (auto gx : {GI::kAuto, GI::kTapwise, GI::kOneDnn}) {
      DilatedConv3dOptions o;
      o.dilation = c.dilation;
      o.grad_input = gx;
      check_case(c, o, true, true);
    }
}

BOOST_AUTO_TEST_CASE(only_weight_or_only_input_requires_grad) {
  for (const auto& c : {Case{2, 16, 32, 2, {5, 6, 6}}, Case{3, 1, 3, 4, {3, 4, 7}}})
    for (auto gx : {GI::kAuto, GI::kTapwise, GI::kOneDnn}) {
      DilatedConv3dOptions o;
      o.dilation = c.dilation;
      o.grad_input = gx;
      check_case(c, o, false, true);
      check_case(c, o, true, false);
    }
}

// The per-tap check can fail: the weight gradient with its taps mirrored differs from conv3d's.
BOOST_AUTO_TEST_CASE(mirrored_taps_are_caught) {
  torch::manual_seed(3);
  auto x = torch::randn({2, 16, 5, 6, 6});
  auto g = torch::randn({2, 32, 5, 6, 6});
  auto gw = dilated_conv3d_grad_weight(x, g, 2);
  auto want = std::get<1>(torch::convolution_backward(g, x, torch::zeros({32, 16, 3, 3, 3}),
                                                      c10::nullopt, {1, 1, 1}, {2, 2, 2},
                                                      {2, 2, 2}, false, {0, 0, 0}, 1,
                                                      {false, true, false}));
  BOOST_TEST(close(gw, want, want));
  BOOST_TEST(!close(gw.flip({2, 3, 4}), want, want));
  BOOST_TEST(!close(gw.transpose(2, 4), want, want));
}

// models::conv3d sends dilated 3x3x3 convolutions here only while training.
BOOST_AUTO_TEST_CASE(conv3d_uses_it_only_with_grad) {
  torch::manual_seed(5);
  torch::nn::Conv3d conv(torch::nn::Conv3dOptions(8, 8, 3).padding(4).dilation(4).bias(false));
  torch::nn::Conv3d plain(torch::nn::Conv3dOptions(8, 8, 3).padding(1).bias(false));
  auto x = torch::randn({2, 8, 5, 6, 6});
  auto y = conv3d(*conv, x);
  BOOST_REQUIRE(y.grad_fn());
  BOOST_TEST(y.grad_fn()->name().find("DilatedConv3dFn") != std::string::npos,
             y.grad_fn()->name());
  BOOST_TEST(conv3d(*plain, x).grad_fn()->name().find("DilatedConv3dFn") == std::string::npos);
  torch::Tensor y0;
  {
    torch::NoGradGuard no_grad;
    y0 = conv3d(*conv, x);
  }
  BOOST_TEST(!y0.requires_grad());
  BOOST_TEST(torch::equal(y.detach(), y0));  // same forward kernel: bit-identical
}

BOOST_AUTO_TEST_CASE(applies_only_to_its_case) {
  auto x = torch::randn({1, 4, 5, 6, 6});
  auto w = torch::randn({4, 4, 3, 3, 3});
  BOOST_TEST(dilated_conv3d_applies(x, w, {1, 1, 1}, {2, 2, 2}, {2, 2, 2}, 1, false));
  BOOST_TEST(!dilated_conv3d_applies(x, w, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, 1, false));
  BOOST_TEST(!dilated_conv3d_applies(x, w, {2, 2, 2}, {2, 2, 2}, {2, 2, 2}, 1, false));
  BOOST_TEST(!dilated_conv3d_applies(x, w, {1, 1, 1}, {2, 2, 2}, {2, 2, 2}, 1, true));
  BOOST_TEST(!dilated_conv3d_applies(x, w, {1, 1, 1}, {0, 0, 0}, {2, 2, 2}, 1, false));
  BOOST_TEST(!dilated_conv3d_applies(x, torch::randn({4, 4, 1, 1, 1}), {1, 1, 1}, {2, 2, 2},
                                     {2, 2, 2}, 1, false));
  BOOST_TEST(!dilated_conv3d_applies(x.to(torch::kDouble), w.to(torch::kDouble), {1, 1, 1},
                                     {2, 2, 2}, {2, 2, 2}, 1, false));
}

BOOST_AUTO_TEST_SUITE_END()
