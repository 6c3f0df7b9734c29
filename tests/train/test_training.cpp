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

const std::string kDir = "test_train_tmp";

MriTrainOptions small(const std::string& network) {
  MriTrainOptions o;
  o.network = gbmsweep::parse_mri_network(network, "test");
  o.depth = 10;
  o.width = 4;
  o.agent_width = 4;
  o.epochs = 3;
  o.batch = 4;
  o.lr = 1e-2;
  o.agent_lr = 1e-2;
  o.val_samples = 5;
  o.seed = 11;
  o.threads = 1;
  return o;
}

// A source-task backbone for the transfer variants (pretrain_mri_backbone), made once.
const std::string& pretrained() {
  static const std::string path = [] {
    gbmsweep::fs::make_dirs(kDir);
    PretrainOptions p;
    p.depth = 10;
    p.width = 4;
    p.epochs = 2;
    p.seed = 3;
    const std::string out = kDir + "/pretrained.pth";
    auto curve = pretrain_mri_backbone(p, tiny_volumes(12, 100), out);
    BOOST_TEST(curve.values.size() == 2u);
    return out;
  }();
  return path;
}

const gbmsweep::Curve& curve(const MriTrainResult& r, const std::string& name) {
  for (const auto& c : r.curves)
    if (c.name == name) return c;
  BOOST_FAIL("no curve " << name);
  throw;
}

}  // namespace

BOOST_AUTO_TEST_CASE(random_resnet_learns_and_is_reproducible) {
  gbmsweep::fs::make_dirs(kDir);
  auto train = tiny_volumes(16, 1), val = tiny_volumes(8, 2);
  auto o = small("resnet_random");
  o.epochs = 4;
  auto a = train_mri_model(o, train, val, "", kDir + "/a.pth", MPI_COMM_SELF);
  auto b = train_mri_model(o, train, val, "", kDir + "/b.pth", MPI_COMM_SELF);
  const auto& loss = curve(a, "train_loss").values;
  BOOST_TEST(loss.size() == 4u);
  BOOST_TEST(loss.back() < loss.front());
  // Same seed, same run: curves, selection and checkpoint bytes are identical.
  for (size_t i = 0; i < a.curves.size(); ++i)
    BOOST_TEST(a.curves[i].values == b.curves[i].values, boost::test_tools::per_element());
  BOOST_TEST(a.best_epoch == b.best_epoch);
  BOOST_TEST(gbmsweep::fs::read_all(kDir + "/a.pth") == gbmsweep::fs::read_all(kDir + "/b.pth"));
  // A different seed gives a different run.
  o.seed = 12;
  auto c = train_mri_model(o, train, val, "", "", MPI_COMM_SELF);
  BOOST_TEST(curve(c, "train_loss").values != loss);
}

BOOST_AUTO_TEST_CASE(spottune_checkpoint_reproduces_validation_predictions) {
  auto train = tiny_volumes(12, 4), val = tiny_volumes(6, 5);
  auto o = small("spottune");
  const std::string ckpt = kDir + "/spottune.pth";
  auto r = train_mri_model(o, train, val, pretrained(), ckpt, MPI_COMM_SELF);
  BOOST_TEST(r.best_epoch >= 0);
  BOOST_TEST(r.val.samples.size() == val.size());
  BOOST_TEST(r.val.samples[0].size() == 5u);
  // Evaluating the saved best model with the validation draws (seed + 2, val_samples)
  // reproduces the validation predictions of the selected epoch.
  MriEvalOptions e;
  e.samples = o.val_samples;
  e.seed = o.seed + 2;
  auto p = evaluate_mri_model(e, ckpt, val);
  BOOST_TEST(p.name == "test");
  BOOST_REQUIRE(p.scores.size() == r.val.scores.size());
  for (size_t i = 0; i < p.scores.size(); ++i) BOOST_TEST(std::abs(p.scores[i] - r.val.scores[i]) < 1e-6);
  // Evaluation is deterministic for a seed; the score is the mean of the samples.
  auto q = evaluate_mri_model(e, ckpt, val);
  BOOST_TEST(p.scores == q.scores, boost::test_tools::per_element());
  double mean = 0;
  for (float s : p.samples[0]) mean += s;
  BOOST_TEST(std::abs(mean / p.samples[0].size() - p.scores[0]) < 1e-6);
}

BOOST_AUTO_TEST_CASE(spottune_trains_only_the_finetuned_copy_classifier_and_agent) {
  auto train = tiny_volumes(8, 6), val = tiny_volumes(4, 7);
  auto o = small("spottune");
  o.epochs = 2;
  const std::string ckpt = kDir + "/spottune2.pth";
  o.selection = "reference";
  train_mri_model(o, train, val, pretrained(), ckpt, MPI_COMM_SELF);
  auto net = Network::load(ckpt);
  gbmsweep::models::ResNet3DOptions ro;
  ro.depth = 10;
  ro.width = 4;
  gbmsweep::models::ResNet3D pre(ro);
  gbmsweep::models::import_medicalnet(pretrained(), pre);
  auto params = net.module().named_parameters();
  for (auto& p : pre->named_parameters()) {
    if (p.key().rfind("fc.", 0) == 0) continue;
    BOOST_TEST(torch::equal(params["backbone." + p.key()], p.value()), p.key());  // frozen
  }
  // The fine-tuned copy started from the same weights and moved.
  BOOST_TEST(!torch::equal(params["tuned.3.conv2.weight"], pre->named_parameters()["layer4.0.conv2.weight"]));
}

BOOST_AUTO_TEST_CASE(transfer_trains_classifier_and_last_blocks_only) {
  auto train = tiny_volumes(8, 8), val = tiny_volumes(4, 9);
  auto o = small("resnet_transfer");
  o.epochs = 2;
  o.transfer_trainable_blocks = 1;
  o.selection = "reference";  // the last epoch unless one passes: parameters did move
  const std::string ckpt = kDir + "/transfer.pth";
  train_mri_model(o, train, val, pretrained(), ckpt, MPI_COMM_SELF);
  auto net = Network::load(ckpt);
  gbmsweep::models::ResNet3DOptions ro;
  ro.depth = 10;
  ro.width = 4;
  gbmsweep::models::ResNet3D pre(ro);
  gbmsweep::models::import_medicalnet(pretrained(), pre);
  auto params = net.module().named_parameters();
  for (auto& p : pre->named_parameters()) {
    if (p.key().rfind("fc.", 0) == 0) continue;
    const bool trainable = p.key().rfind("layer4.", 0) == 0;
    BOOST_TEST(torch::equal(params[p.key()], p.value()) == !trainable, p.key());
  }
  BOOST_CHECK_THROW(train_mri_model(o, train, val, "", "", MPI_COMM_SELF), gbmsweep::Error);
}
