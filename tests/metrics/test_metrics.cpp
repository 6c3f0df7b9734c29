// gbmsweep::metrics (analysis/metrics.hpp) against expectations computed another way: AUC as
// the Mann-Whitney U over all positive-negative pairs, confusion counts by hand.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <random>

#include "analysis/metrics.hpp"
#include "common/error.hpp"

namespace ga = gbmsweep::analysis;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// U / (n_pos n_neg): a pair ordered right counts 1, a tie 1/2 (Mann-Whitney, by definition).
double pairwise_auc(const std::vector<double>& y, const std::vector<double>& s) {
  double u = 0, pairs = 0;
  for (std::size_t i = 0; i < y.size(); ++i)
    for (std::size_t j = 0; j < y.size(); ++j)
      if (y[i] == 1.0 && y[j] == 0.0) {
        u += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
        pairs += 1;
      }
  return u / pairs;
}

}  // namespace

BOOST_AUTO_TEST_CASE(auc_is_the_mann_whitney_u_on_random_cases_with_ties) {
  std::mt19937_64 rng(2021);
  std::uniform_real_distribution<double> u(0, 1);
  int checked = 0;
  for (int iter = 0; iter < 5000; ++iter) {
    const int n = 2 + static_cast<int>(rng() % 40), levels = 1 + static_cast<int>(rng() % 6);
    std::vector<double> y, s;
    for (int i = 0; i < n; ++i) {
      y.push_back(u(rng) < 0.4 ? 1.0 : 0.0);
      s.push_back(iter % 2 ? std::floor(u(rng) * levels) : u(rng));  // odd: many ties
    }
    int pos = 0;
    for (double v : y) pos += v == 1.0;
    if (pos == 0 || pos == n) continue;
    BOOST_TEST_REQUIRE(ga::roc_auc(y, s) == pairwise_auc(y, s),
                       boost::test_tools::tolerance(1e-12));
    ++checked;
  }
  BOOST_TEST(checked > 4000);
}

BOOST_AUTO_TEST_CASE(hand_computed_auc_and_counts) {
  // Positives 0.9, 0.4; negatives 0.6, 0.1: pairs (0.9>0.6, 0.9>0.1, 0.4<0.6, 0.4>0.1) -> 3/4.
  const std::vector<double> y = {1, 1, 0, 0}, s = {0.9, 0.4, 0.6, 0.1};
  BOOST_TEST(ga::roc_auc(y, s) == 0.75);
  const ga::ThresholdCounts c = ga::threshold_counts(y, s, 0.5);
  BOOST_TEST(c.tp == 1);
  BOOST_TEST(c.fn == 1);
  BOOST_TEST(c.fp == 1);
  BOOST_TEST(c.tn == 1);
  // A tie between the classes counts one half; a score equal to the threshold is positive.
  BOOST_TEST(ga::roc_auc({1, 0}, {0.3, 0.3}) == 0.5);
  BOOST_TEST(ga::roc_auc({1, 0, 1, 0}, {0.5, 0.5, 0.8, 0.2}) == 0.875);  // (1+1+0.5+1)/4
  const ga::ThresholdMetrics m = ga::threshold_metrics({1, 1, 1, 0}, {0.1, 0.5, 0.9, 0.5}, 0.5);
  BOOST_TEST(m.tp == 2);
  BOOST_TEST(m.fp == 1);
  BOOST_TEST(m.sen == 2.0 / 3);
  BOOST_TEST(m.spe == 0.0);
  BOOST_TEST(m.acc == 0.5);
  BOOST_TEST(ga::m_criterion(m.sen, m.spe) == 0.6);
}

BOOST_AUTO_TEST_CASE(counts_cover_one_class_and_nan_scores) {
  // One class only: counts are defined; AUC and the rates are not (the report refuses them).
  const ga::ThresholdCounts ones = ga::threshold_counts({1, 1, 1}, {0.2, 0.6, 0.7}, 0.5);
  BOOST_TEST(ones.tp == 2);
  BOOST_TEST(ones.fn == 1);
  BOOST_TEST(ones.fp + ones.tn == 0);
  BOOST_CHECK_THROW(ga::roc_auc({1, 1, 1}, {0.2, 0.6, 0.7}), gbmsweep::Error);
  BOOST_CHECK_THROW(ga::threshold_metrics({0, 0}, {0.2, 0.6}), gbmsweep::Error);
  // NaN is never >= the threshold: predicted negative. AUC refuses it.
  const ga::ThresholdCounts nan = ga::threshold_counts({1, 0, 0}, {kNaN, kNaN, 0.9}, 0.5);
  BOOST_TEST(nan.fn == 1);
  BOOST_TEST(nan.tn == 1);
  BOOST_TEST(nan.fp == 1);
  BOOST_CHECK_THROW(ga::roc_auc({1, 0}, {kNaN, 0.1}), gbmsweep::Error);
  BOOST_CHECK_THROW(ga::threshold_counts({0.7, 0}, {0.1, 0.2}), gbmsweep::Error);
  BOOST_CHECK_THROW(ga::threshold_counts({1, 0}, {0.1}), gbmsweep::Error);
}
