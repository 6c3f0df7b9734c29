// Temporary: the two metric implementations side by side (issue 21, item 3), kept only while
// train::binary_metrics still has its own AUC and counts. `via_metrics` is what training's
// selection becomes on top of gbmsweep::metrics.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <random>

#include "analysis/metrics.hpp"
#include "common/error.hpp"
#include "train/selection.hpp"

namespace ga = gbmsweep::analysis;
namespace gt = gbmsweep::train;

namespace {

gt::BinaryMetrics via_metrics(const std::vector<double>& labels,
                              const std::vector<double>& scores, double threshold) {
  const ga::ThresholdCounts c = ga::threshold_counts(labels, scores, threshold);
  const int pos = c.tp + c.fn, neg = c.tn + c.fp;
  gt::BinaryMetrics out;
  out.sen = pos ? static_cast<double>(c.tp) / pos : 0.0;
  out.spe = neg ? static_cast<double>(c.tn) / neg : 0.0;
  out.m = ga::m_criterion(out.sen, out.spe);
  bool finite = true;
  for (double s : scores) finite = finite && std::isfinite(s);
  if (pos && neg)
    out.auc = finite ? ga::roc_auc(labels, scores) : std::numeric_limits<double>::quiet_NaN();
  return out;
}

struct Case {
  std::vector<double> labels, scores;
  double threshold = 0.5;
};

// Ties (scores from a few levels), one class only, NaN scores, thresholds equal to a score.
Case random_case(std::mt19937_64& rng, int kind) {
  std::uniform_int_distribution<int> len(1, 40), levels(1, 6);
  std::uniform_real_distribution<double> u(0, 1);
  Case c;
  const int n = len(rng), k = levels(rng);
  const double p = kind == 1 ? 1.0 : kind == 2 ? 0.0 : u(rng);
  const bool tied = u(rng) < 0.5;
  for (int i = 0; i < n; ++i) {
    c.labels.push_back(u(rng) < p ? 1.0 : 0.0);
    c.scores.push_back(tied ? std::floor(u(rng) * k) / k : u(rng));
  }
  if (kind == 3) c.scores[rng() % n] = std::numeric_limits<double>::quiet_NaN();
  c.threshold = u(rng) < 0.3 ? c.scores[rng() % n] : u(rng);
  return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(old_and_new_agree_on_random_cases) {
  std::mt19937_64 rng(21);
  int compared = 0, both = 0, one_class = 0, with_nan = 0, cross_ties = 0;
  for (int iter = 0; iter < 40000; ++iter) {
    const int kind = iter % 8 < 5 ? 0 : iter % 8 - 4;  // 0 mixed, 1 all ones, 2 all zeros, 3 NaN
    Case c = random_case(rng, kind);
    int pos = 0;
    for (double y : c.labels) pos += y == 1.0;
    const bool two = pos > 0 && pos < static_cast<int>(c.labels.size());
    bool has_nan = false;
    for (double s : c.scores) has_nan = has_nan || std::isnan(s);
    const gt::BinaryMetrics b = via_metrics(c.labels, c.scores, c.threshold);
    if (has_nan && two) {
      // Old: never returns (its tie loop waits for NaN == NaN), so it cannot be run here.
      // New: AUC NaN in training; the report's roc_auc refuses the input.
      ++with_nan;
      BOOST_TEST_REQUIRE(std::isnan(b.auc));
      BOOST_CHECK_THROW(ga::roc_auc(c.labels, c.scores), gbmsweep::Error);
      continue;
    }
    const gt::BinaryMetrics a = gt::binary_metrics(c.labels, c.scores, c.threshold);
    ++compared;
    BOOST_TEST_REQUIRE(a.sen == b.sen);
    BOOST_TEST_REQUIRE(a.spe == b.spe);
    BOOST_TEST_REQUIRE(a.m == b.m);
    if (has_nan) {
      ++with_nan;  // one class: old skips the AUC, so NaN is only a negative prediction
      continue;
    }
    if (!two) {
      // Both give 0.5 in training; the report's roc_auc and threshold_metrics refuse one class.
      ++one_class;
      BOOST_TEST_REQUIRE(a.auc == 0.5);
      BOOST_TEST_REQUIRE(b.auc == 0.5);
      BOOST_CHECK_THROW(ga::roc_auc(c.labels, c.scores), gbmsweep::Error);
      BOOST_CHECK_THROW(ga::threshold_metrics(c.labels, c.scores, c.threshold), gbmsweep::Error);
      continue;
    }
    ++both;
    // Rank sums are multiples of 1/2, so both orders of summation are exact: bitwise equal.
    BOOST_TEST_REQUIRE(a.auc == b.auc);
    const ga::ThresholdMetrics t = ga::threshold_metrics(c.labels, c.scores, c.threshold);
    BOOST_TEST_REQUIRE(a.sen == t.sen);
    BOOST_TEST_REQUIRE(a.spe == t.spe);
    bool tie = false;  // a positive and a negative with the same score: counts 1/2
    for (std::size_t i = 0; i < c.scores.size(); ++i)
      for (std::size_t j = 0; j < c.scores.size(); ++j)
        tie = tie || (c.labels[i] == 1.0 && c.labels[j] == 0.0 && c.scores[i] == c.scores[j]);
    cross_ties += tie;
  }
  BOOST_TEST_MESSAGE("ran both on " << compared << " cases (" << both << " with both classes, "
                     << cross_ties << " of them with a positive-negative tie, " << one_class
                     << " with one class); " << with_nan << " cases with a NaN score");
  BOOST_TEST(both > 10000);
  BOOST_TEST(one_class > 5000);
  BOOST_TEST(with_nan > 4000);
  BOOST_TEST(cross_ties > 5000);
}
