// Task kinds that combine finished tasks without training: the MRI ensembles and the drug
// study's per-repeat pooled metrics. Both are thin glue over analysis/.
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "analysis/ensemble.hpp"
#include "common/error.hpp"
#include "tasks/kinds.hpp"

namespace gbmsweep {

namespace {

const Predictions& named(const TaskResult& r, const std::string& name, const std::string& key) {
  for (const auto& p : r.predictions)
    if (p.name == name) return p;
  GBM_THROW("task " << key << " has no '" << name << "' predictions");
}

// mri.ensemble: mean probability over Gumbel samples → fold models → inputs of a group →
// groups of a combination, on the common hold-out patients (analysis::mri_ensembles).
TaskResult mri_ensemble(const TaskContext& ctx) {
  const auto& p = ctx.spec->params;
  std::vector<analysis::MriModelPredictions> models;
  for (const auto& dep : ctx.spec->deps) {
    TaskResult r = ctx.dep_result(dep);
    analysis::MriModelPredictions m;
    m.test = named(r, "test", dep);
    // The evaluation task's params are not in its result: recover network/input/fold from
    // the prediction set's metadata the evaluate task records in `extra`.
    m.network = r.extra.value("network", p["network"].get<std::string>());
    m.input = r.extra.at("input").get<std::string>();
    m.fold = r.extra.at("fold").get<int>();
    models.push_back(std::move(m));
  }
  analysis::EnsembleSpec spec;
  spec.groups.clear();
  for (const auto& [g, members] : p["groups"].items())
    spec.groups.emplace_back(g, members.get<std::vector<std::string>>());
  spec.combinations = p["combinations"].get<std::vector<std::vector<std::string>>>();
  spec.combine = analysis::parse_combine(p.value("combine", std::string("groups")));
  return analysis::mri_ensemble_result(analysis::mri_ensembles(models, spec),
                                       p["threshold"].get<double>());
}

// drug.aggregate: per repeat, pool the folds' out-of-fold predictions, then Spearman, Pearson
// and RMSE (analysis::aggregate_repeats).
TaskResult drug_aggregate(const TaskContext& ctx) {
  std::vector<analysis::RepeatFold> folds;
  for (const auto& dep : ctx.spec->deps) {
    TaskResult r = ctx.dep_result(dep);
    analysis::RepeatFold f;
    f.repeat = r.extra.at("repeat").get<int>();
    f.oof = named(r, "oof", dep);
    folds.push_back(std::move(f));
  }
  analysis::RepeatMetrics m = analysis::aggregate_repeats(folds);
  // The MGMT benchmark predicts a rank score (1 - methylation status), not an AUC: its
  // correlations are meaningful, an RMSE against the observed AUC is not.
  if (ctx.spec->params.value("experiment", std::string()) == "bench_mgmt")
    std::fill(m.rmse.begin(), m.rmse.end(), std::numeric_limits<double>::quiet_NaN());
  return analysis::drug_aggregate_result(m);
}

}  // namespace

void register_ensemble_tasks(TaskTable& table) {
  table["mri.ensemble"] = mri_ensemble;
  table["drug.aggregate"] = drug_aggregate;
}

}  // namespace gbmsweep
