// Study A task kinds: glue between planned tasks and the MRI pipeline (src/mri) and the
// network training (src/train). Parameters are the planner's (src/sweep/plan.cpp, plan_mri).
#include <torch/torch.h>

#include <filesystem>
#include <set>

#include "analysis/metrics.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/mpi.hpp"
#include "gbmsweep/config.hpp"
#include "models/medicalnet.hpp"
#include "models/resnet3d.hpp"
#include "mri/augment.hpp"
#include "mri/cohort.hpp"
#include "tasks/kinds.hpp"
#include "tasks/registry.hpp"
#include "train/mri_training.hpp"

namespace gbmsweep {

namespace {

// A training's mri.train.reducer; absent means auto (plan.cpp keeps "auto" out of the key).
Reducer reducer_of(const json& train, const std::string& task) {
  return train.contains("reducer") ? parse_reducer(train["reducer"].get<std::string>(), task)
                                   : Reducer::Auto;
}

using json = nlohmann::json;

std::string relative_to_store(const TaskContext& ctx, const std::string& path) {
  return std::filesystem::relative(path, ctx.store_dir).string();
}

// The cohort cache of a task's cohort dependency (always the first dependency).
mri::Cohort open_cohort(const TaskContext& ctx) {
  return mri::Cohort::open(ctx.dep_artifact(ctx.spec->deps.at(0), "cohort.h5"));
}

train::VolumeBatchSet to_set(const mri::Batch& b) {
  train::VolumeBatchSet s;
  s.ids = b.ids;
  s.labels.assign(b.labels.begin(), b.labels.end());
  s.shape = {b.shape[1], b.shape[2], b.shape[3], b.shape[4]};
  s.data = b.data;
  return s;
}

std::vector<int> non_test_patients(const mri::Cohort& c, const std::vector<std::string>& mods) {
  std::vector<int> out;
  for (int k = 0; k < c.folds(); ++k)
    for (int p : c.fold_patients(k, mods)) out.push_back(p);
  std::sort(out.begin(), out.end());
  return out;
}

// mri.cohort: preprocess the cohort once into an HDF5 cache that every later task reads.
TaskResult mri_cohort(const TaskContext& ctx) {
  const json& p = ctx.spec->params;
  mri::CohortOptions o;
  o.data_dir = ctx.spec->inputs.at("data").get<std::string>();
  o.preprocess.downscale = p["downscale"].get<int>();
  auto shape = p["shape"].get<std::vector<int>>();
  o.preprocess.target_shape = {shape[0], shape[1], shape[2]};
  auto crop = p["crop"].get<std::vector<int>>();
  if (crop.size() == 6) o.crop = mri::Box{{crop[0], crop[2], crop[4]}, {crop[1], crop[3], crop[5]}};
  o.split.test_fraction = p["holdout"].get<double>();
  o.split.folds = p["folds"].get<int>();
  o.split.seed = p["split_seed"].get<std::uint64_t>();
  o.skip_bad = p["skip_bad"].get<bool>();
  o.nonfinite = mri::parse_nonfinite(p.value("nonfinite", std::string("zero")));
  o.threads = ctx.threads;
  // Absent: the behaviour of stores built before the options (plan.cpp, add_unless).
  o.mask = p.value("mask", std::string("manual_first"));
  if (p.value("test_eligible", std::string("dsc")) == "all_inputs")
    o.test_modalities = p["modalities"].get<std::vector<std::string>>();
  std::string cache = ctx.artifact_dir + "/cohort.h5";
  mri::Cohort c = mri::build_or_load_cohort(o, cache);

  TaskResult r;
  r.artifacts["cohort.h5"] = relative_to_store(ctx, cache);
  int methylated = 0;
  for (int l : c.labels()) methylated += l;
  r.metrics = {{"patients", c.size()},
               {"methylated", methylated},
               {"unmethylated", c.size() - methylated},
               {"test", static_cast<int>(c.test_patients({}).size())},
               {"dropped_unlabelled", c.dropped_unlabelled()}};
  for (const auto& m : p["modalities"]) r.metrics["with_" + m.get<std::string>()] = c.count(m);
  json skipped = json::array();
  for (const auto& s : c.skipped()) skipped.push_back({{"id", s.id}, {"reason", s.reason}});
  r.extra["skipped"] = skipped;
  json nonfinite = json::array();
  for (const auto& n : c.nonfinite())
    nonfinite.push_back({{"id", n.id}, {"modality", n.modality}, {"voxels", n.voxels}});
  r.extra["nonfinite"] = nonfinite;
  r.extra["notes"] = c.notes();
  return r;
}

// mri.pretrain: the backbone weights SpotTune and the transferred ResNet start from.
// source "medicalnet": the MedicalNet file, checked and rewritten without `module.`/`conv_seg`;
// source "cohort": a ResNet trained on the pooled modalities of the non-test patients (the
// synthetic demo's stand-in for MedicalNet; never sees the hold-out set).
TaskResult mri_pretrain(const TaskContext& ctx) {
  const json& p = ctx.spec->params;
  int depth = p["depth"].get<int>();
  std::string out = ctx.artifact_dir + "/weights.pt";
  TaskResult r;
  if (p["source"] == "medicalnet") {
    std::string path = ctx.spec->inputs.at("weights").get<std::string>();
    models::ResNet3DOptions ro;
    ro.depth = depth;
    models::ResNet3D net(ro);
    auto report = models::import_medicalnet(path, net);
    models::save_state_dict(out, *net, "fc.");
    r.metrics = {{"loaded", report.loaded.size()},
                 {"missing", report.missing.size()},
                 {"unexpected", report.unexpected.size()}};
    r.extra = {{"missing", report.missing}, {"unexpected", report.unexpected}};
  } else {
    mri::Cohort c = open_cohort(ctx);
    train::VolumeBatchSet source;
    for (const auto& m : p["modalities"]) {
      std::vector<std::string> mods = {m.get<std::string>()};
      train::VolumeBatchSet part = to_set(c.load(non_test_patients(c, mods), mods));
      if (source.ids.empty()) source.shape = part.shape;
      source.ids.insert(source.ids.end(), part.ids.begin(), part.ids.end());
      source.labels.insert(source.labels.end(), part.labels.begin(), part.labels.end());
      source.data.insert(source.data.end(), part.data.begin(), part.data.end());
    }
    GBM_CHECK(!source.ids.empty(), "no training volumes to pretrain on");
    train::PretrainOptions o;
    o.depth = depth;
    o.width = p["width"].get<int>();
    o.epochs = p["pretrain"]["epochs"].get<int>();
    o.batch = p["pretrain"]["batch"].get<int>();
    o.lr = p["pretrain"]["lr"].get<double>();
    o.seed = ctx.seed;
    o.threads = ctx.threads;
    o.device = ctx.device;
    Curve loss = train::pretrain_mri_backbone(o, source, out);
    r.curves.push_back(loss);
    r.metrics = {{"volumes", source.ids.size()},
                 {"final_loss", loss.values.empty() ? 0.0 : loss.values.back()}};
  }
  r.artifacts["weights.pt"] = relative_to_store(ctx, out);
  return r;
}

std::vector<mri::Augmentation> augmentations(const json& a) {
  std::vector<mri::Augmentation> kinds;
  for (const auto& k : a["kinds"]) {
    std::string s = k.get<std::string>();
    for (auto x : {mri::Augmentation::Flip, mri::Augmentation::Rotate, mri::Augmentation::Noise,
                   mri::Augmentation::Elastic})
      if (s == mri::augmentation_name(x)) kinds.push_back(x);
  }
  std::vector<mri::Augmentation> copies;
  int n = a["copies"].get<int>();
  for (int i = 0; i < n && !kinds.empty(); ++i) copies.push_back(kinds[i % kinds.size()]);
  return copies;
}

// Echoed into results so that ensembles can group evaluations without the plan.
json identity(const json& p) {
  return {{"network", p["network"]}, {"input", p["input"]}, {"fold", p["fold"]},
          {"seed_index", p["seed_index"]}};
}

// mri.train: one network, one input, one fold; validation picks the epoch.
TaskResult mri_train(const TaskContext& ctx) {
  const json& p = ctx.spec->params;
  const json& t = p["train"];
  auto channels = p["channels"].get<std::vector<std::string>>();
  int fold = p["fold"].get<int>();
  mri::Cohort c = open_cohort(ctx);

  mri::AugmentOptions ao;
  ao.seed = ctx.seed;
  ao.copies = augmentations(p["augment"]);
  ao.noise_variance = p["augment"]["noise_variance"].get<double>();
  ao.elastic_points = p["augment"]["elastic_grid"].get<int>();
  ao.elastic_sigma = p["augment"]["elastic_sigma"].get<double>();
  ao.balance = p["augment"]["balance"].get<bool>();
  ao.elastic_interpolation =
      mri::parse_interpolation(p["augment"].value("elastic_interpolation", "linear"));
  ao.threads = ctx.threads;
  train::VolumeBatchSet train_set =
      to_set(mri::augment_training_set(c.load(c.train_patients(fold, channels), channels), ao));
  train::VolumeBatchSet val_set = to_set(c.load(c.fold_patients(fold, channels), channels));

  train::MriTrainOptions o;
  o.network = parse_mri_network(p["network"].get<std::string>(), ctx.spec->name);
  o.depth = p["depth"].get<int>();
  if (p.contains("agent_depth")) o.agent_depth = p["agent_depth"].get<int>();
  o.width = o.agent_width = p["width"].get<int>();
  o.epochs = t["epochs"].get<int>();
  o.batch = t["batch"].get<int>();
  o.lr = t["lr"].get<double>();
  if (t.contains("agent_lr")) o.agent_lr = t["agent_lr"].get<double>();
  if (t.contains("tau")) o.tau = t["tau"].get<double>();
  if (t.contains("val_samples")) o.val_samples = t["val_samples"].get<int>();
  o.weight_decay = t["weight_decay"].get<double>();
  o.plateau_patience = t["plateau_patience"].get<int>();
  o.plateau_factor = t["plateau_factor"].get<double>();
  o.selection = t["selection"].get<std::string>();
  if (t.contains("transfer_trainable_blocks"))
    o.transfer_trainable_blocks = t["transfer_trainable_blocks"].get<int>();
  // Absent: the default (plan.cpp keeps defaults out of the key).
  o.bn = parse_batchnorm_mode(t.value("bn", std::string("frozen")), ctx.spec->name);
  o.init = parse_init_mode(t.value("init", std::string("medicalnet")), ctx.spec->name);
  o.threshold = p["threshold"].get<double>();
  o.seed = ctx.seed;
  o.threads = ctx.threads;
  o.device = ctx.device;
  if (t.contains("precision"))
    o.precision = parse_precision(t["precision"].get<std::string>(), ctx.spec->name);
  if (t.contains("micro_batches"))  // absent: 0, one per rank
    o.micro_batches = t["micro_batches"].get<int>();
  o.reducer = reducer_of(t, ctx.spec->name);
  std::string pretrained =
      is_pretrained(o.network) ? ctx.dep_artifact(ctx.spec->deps.at(1), "weights.pt") : "";
  std::string checkpoint = ctx.artifact_dir + "/model.pt";
  train::MriTrainResult tr =
      train::train_mri_model(o, train_set, val_set, pretrained, checkpoint, ctx.comm);

  TaskResult r;
  r.curves = tr.curves;
  tr.val.name = "val";
  r.predictions.push_back(tr.val);
  r.metrics = {{"best_epoch", tr.best_epoch},
               {"train_volumes", train_set.size()},
               {"val_volumes", val_set.size()}};
  for (const auto& [k, v] : tr.best) r.metrics["val_" + k] = v;
  r.artifacts["model.pt"] = relative_to_store(ctx, checkpoint);
  r.extra = identity(p);
  return r;
}

// mri.evaluate: hold-out predictions of a trained model (100 Gumbel samples for SpotTune).
TaskResult mri_evaluate(const TaskContext& ctx) {
  const json& p = ctx.spec->params;
  auto channels = p["channels"].get<std::vector<std::string>>();
  // Dependencies: the training task, then the cohort.
  mri::Cohort c = mri::Cohort::open(ctx.dep_artifact(ctx.spec->deps.at(1), "cohort.h5"));
  train::VolumeBatchSet test = to_set(c.load(c.test_patients(channels), channels));
  train::MriEvalOptions o;
  if (p.contains("eval")) {
    o.samples = p["eval"]["samples"].get<int>();
    o.seed = p["eval"]["seed"].get<std::uint64_t>();
  }
  o.threads = ctx.threads;
  o.device = ctx.device;  // fp32: the evaluation is cheap next to the training
  Predictions pred =
      train::evaluate_mri_model(o, ctx.dep_artifact(ctx.spec->deps.at(0), "model.pt"), test);
  pred.name = "test";

  TaskResult r;
  double threshold = p["threshold"].get<double>();
  auto th = analysis::threshold_metrics(pred.labels, pred.scores, threshold);
  r.metrics = {{"n", pred.ids.size()}, {"sen", th.sen}, {"spe", th.spe}, {"acc", th.acc}};
  bool both_classes = std::set<double>(pred.labels.begin(), pred.labels.end()).size() == 2;
  if (both_classes) {
    r.metrics["auc"] = analysis::roc_auc(pred.labels, pred.scores);
    r.metrics["ap"] = analysis::average_precision(pred.labels, pred.scores);
  }
  r.predictions.push_back(std::move(pred));
  r.extra = identity(p);
  return r;
}

}  // namespace

bool averages_over_nccl(const TaskSpec& spec, DeviceKind device) {
  if (spec.kind != "mri.train" || spec.ranks < 2) return false;
  const Reducer asked = reducer_of(spec.params.at("train"), spec.name);
  return resolve_reducer(asked, Device{device, 0}, GBMSWEEP_HAS_NCCL, spec.ranks) ==
         Reducer::Nccl;
}

void register_mri_tasks(TaskTable& table) {
  table["mri.cohort"] = mri_cohort;
  table["mri.pretrain"] = mri_pretrain;
  table["mri.train"] = mri_train;
  table["mri.evaluate"] = mri_evaluate;
}

}  // namespace gbmsweep
