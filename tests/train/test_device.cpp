// The device seam of the training code. device = cpu (the default) must give bit-identical
// results to the code before the seam existed: the golden numbers below were printed (as hex
// floats, same options) by a program linked against the training and model libraries of commit
// 1b8dbb8, the last one before the seam. CUDA cases compare with the CPU within tolerances, or
// are skipped visibly.
#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "synthetic.hpp"
#include "train/mri_training.hpp"

using namespace gbmsweep::train;
using gbmsweep::Device;
using gbmsweep::DeviceKind;
using gbmsweep::Precision;

namespace {

const std::string kDir = "test_train_device_tmp";

MriTrainOptions tiny(const std::string& network) {
  MriTrainOptions o;
  o.network = gbmsweep::parse_mri_network(network, "test");
  o.depth = 10;
  o.width = 4;
  o.agent_width = 4;
  o.epochs = 2;
  o.batch = 4;
  o.lr = 1e-2;
  o.agent_lr = 1e-2;
  o.val_samples = 3;
  o.seed = 7;
  o.threads = 1;
  return o;
}

const std::string kFixture = std::string(GBMSWEEP_FIXTURES) + "/resnet_10_w4.pth";

// name -> values: every curve, the selected epoch's validation scores, the test scores of the
// saved checkpoint (3 samples, seed 5).
// `dev` unset: the options' default (what every caller got before the device seam).
std::map<std::string, std::vector<double>> run(const std::string& network,
                                               const Device* dev = nullptr) {
  gbmsweep::fs::make_dirs(kDir);
  auto o = tiny(network);
  if (dev) o.device = *dev;
  auto tr = tiny_volumes(8, 1), val = tiny_volumes(4, 2);
  const std::string ckpt = kDir + "/" + network + ".pt";
  auto r = train_mri_model(o, tr, val, network == "resnet_random" ? "" : kFixture, ckpt,
                           MPI_COMM_SELF);
  std::map<std::string, std::vector<double>> out;
  for (const auto& c : r.curves) out[c.name] = c.values;
  out["val"] = r.val.scores;
  MriEvalOptions e;
  e.samples = 3;
  e.seed = 5;
  if (dev) e.device = *dev;
  out["test"] = evaluate_mri_model(e, ckpt, val).scores;
  return out;
}

// Printed by the pre-seam code (see the file comment).
const std::map<std::string, std::map<std::string, std::vector<double>>>& golden() {
  static const std::map<std::string, std::map<std::string, std::vector<double>>> g = {
      {"resnet_random",
       {{"train_loss", {0x1.56cc36p-1, 0x1.9e048ep-2}},
        {"val_loss", {0x1.62716f47f5bbdp-1, 0x1.51043401dab56p-1}},
        {"val_auc", {0x1p-1, 0x1p+0}},
        {"val_sen", {0x0p+0, 0x1p+0}},
        {"val_spe", {0x1p-1, 0x1p+0}},
        {"val_m", {0x1.999999999999ap-2, 0x1p+0}},
        {"lr", {0x1.47ae147ae147bp-7, 0x1.47ae147ae147bp-7}},
        {"val", {0x1.f0340ep-2, 0x1.09bb44p-1, 0x1.eb93eap-2, 0x1.088bf4p-1}},
        {"test", {0x1.f0340ep-2, 0x1.09bb44p-1, 0x1.eb93eap-2, 0x1.088bf4p-1}}}},
      {"spottune",
       {{"train_loss", {0x1.644137p-1, 0x1.656136p-1}},
        {"val_loss", {0x1.5ab21c98f13dap-1, 0x1.5629be13b7f36p-1}},
        {"val_auc", {0x1p+0, 0x1p+0}},
        {"val_sen", {0x1p+0, 0x1p+0}},
        {"val_spe", {0x0p+0, 0x0p+0}},
        {"val_m", {0x1.3333333333333p-1, 0x1.3333333333333p-1}},
        {"lr", {0x1.47ae147ae147bp-7, 0x1.47ae147ae147bp-7}},
        {"val", {0x1.08ab6ap-1, 0x1.133abp-1, 0x1.0529cap-1, 0x1.15d512p-1}},
        {"test", {0x1.0fcebp-1, 0x1.0af102p-1, 0x1.148a08p-1, 0x1.2350f4p-1}}}},
      {"resnet_transfer",
       {{"train_loss", {0x1.63ed74p-1, 0x1.64ad8dp-1}},
        {"val_loss", {0x1.62d4de9686e8p-1, 0x1.61fcf1be26f93p-1}},
        {"val_auc", {0x1.8p-1, 0x1p+0}},
        {"val_sen", {0x1p+0, 0x1p+0}},
        {"val_spe", {0x0p+0, 0x0p+0}},
        {"val_m", {0x1.3333333333333p-1, 0x1.3333333333333p-1}},
        {"lr", {0x1.47ae147ae147bp-7, 0x1.47ae147ae147bp-7}},
        {"val", {0x1.0a7e7p-1, 0x1.0bc628p-1, 0x1.0a2e94p-1, 0x1.0ba86ep-1}},
        {"test", {0x1.0a7e7p-1, 0x1.0bc628p-1, 0x1.0a2e94p-1, 0x1.0ba86ep-1}}}},
  };
  return g;
}

}  // namespace

