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

BOOST_AUTO_TEST_SUITE_END()
