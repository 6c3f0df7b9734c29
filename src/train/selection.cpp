#include "train/selection.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/metrics.hpp"
#include "common/error.hpp"

namespace gbmsweep::train {

BinaryMetrics binary_metrics(const std::vector<double>& labels, const std::vector<double>& scores,
                             double threshold) {
  // The metrics are gbmsweep::metrics' (the report's); what is decided here is only what an
  // epoch gets when its validation fold cannot define one (one class only, a NaN score).
  const analysis::ThresholdCounts c = analysis::threshold_counts(labels, scores, threshold);
  const int pos = c.tp + c.fn, neg = c.tn + c.fp;
  BinaryMetrics out;
  out.sen = pos ? static_cast<double>(c.tp) / pos : 0.0;
  out.spe = neg ? static_cast<double>(c.tn) / neg : 0.0;
  out.m = analysis::m_criterion(out.sen, out.spe);
  const bool finite = std::all_of(scores.begin(), scores.end(),
                                  [](double s) { return std::isfinite(s); });
  if (pos && neg)
    out.auc = finite ? analysis::roc_auc(labels, scores) : std::numeric_limits<double>::quiet_NaN();
  return out;
}

int select_epoch(const std::vector<EpochRecord>& epochs, const std::string& rule) {
  GBM_CHECK(!epochs.empty(), "select_epoch: no epochs");
  int best = 0;
  if (rule == "paper") {
    for (int e = 1; e < static_cast<int>(epochs.size()); ++e) {
      const auto& a = epochs[e];
      const auto& b = epochs[best];
      if (a.val.m > b.val.m || (a.val.m == b.val.m && a.val_loss < b.val_loss)) best = e;
    }
    return best;
  }
  if (rule == "reference") {
    best = -1;
    double best_score = -1;
    for (int e = 0; e < static_cast<int>(epochs.size()); ++e) {
      const auto& v = epochs[e].val;
      if (v.sen > 0.5 && v.spe > 0.5 && 0.6 * v.sen + 0.4 * v.spe > best_score) {
        best_score = 0.6 * v.sen + 0.4 * v.spe;
        best = e;
      }
    }
    return best >= 0 ? best : static_cast<int>(epochs.size()) - 1;
  }
  GBM_THROW("unknown model-selection rule '" << rule << "' (paper or reference)");
}

}  // namespace gbmsweep::train
