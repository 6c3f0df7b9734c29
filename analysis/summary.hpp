#pragma once
// Machine-readable (JSON) and Markdown forms of the statistics, shared by the `stats` and
// `metrics` subcommands and the report. Key names are part of the CLI contract (docs/analysis.md).
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/metrics.hpp"
#include "analysis/stats.hpp"

namespace gbmsweep::analysis {

// {"methods", "blocks", "mean_ranks", "friedman": {"statistic", "df", "p"},
//  "nemenyi": [{"a", "b", "q", "p", "p_clipped"}], "critical_difference", "alpha"}
nlohmann::ordered_json to_json(const FriedmanResult& r);
std::string to_markdown(const FriedmanResult& r);

// Everything `gbmsweep metrics` reports on one set of binary predictions.
struct BinarySummary {
  int n = 0, positives = 0;
  double auc = 0, ap = 0;
  ThresholdMetrics at;
  std::optional<BootstrapResult> bootstrap;  // with --bootstrap N
};
// Throws gbmsweep::Error (with the reason) when the labels are all one class.
BinarySummary summarize_binary(const std::vector<double>& labels, const std::vector<double>& scores,
                               double threshold = 0.5,
                               const std::optional<BootstrapOptions>& bootstrap = std::nullopt);
// {"n", "positives", "auc", "ap", "sen", "spe", "acc", "threshold"}
// (+ "auc_ci", "ap_ci", "bootstrap_resamples" when bootstrapped).
nlohmann::ordered_json to_json(const BinarySummary& s);

}  // namespace gbmsweep::analysis
