#pragma once
// Validation metrics and per-fold model selection (torch-free).
#include <string>
#include <vector>

namespace gbmsweep::train {

struct BinaryMetrics {
  double auc = 0.5;  // ROC AUC (ties count one half); 0.5 when a class is absent, NaN when a
                     // score is not finite (a diverged model)
  double sen = 0;    // sensitivity at the threshold (0 when there are no positives)
  double spe = 0;    // specificity at the threshold (0 when there are no negatives)
  double m = 0;      // the paper's criterion M = 0.6*(SEN >= 0.5) + 0.4*(SPE >= 0.5)
};

// labels 0 or 1 (anything else throws); a score >= threshold predicts 1, a NaN score 0.
// Computed by gbmsweep::metrics (analysis/metrics.hpp), the implementation the report uses.
BinaryMetrics binary_metrics(const std::vector<double>& labels, const std::vector<double>& scores,
                             double threshold = 0.5);

struct EpochRecord {
  BinaryMetrics val;
  double val_loss = 0;
};

// Index of the selected epoch.
// "paper": the highest M (equation 4); ties go to the lower validation loss, then the earlier
//   epoch. M takes only four values, so the loss decides among epochs that pass the same
//   thresholds.
// "reference": the reference code's rule: the highest 0.6*SEN + 0.4*SPE among epochs with
//   SEN > 0.5 and SPE > 0.5 (ties: the earlier epoch), else the last epoch.
int select_epoch(const std::vector<EpochRecord>& epochs, const std::string& rule);

}  // namespace gbmsweep::train
