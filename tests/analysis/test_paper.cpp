// Issue 16 in the analysis: flat combination ensembles, SEN/SPE bootstrap intervals, Table 4
// with a Nemenyi p on every row, the best-overall rule, and the published values beside ours.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "analysis/csv.hpp"
#include "analysis/ensemble.hpp"
#include "analysis/metrics.hpp"
#include "analysis/paper_values.hpp"
#include "analysis/report.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"

namespace ga = gbmsweep::analysis;
using gbmsweep::Predictions;
using gbmsweep::TaskRecord;
using gbmsweep::TaskResult;

namespace {

Predictions preds(const std::vector<double>& scores, const std::vector<double>& labels) {
  Predictions p;
  p.name = "test";
  for (std::size_t i = 0; i < scores.size(); ++i) p.ids.push_back("P" + std::to_string(i));
  p.scores = scores;
  p.labels = labels;
  return p;
}

// An mri.ensemble record of `network`: every input of the paper's groups, two folds; inputs
// of the groups in `strong` carry `signal`, the others a tenth of it.
TaskRecord record(const std::string& network, double signal, const std::string& strong,
                  int patients = 40) {
  std::mt19937_64 rng(std::hash<std::string>{}(network));
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<ga::MriModelPredictions> models;
  ga::EnsembleSpec spec;
  for (const auto& [group, inputs] : spec.groups)
    for (const auto& in : inputs)
      for (int fold = 0; fold < 2; ++fold) {
        const double s = strong.find(group) != std::string::npos ? signal : signal / 10;
        std::vector<double> scores, labels;
        for (int i = 0; i < patients; ++i) {
          labels.push_back(i % 5 < 2);
          scores.push_back(std::clamp(0.4 + s * labels.back() + 0.5 * (u(rng) - 0.5), 0.0, 1.0));
        }
        models.push_back({network, in, fold, preds(scores, labels)});
      }
  TaskRecord r;
  r.key = network + "-ens";
  r.kind = "mri.ensemble";
  r.study = "mri";
  r.status = "done";
  r.params = {{"network", network}, {"seed_index", 0}, {"variant", nlohmann::json::object()}};
  r.result = TaskResult{};
  r.result->predictions = ga::mri_ensembles(models, spec);
  return r;
}

const Predictions& named(const TaskRecord& r, const std::string& name) {
  for (const auto& p : r.result->predictions)
    if (p.name == name) return p;
  BOOST_FAIL("no ensemble " << name);
  throw;
}

std::string fresh_dir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() /
           ("gbmsweep_paper_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  return d.string();
}

std::size_t row_of(const ga::CsvTable& t,
                   std::initializer_list<std::pair<const char*, std::string>> match) {
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    bool ok = true;
    for (const auto& [col, v] : match) ok &= t.rows[r][t.column(col)] == v;
    if (ok) return r;
  }
  BOOST_FAIL("no matching row in " << t.path);
  return 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(paper_analysis)

BOOST_AUTO_TEST_CASE(flat_combination_weighs_every_input_equally) {
  // DSC: 3 inputs scoring 0.9; DTI: 4 inputs scoring 0.1 (one patient of each class).
  std::vector<ga::MriModelPredictions> models;
  for (const char* in : {"DSC_ap-rCBV", "DSC_PH", "DSC_PSR"})
    models.push_back({"spottune", in, 0, preds({0.9, 0.9}, {1, 0})});
  for (const char* in : {"DTI_AD", "DTI_FA", "DTI_RD", "DTI_TR"})
    models.push_back({"spottune", in, 0, preds({0.1, 0.1}, {1, 0})});
  ga::EnsembleSpec spec;
  spec.groups.resize(2);
  spec.combinations = {{"DSC", "DTI"}};
  auto find = [](const std::vector<Predictions>& v, const std::string& n) {
    for (const auto& p : v)
      if (p.name == n) return p;
    BOOST_FAIL("no " << n);
    throw;
  };
  auto groups = find(ga::mri_ensembles(models, spec), "DSC+DTI");
  BOOST_TEST(groups.scores[0] == 0.5, boost::test_tools::tolerance(1e-12));  // (0.9 + 0.1) / 2
  spec.combine = ga::parse_combine("flat");
  auto flat = find(ga::mri_ensembles(models, spec), "DSC+DTI");
  BOOST_TEST(flat.scores[0] == (3 * 0.9 + 4 * 0.1) / 7, boost::test_tools::tolerance(1e-12));
  BOOST_CHECK_THROW(ga::parse_combine("weighted"), gbmsweep::Error);
}

BOOST_AUTO_TEST_CASE(bootstrap_gives_sen_and_spe_intervals) {
  std::vector<double> labels, scores;
  for (int i = 0; i < 60; ++i) {
    labels.push_back(i % 3 == 0);
    scores.push_back(0.3 + 0.3 * labels.back() + 0.01 * (i % 7));
  }
  ga::BootstrapOptions o;
  o.resamples = 500;
  o.threshold = 0.45;
  auto a = ga::bootstrap_auc_ap(labels, scores, o), b = ga::bootstrap_auc_ap(labels, scores, o);
  auto th = ga::threshold_metrics(labels, scores, 0.45);
  BOOST_TEST(a.sen.lo == b.sen.lo);  // seeded
  BOOST_TEST(a.sen.lo <= th.sen);
  BOOST_TEST(th.sen <= a.sen.hi);
  BOOST_TEST(a.spe.lo <= th.spe);
  BOOST_TEST(th.spe <= a.spe.hi);
  o.threshold = 0.62;  // between the classes' tops: fewer positives predicted
  BOOST_TEST(ga::bootstrap_auc_ap(labels, scores, o).sen.hi < a.sen.lo);
}

BOOST_AUTO_TEST_CASE(table4_has_every_nemenyi_p_and_picks_the_best_overall) {
  // SpotTune strong on DTI only; the others weak everywhere: some rows are not significant.
  std::vector<TaskRecord> records = {record("spottune", 0.5, "DTI"),
                                     record("resnet_random", 0.08, "DSC DTI Struct"),
                                     record("resnet_transfer", 0.1, "DSC DTI Struct")};
  ga::ReportOptions o;
  o.out_dir = fresh_dir("table4");
  o.plots = false;
  o.bootstrap.resamples = 200;
  ga::write_report(o, records);
  auto t4 = ga::read_csv(o.out_dir + "/table4_friedman.csv");
  const std::string md = gbmsweep::fs::read_all(o.out_dir + "/report.md");
  int not_significant = 0;
  for (std::size_t r = 0; r < t4.rows.size(); ++r) {
    const bool sig = t4.number(r, t4.column("Friedman p")) < o.alpha;
    BOOST_TEST(t4.rows[r][t4.column("Friedman p < α")] == (sig ? "yes" : "no"));
    for (const char* pair : {"SpotTune vs Random init", "Random init vs Transferred",
                             "SpotTune vs Transferred"}) {
      const double p = t4.number(r, t4.column(pair));  // a number on every row
      BOOST_TEST((p >= 0 && p <= 1));
    }
    not_significant += !sig;
  }
  BOOST_TEST(not_significant > 0);
  BOOST_TEST(md.find("†") != std::string::npos);
  // Best overall from the results: each network's highest-AUC paper row.
  std::string expect = " Best overall (each network's highest-AUC ensemble):";
  const std::vector<std::string> rows = {"DSC", "DTI", "Struct", "DSC+DTI", "DSC+Struct",
                                         "DTI+Struct", "DSC+DTI+Struct"};
  const std::vector<std::string> labels = {"SpotTune", "Random init", "Transferred"};
  for (std::size_t k = 0; k < records.size(); ++k) {
    std::string best;
    double best_auc = -1;
    for (const auto& e : rows) {
      const auto& p = named(records[k], e);
      const double a = ga::roc_auc(p.labels, p.scores);
      if (a > best_auc) best_auc = a, best = e;
    }
    expect += " " + labels[k] + " " + best + ";";
  }
  BOOST_TEST(md.find(expect) != std::string::npos, expect);
  BOOST_TEST(expect.find("SpotTune DSC+DTI;") == std::string::npos);  // the options differ here
  // The paper's fixed picks as an option.
  o.best_overall_rule = ga::ReportOptions::BestOverall::Fixed;
  o.out_dir = fresh_dir("table4_fixed");
  ga::write_report(o, records);
  const std::string fixed = gbmsweep::fs::read_all(o.out_dir + "/report.md");
  BOOST_TEST(fixed.find("(fixed picks, report.best_overall): SpotTune DSC+DTI; Random init "
                        "Struct; Transferred DTI;") != std::string::npos);
  auto t4f = ga::read_csv(o.out_dir + "/table4_friedman.csv");
  BOOST_TEST(t4f.rows.back()[t4f.column("Friedman p")] != t4.rows.back()[t4.column("Friedman p")]);
  if (!std::getenv("GBMSWEEP_KEEP_TEST_OUTPUT")) std::filesystem::remove_all(o.out_dir);
}

BOOST_AUTO_TEST_CASE(published_values_beside_ours) {
  std::vector<TaskRecord> records = {record("spottune", 0.3, "DSC DTI"),
                                     record("resnet_random", 0.1, "Struct"),
                                     record("resnet_transfer", 0.1, "DTI")};
  ga::ReportOptions o;
  o.out_dir = fresh_dir("beside");
  o.plots = false;
  o.bootstrap.resamples = 300;
  // Without a study to compare with (the synthetic demo): nothing pretends to be comparable.
  ga::write_report(o, records);
  BOOST_TEST(!std::filesystem::exists(o.out_dir + "/paper_tables1-3.csv"));
  BOOST_TEST(gbmsweep::fs::read_all(o.out_dir + "/report.md")
                 .find("Published values are not shown") != std::string::npos);

  o.compare = "mgmt_paper";
  ga::write_report(o, records);
  const ga::PublishedStudy* paper = ga::published_study("mgmt_paper");
  BOOST_REQUIRE(paper);
  BOOST_TEST(paper->metrics.size() == 21u);
  auto t = ga::read_csv(o.out_dir + "/paper_tables1-3.csv");
  BOOST_TEST(t.rows.size() == 21u * 4u);
  const Predictions& p = named(records[0], "DSC+DTI");
  std::size_t r = row_of(t, {{"Network", "SpotTune"}, {"Ensemble", "DSC+DTI"}, {"Metric", "AUC"}});
  const double ours = ga::roc_auc(p.labels, p.scores);
  BOOST_TEST(t.number(r, t.column("Paper")) == 0.6604);
  BOOST_TEST(t.number(r, t.column("Ours")) == ours, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(t.number(r, t.column("Δ (ours − paper)")) == ours - 0.6604,
             boost::test_tools::tolerance(1e-9));
  const double lo = t.number(r, t.column("Ours 95% CI_lo"));
  const double hi = t.number(r, t.column("Ours 95% CI_hi"));
  BOOST_TEST((lo <= ours && ours <= hi));
  BOOST_TEST(t.rows[r][t.column("Paper in CI")] == (lo <= 0.6604 && 0.6604 <= hi ? "yes" : "no"));
  r = row_of(t, {{"Network", "Transferred"}, {"Ensemble", "Struct"}, {"Metric", "SPE"}});
  BOOST_TEST(t.number(r, t.column("Paper")) == 0.4242);
  auto sen = ga::threshold_metrics(named(records[2], "Struct").labels,
                                   named(records[2], "Struct").scores, 0.5);
  BOOST_TEST(t.number(r, t.column("Ours")) == sen.spe, boost::test_tools::tolerance(1e-9));

  auto t4 = ga::read_csv(o.out_dir + "/paper_table4.csv");
  BOOST_TEST(t4.rows.size() == 8u * 4u);
  auto ours4 = ga::read_csv(o.out_dir + "/table4_friedman.csv");
  r = row_of(t4, {{"Input set", "DSC+DTI"}, {"Test", "Friedman"}});
  BOOST_TEST(t4.number(r, t4.column("Paper p")) == 0.0131);
  BOOST_TEST(t4.rows[r][t4.column("Ours p")] ==
             ours4.rows[row_of(ours4, {{"Input set", "DSC+DTI"}})][ours4.column("Friedman p")]);
  r = row_of(t4, {{"Input set", "DSC"}, {"Test", "SpotTune vs Transfer"}});
  BOOST_TEST(t4.number(r, t4.column("Paper p")) == 0.9);
  auto clipped = ga::read_csv(o.out_dir + "/table4_friedman_clipped.csv");
  BOOST_TEST(t4.rows[r][t4.column("Ours p (psturng form)")] ==
             clipped.rows[0][clipped.column("SpotTune vs Transferred")]);
  const std::string md = gbmsweep::fs::read_all(o.out_dir + "/report.md");
  BOOST_TEST(md.find("The paper beside us") != std::string::npos);
  BOOST_TEST(md.find("Schmitz, Guo & Wang") != std::string::npos);
  o.compare = "nature";
  BOOST_TEST(!ga::write_report(o, records).completeness.empty());
  BOOST_CHECK_THROW(ga::published_study("nature"), gbmsweep::Error);
  if (!std::getenv("GBMSWEEP_KEEP_TEST_OUTPUT")) std::filesystem::remove_all(o.out_dir);
}

BOOST_AUTO_TEST_SUITE_END()
