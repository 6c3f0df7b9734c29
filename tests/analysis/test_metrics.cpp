// Hand-checked metric values (worked out on paper, see the comments) and degenerate input.
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "analysis/metrics.hpp"
#include "common/error.hpp"

namespace ga = gbmsweep::analysis;
using V = std::vector<double>;

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(midranks_average_ties) {
  BOOST_TEST(ga::midranks({10, 20, 20, 5, 20}) == V({2, 4, 4, 1, 4}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(auc_and_ap_without_ties) {
  // sklearn's documented example: AUC 0.75, AP 0.8333.
  V y{0, 0, 1, 1}, s{0.1, 0.4, 0.35, 0.8};
  BOOST_TEST(ga::roc_auc(y, s) == 0.75, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(ga::average_precision(y, s) == 5.0 / 6.0, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(auc_and_ap_with_ties) {
  // Pairs (pos, neg): (.5,.5) = 1/2, (.5,.2) = 1, (.9,.5) = 1, (.9,.2) = 1 -> 3.5 / 4.
  // AP: threshold .9 -> R .5, P 1; threshold .5 (one pos, one neg together) -> R 1, P 2/3.
  V y{0, 1, 0, 1}, s{0.5, 0.5, 0.2, 0.9};
  BOOST_TEST(ga::roc_auc(y, s) == 0.875, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(ga::average_precision(y, s) == 0.5 + 0.5 * 2.0 / 3.0,
             boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(threshold_rates) {
  V y{1, 1, 1, 0, 0}, s{0.9, 0.5, 0.2, 0.6, 0.1};  // >= .5 positive: TP 2, FN 1, FP 1, TN 1
  auto m = ga::threshold_metrics(y, s);
  BOOST_TEST(m.tp == 2);
  BOOST_TEST(m.fn == 1);
  BOOST_TEST(m.fp == 1);
  BOOST_TEST(m.tn == 1);
  BOOST_TEST(m.sen == 2.0 / 3.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(m.spe == 0.5, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(m.acc == 0.6, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(ga::threshold_metrics(y, s, 0.95).tp == 0);
}

BOOST_AUTO_TEST_CASE(m_criterion_steps) {
  BOOST_TEST(ga::m_criterion(0.5, 0.5) == 1.0);
  BOOST_TEST(ga::m_criterion(0.7, 0.49) == 0.6);
  BOOST_TEST(ga::m_criterion(0.2, 0.9) == 0.4);
  BOOST_TEST(ga::m_criterion(0.1, 0.1) == 0.0);
  BOOST_TEST(ga::weighted_sen_spe(1.0, 0.5) == 0.8, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(correlations_and_rmse) {
  // y ranks [1,2,3.5,5,3.5]: sxy 8, sxx 10, syy 9.5 -> 8 / sqrt(95).
  BOOST_TEST(ga::spearman({1, 2, 3, 4, 5}, {5, 6, 7, 8, 7}) == 8 / std::sqrt(95.0),
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(ga::pearson({1, 2, 3}, {2, 4, 6}) == 1.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(ga::pearson({1, 2, 3}, {3, 2, 1}) == -1.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(ga::rmse({0, 0, 0, 0}, {1, -1, 1, -1}) == 1.0, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(degenerate_input_throws_with_a_reason) {
  auto says = [](const char* part) {
    return [part](const gbmsweep::Error& e) { return std::string(e.what()).find(part) != std::string::npos; };
  };
  BOOST_CHECK_EXCEPTION(ga::roc_auc({1, 1, 1}, {0.1, 0.2, 0.3}), gbmsweep::Error, says("one class"));
  BOOST_CHECK_EXCEPTION(ga::average_precision({0, 0}, {0.1, 0.2}), gbmsweep::Error, says("positive"));
  BOOST_CHECK_EXCEPTION(ga::spearman({1, 1, 1}, {1, 2, 3}), gbmsweep::Error, says("constant"));
  BOOST_CHECK_EXCEPTION(ga::pearson({1, 2}, {1, 2, 3}), gbmsweep::Error, says("differ in length"));
  BOOST_CHECK_EXCEPTION(ga::roc_auc({0, 2}, {0.1, 0.2}), gbmsweep::Error, says("expected 0 or 1"));
  BOOST_CHECK_EXCEPTION(ga::roc_auc({0, 1}, {NAN, 0.2}), gbmsweep::Error, says("not finite"));
}

BOOST_AUTO_TEST_CASE(bootstrap_is_seeded_and_brackets_the_estimate) {
  V y, s;
  for (int i = 0; i < 40; ++i) {
    y.push_back(i % 3 == 0);
    s.push_back(std::fmod(i * 0.37, 1.0) * 0.6 + (i % 3 == 0) * 0.3);
  }
  ga::BootstrapOptions o;
  o.resamples = 300;
  auto a = ga::bootstrap_auc_ap(y, s, o);
  auto b = ga::bootstrap_auc_ap(y, s, o);
  BOOST_TEST(a.auc.lo == b.auc.lo);
  BOOST_TEST(a.ap.hi == b.ap.hi);
  BOOST_TEST(a.estimate.auc == ga::roc_auc(y, s));
  BOOST_TEST(a.auc.lo < a.estimate.auc);
  BOOST_TEST(a.estimate.auc < a.auc.hi);
  BOOST_TEST(a.ap.lo < a.estimate.ap);
  BOOST_TEST(a.estimate.ap < a.ap.hi);
  o.seed = 7;
  BOOST_TEST(ga::bootstrap_auc_ap(y, s, o).auc.lo != a.auc.lo);
}

BOOST_AUTO_TEST_SUITE_END()
