#include "sweep/schema.hpp"

#include "common/mri_network.hpp"

namespace gbmsweep::sweep {

using nlohmann::json;

namespace {
const std::vector<std::string> kExperiments = {"gdsc",     "hgcc",     "gdsc_hgcc",    "gse",
                                               "hgcc_gse", "gdsc_gse", "gdsc_hgcc_gse"};
const std::vector<std::string> kBenchmarks = {"mgmt", "elastic_net", "random_forest"};

std::vector<Field> make_schema() {
  using T = Type;
  const auto& mods = mri_modalities();
  const auto& networks = mri_network_names();  // the MriNetwork enum's spellings
  return {
      // [sweep]
      {"sweep.name", T::String, nullptr, {}, "name of the sweep (reports, store)", true},
      {"sweep.description", T::String, "", {}, "free text"},
      {"sweep.seed", T::Int, 42, {}, "base seed mixed into every task key"},
      // [data]
      {"data.mri", T::String, nullptr, {}, "UPENN-GBM root (NIfTI files + clinical CSV)"},
      {"data.drug", T::String, nullptr, {}, "folder with the GDSC, HGCC and GSE232173 files"},
      {"data.medicalnet", T::String, nullptr, {},
       "MedicalNet resnet_<depth>.pth (zip format); absent: pretrain on the cohort"},
      {"data.gene_set", T::String, nullptr, {}, "gene set for enrichment, one symbol per line"},
      {"data.gene_map", T::String, nullptr, {},
       "two columns with a header (ID as in the expression file, then symbol; TSV or CSV): "
       "maps Ensembl or Entrez row IDs to symbols"},
      {"data.gse_batches", T::String, nullptr, {},
       "two columns with a header (GSE232173 sample as in the count matrix, then its "
       "sequencing batch; TSV or CSV): the counts are ComBat-seq adjusted before filterByExpr"},
      // [mri]
      {"mri.inputs", T::StringList, json(mods), {}, "inputs to train: modalities or mri.sets names"},
      {"mri.sets.*", T::StringList, nullptr, mods, "multi-channel input: its modalities"},
      {"mri.groups.*", T::StringList, nullptr, {}, "ensemble group: its inputs"},
      {"mri.combinations", T::StringListList,
       json::array({{"DSC", "DTI"}, {"DSC", "Struct"}, {"DTI", "Struct"}, {"DSC", "DTI", "Struct"}}),
       {}, "ensembles over groups"},
      {"mri.networks", T::StringList, json(networks), networks, "networks to compare"},
      {"mri.depth", T::Int, 50, {"10", "18", "34", "50"}, "ResNet depth of the main network"},
      {"mri.agent_depth", T::Int, 10, {"10", "18"}, "ResNet depth of the SpotTune agent"},
      {"mri.width", T::Int, 64, {}, "planes of layer1 (MedicalNet: 64; CPU smoke runs use less)"},
      {"mri.seeds", T::IntList, json::array({0}), {}, "model seeds (repeats of every model)"},
      {"mri.shape", T::IntList, json::array({70, 86, 86}), {}, "target volume D,H,W after preprocessing"},
      {"mri.downscale", T::Int, 2, {}, "integer downscale factor (Gaussian anti-aliasing + linear)"},
      {"mri.crop", T::IntList, json::array(), {},
       "crop box z0,z1,y0,y1,x0,x1; empty: bounding box of the largest tumour of the cohort"},
      {"mri.mask", T::String, "manual_first", {"manual_first", "automated"},
       "tumour mask: the expert-corrected one where it exists, else the automated one; or the "
       "automated one for every patient (the reference code, gbm_project)"},
      {"mri.test_eligible", T::String, "all_inputs", {"all_inputs", "dsc"},
       "hold-out candidates: patients with every modality of mri.inputs (every group is tested "
       "on the same patients), or with the DSC maps (paper II.A; a DSC patient without DTI then "
       "leaves the DTI test set short)"},
      {"mri.combine", T::String, "groups", {"groups", "flat"},
       "combination ensembles: mean of the group ensembles, or flat mean over every member "
       "input (the reference code)"},
      {"mri.holdout", T::Float, 0.3, {},
       "hold-out test fraction among the eligible patients (0.3: the paper's 57 of 189)"},
      {"mri.folds", T::Int, 5, {}, "cross-validation folds on the rest"},
      {"mri.split_seed", T::Int, 42, {}, "seed of the hold-out and fold split"},
      {"mri.skip_bad", T::Bool, false, {}, "leave out patients with bad files instead of failing"},
      {"mri.nonfinite", T::String, "zero", {"zero", "reject"},
       "NaN/Inf image voxels: zero (set to 0, counted in the cohort) or reject the patient"},
      {"mri.threshold", T::Float, 0.5, {}, "decision threshold on the sigmoid"},
      {"mri.train.epochs", T::Int, 90, {}, "epochs"},
      {"mri.train.batch", T::Int, 12, {}, "global batch size"},
      {"mri.train.lr", T::Float, 1e-5, {}, "Adam learning rate of the main network"},
      {"mri.train.agent_lr", T::Float, 1e-4, {}, "Adam learning rate of the SpotTune agent"},
      {"mri.train.weight_decay", T::Float, 1e-8, {}, "Adam weight decay"},
      {"mri.train.tau", T::Float, 100.0, {}, "Gumbel-softmax temperature"},
      {"mri.train.val_samples", T::Int, 100, {},
       "SpotTune: Gumbel samples averaged per validation image, every epoch (the reference code "
       "validates on 1; each costs about a forward pass of the image: docs/real-data.md) (in "
       "task keys only when not 100)"},
      {"mri.train.plateau_patience", T::Int, 20, {}, "ReduceLROnPlateau patience (epochs)"},
      {"mri.train.plateau_factor", T::Float, 0.1, {}, "ReduceLROnPlateau factor"},
      {"mri.train.selection", T::String, "paper", {"paper", "reference"},
       "model selection: paper equation 4 (ties: lower validation loss), or the reference "
       "code's rule (best 0.6 SEN + 0.4 SPE among epochs with SEN, SPE > 0.5, else the last)"},
      {"mri.train.bn", T::String, "frozen", {"frozen", "train"},
       "BatchNorm of pretrained networks: MedicalNet's running statistics (eval mode), or batch "
       "statistics that adapt to the cohort (the reference code trains in model.train())"},
      {"mri.train.init", T::String, "medicalnet", {"medicalnet", "uniform"},
       "resnet_random initialisation: MedicalNet's Kaiming normal, or PyTorch's default "
       "uniform U(+-1/sqrt(fan_in)) (paper II.C: 'a uniform distribution')"},
      {"mri.train.precision", T::String, "fp32", {"fp32", "tf32", "bf16"},
       "arithmetic on CUDA: fp32, TF32 tensor cores, or bf16 autocast (fp32 master weights); "
       "a CPU accepts fp32 and tf32 (= fp32)"},
      {"mri.train.reducer", T::String, "auto", {"auto", "mpi", "nccl"},
       "gradient averaging of a data-parallel training (run.ranks_per_task): auto = nccl when "
       "the build has NCCL and a task of several ranks trains on CUDA, else mpi; nccl needs one "
       "GPU per rank (in task keys only when not auto)"},
      {"mri.train.micro_batches", T::Int, 0, {},
       "micro-batches per global batch, their gradients accumulated: less GPU memory for the "
       "same batch (with bn = train each normalises with its own statistics); a multiple of "
       "run.ranks_per_task.\"mri.train\", at most the batch; 0 = one per rank of the task "
       "(task keys carry the count in effect when above 1)"},
      {"mri.train.transfer_trainable_blocks", T::Int, 0, {},
       "resnet_transfer: also train the last k residual blocks"},
      {"mri.augment.copies", T::Int, 4, {}, "augmented copies per training volume"},
      {"mri.augment.kinds", T::StringList, json::array({"flip", "rotate", "noise", "elastic"}),
       {"flip", "rotate", "noise", "elastic"}, "augmentations, one copy each (cycled)"},
      {"mri.augment.noise_variance", T::Float, 0.01, {}, "Gaussian noise variance"},
      {"mri.augment.elastic_sigma", T::Float, 5.0, {}, "elastic deformation sigma (voxels)"},
      {"mri.augment.elastic_grid", T::Int, 3, {}, "elastic control grid points per axis"},
      {"mri.augment.elastic_interpolation", T::String, "linear", {"linear", "nearest"},
       "how the elastic warp samples the image: linear, or nearest as the authors' code "
       "(elasticdeform order=0) (in task keys only when not linear)"},
      {"mri.augment.balance", T::Bool, true, {}, "prune the majority class after augmenting"},
      {"mri.pretrain.epochs", T::Int, 10, {}, "cohort pretraining epochs (no MedicalNet file)"},
      {"mri.pretrain.lr", T::Float, 1e-3, {}, "cohort pretraining learning rate"},
      {"mri.pretrain.batch", T::Int, 8, {}, "cohort pretraining batch"},
      {"mri.eval.samples", T::Int, 100, {}, "Gumbel samples per test image (SpotTune)"},
      {"mri.eval.seed", T::Int, 42, {}, "seed of the evaluation samples"},
      // The radiomics comparator (MRI paper §II.D; issue 18): opt-in, one mri.radiomics task.
      {"mri.radiomics", T::Bool, false, {},
       "also run the radiomics comparator: six IBSI features + a random forest per seed"},
      {"mri.radiomics_bin_width", T::Float, 25.0, {}, "fixed bin width (pyradiomics' default 25)"},
      {"mri.radiomics_bin_origin", T::String, "zero", {"zero", "roi"},
       "bin edges from 0 (pyradiomics) or from the region's minimum (IBSI)"},
      {"mri.radiomics_trees", T::Int, 10000, {}, "random forest trees (paper: 10,000)"},
      {"mri.radiomics_max_depth", T::Int, 5, {}, "random forest maximum depth (paper: 5)"},
      {"mri.radiomics_min_samples_leaf", T::Int, 10, {}, "samples per leaf at least (paper: 10)"},
      // [drug]
      {"drug.sources", T::StringList, json(drug_names()), drug_names(), "GDSC source drugs"},
      {"drug.experiments", T::StringList, json(kExperiments), kExperiments, "experiments to run"},
      {"drug.benchmarks", T::StringList, json(kBenchmarks), kBenchmarks, "benchmarks on GSE folds"},
      {"drug.gdsc_release", T::String, "GDSC2", {"GDSC1", "GDSC2"},
       "GDSC release of the dose responses (file name and DATASET column)"},
      {"drug.gdsc_drug_ids.*", T::IntList, nullptr, {},
       "DRUG_IDs of a source drug (several: AUCs averaged); absent: the ID with most rows"},
      {"drug.repeated_columns", T::String, "mean", {"mean", "first"},
       "a DATA.<COSMIC_ID> column repeated in the GDSC expression file: averaged or first kept"},
      {"drug.model.hidden", T::IntList, json::array({1000, 100}), {}, "hidden layer widths"},
      {"drug.model.dropout", T::FloatList, json::array({0.3, 0.1}), {}, "dropout after each hidden layer"},
      {"drug.model.l2", T::Float, 1e-4, {}, "L2 penalty on the first layer's kernel"},
      {"drug.model.l1_activity", T::Float, 1e-4, {}, "L1 penalty on the first layer's activity"},
      {"drug.model.init_range", T::Float, 0.05, {}, "uniform init range of the first layer"},
      {"drug.model.deep_init", T::String, "glorot", {"glorot", "uniform"},
       "init of the later layers: Glorot, or U(±init_range) as the reference code"},
      {"drug.train.lr", T::Float, 1e-3, {}, "Adam learning rate"},
      {"drug.train.batch", T::Int, 32, {}, "batch size"},
      {"drug.train.epochs", T::Int, 50, {}, "epochs"},
      {"drug.train.test_scaling", T::String, "train", {"train", "test"},
       "test-fold inputs scaled with the training part's scaler, or re-fitted on the test "
       "fold as the reference code"},
      {"drug.train.gdsc.lr", T::Float, nullptr, {}, "learning rate of GDSC training steps"},
      {"drug.train.gdsc.epochs", T::Int, nullptr, {}, "epochs of GDSC training steps"},
      {"drug.train.hgcc.lr", T::Float, nullptr, {}, "learning rate of HGCC training steps"},
      {"drug.train.hgcc.epochs", T::Int, nullptr, {}, "epochs of HGCC training steps"},
      {"drug.train.gse.lr", T::Float, nullptr, {}, "learning rate of GSE232173 training steps"},
      {"drug.train.gse.epochs", T::Int, nullptr, {}, "epochs of GSE232173 training steps"},
      {"drug.cv.gdsc_folds", T::Int, 5, {}, "GDSC folds (stratified on the median AUC split)"},
      {"drug.cv.gdsc_seeds", T::IntList,
       json::array({400, 500, 600, 700, 800, 900, 1000, 1100, 1200, 1300, 1400}), {},
       "one GDSC CV repeat per seed"},
      {"drug.cv.hgcc_folds", T::Int, 5, {}, "HGCC folds"},
      {"drug.cv.hgcc_seeds", T::IntList, json::array({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}), {},
       "one HGCC CV repeat per seed"},
      {"drug.cv.gse_folds", T::Int, 3, {}, "GSE232173 folds"},
      {"drug.cv.gse_seeds", T::IntList, json::array({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}), {},
       "one GSE CV repeat per seed (fixed partitions, stored)"},
      // [probe] (scheduler tests)
      {"probe.tasks", T::Int, 60, {}, "generated probe tasks"},
      {"probe.levels", T::Int, 4, {}, "levels of the generated DAG"},
      {"probe.fanin", T::Int, 2, {}, "dependencies of a task on the level below"},
      {"probe.sleep_min", T::Float, 0.05, {}, "shortest sleep (s)"},
      {"probe.sleep_max", T::Float, 0.3, {}, "longest sleep (s)"},
      {"probe.seed", T::Int, 1, {}, "seed of the generated sleeps and edges"},
      {"probe.task.name", T::String, nullptr, {}, "explicit probe task ([[probe.task]])", true},
      {"probe.task.deps", T::StringList, json::array(), {}, "names of its dependencies"},
      {"probe.task.sleep", T::Float, 0.1, {}, "its sleep (s)"},
      {"probe.task.value", T::Int, 1, {}, "its value"},
      // [report]
      {"report.alpha", T::Float, 0.05, {}, "significance level (Friedman, Nemenyi)"},
      {"report.ensemble", T::String, "DSC+DTI", {}, "ensemble drawn in the ROC/PR plots"},
      {"report.best_overall", T::StringListList,
       json::array({{"spottune", "DSC+DTI"}, {"resnet_random", "Struct"}, {"resnet_transfer", "DTI"}}),
       {}, "[network, ensemble] pairs of the best-overall comparison (best_overall_rule fixed)"},
      {"report.best_overall_rule", T::String, "highest_auc", {"highest_auc", "fixed"},
       "best-overall row of Table 4: each network's paper row with the highest AUC, or the "
       "pairs in report.best_overall (the paper's picks)"},
      {"report.compare", T::String, "none", {"none", "mgmt_paper"},
       "published values printed beside ours: none (e.g. synthetic data), or Tables 1-4 of "
       "Schmitz, Guo & Wang (analysis/paper_values.cpp)"},
      // [cost], [run]
      {"cost.*", T::Float, nullptr, {}, "expected seconds of a task kind (scheduling hint)"},
      {"run.ranks_per_task.*", T::Int, nullptr, {}, "ranks of a data-parallel task of that kind"},
      {"run.device", T::String, "auto", {"auto", "cpu", "cuda"},
       "where tasks train (gbmsweep run --device overrides; not part of task keys): auto = CUDA "
       "when the LibTorch has it and a GPU is visible"},
  };
}
}  // namespace

const std::vector<std::string>& mri_modalities() {
  static const std::vector<std::string> m = {"T1",     "T1GD",   "T2",     "FLAIR",
                                             "DTI_AD", "DTI_FA", "DTI_RD", "DTI_TR",
                                             "DSC_ap-rCBV", "DSC_PH", "DSC_PSR"};
  return m;
}

const std::vector<std::string>& drug_names() {
  static const std::vector<std::string> d = {"temozolomide", "cyclophosphamide", "bortezomib",
                                             "oxaliplatin"};
  return d;
}

const std::vector<Field>& schema() {
  static const std::vector<Field> s = make_schema();
  return s;
}

int ranks_per_task(const nlohmann::json& config, const std::string& kind) {
  if (!config.contains("run") || !config["run"].contains("ranks_per_task") ||
      !config["run"]["ranks_per_task"].contains(kind))
    return 1;
  return config["run"]["ranks_per_task"][kind].get<int>();
}

const Field* find_field(const std::string& path) {
  for (const auto& f : schema()) {
    if (f.path == path) return &f;
  }
  for (const auto& f : schema()) {
    auto star = f.path.find('*');
    if (star == std::string::npos) continue;
    std::string prefix = f.path.substr(0, star);
    if (path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
        path.find('.', prefix.size()) == std::string::npos)
      return &f;
  }
  return nullptr;
}

std::string type_name(Type t) {
  switch (t) {
    case Type::String: return "a string";
    case Type::Int: return "an integer";
    case Type::Float: return "a number";
    case Type::Bool: return "a boolean";
    case Type::StringList: return "a list of strings";
    case Type::IntList: return "a list of integers";
    case Type::FloatList: return "a list of numbers";
    case Type::StringListList: return "a list of lists of strings";
  }
  return "?";
}

SweepError::SweepError(const std::string& file, int line, int column, const std::string& message)
    : InputError(file + ":" + std::to_string(line) + ":" + std::to_string(column), message),
      line_(line), column_(column) {}

}  // namespace gbmsweep::sweep
