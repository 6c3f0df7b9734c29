// ComBat-seq (sva defaults: no EB shrinkage) on hand-made matrices whose expected values
// follow from the model's formulas (no R/sva here to compare with).
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "common/error.hpp"
#include "drug/combat_seq.hpp"
#include "drug/prep.hpp"

using namespace gbmsweep::drug;

namespace {

// 6 genes x 6 samples, batches A (s1-s3) and B (s4-s6). The library sizes (column sums over
// the genes expressed in every batch, i.e. without g3 and g4) are all 200,000 (g1 takes up
// the rest), so the per-batch NB mean fit is exact: beta_gb = log(mean_gb / 2e5).
//   g1 filler (~199,000), g2 = A (100, 140, 180) and B = 3 x A, g3 all zero,
//   g4 zero in batch A, g5 only 0/1 counts, g6 no batch effect.
ExprMatrix six_by_six() {
  ExprMatrix m;
  m.genes = {"g1", "g2", "g3", "g4", "g5", "g6"};
  m.samples = {"s1", "s2", "s3", "s4", "s5", "s6"};
  const double rows[5][6] = {{100, 140, 180, 300, 420, 540},
                             {0, 0, 0, 0, 0, 0},
                             {0, 0, 0, 5, 10, 7},
                             {0, 1, 0, 1, 1, 0},
                             {50, 70, 60, 55, 65, 62}};
  m.values.assign(36, 0);
  for (int j = 0; j < 6; ++j) {
    double rest = 0;
    for (int g = 0; g < 5; ++g) {
      m.values[(g + 1) * 6 + j] = rows[g][j];
      if (g != 2) rest += rows[g][j];  // g4 is set aside: not in sva's library sizes
    }
    m.values[j] = 200000 - rest;
  }
  return m;
}

const std::vector<std::string> two_batches = {"A", "A", "A", "B", "B", "B"};

double batch_mean(const ExprMatrix& m, std::size_t g, int first) {
  return (m.at(g, first) + m.at(g, first + 1) + m.at(g, first + 2)) / 3;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(combat_seq_suite)

BOOST_AUTO_TEST_CASE(one_batch_is_the_identity) {
  // One batch: alpha = beta, gamma = 0, mu* = mu, phi* = phi, so the quantile map sends every
  // count to itself (1 + qnbinom(pnbinom(y - 1)) = y).
  const ExprMatrix m = six_by_six();
  const ExprMatrix out = combat_seq(m, std::vector<std::string>(6, "only"));
  BOOST_TEST(out.values == m.values, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(scaled_gene_batch_means_coincide) {
  const ExprMatrix m = six_by_six();
  CombatSeqFit fit;
  const ExprMatrix out = combat_seq(m, two_batches, {}, &fit);
  BOOST_TEST(fit.batches == (std::vector<std::string>{"A", "B"}));
  // Equal libraries: beta_B - beta_A = log 3 exactly, alpha their mean (3 + 3 samples), so
  // gamma_A = -log(3)/2, gamma_B = +log(3)/2.
  BOOST_TEST(fit.gamma[1 * 2 + 0] == -std::log(3.0) / 2, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(fit.gamma[1 * 2 + 1] == std::log(3.0) / 2, boost::test_tools::tolerance(1e-9));
  // Both batches move to mu* = sqrt(140 * 420) = 242.5: the adjusted batch means agree within
  // 10 % of each other and of mu* (the counts are discrete and the dispersions differ).
  const double a = batch_mean(out, 1, 0), b = batch_mean(out, 1, 3);
  const double mu_star = std::sqrt(140.0 * 420.0);
  BOOST_TEST(std::abs(a - b) / mu_star < 0.10);
  BOOST_TEST(std::abs(a - mu_star) / mu_star < 0.10);
  BOOST_TEST(std::abs(b - mu_star) / mu_star < 0.10);
  // The two batches' counts are the same quantiles of their batch's NB, so they map to
  // (nearly) the same adjusted counts: 174, 243, 312 in both here.
  for (int k = 0; k < 3; ++k) BOOST_TEST(std::abs(out.at(1, k) - out.at(1, k + 3)) <= 2.0);
  // Order within a batch is kept (the quantile map is monotone).
  BOOST_TEST(out.at(1, 0) < out.at(1, 1));
  BOOST_TEST(out.at(1, 1) < out.at(1, 2));
  BOOST_TEST(out.at(1, 3) < out.at(1, 4));
}

BOOST_AUTO_TEST_CASE(zero_rows_small_counts_and_integers) {
  const ExprMatrix m = six_by_six();
  CombatSeqFit fit;
  const ExprMatrix out = combat_seq(m, two_batches, {}, &fit);
  for (std::size_t j = 0; j < 6; ++j) {
    BOOST_TEST(out.at(2, j) == 0.0);          // all-zero gene stays zero
    BOOST_TEST(out.at(3, j) == m.at(3, j));   // zero in batch A: not adjusted (sva)
    BOOST_TEST(out.at(4, j) == m.at(4, j));   // counts <= 1 are kept (match_quantiles)
  }
  BOOST_TEST(!fit.adjusted[2]);
  BOOST_TEST(!fit.adjusted[3]);
  BOOST_TEST(fit.adjusted[1]);
  for (double v : out.values) {
    BOOST_TEST(v >= 0.0);
    BOOST_TEST(v == std::floor(v));
  }
  // No batch effect on g6 (batch means 60 and 60.67): counts move by a few at most.
  for (std::size_t j = 0; j < 6; ++j) BOOST_TEST(std::abs(out.at(5, j) - m.at(5, j)) <= 3.0);
}

BOOST_AUTO_TEST_CASE(simulated_batch_effect_is_removed) {
  // 300 genes, 2 batches of 6; NB(mean 50-500, dispersion 0.1); batch B has 3x the mean on the
  // first 100 genes. After ComBat-seq the median |log(mean_B / mean_A)| of those genes (of
  // count / library size) drops from about log(3 / 1.67) to well under log 1.1.
  SplitMix64 r(17);
  ExprMatrix m;
  const int G = 300, S = 12;
  for (int j = 0; j < S; ++j) m.samples.push_back("s" + std::to_string(j));
  std::vector<std::string> batch;
  for (int j = 0; j < S; ++j) batch.push_back(j < 6 ? "A" : "B");
  for (int g = 0; g < G; ++g) {
    m.genes.push_back("g" + std::to_string(g));
    const double mu = 50 + 450 * r.uniform();
    for (int j = 0; j < S; ++j) {
      const double mean = mu * (g < 100 && j >= 6 ? 3 : 1);
      // NB as a gamma-Poisson mixture: gamma(shape 10, scale mean/10), then Poisson.
      double lambda = 0;
      for (int k = 0; k < 10; ++k) lambda += -std::log(1 - r.uniform());
      lambda *= mean / 10;
      double count = 0, t = 0;
      for (;;) {  // Poisson by exponential waiting times (lambda is at most ~4,000)
        t += -std::log(1 - r.uniform());
        if (t > lambda) break;
        count += 1;
      }
      m.values.push_back(count);
    }
  }
  // On the per-library scale: ComBat-seq keeps each sample's library size (mu* = lib ·
  // exp(alpha)), and batch B's libraries are larger (3x on a third of the genes).
  std::vector<double> lib(S, 0.0);
  for (int j = 0; j < S; ++j)
    for (int g = 0; g < G; ++g) lib[j] += m.at(g, j);
  auto log_ratio = [&](const ExprMatrix& x, int g) {
    double a = 0, b = 0;
    for (int j = 0; j < S; ++j) (j < 6 ? a : b) += x.at(g, j) / lib[j];
    return std::abs(std::log(b / a));
  };
  auto median_ratio = [&](const ExprMatrix& x) {
    std::vector<double> v;
    for (int g = 0; g < 100; ++g) v.push_back(log_ratio(x, g));
    std::sort(v.begin(), v.end());
    return (v[49] + v[50]) / 2;
  };
  CombatSeqFit fit;
  const ExprMatrix out = combat_seq(m, batch, {}, &fit);
  BOOST_TEST(median_ratio(m) > std::log(1.5));
  BOOST_TEST(median_ratio(out) < std::log(1.1));
  // The common dispersion per batch is close to the simulated 0.1.
  for (double c : fit.common_dispersion) BOOST_TEST(std::abs(c - 0.1) < 0.05);
}

BOOST_AUTO_TEST_CASE(bad_batches) {
  const ExprMatrix m = six_by_six();
  BOOST_CHECK_THROW(combat_seq(m, {"A", "A", "A", "B", "B"}), gbmsweep::Error);
  // A batch of one sample is refused, as sva does.
  BOOST_CHECK_THROW(combat_seq(m, {"A", "A", "A", "A", "A", "B"}), gbmsweep::Error);
}

BOOST_AUTO_TEST_CASE(batch_table_reading) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "gbmsweep_combat_seq_test";
  fs::create_directories(dir);
  const std::string path = (dir / "batches.csv").string();
  {
    std::ofstream f(path, std::ios::binary);
    f << "\xEF\xBB\xBFsample,batch\r\nGS.1,run1\r\nGS.2,run2\r\n3,run1\r\nGS4,run2\r\n";
  }
  const auto t = read_batch_table(path);
  BOOST_TEST(t.size() == 4u);
  BOOST_TEST(t[0].first == "GS.1");
  BOOST_TEST(t[1].second == "run2");
  const auto b = batches_for(t, {"GS.2", "GS.1"}, path);
  BOOST_TEST(b == (std::vector<std::string>{"run2", "run1"}));
  // "3" and "GS4" name GS.3 and GS.4, as in the response table.
  BOOST_TEST(batches_for(t, {"GS.3", "GS.4"}, path) == (std::vector<std::string>{"run1", "run2"}));
  try {
    batches_for(t, {"GS.1", "GS.9"}, path);
    BOOST_FAIL("no throw");
  } catch (const gbmsweep::InputError& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("GS.9") != std::string::npos);
    BOOST_TEST(what.find("batches.csv") != std::string::npos);
  }
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
