#pragma once
// Benchmark predictors on the same folds as the MLP: MGMT status, and an elastic net and a
// random forest from xgboost (linear booster with L1/L2; random-forest mode of gbtree).
#include <cstdint>
#include <vector>

#include "drug/prep.hpp"

namespace gbmsweep::drug {

// Elastic net in sklearn's parametrisation (alpha · (l1_ratio·|w| + (1 - l1_ratio)/2·w²) on
// the mean squared error); xgboost's coordinate descent scales its penalties by the number of
// samples, so reg_alpha = alpha·l1_ratio and reg_lambda = alpha·(1 - l1_ratio). Not tuned.
struct ElasticNetOptions {
  double alpha = 0.1;
  double l1_ratio = 0.5;
  int rounds = 200;  // coordinate-descent sweeps
  double eta = 0.5;
};

// Random forest: one boosting round of `trees` parallel trees, each on a bootstrap-like
// subsample and a random third of the genes per split, no shrinkage or L2.
struct ForestOptions {
  int trees = 500;
  double subsample = 0.632;
  double colsample_bynode = 1.0 / 3.0;
  int max_depth = 8;
  double min_child_weight = 1.0;
};

std::vector<double> elastic_net_predict(const Cohort& train, const std::vector<double>& y,
                                        const Cohort& test, const ElasticNetOptions& options,
                                        std::uint64_t seed, int threads);
std::vector<double> random_forest_predict(const Cohort& train, const std::vector<double>& y,
                                          const Cohort& test, const ForestOptions& options,
                                          std::uint64_t seed, int threads);

// MGMT status (1 methylated, 0.5 weak, 0 unmethylated, NaN missing) as a rank predictor of
// resistance: score = 1 - status (unmethylated cultures are expected to be more resistant),
// 0.5 when missing. Nothing is fitted: a per-fold fit would make the pooled ranking depend on
// the folds' training means, which anti-correlate with their held-out means on 22 cultures.
std::vector<double> mgmt_scores(const std::vector<double>& status);

}  // namespace gbmsweep::drug