BOOST_AUTO_TEST_CASE(device_cpu_equals_the_default_path) {
  const Device cpu_device{DeviceKind::Cpu, -1};
  for (const std::string network : {"resnet_random", "spottune"}) {
    BOOST_TEST_CONTEXT(network) {
      const auto by_default = run(network), cpu = run(network, &cpu_device);
      BOOST_REQUIRE(by_default.size() == cpu.size());
      for (const auto& [name, values] : by_default)
        BOOST_TEST_CONTEXT(name) {
          BOOST_TEST(cpu.at(name) == values, boost::test_tools::per_element());
        }
    }
  }
}

BOOST_AUTO_TEST_CASE(device_cpu_is_bit_identical_to_the_code_before_the_seam) {
  const Device cpu_device{DeviceKind::Cpu, -1};
  for (const std::string network : {"resnet_random", "spottune", "resnet_transfer"}) {
    BOOST_TEST_CONTEXT(network) {
      const auto cpu = run(network, &cpu_device);
      const auto& want = golden().at(network);
      for (const auto& [name, values] : want) {
        BOOST_TEST_CONTEXT(name) {
          BOOST_REQUIRE(cpu.count(name) == 1u);
          BOOST_TEST(cpu.at(name) == values, boost::test_tools::per_element());
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(pretraining_on_the_cpu_is_bit_identical_to_before_the_seam) {
  gbmsweep::fs::make_dirs(kDir);
  PretrainOptions p;
  p.depth = 10;
  p.width = 4;
  p.epochs = 2;
  p.seed = 3;
  p.device = Device{DeviceKind::Cpu, -1};
  auto curve = pretrain_mri_backbone(p, tiny_volumes(8, 100), kDir + "/pre.pth");
  const std::vector<double> before = {0x1.50f6d3p-1, 0x1.1ba58cp-1};
  BOOST_TEST(curve.values == before, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(default_options_train_on_the_cpu) {
  MriTrainOptions o;
  BOOST_TEST(!o.device.is_cuda());
  BOOST_TEST((o.precision == Precision::Fp32));
  MriEvalOptions e;
  BOOST_TEST(!e.device.is_cuda());
}

BOOST_AUTO_TEST_CASE(bf16_is_refused_on_the_cpu) {
  auto o = tiny("resnet_random");
  o.precision = Precision::Bf16;
  try {
    train_mri_model(o, tiny_volumes(4, 1), tiny_volumes(2, 2), "", "", MPI_COMM_SELF);
    BOOST_FAIL("bf16 on the CPU was accepted");
  } catch (const gbmsweep::Error& e) {
    BOOST_TEST(std::string(e.what()).find("bf16 needs a CUDA device") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(cuda_training_matches_the_cpu) {
  if (!torch::cuda::is_available()) {
    BOOST_TEST_MESSAGE("skipped: torch::cuda::is_available() is false (CPU LibTorch or no GPU)");
    return;
  }
  // fp32 with TF32 off: the same training within float rounding (curves drift slowly).
  for (const std::string network : {"resnet_random", "spottune", "resnet_transfer"}) {
    BOOST_TEST_CONTEXT(network) {
      const Device cpu_device{DeviceKind::Cpu, -1}, cuda_device{DeviceKind::Cuda, 0};
      const auto cpu = run(network, &cpu_device), gpu = run(network, &cuda_device);
      for (const char* name : {"train_loss", "val_loss"})
        for (size_t i = 0; i < cpu.at(name).size(); ++i)
          BOOST_TEST(std::abs(gpu.at(name)[i] - cpu.at(name)[i]) <=
                     1e-3 * std::max(1.0, std::abs(cpu.at(name)[i])));
    }
  }
}
