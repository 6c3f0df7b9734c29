// On synthetic data with a planted programme, 2-step transfer (GDSC oxaliplatin -> HGCC ->
// GSE232173) beats training on GSE232173 alone over the CV repeats, by a one-sided paired
// Wilcoxon signed-rank test on the per-repeat pooled Spearman; on null data it does not.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

#include <Rmath.h>

#include "analysis/metrics.hpp"
#include "drug/experiment.hpp"
#include "drug/synth.hpp"
#include "fixtures.hpp"

using namespace gbmsweep;
using namespace gbmsweep::drug;

namespace {

struct Comparison {
  std::vector<double> transfer, scratch;  // pooled Spearman per repeat
  double p_value;                         // H1: transfer > scratch
};

// Exact one-sided Wilcoxon signed-rank p-value P(V >= v) for the paired differences.
double signed_rank_p(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> d;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) d.push_back(a[i] - b[i]);
  std::vector<std::size_t> idx(d.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](auto x, auto y) { return std::abs(d[x]) < std::abs(d[y]); });
  double v = 0;
  for (std::size_t r = 0; r < idx.size(); ++r)
    if (d[idx[r]] > 0) v += r + 1;
  return psignrank(v - 1, d.size(), 0, 0);
}

// One replicate = a fresh synthetic cohort (seed + r) and one 3-fold CV of GSE232173 on it;
// replicates are independent, unlike CV repeats on one fixed cohort (see docs/drug-study.md).
Comparison compare(double signal, std::uint64_t seed, int replicates) {
  Comparison c;
  for (int r = 0; r < replicates; ++r) {
    drugtest::TempDir dir("stat_" + std::to_string(static_cast<int>(signal * 10)) + "_" +
                          std::to_string(r));
    SynthDrugOptions so;
    so.out_dir = dir.path.string();
    so.seed = seed + r;
    so.signal = signal;
    so.genes = 200;
    so.gdsc_lines = 300;
    so.lines_per_drug = 250;
    ReadOptions ro;
    ro.gene_map = write_synthetic_drug_data(so).gene_map;

    DrugData data(so.out_dir, ro);
    MlpOptions mo;  // the paper's model and training, narrower first layer for test speed
    mo.hidden = {200, 50};
    TrainOptions to;
    Step gdsc{Dataset::Gdsc, "oxaliplatin"}, hgcc{Dataset::Hgcc, ""}, gse{Dataset::Gse, ""};
    auto step1 = pretrain(data.cohort(gdsc, GeneChoice::Shared), Dataset::Gdsc, mo, to, 11, nullptr);
    auto l1 = step1.model.first_layer();
    l1.genes = data.shared_genes();
    auto step2 = pretrain(data.cohort(hgcc, GeneChoice::Shared), Dataset::Hgcc, mo, to, 12, &l1);
    auto l2 = step2.model.first_layer();
    l2.genes = data.shared_genes();

    const Cohort target = data.cohort(gse, GeneChoice::Shared);
    std::vector<double> obs_t, pred_t, obs_s, pred_s;
    for (int f = 0; f < 3; ++f) {
      CvSpec cv{3, 100u, r, f};
      auto split = cv_split(target, Dataset::Gse, cv);
      auto t = run_mlp_fold(target, Dataset::Gse, split, mo, to, 1000 + 10 * r + f, &l2);
      auto s = run_mlp_fold(target, Dataset::Gse, split, mo, to, 1000 + 10 * r + f, nullptr);
      obs_t.insert(obs_t.end(), t.observed.begin(), t.observed.end());
      pred_t.insert(pred_t.end(), t.predicted.begin(), t.predicted.end());
      obs_s.insert(obs_s.end(), s.observed.begin(), s.observed.end());
      pred_s.insert(pred_s.end(), s.predicted.begin(), s.predicted.end());
    }
    c.transfer.push_back(analysis::spearman(obs_t, pred_t));
    c.scratch.push_back(analysis::spearman(obs_s, pred_s));
  }
  c.p_value = signed_rank_p(c.transfer, c.scratch);
  const double n = c.transfer.size();
  double mt = std::accumulate(c.transfer.begin(), c.transfer.end(), 0.0) / n;
  double ms = std::accumulate(c.scratch.begin(), c.scratch.end(), 0.0) / n;
  BOOST_TEST_MESSAGE("signal " << signal << ": mean Spearman 2-step " << mt << ", GSE only "
                               << ms << ", Wilcoxon p " << c.p_value);
  return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(transfer_statistics)

BOOST_AUTO_TEST_CASE(two_step_beats_no_transfer_with_signal) {
  auto c = compare(1.5, 7, 10);
  BOOST_TEST(c.p_value < 0.05);
}

BOOST_AUTO_TEST_CASE(two_step_does_not_beat_no_transfer_on_null_data) {
  auto c = compare(0.0, 7, 10);
  BOOST_TEST(c.p_value >= 0.05);
}

BOOST_AUTO_TEST_SUITE_END()
