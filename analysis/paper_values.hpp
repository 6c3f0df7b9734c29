#pragma once
// Published results the report can print beside ours (sweep key report.compare). This is the
// one place in gbmsweep that holds them; each table carries its citation.
#include <string>
#include <vector>

namespace gbmsweep::analysis {

struct PublishedMetrics {
  std::string network;   // "spottune" | "resnet_random" | "resnet_transfer"
  std::string ensemble;  // "DSC", ..., "DSC+DTI+Struct"
  double auc = 0, ap = 0, sen = 0, spe = 0;
};

// One row of the paper's Table 4: the Friedman p of an input set and the Nemenyi p of each
// pair of networks, as printed (0.9 is psturng's clipped value, see stats.hpp).
struct PublishedFriedman {
  std::string input_set;  // an ensemble name, or "Best overall"
  double friedman_p = 0;
  double spottune_random = 0, random_transfer = 0, spottune_transfer = 0;
};

struct PublishedStudy {
  std::string name;      // the report.compare value
  std::string citation;  // shown under the comparison tables
  std::vector<PublishedMetrics> metrics;      // Tables 1–3
  std::vector<PublishedFriedman> friedman;    // Table 4
  // The paper's best-overall picks (network, ensemble) behind Table 4's last row.
  std::vector<std::pair<std::string, std::string>> best_overall;
  int test_patients = 0, test_methylated = 0;  // the hold-out set the values were measured on
};

// "mgmt_paper": Schmitz, Guo & Wang (2024), Tables 1–4. "none" gives nullptr; any other name
// throws gbmsweep::Error listing the known ones.
const PublishedStudy* published_study(const std::string& name);

}  // namespace gbmsweep::analysis
