// Training options of the "as the paper ran it" sweep (issue 16): BatchNorm mode of the
// pretrained networks and the random network's uniform initialisation.
#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

#include <cmath>
#include <string>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "models/medicalnet.hpp"
#include "synthetic.hpp"
#include "train/mri_training.hpp"
#include "train/network.hpp"

using namespace gbmsweep::train;

namespace {

const std::string kDir = "test_train_paper_tmp";

const std::string& backbone() {
  static const std::string path = [] {
    gbmsweep::fs::make_dirs(kDir);
    PretrainOptions p;
    p.depth = 10;
    p.width = 4;
    p.epochs = 1;
    p.seed = 5;
    const std::string out = kDir + "/pretrained.pth";
    pretrain_mri_backbone(p, tiny_volumes(8, 200), out);
    return out;
  }();
  return path;
}

// Trains `network` one epoch with BatchNorm mode `bn` and returns the checkpoint's buffer
// `name` next to the pretrained one.
std::pair<torch::Tensor, torch::Tensor> running_mean(const std::string& network,
                                                     const std::string& bn,
                                                     const std::string& name,
                                                     const std::string& pretrained_name) {
  MriTrainOptions o;
  o.network = gbmsweep::parse_mri_network(network, "test");
  o.depth = o.agent_depth = 10;
  o.width = o.agent_width = 4;
  o.epochs = 1;
  o.batch = 4;
  o.lr = o.agent_lr = 1e-2;
  o.val_samples = 2;
  o.seed = 3;
  o.selection = "reference";  // one epoch: that epoch
  o.bn = gbmsweep::parse_batchnorm_mode(bn, "test");
  const std::string ckpt = kDir + "/" + network + "_" + bn + ".pth";
  train_mri_model(o, tiny_volumes(8, 201), tiny_volumes(4, 202), backbone(), ckpt, MPI_COMM_SELF);
  auto net = Network::load(ckpt);
  BOOST_TEST(gbmsweep::to_string(net.spec().bn) == bn);  // the checkpoint keeps it
  gbmsweep::models::ResNet3DOptions ro;
  ro.depth = 10;
  ro.width = 4;
  gbmsweep::models::ResNet3D pre(ro);
  gbmsweep::models::import_medicalnet(backbone(), pre);
  return {net.module().named_buffers()[name].clone(),
          pre->named_buffers()[pretrained_name].clone()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(paper_training_options)

BOOST_AUTO_TEST_CASE(frozen_batchnorm_keeps_the_pretrained_statistics) {
  auto [t, pre] = running_mean("resnet_transfer", "frozen", "layer1.0.bn1.running_mean",
                               "layer1.0.bn1.running_mean");
  BOOST_TEST(torch::equal(t, pre));
  auto [s, spre] = running_mean("spottune", "frozen", "backbone.bn1.running_mean",
                                "bn1.running_mean");
  BOOST_TEST(torch::equal(s, spre));
}

BOOST_AUTO_TEST_CASE(training_batchnorm_adapts_to_the_cohort) {
  // The reference code's model.train(): batch statistics, running statistics updated, the
  // frozen weights themselves untouched.
  auto [t, pre] = running_mean("resnet_transfer", "train", "layer1.0.bn1.running_mean",
                               "layer1.0.bn1.running_mean");
  BOOST_TEST(!torch::equal(t, pre));
  auto [s, spre] = running_mean("spottune", "train", "backbone.bn1.running_mean",
                                "bn1.running_mean");
  BOOST_TEST(!torch::equal(s, spre));
  // An unknown mode is refused where the string becomes a BatchNormMode.
  BOOST_CHECK_THROW(running_mean("resnet_transfer", "sometimes", "bn1.running_mean",
                                 "bn1.running_mean"),
                    gbmsweep::InputError);
}

BOOST_AUTO_TEST_CASE(uniform_init_is_pytorchs_default_layer_init) {
  auto weights = [](const std::string& init) {
    torch::manual_seed(1);
    NetworkSpec spec;
    spec.network = gbmsweep::MriNetwork::ResNetRandom;
    spec.depth = 10;
    spec.width = 4;
    spec.init = gbmsweep::parse_init_mode(init, "test");
    Network net(spec);
    return net.module().named_parameters();
  };
  auto uni = weights("uniform"), med = weights("medicalnet");
  int checked = 0;
  for (auto& p : uni) {
    if (p.value().dim() < 2) continue;  // BatchNorm and biases
    const auto w = p.value();
    const double bound = 1.0 / std::sqrt(static_cast<double>(w[0].numel()));
    const double max = w.abs().max().item<double>();
    BOOST_TEST(max <= bound * (1 + 1e-6), p.key());
    BOOST_TEST(max > 0.8 * bound, p.key());  // fills the interval
    ++checked;
  }
  BOOST_TEST(checked >= 10);
  // MedicalNet's Kaiming normal (fan_out) leaves the stem's uniform bound 1/sqrt(343).
  BOOST_TEST(med["conv1.weight"].abs().max().item<double>() > 1.0 / std::sqrt(343.0));
  BOOST_TEST(uni["bn1.weight"].eq(1).all().item<bool>());
}

BOOST_AUTO_TEST_SUITE_END()
