// TMM/log-CPM, scalers, target scaling and CV folds.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "drug/experiment.hpp"
#include "drug/prep.hpp"

using namespace gbmsweep::drug;

namespace {
ExprMatrix counts_pair(bool composition) {
  // Sample B has twice A's depth; with `composition`, its first 50 genes are also 10x up.
  ExprMatrix m;
  m.samples = {"A", "B"};
  SplitMix64 r(5);
  for (int g = 0; g < 500; ++g) {
    m.genes.push_back("G" + std::to_string(g));
    double a = 20 + r.below(500);
    double b = 2 * a * (composition && g < 50 ? 10 : 1);
    m.values.push_back(a);
    m.values.push_back(b);
  }
  return m;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(prep)

BOOST_AUTO_TEST_CASE(tmm_is_one_for_pure_depth_differences) {
  auto f = tmm_factors(counts_pair(false));
  BOOST_TEST(f[0] == 1.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(f[1] == 1.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(tmm_removes_composition_bias_from_unchanged_genes) {
  auto m = counts_pair(true);
  auto f = tmm_factors(m);
  BOOST_TEST(f[0] * f[1] == 1.0, boost::test_tools::tolerance(1e-9));  // geometric mean 1
  // The 50 up genes inflate B's library ~1.9-fold: its effective library shrinks.
  BOOST_TEST(f[1] / f[0] == 1 / 1.9, boost::test_tools::tolerance(0.1));
  auto l = log_cpm_tmm(m);
  // Unchanged genes: equal log-CPM in A and B after TMM (up to the prior count).
  double worst = 0;
  for (int g = 50; g < 500; ++g) worst = std::max(worst, std::abs(l.at(g, 0) - l.at(g, 1)));
  BOOST_TEST(worst < 0.05);
  // The up genes keep their 10-fold change.
  BOOST_TEST(l.at(0, 1) - l.at(0, 0) == std::log2(10.0), boost::test_tools::tolerance(0.05));
}

BOOST_AUTO_TEST_CASE(scalers_fit_on_the_training_part_only) {
  Cohort train;
  train.ids = {"a", "b", "c", "d", "e"};
  train.genes = {"g1", "g2"};
  train.x = {1, 7, 2, 7, 3, 7, 4, 7, 100, 7};  // g2 constant
  train.y = {0, 0, 0, 0, 0};
  auto robust = Scaler::fit(train, ScalerKind::Robust);  // sklearn: center 3, scale 2
  BOOST_TEST(robust.center[0] == 3.0f);
  BOOST_TEST(robust.scale[0] == 2.0f);
  BOOST_TEST(robust.scale[1] == 1.0f);  // constant gene: scale 1
  auto standard = Scaler::fit(train, ScalerKind::Standard);
  BOOST_TEST(standard.center[0] == 22.0f);
  BOOST_TEST(standard.scale[0] == static_cast<float>(std::sqrt(((21.0 * 21 + 20 * 20 + 19 * 19 + 18 * 18 + 78 * 78) / 5))),
             boost::test_tools::tolerance(1e-5f));
  Cohort test = train.subset({4});
  robust.apply(test);
  BOOST_TEST(test.x[0] == 48.5f);  // (100 - 3) / 2 with the training statistics
  BOOST_TEST(test.x[1] == 0.0f);
  auto t = TargetScaler::fit({0.2, 0.6, 0.4});
  auto y = t.apply({0.2, 0.6, 0.8});
  BOOST_TEST(y[0] == 0.0);
  BOOST_TEST(y[1] == 10.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(y[2] == 15.0, boost::test_tools::tolerance(1e-12));  // held-out values may leave [0,10]
}

BOOST_AUTO_TEST_CASE(folds_are_a_pure_function_of_ids_and_seed) {
  std::vector<std::string> ids;
  std::vector<double> y;
  for (int i = 0; i < 41; ++i) {
    ids.push_back("S" + std::to_string(i));
    y.push_back(std::sin(i * 1.7));
  }
  FoldOptions o{5, 400, true};
  auto f = assign_folds(ids, y, o);
  // Reversed input order: the same fold for every id.
  std::vector<std::string> rid(ids.rbegin(), ids.rend());
  std::vector<double> ry(y.rbegin(), y.rend());
  auto rf = assign_folds(rid, ry, o);
  for (std::size_t i = 0; i < ids.size(); ++i) BOOST_TEST(f[i] == rf[ids.size() - 1 - i]);
  // Balanced sizes and strata (above / not above the median).
  std::vector<double> s(y);
  std::sort(s.begin(), s.end());
  const double med = s[20];
  std::map<int, int> size, high;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    ++size[f[i]];
    high[f[i]] += y[i] > med;
  }
  for (int k = 0; k < 5; ++k) {
    BOOST_TEST((size[k] == 8 || size[k] == 9));
    BOOST_TEST((high[k] == 4 || high[k] == 5));
  }
  o.seed = 500;
  BOOST_TEST((assign_folds(ids, y, o) != f));
}

BOOST_AUTO_TEST_CASE(cv_split_partitions_and_depends_on_the_repeat) {
  Cohort c;
  for (int i = 0; i < 22; ++i) {
    c.ids.push_back("GS." + std::to_string(800 + i));
    c.y.push_back(i);
  }
  std::vector<int> seen(22, 0);
  for (int f = 0; f < 3; ++f)
    for (auto i : cv_split(c, Dataset::Gse, {3, 7, 0, f}).test) ++seen[i];
  BOOST_TEST(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
  BOOST_TEST((cv_split(c, Dataset::Gse, {3, 7, 0, 0}).test != cv_split(c, Dataset::Gse, {3, 7, 1, 0}).test));
  BOOST_TEST((cv_split(c, Dataset::Gse, {3, 7, 2, 1}).test == cv_split(c, Dataset::Gse, {3, 7, 2, 1}).test));
}

// edgeR's calcNormFactors drops all-zero genes first. Here six of them would move the upper
// quartiles enough to change the reference sample (1 without them, 0 with them).
BOOST_AUTO_TEST_CASE(tmm_ignores_all_zero_genes) {
  const std::vector<std::vector<double>> cols = {{47, 2, 34, 15, 49, 29, 32, 36},
                                                 {15, 23, 15, 44, 15, 49, 30, 19},
                                                 {60, 2, 27, 54, 59, 36, 60, 42}};
  ExprMatrix m;
  m.samples = {"a", "b", "c"};
  for (std::size_t g = 0; g < 8; ++g) {
    m.genes.push_back("G" + std::to_string(g));
    for (std::size_t s = 0; s < 3; ++s) m.values.push_back(cols[s][g]);
  }
  ExprMatrix z = m;
  for (int g = 0; g < 6; ++g) {
    z.genes.push_back("Z" + std::to_string(g));
    z.values.insert(z.values.end(), {0.0, 0.0, 0.0});
  }
  auto a = tmm_factors(m), b = tmm_factors(z);
  for (std::size_t s = 0; s < 3; ++s) BOOST_TEST(std::abs(a[s] - b[s]) < 1e-12);
}

// filterByExpr by hand (edgeR's rule, one group). Three samples, libraries 1000, 2000, 3000:
// median 2000, CPM cut-off 10 / 2000 × 1e6 = 5000, every sample must reach it (n = 3 < 10).
BOOST_AUTO_TEST_CASE(filter_by_expr_by_hand) {
  ExprMatrix m{{"g1", "g2", "g3", "g4"}, {"a", "b", "c"},
               {10, 20, 30,          // CPM 10000 in each: kept
                0, 0, 14,            // 4667 in one: dropped
                5, 5, 5,             // 5000, 2500, 1667: dropped (total 15 is enough)
                985, 1975, 2951}};   // kept
  auto k = filter_by_expr(m);
  BOOST_TEST(k == (std::vector<bool>{true, false, false, true}), boost::test_tools::per_element());
  BOOST_TEST(keep_genes(m, k).genes == (std::vector<std::string>{"g1", "g4"}),
             boost::test_tools::per_element());
  BOOST_TEST(keep_genes(m, k).values[3] == 985.0);
  // Twelve samples of library 1000: cut-off 10000 CPM = 10 reads, needed in
  // 10 + (12 - 10) × 0.7 = 11.4 samples, so in all twelve.
  ExprMatrix t;
  t.genes = {"in11", "in12", "low", "zero", "rest"};
  for (int s = 0; s < 12; ++s) t.samples.push_back("s" + std::to_string(s));
  t.values.resize(5 * 12);
  for (int s = 0; s < 12; ++s) {
    t.values[0 * 12 + s] = s == 0 ? 0 : 10;
    t.values[1 * 12 + s] = 10;
    t.values[2 * 12 + s] = s < 2 ? 7 : 0;  // total 14
    t.values[3 * 12 + s] = 0;
    t.values[4 * 12 + s] = 1000 - t.values[s] - t.values[12 + s] - t.values[24 + s];
  }
  BOOST_TEST(filter_by_expr(t) == (std::vector<bool>{false, true, false, false, true}),
             boost::test_tools::per_element());
  // The reference's call (min.count 0, min.prop 0.1): only the total count of 15 matters.
  FilterByExprOptions ref;
  ref.min_count = 0;
  ref.min_prop = 0.1;
  t.values[2 * 12 + 2] = 1;  // total 15 now
  BOOST_TEST(filter_by_expr(t, ref) == (std::vector<bool>{true, true, true, false, true}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
