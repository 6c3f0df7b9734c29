#pragma once
// Scalar metrics of predictions: rank correlation, regression error, and the binary
// classification metrics of the MRI study (AUC, AP, SEN, SPE, ACC, the M criterion), with a
// seeded bootstrap interval. Degenerate input (constant vectors, one class only, size
// mismatch) throws gbmsweep::Error with a message saying what is wrong, never a silent NaN.
// The one implementation of these metrics: its own torch-free target, gbmsweep::metrics,
// linked by training's model selection, the tasks and the report (docs/architecture.md).
#include <cstdint>
#include <vector>

namespace gbmsweep::analysis {

// 1-based ranks in ascending order; tied values get the mean of their ranks (midranks),
// as scipy.stats.rankdata(method="average").
std::vector<double> midranks(const std::vector<double>& x);

// Pearson correlation of the midranks. Needs >= 2 points and neither vector constant.
double spearman(const std::vector<double>& x, const std::vector<double>& y);
// Pearson product-moment correlation. Needs >= 2 points and neither vector constant.
double pearson(const std::vector<double>& x, const std::vector<double>& y);
// Root mean squared error between observed and predicted values.
double rmse(const std::vector<double>& observed, const std::vector<double>& predicted);

// Labels are 0 or 1 (1 = positive, e.g. methylated); scores are higher for positive.
// ROC AUC by the Mann-Whitney statistic with midranks (a tie between a positive and a
// negative counts 1/2), equal to sklearn.metrics.roc_auc_score.
double roc_auc(const std::vector<double>& labels, const std::vector<double>& scores);
// Step-wise average precision, AP = sum_n (R_n - R_{n-1}) P_n over the distinct score
// thresholds (tied scores enter together), equal to sklearn.metrics.average_precision_score.
double average_precision(const std::vector<double>& labels, const std::vector<double>& scores);

// Confusion counts at a threshold (score >= threshold predicts positive). Defined for one
// class only and for NaN scores (never >= threshold, so predicted negative), as training's
// per-epoch validation needs; labels must still be 0 or 1.
struct ThresholdCounts {
  int tp = 0, fp = 0, tn = 0, fn = 0;
};
ThresholdCounts threshold_counts(const std::vector<double>& labels,
                                 const std::vector<double>& scores, double threshold = 0.5);

// Counts and rates at a threshold: a sample is predicted positive when score >= threshold.
struct ThresholdMetrics {
  double threshold = 0.5;
  int tp = 0, fp = 0, tn = 0, fn = 0;
  double sen = 0;  // TP / (TP + FN); needs a positive sample
  double spe = 0;  // TN / (TN + FP); needs a negative sample
  double acc = 0;  // (TP + TN) / n
};
ThresholdMetrics threshold_metrics(const std::vector<double>& labels,
                                   const std::vector<double>& scores, double threshold = 0.5);

// Model-selection criterion of the MRI paper (equation 4): M = 0.6·[SEN >= 0.5] + 0.4·[SPE >= 0.5].
double m_criterion(double sen, double spe);
// The reference code's variant: 0.6·SEN + 0.4·SPE (used there among epochs with SEN, SPE > 0.5).
double weighted_sen_spe(double sen, double spe);

// Both AUC and AP in one pass, for the bootstrap.
struct BinaryScores {
  double auc = 0, ap = 0;
};

struct BootstrapOptions {
  int resamples = 2000;     // number of bootstrap resamples of the samples (patients)
  std::uint64_t seed = 42;  // std::mt19937_64 seed: the same seed gives the same interval
  double level = 0.95;      // two-sided percentile interval
  double threshold = 0.5;   // SEN/SPE threshold (their intervals use the same resamples)
};

struct Interval {
  double lo = 0, hi = 0;
};

// Percentile bootstrap intervals for AUC and AP (and SEN, SPE). Resamples that draw only one class are
// redrawn (they have no AUC), so every one of `resamples` has both classes.
struct BootstrapResult {
  BinaryScores estimate;
  Interval auc, ap;
  int resamples = 0;
  int redrawn = 0;  // single-class resamples that were discarded and redrawn
  Interval sen, spe;  // at options.threshold, from the same resamples as AUC and AP
};
BootstrapResult bootstrap_auc_ap(const std::vector<double>& labels,
                                 const std::vector<double>& scores,
                                 const BootstrapOptions& options = {});

// Quantile with linear interpolation between order statistics (numpy's default, "linear").
double quantile(std::vector<double> values, double q);

}  // namespace gbmsweep::analysis
