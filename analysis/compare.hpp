#pragma once
// "The paper beside us": published values (paper_values.hpp) next to the reproduced ones, with
// the difference and whether the published value lies in our percentile-bootstrap interval
// over test patients. Built by the report when the sweep's report.compare names a study.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "analysis/metrics.hpp"
#include "analysis/paper_values.hpp"
#include "analysis/table.hpp"
#include "common/result.hpp"

namespace gbmsweep::analysis {

// What the report reproduced, in network terms.
struct Reproduced {
  struct Ensemble {
    std::string network;  // params.network
    std::string label;    // the configuration's display name (variants differ here)
    Predictions predictions;  // the seed-averaged ensemble on the test patients
  };
  std::vector<Ensemble> ensembles;  // Predictions::name is the ensemble ("DSC+DTI", ...)

  struct Friedman {
    std::string input_set;  // as in the paper's Table 4 ("Best overall" included)
    bool computed = false;
    double p = 0;
    // (network a, network b), a before b in the paper's order → (exact p, psturng-clipped p).
    std::map<std::pair<std::string, std::string>, std::pair<double, double>> nemenyi;
    std::vector<std::string> picks;  // best overall: "network ensemble" per method
  };
  std::vector<Friedman> friedman;
};

struct CompareOptions {
  double threshold = 0.5;      // SEN/SPE threshold of our ensembles
  double alpha = 0.05;         // "same side of alpha" in the Table 4 comparison
  BootstrapOptions bootstrap;  // resamples = 0: no intervals (the column says so)
};

// Two tables: Tables 1–3 (network, ensemble, metric: paper, ours, Δ = ours − paper, our
// interval, whether the paper's value lies in it) and Table 4 (Friedman and Nemenyi p: paper,
// ours exact and psturng-clipped, Δ against the clipped form the paper used, agreement on
// significance). Rows the store lacks say "missing".
std::vector<Table> paper_beside_us(const PublishedStudy& paper, const Reproduced& ours,
                                   const CompareOptions& options);

}  // namespace gbmsweep::analysis
