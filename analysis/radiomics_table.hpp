#pragma once
// The radiomics comparator's row (MRI paper §II.D, §III) beside Table 1's Struct row: our
// mri.radiomics result, the paper's published values, and each network's Struct ensemble.
#include <string>
#include <utility>
#include <vector>

#include "analysis/table.hpp"
#include "common/record.hpp"

namespace gbmsweep::analysis {

// Published in the MRI paper for the radiomics random forest on the hold-out set.
struct PublishedRadiomics {
  double auc = 0.5764, ap = 0.4886, sen = 0.2174, spe = 0.9355;
  int n = 57;  // the paper's hold-out set (57 of the 189 patients with DSC)
};

// One table from the finished mri.radiomics records (usually one) and, per network label, the
// per-seed Struct predictions of Table 1. Lines for the completeness section (a record without
// per-seed metrics) go to `missing`.
Table radiomics_table(
    const std::vector<const TaskRecord*>& records,
    const std::vector<std::pair<std::string, std::vector<Predictions>>>& struct_rows,
    double threshold, std::vector<std::string>& missing);

}  // namespace gbmsweep::analysis
