#pragma once
// Preprocessing: TMM/log-CPM for counts, gene intersection, cohorts (samples × genes with a
// response), scalers fitted on a training part, target scaling, and the CV folds.
#include <cstdint>
#include <string>
#include <vector>

#include "drug/data.hpp"

namespace gbmsweep::drug {

// edgeR's calcNormFactors(method = "TMM") with its defaults (logratioTrim 0.3, sumTrim 0.05,
// precision weighting; reference = the sample whose upper-quartile CPM is closest to the mean).
// Returns one factor per sample, scaled to geometric mean 1.
std::vector<double> tmm_factors(const ExprMatrix& counts);

// edgeR's filterByExpr for one group of samples (a DGEList without groups), with library
// sizes the column sums: a gene is kept when its CPM reaches min_count / median library × 1e6
// in at least n samples (n = the sample count, or large_n + (n - large_n) × min_prop above
// large_n) and its total count reaches min_total_count. The reference (GSE232173preprocess.R)
// calls it with min.count = 0, min.prop = 0.1, so only the total count of 15 matters there.
struct FilterByExprOptions {
  double min_count = 10, min_total_count = 15, large_n = 10, min_prop = 0.7;
};
std::vector<bool> filter_by_expr(const ExprMatrix& counts, const FilterByExprOptions& o = {});
// The rows of `m` where keep is true.
ExprMatrix keep_genes(const ExprMatrix& m, const std::vector<bool>& keep);

// edgeR's cpm(log = TRUE, prior.count = 2) on TMM-normalised library sizes.
ExprMatrix log_cpm_tmm(const ExprMatrix& counts, double prior_count = 2.0);

// Sorted symbols present in every matrix; InputError listing `names` when there are none.
std::vector<std::string> intersect_genes(const std::vector<const ExprMatrix*>& matrices,
                                         const std::vector<std::string>& names);

// Samples × genes (row-major, float) with the raw response, ready for a model.
struct Cohort {
  std::vector<std::string> ids;
  std::vector<std::string> genes;
  std::vector<float> x;  // ids.size() * genes.size()
  std::vector<double> y;
  std::size_t n() const { return ids.size(); }
  std::size_t p() const { return genes.size(); }
  Cohort subset(const std::vector<std::size_t>& rows) const;
};

// Samples with both expression and response, sorted by id, restricted to `genes` (in that
// order). InputError naming both sources when they share no sample or a gene is missing.
Cohort make_cohort(const ExprMatrix& expr, const Response& response,
                   const std::vector<std::string>& genes, const std::string& expr_source,
                   const std::string& response_source);

enum class ScalerKind { Robust, Standard };
ScalerKind scaler_kind(const std::string& name);  // "robust" | "standard"

// Per-gene centring and scaling, fitted on training rows only (sklearn's RobustScaler:
// median and IQR with linear quantiles; StandardScaler: mean and population SD). Constant
// genes get scale 1.
struct Scaler {
  std::vector<float> center, scale;
  static Scaler fit(const Cohort& c, ScalerKind kind);
  void apply(Cohort& c) const;
};

// Response min-max scaled to [0, hi] with the range of the training part.
struct TargetScaler {
  double lo = 0, hi_in = 1, hi = 10;
  static TargetScaler fit(const std::vector<double>& y, double hi = 10.0);
  std::vector<double> apply(const std::vector<double>& y) const;
};

// Fold of each sample. A pure function of the sample ids and responses, the fold count and
// the seed: samples are sorted by id, then shuffled per stratum (above / not above the median
// response when stratified) and dealt round-robin into folds.
struct FoldOptions {
  int folds = 5;
  std::uint64_t seed = 0;
  bool stratify_median = false;
};
std::vector<int> assign_folds(const std::vector<std::string>& ids, const std::vector<double>& y,
                              const FoldOptions& options);

// SplitMix64: a small portable generator so that folds and synthetic data do not depend on
// the standard library's distribution implementations.
struct SplitMix64 {
  std::uint64_t state;
  explicit SplitMix64(std::uint64_t seed) : state(seed) {}
  std::uint64_t next();
  std::uint64_t below(std::uint64_t n);  // uniform in [0, n)
  double uniform();                      // [0, 1)
  double normal();                       // standard normal (Box-Muller)
};
std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b);

}  // namespace gbmsweep::drug
