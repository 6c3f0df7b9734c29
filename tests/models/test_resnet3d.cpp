#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <string>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "models/medicalnet.hpp"
#include "models/resnet3d.hpp"
#include "blocks.hpp"

using namespace gbmsweep::models;

namespace {

const std::string kFixtures = GBMSWEEP_FIXTURES;

ResNet3D tiny(int depth, int64_t width, int64_t channels = 1) {
  ResNet3DOptions o;
  o.depth = depth;
  o.width = width;
  o.in_channels = channels;
  return ResNet3D(o);
}

std::string fixture(int depth) {
  const int width = depth == 50 ? 2 : 4;
  return kFixtures + "/resnet_" + std::to_string(depth) + "_w" + std::to_string(width) + ".pth";
}

torch::Tensor expected(int depth, const std::string& key) {
  auto bytes = gbmsweep::fs::read_all(kFixtures + "/expected_" + std::to_string(depth) + ".pth");
  auto dict = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end())).toGenericDict();
  return dict.at(key).toTensor();
}

std::set<std::string> state_keys(torch::nn::Module& m) {
  std::set<std::string> out;
  for (auto& p : m.named_parameters()) out.insert(p.key());
  for (auto& b : m.named_buffers()) out.insert(b.key());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(resnet50_has_medicalnet_layout) {
  ResNet3D net(ResNet3DOptions{});  // depth 50, width 64: MedicalNet's resnet_50
  BOOST_TEST(net->blocks().size() == 16u);
  BOOST_TEST(net->fc->options.in_features() == 2048);
  auto keys = state_keys(*net);
  for (const char* k : {"conv1.weight", "bn1.running_var", "layer1.0.conv1.weight",
                        "layer1.0.downsample.0.weight", "layer1.0.downsample.1.bias",
                        "layer2.0.downsample.0.weight", "layer3.5.conv3.weight",
                        "layer4.2.bn3.num_batches_tracked", "fc.weight", "fc.bias"})
    BOOST_TEST(keys.count(k) == 1u, k);
  BOOST_TEST(keys.count("layer1.1.downsample.0.weight") == 0u);
  // Every block of layer3/layer4 is dilated (the reference code dilated only the first).
  auto blocks = net->blocks();
  for (int i = 7; i < 13; ++i) BOOST_TEST(blocks[i]->options().dilation == 2);
  for (int i = 13; i < 16; ++i) BOOST_TEST(blocks[i]->options().dilation == 4);
  BOOST_TEST(blocks[3]->options().stride == 2);
}

BOOST_AUTO_TEST_CASE(medicalnet_import_matches_pytorch_forward) {
  for (int depth : {10, 18, 50}) {
    BOOST_TEST_CONTEXT("depth " << depth) {
      auto net = tiny(depth, depth == 50 ? 2 : 4);
      auto report = import_medicalnet(fixture(depth), net);
      // Only the classifier is missing; conv_seg is dropped; nothing unexpected.
      BOOST_TEST(report.missing == (std::vector<std::string>{"fc.bias", "fc.weight"}),
                 boost::test_tools::per_element());
      BOOST_TEST(report.unexpected.empty());
      BOOST_TEST(report.dropped.size() == 14u);
      BOOST_TEST(!report.inflated);
      net->eval();
      torch::NoGradGuard no_grad;
      auto f = net->features(expected(depth, "input"));
      auto want = expected(depth, "features");
      BOOST_TEST(torch::allclose(f, want, 1e-4, 1e-5),
                 "max diff " << (f - want).abs().max().item<float>());
    }
  }
}

BOOST_AUTO_TEST_CASE(inflated_conv1_sees_repeated_channels_like_one) {
  auto one = tiny(10, 4, 1), three = tiny(10, 4, 3);
  import_medicalnet(fixture(10), one);
  auto report = import_medicalnet(fixture(10), three);
  BOOST_TEST(report.inflated);
  BOOST_TEST(torch::allclose(three->conv1->weight.sum(1, true), one->conv1->weight, 1e-6, 1e-7));
  one->eval();
  three->eval();
  torch::NoGradGuard no_grad;
  auto x = expected(10, "input");
  auto f1 = one->features(x), f3 = three->features(x.repeat({1, 3, 1, 1, 1}));
  BOOST_TEST(torch::allclose(f1, f3, 1e-4, 1e-5));
}

BOOST_AUTO_TEST_CASE(import_reports_missing_and_rejects_bad_files) {
  const std::string dir = "test_models_tmp";
  gbmsweep::fs::make_dirs(dir);
  auto src = tiny(10, 4);
  save_state_dict(dir + "/partial.pth", *src, "layer4.");
  auto dst = tiny(10, 4);
  auto report = import_medicalnet(dir + "/partial.pth", dst);
  const auto n4 = std::count_if(report.missing.begin(), report.missing.end(),
                                [](const std::string& k) { return k.rfind("layer4.", 0) == 0; });
  BOOST_TEST(n4 == 18);  // conv1, bn1 (5 tensors), conv2, bn2, downsample.0, downsample.1
  BOOST_TEST(torch::equal(dst->layer1->ptr<ResBlockImpl>(0)->named_parameters()["conv1.weight"],
                          src->layer1->ptr<ResBlockImpl>(0)->named_parameters()["conv1.weight"]));
  // Wrong width: a shape error that names the file.
  auto wide = tiny(10, 8);
  BOOST_CHECK_THROW(import_medicalnet(fixture(10), wide), gbmsweep::InputError);
  // Not a zip-format file (e.g. a legacy MedicalNet pickle).
  gbmsweep::fs::atomic_write(dir + "/legacy.pth", std::string("\x80\x02}q\x00.", 6));
  BOOST_CHECK_THROW(import_medicalnet(dir + "/legacy.pth", dst), gbmsweep::InputError);
}

BOOST_AUTO_TEST_CASE(state_dict_round_trip) {
  const std::string path = "test_models_tmp/roundtrip.pth";
  gbmsweep::fs::make_dirs("test_models_tmp");
  auto a = tiny(18, 4), b = tiny(18, 4);
  save_state_dict(path, *a);
  load_state_dict(path, *b);
  for (auto& p : a->named_parameters())
    BOOST_TEST(torch::equal(p.value(), b->named_parameters()[p.key()]), p.key());
}

// Folding eval-mode BatchNorm into the convolutions computes the same block, for every block
// kind (basic / bottleneck; shortcuts N, A, B; stride and dilation), with non-trivial statistics.
BOOST_AUTO_TEST_CASE(folded_block_matches_eval_block) {
  torch::manual_seed(3);
  struct Case { bool bottleneck; int64_t in, planes, stride, dilation; char shortcut; };
  for (const Case& c : {Case{false, 4, 4, 1, 1, 'N'}, Case{false, 4, 8, 2, 1, 'A'},
                        Case{false, 4, 8, 2, 1, 'B'}, Case{true, 8, 2, 1, 2, 'N'},
                        Case{true, 4, 4, 2, 1, 'B'}}) {
    auto block = testing::random_eval_block(
        testing::block_options(c.bottleneck, c.in, c.planes, c.stride, c.dilation, c.shortcut));
    auto x = torch::randn({3, c.in, 6, 7, 5});
    torch::NoGradGuard no_grad;
    auto want = block->forward(x);
    auto x_copy = x.clone();
    auto got = FoldedResBlock(*block).forward(x);
    BOOST_TEST_CONTEXT("shortcut " << c.shortcut << " bottleneck " << c.bottleneck) {
      BOOST_TEST(torch::equal(x, x_copy));  // the input is not modified in place
      BOOST_TEST(got.sizes() == want.sizes());
      BOOST_TEST(torch::allclose(got, want, 1e-4, 1e-5),
                 "max diff " << (got - want).abs().max().item<float>());
    }
  }
}

// forward_flops against an independent count (a Python walk of METHODS.md's layer table: stem
// 7^3/2, max-pool 3/2/1, stages [3,4,6,3] x widths [64..512] x expansion 4, strides [1,2,1,1],
// dilations [1,1,2,4], shortcut B) at the paper's 70x86x86: exact integers of multiply-adds x2.
BOOST_AUTO_TEST_CASE(forward_flops_match_an_independent_count_at_the_paper_shape) {
  using gbmsweep::models::ResNet3D;
  using gbmsweep::models::ResNet3DOptions;
  ResNet3DOptions o50;
  o50.depth = 50;
  const auto f50 = gbmsweep::models::forward_flops(*ResNet3D(o50), {70, 86, 86});
  BOOST_TEST(f50.stem == 2841247360.0);
  BOOST_REQUIRE(f50.blocks.size() == 16u);
  BOOST_TEST(f50.blocks[0] == 2569273344.0);  // with its shortcut convolution
  BOOST_TEST(f50.blocks[1] == 2497904640.0);
  BOOST_TEST(f50.fc == 2.0 * 2048);
  BOOST_TEST(f50.total() - f50.fc == 110322515584.0);
  ResNet3DOptions o10;
  o10.depth = 10;
  const auto f10 = gbmsweep::models::forward_flops(*ResNet3D(o10), {70, 86, 86});
  BOOST_TEST(f10.total() - f10.fc == 37419384448.0);
  BOOST_TEST(gbmsweep::models::forward_flops(*ResNet3D(o50), {24, 28, 28}).total() - f50.fc ==
             4756678656.0);
}
