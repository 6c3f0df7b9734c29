#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>

#include "common/error.hpp"
#include "train/selection.hpp"

using namespace gbmsweep::train;

BOOST_AUTO_TEST_CASE(binary_metrics_auc_sen_spe_m) {
  // Positives 0.9, 0.4; negatives 0.6, 0.1: 3 of 4 pairs ordered -> AUC 0.75.
  auto m = binary_metrics({1, 1, 0, 0}, {0.9, 0.4, 0.6, 0.1}, 0.5);
  BOOST_TEST(m.auc == 0.75);
  BOOST_TEST(m.sen == 0.5);
  BOOST_TEST(m.spe == 0.5);
  BOOST_TEST(m.m == 1.0);
  // Ties count one half.
  BOOST_TEST(binary_metrics({1, 0}, {0.3, 0.3}).auc == 0.5);
  auto low = binary_metrics({1, 1, 1, 0}, {0.1, 0.2, 0.9, 0.2}, 0.5);
  BOOST_TEST(low.sen == 1.0 / 3);
  BOOST_TEST(low.m == 0.4);  // only SPE passes
}

BOOST_AUTO_TEST_CASE(binary_metrics_of_a_fold_the_metrics_do_not_define) {
  // One class only: AUC 0.5, the missing class's rate 0 (the report would refuse the input).
  auto ones = binary_metrics({1, 1, 1}, {0.2, 0.6, 0.7}, 0.5);
  BOOST_TEST(ones.auc == 0.5);
  BOOST_TEST(ones.sen == 2.0 / 3);
  BOOST_TEST(ones.spe == 0.0);
  BOOST_TEST(ones.m == 0.6);
  // A NaN score (a diverged model) is a negative prediction and leaves the AUC undefined.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto diverged = binary_metrics({1, 0, 1, 0}, {nan, nan, 0.9, 0.1}, 0.5);
  BOOST_TEST(std::isnan(diverged.auc));
  BOOST_TEST(diverged.sen == 0.5);
  BOOST_TEST(diverged.spe == 1.0);
  BOOST_CHECK_THROW(binary_metrics({0.7, 0}, {0.1, 0.2}), gbmsweep::Error);
}

BOOST_AUTO_TEST_CASE(paper_rule_takes_best_m_then_lowest_loss) {
  auto rec = [](double sen, double spe, double loss) {
    EpochRecord r;
    r.val.sen = sen;
    r.val.spe = spe;
    r.val.m = 0.6 * (sen >= 0.5) + 0.4 * (spe >= 0.5);
    r.val_loss = loss;
    return r;
  };
  std::vector<EpochRecord> e = {rec(0.4, 0.9, 0.5), rec(0.5, 0.5, 0.7), rec(0.9, 0.6, 0.6),
                                rec(0.2, 0.2, 0.1), rec(0.6, 0.8, 0.6)};
  BOOST_TEST(select_epoch(e, "paper") == 2);  // M = 1 at epochs 1, 2, 4; lowest loss 0.6, first
  // Reference rule: strict thresholds, best 0.6 SEN + 0.4 SPE (epoch 2: 0.78, epoch 4: 0.68).
  BOOST_TEST(select_epoch(e, "reference") == 2);
  std::vector<EpochRecord> none = {rec(0.5, 0.9, 0.5), rec(0.9, 0.5, 0.4), rec(0.1, 0.1, 0.3)};
  BOOST_TEST(select_epoch(none, "reference") == 2);  // nobody passes: the last epoch
  BOOST_TEST(select_epoch(none, "paper") == 1);       // M = 1 for both, lower loss
  BOOST_CHECK_THROW(select_epoch(e, "best"), gbmsweep::Error);
}
