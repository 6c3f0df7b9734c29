#pragma once
// The paper's tables and figures regenerated from task records (docs/analysis.md):
// Tables 1–3 (AUC, AP, SEN, SPE per ensemble, one per network), Table 4 (Friedman per input set
// + Nemenyi per pair + the best-overall comparison), the drug study's Spearman table, ROC/PR
// curves and critical-difference diagrams, and a completeness section. A partial store gives a
// report that lists what is missing; only an unwritable output directory is an error.
#include <string>
#include <utility>
#include <vector>

#include "analysis/metrics.hpp"
#include "analysis/plots.hpp"
#include "common/record.hpp"

namespace gbmsweep::analysis {

struct ReportOptions {
  std::string out_dir = "report";
  double alpha = 0.05;      // Friedman significance and critical-difference level
  double threshold = 0.5;   // SEN/SPE threshold on the ensemble probability
  // MRI networks (params.network) in table order, with their display names.
  std::vector<std::pair<std::string, std::string>> networks = {
      {"spottune", "SpotTune"},
      {"resnet_random", "Random init"},
      {"resnet_transfer", "Transferred"}};
  // Rows of Tables 1–4 (ensemble names in result.predictions).
  std::vector<std::string> ensembles = {"DSC",        "DTI",        "Struct",        "DSC+DTI",
                                        "DSC+Struct", "DTI+Struct", "DSC+DTI+Struct"};
  // The best-overall comparison of Table 4: (network, ensemble) per method.
  std::vector<std::pair<std::string, std::string>> best_overall = {
      {"spottune", "DSC+DTI"}, {"resnet_random", "Struct"}, {"resnet_transfer", "DTI"}};
  std::string curve_ensemble = "DSC+DTI";  // ROC/PR curves of every network for this ensemble
  // Friedman blocks: the test patients (score = probability given to the true class, from the
  // seed-averaged ensemble) or the seeds (score = the ensemble's AUC in that seed).
  enum class Blocks { Patients, Seeds };
  Blocks blocks = Blocks::Patients;
  // Drug experiments shown as benchmark rows, in this order, after the models.
  std::vector<std::string> drug_benchmarks = {"bench_mgmt", "bench_elastic_net",
                                              "bench_random_forest"};
  // Bootstrap intervals for AUC and AP in Tables 1–3 (resamples = 0 leaves the columns out).
  BootstrapOptions bootstrap;
  bool plots = true;  // draw figures with gnuplot (skipped, and said so, if it is missing)
  PlotOptions plot;
  // Table 4's best-overall row: each configuration's row of `ensembles` with the highest AUC
  // (seed-averaged ensemble; ties: the earlier row), or the fixed pairs in best_overall (the
  // paper's picks, which are not all its highest-AUC rows).
  enum class BestOverall { HighestAuc, Fixed };
  BestOverall best_overall_rule = BestOverall::HighestAuc;
  // Published values printed beside ours: "none" or a study of paper_values.hpp
  // ("mgmt_paper"). The sweep's report.compare; "none" for results that are not comparable.
  std::string compare = "none";
};

struct ReportSummary {
  std::vector<std::string> files;         // everything written, relative to out_dir
  std::vector<std::string> completeness;  // the completeness section's lines (empty = complete)
};

ReportSummary write_report(const ReportOptions& options, const std::vector<TaskRecord>& records);

}  // namespace gbmsweep::analysis
