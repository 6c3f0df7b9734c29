#pragma once
// Ensembles of the MRI study (mean probability over stochastic samples → over fold models →
// over the inputs of a group → over groups for combinations) and the drug study's per-repeat
// aggregation of out-of-fold predictions. Pure functions over gbmsweep::Predictions.
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace gbmsweep::analysis {

// Scores replaced by the mean of each sample's stochastic draws (SpotTune's Gumbel samples);
// the draws are dropped. Predictions without draws are returned unchanged.
Predictions mean_over_samples(const Predictions& p);

// How members with different sample IDs are combined.
enum class IdPolicy {
  Same,       // every member must hold the same IDs (in any order); otherwise an error
  Intersect,  // keep the IDs every member holds (an error if none are common)
};

// Mean score per sample ID over `members` (each equally weighted), ordered as in members[0].
// A sample whose label differs between members is an error. Result is named `name`.
Predictions mean_predictions(const std::vector<Predictions>& members, const std::string& name,
                             IdPolicy ids = IdPolicy::Same);

// One trained MRI model's predictions on the hold-out test set.
struct MriModelPredictions {
  std::string network;  // "spottune" | "resnet_random" | "resnet_transfer"
  std::string input;    // e.g. "T1", "DSC_ap-rCBV"
  int fold = 0;
  Predictions test;
};

struct EnsembleSpec {
  // Group name → its inputs (paper defaults).
  std::vector<std::pair<std::string, std::vector<std::string>>> groups = {
      {"DSC", {"DSC_ap-rCBV", "DSC_PH", "DSC_PSR"}},
      {"DTI", {"DTI_AD", "DTI_FA", "DTI_RD", "DTI_TR"}},
      {"Struct", {"T1", "T1GD", "T2", "FLAIR"}},
  };
  // Each combination is the mean of its groups' ensembles; named "DSC+DTI", ...
  std::vector<std::vector<std::string>> combinations = {
      {"DSC", "DTI"}, {"DSC", "Struct"}, {"DTI", "Struct"}, {"DSC", "DTI", "Struct"}};
  IdPolicy ids = IdPolicy::Same;
  // How a combination averages: the mean of its groups' ensembles (each group weighs the same),
  // or the flat mean over every input of its groups (the reference code: DSC+DTI is the mean of
  // 3 + 4 input models, so the larger group weighs more). The paper's text does not say.
  enum class Combine { GroupMeans, Flat };
  Combine combine = Combine::GroupMeans;
};

// The report's ensemble rows (ReportOptions::ensembles) for a sweep's mri.groups (a JSON object:
// group name → inputs) and mri.combinations (a JSON array of arrays of group names): the
// paper's groups first, in the paper's order (DSC, DTI, Struct: EnsembleSpec's defaults; those
// the sweep has), then the sweep's other groups by name, then the combinations, named
// "A+B[+C]", in the sweep's order.
std::vector<std::string> ensemble_order(const json& groups, const json& combinations);

// "groups" | "flat" (sweep key mri.combine) → EnsembleSpec::Combine; anything else throws.
EnsembleSpec::Combine parse_combine(const std::string& s);

// One Predictions per input (mean over its fold models, each first averaged over its samples),
// per group and per combination, named "T1", ..., "DSC", ..., "DSC+DTI", .... A group none of
// whose inputs is present is skipped (and so are the combinations that use it); a group with
// only some of its inputs present is an error naming the missing ones, as is a repeated
// (input, fold) or models of more than one network.
std::vector<Predictions> mri_ensembles(const std::vector<MriModelPredictions>& models,
                                       const EnsembleSpec& spec = {});

// Drug study: the out-of-fold predictions of one fold task and the CV repeat it belongs to.
struct RepeatFold {
  int repeat = 0;
  Predictions oof;
};

// Per repeat (ascending), the folds' out-of-fold predictions pooled, then Spearman, Pearson
// and RMSE against the observed targets. A repeat where a correlation is undefined (constant
// predictions) gets NaN there and a line in `warnings`; a sample predicted by two folds of
// the same repeat is an error.
struct RepeatMetrics {
  std::vector<int> repeats;
  std::vector<int> samples;  // pooled samples per repeat
  std::vector<double> spearman, pearson, rmse;
  std::vector<std::string> warnings;
};
RepeatMetrics aggregate_repeats(const std::vector<RepeatFold>& folds);

// Mean and sample standard deviation (n − 1) of the finite values; n counts them. sd is NaN
// when n < 2 and both are NaN when n == 0 (tables print them as "n/a").
struct MeanSd {
  double mean = 0, sd = 0;
  int n = 0;
};
MeanSd mean_sd(const std::vector<double>& values);

// Task results for the integrator's tasks, so the stored names live in one place:
// mri.ensemble — the ensembles as predictions plus metrics "<name>.auc", ".ap", ".sen", ".spe",
// ".acc" (an ensemble whose labels are one class gets none, and a line in extra["warnings"]);
TaskResult mri_ensemble_result(const std::vector<Predictions>& ensembles, double threshold = 0.5);
// drug.aggregate — curves "spearman", "pearson", "rmse", "repeat" (per repeat) and metrics
// spearman_mean, spearman_sd, pearson_mean, pearson_sd, rmse_mean, rmse_sd, repeats
// (NaN-valued ones are left out; warnings in extra["warnings"]).
TaskResult drug_aggregate_result(const RepeatMetrics& m);

}  // namespace gbmsweep::analysis
