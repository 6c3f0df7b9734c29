#include "train/selection.hpp"

#include <algorithm>
#include <numeric>

#include "common/error.hpp"

namespace gbmsweep::train {

BinaryMetrics binary_metrics(const std::vector<double>& labels, const std::vector<double>& scores,
                             double threshold) {
  GBM_CHECK(labels.size() == scores.size(), "binary_metrics: labels and scores differ in size");
  BinaryMetrics out;
  size_t pos = 0, neg = 0, tp = 0, tn = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const bool y = labels[i] > 0.5, p = scores[i] >= threshold;
    (y ? pos : neg)++;
    if (y && p) ++tp;
    if (!y && !p) ++tn;
  }
  out.sen = pos ? static_cast<double>(tp) / pos : 0.0;
  out.spe = neg ? static_cast<double>(tn) / neg : 0.0;
  out.m = 0.6 * (out.sen >= 0.5) + 0.4 * (out.spe >= 0.5);
  if (pos && neg) {
    // Mann-Whitney U with average ranks for ties.
    std::vector<size_t> idx(scores.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
    double rank_sum = 0;
    for (size_t i = 0; i < idx.size();) {
      size_t j = i;
      while (j < idx.size() && scores[idx[j]] == scores[idx[i]]) ++j;
      const double avg = (i + 1 + j) / 2.0;  // ranks i+1 .. j
      for (size_t k = i; k < j; ++k)
        if (labels[idx[k]] > 0.5) rank_sum += avg;
      i = j;
    }
    out.auc = (rank_sum - pos * (pos + 1) / 2.0) / (static_cast<double>(pos) * neg);
  }
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
