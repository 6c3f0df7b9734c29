// Hand-checked Friedman/Nemenyi values and degenerate input.
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "analysis/stats.hpp"
#include "common/error.hpp"

namespace ga = gbmsweep::analysis;

BOOST_AUTO_TEST_SUITE(stats)

BOOST_AUTO_TEST_CASE(friedman_by_hand) {
  // A beats B beats C in all 4 blocks: rank sums 4, 8, 12;
  // chi2 = 12/(3·4·4)·(16+64+144) − 3·4·4 = 8, p = exp(−8/2) for df 2.
  ga::ScoreTable t{{"A", "B", "C"}, {}, {{0.9, 0.5, 0.1}, {0.8, 0.6, 0.2}, {0.7, 0.4, 0.3}, {1, 0.5, 0}}};
  auto r = ga::friedman_nemenyi(t);
  BOOST_TEST(r.statistic == 8.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(r.df == 2);
  BOOST_TEST(r.p == std::exp(-4.0), boost::test_tools::tolerance(1e-9));
  BOOST_TEST(r.mean_ranks == std::vector<double>({1, 2, 3}), boost::test_tools::per_element());
  // se = sqrt(3·4/(12·4)) = 0.5: q(A,B) = 2, q(A,C) = 4, q(B,C) = 2.
  BOOST_TEST_REQUIRE(r.nemenyi.size() == 3u);
  BOOST_TEST(r.nemenyi[1].a == "A");
  BOOST_TEST(r.nemenyi[1].b == "C");
  BOOST_TEST(r.nemenyi[0].q == 2.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(r.nemenyi[1].q == 4.0, boost::test_tools::tolerance(1e-12));
  // scipy.stats.studentized_range: sf(4, 3, inf) = 0.0129877, ppf(.95, 3, inf) = 3.314493.
  BOOST_TEST(r.nemenyi[1].p == 0.0129877, boost::test_tools::tolerance(1e-4));
  BOOST_TEST(r.nemenyi[0].p_clipped == std::min(0.9, r.nemenyi[0].p));
  BOOST_TEST(r.critical_difference == 3.314493 / std::sqrt(2.0) * std::sqrt(12.0 / 24.0),
             boost::test_tools::tolerance(1e-6));
  // Lower is better reverses the ranks but not the test.
  ga::FriedmanOptions lower;
  lower.higher_is_better = false;
  auto l = ga::friedman_nemenyi(t, lower);
  BOOST_TEST(l.mean_ranks == std::vector<double>({3, 2, 1}), boost::test_tools::per_element());
  BOOST_TEST(l.statistic == r.statistic, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(clipping_bounds) {
  BOOST_TEST(ga::clip_psturng(0.97) == 0.9);
  BOOST_TEST(ga::clip_psturng(1e-6) == 0.001);
  BOOST_TEST(ga::clip_psturng(0.3) == 0.3);
}

BOOST_AUTO_TEST_CASE(long_rows_to_wide_and_incomplete_blocks) {
  std::vector<ga::ScoreRow> rows{{"p1", "A", 1}, {"p1", "B", 2}, {"p2", "B", 3},
                                 {"p2", "A", 4}, {"p3", "A", 5}};
  auto w = ga::to_wide(rows);
  BOOST_TEST(w.table.methods == std::vector<std::string>({"A", "B"}), boost::test_tools::per_element());
  BOOST_TEST(w.table.blocks == std::vector<std::string>({"p1", "p2"}), boost::test_tools::per_element());
  BOOST_TEST(w.table.scores[1] == std::vector<double>({4, 3}), boost::test_tools::per_element());
  BOOST_TEST(w.incomplete_blocks == std::vector<std::string>({"p3"}), boost::test_tools::per_element());
  rows.push_back({"p1", "A", 9});
  BOOST_CHECK_THROW(ga::to_wide(rows), gbmsweep::Error);
}

BOOST_AUTO_TEST_CASE(degenerate_tables_throw) {
  auto says = [](const char* part) {
    return [part](const gbmsweep::Error& e) { return std::string(e.what()).find(part) != std::string::npos; };
  };
  BOOST_CHECK_EXCEPTION(ga::friedman_nemenyi({{"A"}, {}, {{1}, {2}}}), gbmsweep::Error,
                        says("at least 2 methods"));
  BOOST_CHECK_EXCEPTION(ga::friedman_nemenyi({{"A", "B"}, {}, {{1, 2}}}), gbmsweep::Error,
                        says("at least 2 complete blocks"));
  BOOST_CHECK_EXCEPTION(ga::friedman_nemenyi({{"A", "B", "C"}, {}, {{1, 1, 1}, {0.5, 0.5, 0.5}}}),
                        gbmsweep::Error, says("tied"));
}

BOOST_AUTO_TEST_CASE(wilcoxon_signed_rank_exact) {
  // R's ?wilcox.test example (Hollander & Wolfe 1973, p. 29, depression scale before/after):
  // d = x − y has no ties or zeros, ranks of |d|: the negatives -0.08 and -0.147 get 2 and 3,
  // so V = 45 − 5 = 40. P(V >= 40) = #{subsets of 1..9 with sum <= 5} / 2^9 = 10/512, and R
  // prints p = 0.01953 one-sided ("greater"); two-sided 2·10/512.
  std::vector<double> x{1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30};
  std::vector<double> y{0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29};
  auto r = ga::wilcoxon_signed_rank(x, y);
  BOOST_TEST(r.statistic == 40.0);
  BOOST_TEST(r.n == 9);
  BOOST_TEST(r.exact);
  BOOST_TEST(r.p == 20.0 / 512, boost::test_tools::tolerance(1e-12));
  // Swapping the arms gives V = 5 and the same two-sided p (the lower tail).
  auto s = ga::wilcoxon_signed_rank(y, x);
  BOOST_TEST(s.statistic == 5.0);
  BOOST_TEST(s.p == 20.0 / 512, boost::test_tools::tolerance(1e-12));
  // d = 1..5, all positive: V = 15, P(V >= 15) = 1/32, p = 2/32 = 0.0625 (R: wilcox.test(1:5)).
  auto t = ga::wilcoxon_signed_rank({1, 2, 3, 4, 5}, {0, 0, 0, 0, 0});
  BOOST_TEST(t.statistic == 15.0);
  BOOST_TEST(t.p == 0.0625, boost::test_tools::tolerance(1e-12));
  // d = (1, -2, 3, 4, 5, 6): V = 21 − 2 = 19; V >= 19 iff the negative ranks sum to <= 2:
  // {}, {1}, {2}: p = 2·3/64.
  auto u = ga::wilcoxon_signed_rank({1, -2, 3, 4, 5, 6}, std::vector<double>(6, 0.0));
  BOOST_TEST(u.statistic == 19.0);
  BOOST_TEST(u.p == 6.0 / 64, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(wilcoxon_signed_rank_normal_approximation) {
  // Ties: d = (1, 1, -1, 2, 2, 2, 3). |d| mid-ranks 2, 2, 2, 5, 5, 5, 7; V = 2+2+5+5+5+7 = 26;
  // E V = 7·8/4 = 14; Var = 7·8·15/24 − (2·(3³ − 3))/48 = 35 − 1 = 34; continuity 0.5:
  // z = 11.5/√34, p = 2·(1 − Φ(z)) = erfc(z/√2) (R: exact p not available with ties).
  auto r = ga::wilcoxon_signed_rank({1, 1, -1, 2, 2, 2, 3}, std::vector<double>(7, 0.0));
  BOOST_TEST(r.statistic == 26.0);
  BOOST_TEST(!r.exact);
  const double z = 11.5 / std::sqrt(34.0);
  BOOST_TEST(r.p == std::erfc(z / std::sqrt(2.0)), boost::test_tools::tolerance(1e-12));
  BOOST_TEST(r.p == 0.0486, boost::test_tools::tolerance(0.002));
  // Zeros are dropped and force the approximation (R warns "cannot compute exact p-value
  // with zeroes"): d = (0, 1, 2, 3, 4, 5): n = 5, V = 15, Var = 5·6·11/24 = 13.75,
  // z = (15 − 7.5 − 0.5)/√13.75.
  auto s = ga::wilcoxon_signed_rank({0, 1, 2, 3, 4, 5}, std::vector<double>(6, 0.0));
  BOOST_TEST(s.n == 5);
  BOOST_TEST(!s.exact);
  BOOST_TEST(s.p == std::erfc(7.0 / std::sqrt(13.75) / std::sqrt(2.0)),
             boost::test_tools::tolerance(1e-12));
  // n >= 50 without ties: the approximation too. d = 1..50: V = 1275, E V = 637.5,
  // Var = 50·51·101/24, z = (637.5 − 0.5)/√Var.
  std::vector<double> big, zero(50, 0.0);
  for (int i = 1; i <= 50; ++i) big.push_back(i);
  auto b = ga::wilcoxon_signed_rank(big, zero);
  BOOST_TEST(!b.exact);
  BOOST_TEST(b.p == std::erfc(637.0 / std::sqrt(50.0 * 51 * 101 / 24) / std::sqrt(2.0)),
             boost::test_tools::tolerance(1e-9));
  // All differences zero: no p; mismatched sizes throw.
  BOOST_TEST(std::isnan(ga::wilcoxon_signed_rank({1, 2}, {1, 2}).p));
  BOOST_CHECK_THROW(ga::wilcoxon_signed_rank({1, 2}, {1}), gbmsweep::Error);
}

BOOST_AUTO_TEST_SUITE_END()
