// The report from fabricated task records: the paper's rows and columns, Table 4, the drug
// table, the figures, and what a partial store says.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "analysis/csv.hpp"
#include "analysis/ensemble.hpp"
#include "analysis/report.hpp"
#include "common/fs.hpp"

namespace ga = gbmsweep::analysis;
using gbmsweep::Predictions;
using gbmsweep::TaskRecord;
using gbmsweep::TaskResult;

namespace {

const std::vector<std::string> kPaperRows = {"DSC",        "DTI",        "Struct",        "DSC+DTI",
                                             "DSC+Struct", "DTI+Struct", "DSC+DTI+Struct"};

// An mri.ensemble record built the way the integrator's task will: fold models of every
// input through mri_ensembles. `signal` shifts methylated patients' probabilities up.
TaskRecord mri_record(const std::string& network, int seed, double signal, int patients = 30) {
  std::mt19937_64 rng(std::hash<std::string>{}(network) + seed);
  std::uniform_real_distribution<double> u(0, 1);
  // A per-patient effect shared by every model, so that ensembles do not become perfect.
  std::vector<double> patient(patients);
  std::mt19937_64 prng(99);
  for (auto& e : patient) e = 0.5 * (u(prng) - 0.5);
  std::vector<ga::MriModelPredictions> models;
  ga::EnsembleSpec spec;
  for (const auto& [group, inputs] : spec.groups)
    for (const auto& in : inputs)
      for (int fold = 0; fold < 2; ++fold) {
        Predictions p;
        p.name = "test";
        for (int i = 0; i < patients; ++i) {
          double label = i % 5 < 2;  // 40 % methylated
          p.ids.push_back("UPENN-GBM-" + std::to_string(10000 + i));
          p.labels.push_back(label);
          p.scores.push_back(std::clamp(0.35 + signal * label + patient[i] + 0.4 * (u(rng) - 0.5), 0.0, 1.0));
        }
        models.push_back({network, in, fold, p});
      }
  TaskRecord r;
  r.key = network + "-ens-" + std::to_string(seed);
  r.kind = "mri.ensemble";
  r.study = "mri";
  r.status = "done";
  r.params = {{"network", network}, {"seed_index", seed}, {"variant", nlohmann::json::object()}};
  r.result = TaskResult{};
  r.result->predictions = ga::mri_ensembles(models, spec);
  return r;
}

TaskRecord drug_record(const std::string& experiment, const char* source, std::vector<double> rho) {
  TaskRecord r;
  r.key = "drug-" + experiment + "-" + (source ? source : "none");
  r.kind = "drug.aggregate";
  r.study = "drug";
  r.status = "done";
  r.params = {{"experiment", experiment}, {"target", "GSE232173"}, {"repeats", rho.size()}};
  r.params["source"] = source ? nlohmann::json(source) : nlohmann::json(nullptr);
  r.result = TaskResult{};
  std::vector<double> rmse(rho.size(), 1.5);
  r.result->curves = {{"spearman", rho}, {"pearson", rho}, {"rmse", rmse}};
  return r;
}

std::string fresh_dir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() / ("gbmsweep_report_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  return d.string();
}

// Set GBMSWEEP_KEEP_TEST_OUTPUT=1 to look at the generated reports.
void keep_or_remove(const std::string& dir) {
  if (!std::getenv("GBMSWEEP_KEEP_TEST_OUTPUT")) std::filesystem::remove_all(dir);
}

std::vector<std::string> column(const ga::CsvTable& t, const std::string& name) {
  std::vector<std::string> v;
  for (const auto& r : t.rows) v.push_back(r[t.column(name)]);
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(report)

BOOST_AUTO_TEST_CASE(full_store_gives_the_paper_tables_and_figures) {
  std::vector<TaskRecord> records;
  for (int seed = 0; seed < 2; ++seed) {
    records.push_back(mri_record("spottune", seed, 0.25));
    records.push_back(mri_record("resnet_random", seed, 0.05));
    records.push_back(mri_record("resnet_transfer", seed, 0.0));
  }
  records.push_back(drug_record("two_step", "oxaliplatin", {0.5, 0.52, 0.49}));
  records.push_back(drug_record("two_step", "temozolomide", {0.3, 0.33, 0.31}));
  records.push_back(drug_record("gse_only", nullptr, {0.1, 0.2, 0.15}));
  records.push_back(drug_record("bench_mgmt", nullptr, {0.05}));
  records.push_back(drug_record("bench_elastic_net", nullptr, {0.2, 0.22}));
  records.push_back(drug_record("bench_random_forest", nullptr, {0.25, 0.2}));

  ga::ReportOptions o;
  o.out_dir = fresh_dir("full");
  auto s = ga::write_report(o, records);
  // Without gnuplot (scripts/install-deps.sh installs it) the report says so and has no figures.
  const bool gnuplot = !ga::png_terminal(o.plot).empty();
  if (gnuplot) {
    BOOST_TEST(s.completeness.empty(), "unexpected: " << (s.completeness.empty() ? "" : s.completeness[0]));
    for (const char* f : {"roc_DSC+DTI.png", "pr_DSC+DTI.svg", "roc_best.png", "roc_best.gp",
                          "cd_Best_overall.png", "cd_DSC.svg"})
      BOOST_TEST(std::filesystem::exists(o.out_dir + "/" + f), f);
  } else {
    BOOST_TEST_REQUIRE(s.completeness.size() == 1u);
    BOOST_TEST(s.completeness[0].find("gnuplot") != std::string::npos);
  }
  for (const char* f : {"report.md", "report.tex", "table1_spottune.csv", "table2_resnet_random.csv",
                        "table3_resnet_transfer.csv", "table4_friedman.csv", "table4_friedman_clipped.csv",
                        "table_drug.csv"})
    BOOST_TEST(std::filesystem::exists(o.out_dir + "/" + f), f);

  // Tables 1–3: the paper's columns and its seven rows first (then single inputs).
  auto t1 = ga::read_csv(o.out_dir + "/table1_spottune.csv");
  BOOST_TEST(t1.header == std::vector<std::string>({"Ensemble", "AUC", "AUC_sd", "AP", "AP_sd", "SEN",
                                                    "SEN_sd", "SPE", "SPE_sd", "n", "AUC 95% CI_lo",
                                                    "AUC 95% CI_hi", "AP 95% CI_lo", "AP 95% CI_hi"}),
             boost::test_tools::per_element());
  auto names = column(t1, "Ensemble");
  BOOST_TEST_REQUIRE(names.size() == 7u + 11u);
  BOOST_TEST(std::vector<std::string>(names.begin(), names.begin() + 7) == kPaperRows,
             boost::test_tools::per_element());
  // The planted signal: SpotTune separates the classes, so its DSC+DTI AUC is high.
  BOOST_TEST(t1.number(3, t1.column("AUC")) > 0.8);
  BOOST_TEST(t1.number(3, t1.column("AUC")) < 1.0);
  BOOST_TEST(t1.number(3, t1.column("AUC 95% CI_lo")) < t1.number(3, t1.column("AUC")));
  BOOST_TEST(t1.rows[3][t1.column("n")] == "30");

  // Table 4: every input set plus the best-overall row; SpotTune differs from the others.
  auto t4 = ga::read_csv(o.out_dir + "/table4_friedman.csv");
  auto sets = column(t4, "Input set");
  auto expect = kPaperRows;
  expect.push_back("Best overall");
  BOOST_TEST(sets == expect, boost::test_tools::per_element());
  BOOST_TEST(t4.header.size() == 5u + 3u);
  BOOST_TEST(t4.header[4] == "Friedman p < α");
  BOOST_TEST(t4.header[5] == "SpotTune vs Random init");
  BOOST_TEST(t4.number(3, t4.column("Friedman p")) < 0.05);
  BOOST_TEST(t4.number(3, t4.column("SpotTune vs Transferred")) < 0.05);
  BOOST_TEST(t4.rows[3][t4.column("blocks")] == "30");

  // Drug table: models first, then the benchmarks in order, Spearman mean ± sd.
  auto td = ga::read_csv(o.out_dir + "/table_drug.csv");
  auto exps = column(td, "Experiment");
  BOOST_TEST(exps == std::vector<std::string>({"two_step", "two_step", "gse_only", "bench_mgmt (benchmark)",
                                               "bench_elastic_net (benchmark)", "bench_random_forest (benchmark)"}),
             boost::test_tools::per_element());
  BOOST_TEST(td.number(0, td.column("Spearman")) == 0.5033333333, boost::test_tools::tolerance(1e-8));
  BOOST_TEST(td.number(0, td.column("Spearman_sd")) == 0.01527525232, boost::test_tools::tolerance(1e-8));
  BOOST_TEST(td.rows[1][td.column("Source drug")] == "temozolomide");
  BOOST_TEST(td.rows[3][td.column("Spearman_sd")] == "");  // one repeat: no sd

  std::string md = gbmsweep::fs::read_all(o.out_dir + "/report.md");
  BOOST_TEST(md.find("Mean ± sd over 2 seeds") != std::string::npos);
  if (gnuplot) BOOST_TEST(md.find("Every expected result is present") != std::string::npos);
  std::string tex = gbmsweep::fs::read_all(o.out_dir + "/report.tex");
  BOOST_TEST(tex.find("\\toprule") != std::string::npos);
  BOOST_TEST(tex.find("DSC+DTI+Struct") != std::string::npos);
  keep_or_remove(o.out_dir);

  // Seeds as Friedman blocks: one block per seed, scored by the seed's AUC.
  ga::ReportOptions seeds = o;
  seeds.out_dir = fresh_dir("seeds");
  seeds.plots = false;
  seeds.blocks = ga::ReportOptions::Blocks::Seeds;
  ga::write_report(seeds, records);
  auto t4s = ga::read_csv(seeds.out_dir + "/table4_friedman.csv");
  BOOST_TEST(t4s.rows[0][t4s.column("blocks")] == "2");
  keep_or_remove(seeds.out_dir);
}

BOOST_AUTO_TEST_CASE(partial_store_says_what_is_missing) {
  std::vector<TaskRecord> records;
  records.push_back(mri_record("spottune", 0, 0.2));
  TaskRecord r2 = mri_record("resnet_random", 0, 0.0, 28);  // two patients fewer
  // Drop the DTI group and its combinations from the random-init network.
  auto& preds = r2.result->predictions;
  preds.erase(std::remove_if(preds.begin(), preds.end(),
                             [](const Predictions& p) { return p.name.find("DTI") != std::string::npos; }),
              preds.end());
  records.push_back(r2);
  TaskRecord failed;
  failed.key = "k-failed";
  failed.kind = "mri.train";
  failed.name = "resnet_transfer T1 fold 3";
  failed.params = {{"network", "resnet_transfer"}, {"input", "T1"}, {"fold", 3}};
  failed.status = "failed";
  failed.error = "NaN loss at epoch 4";
  records.push_back(failed);
  TaskRecord short_drug = drug_record("gdsc_hgcc_gse", "oxaliplatin", {0.4, 0.5});
  short_drug.params["repeats"] = 3;
  records.push_back(short_drug);
  TaskRecord other_lr = drug_record("gdsc_hgcc_gse", "oxaliplatin", {0.2, 0.3});
  other_lr.params["variant"] = {{"drug.train.lr", 1e-4}};
  records.push_back(other_lr);
  TaskRecord odd = drug_record("gse", nullptr, {0.1});
  odd.key = "k-odd";
  odd.params["experiment"] = 7;  // not a string
  records.push_back(odd);
  TaskRecord pending;
  pending.key = "k-pending";
  pending.kind = "drug.aggregate";
  records.push_back(pending);

  ga::ReportOptions o;
  o.out_dir = fresh_dir("partial");
  o.plots = false;
  auto s = ga::write_report(o, records);
  auto has = [&](const std::string& part) {
    for (const auto& l : s.completeness)
      if (l.find(part) != std::string::npos) return true;
    return false;
  };
  BOOST_TEST(has("k-failed"));
  BOOST_TEST(has("NaN loss at epoch 4"));
  BOOST_TEST(has("k-pending"));
  BOOST_TEST(has("no finished mri.ensemble record for network resnet_transfer"));
  BOOST_TEST(has("ensemble DTI missing"));
  BOOST_TEST(has("Table 4 DTI: not computed"));
  BOOST_TEST(has("incomplete Friedman block(s)"));
  auto t2 = ga::read_csv(o.out_dir + "/table2_resnet_random.csv");
  BOOST_TEST(t2.rows[1][t2.column("AUC")] == "missing");
  auto t4 = ga::read_csv(o.out_dir + "/table4_friedman.csv");
  BOOST_TEST(t4.rows[0][t4.column("blocks")] == "28");
  BOOST_TEST(t4.rows[1][t4.column("blocks")] == "missing");
  std::string md = gbmsweep::fs::read_all(o.out_dir + "/report.md");
  BOOST_TEST(md.find("## Completeness") != std::string::npos);
  BOOST_TEST(has("2 of 3 repeats have a result"));
  BOOST_TEST(has("k-odd (drug.aggregate) ignored"));
  BOOST_TEST(has("benchmark bench_mgmt has no finished aggregate record"));
  auto td = ga::read_csv(o.out_dir + "/table_drug.csv");
  BOOST_TEST_REQUIRE(td.rows.size() == 2u);  // one row per grid variant
  BOOST_TEST(td.rows[0][td.column("Variant")] == "—");
  BOOST_TEST(td.rows[1][td.column("Variant")] == "{\"drug.train.lr\":0.0001}");
  keep_or_remove(o.out_dir);
}

BOOST_AUTO_TEST_CASE(drug_arms_get_a_paired_p_against_no_transfer) {
  // Target "gse": the arm "gse" is the reference. Per repeat, 2-step = gse + 0.11·k (k = 1..6,
  // all positive, distinct): V = 21, exact two-sided p = 2/64. Temozolomide: differences
  // 0.01, -0.02, 0.03, ..., 0.06: V = 21 − 2 = 19, p = 2·3/64 (see test_stats). Its record
  // lists the repeats in reverse order, so pairing must follow the "repeat" curve.
  const std::vector<double> base{0.10, 0.20, 0.15, 0.05, 0.12, 0.30};
  std::vector<double> two_step, tmz, ids{0, 1, 2, 3, 4, 5};
  const std::vector<double> tmz_delta{0.01, -0.02, 0.03, 0.04, 0.05, 0.06};
  for (int k = 0; k < 6; ++k) {
    two_step.push_back(base[k] + 0.11 * (k + 1));
    tmz.push_back(base[k] + tmz_delta[k]);
  }
  std::vector<double> tmz_rev(tmz.rbegin(), tmz.rend()), ids_rev(ids.rbegin(), ids.rend());
  std::vector<TaskRecord> records{drug_record("gse", nullptr, base),
                                  drug_record("gdsc_hgcc_gse", "oxaliplatin", two_step),
                                  drug_record("gdsc_hgcc_gse", "temozolomide", tmz_rev),
                                  drug_record("bench_mgmt", nullptr, {0.3, 0.4})};
  for (auto& r : records) r.params["target"] = "gse";
  for (int i = 0; i < 2; ++i) records[i].result->curves.push_back({"repeat", ids});
  records[2].result->curves.push_back({"repeat", ids_rev});
  ga::ReportOptions o;
  o.out_dir = fresh_dir("drug_p");
  o.plots = false;
  o.drug_benchmarks = {"bench_mgmt"};
  auto s = ga::write_report(o, records);
  auto td = ga::read_csv(o.out_dir + "/table_drug.csv");
  BOOST_TEST_REQUIRE(td.rows.size() == 4u);
  const std::size_t c = td.column("p vs no TL");
  BOOST_TEST(td.rows[0][c] == "reference");
  BOOST_TEST(td.number(1, c) == 2.0 / 64, boost::test_tools::tolerance(0.01));
  BOOST_TEST(td.number(2, c) == 6.0 / 64, boost::test_tools::tolerance(0.01));
  // The benchmark has 2 repeats against 6 and no repeat numbers: no pairs, said so.
  BOOST_TEST(td.rows[3][c] == "n/a");
  bool said = false;
  for (const auto& l : s.completeness) said |= l.find("no paired test") != std::string::npos;
  BOOST_TEST(said);
  keep_or_remove(o.out_dir);
}

BOOST_AUTO_TEST_CASE(empty_store_still_writes_a_report) {
  ga::ReportOptions o;
  o.out_dir = fresh_dir("empty");
  auto s = ga::write_report(o, {});
  BOOST_TEST(std::filesystem::exists(o.out_dir + "/report.md"));
  BOOST_TEST(s.completeness.size() >= 3u);
  keep_or_remove(o.out_dir);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(single_study_store_is_not_incomplete_for_the_other) {
  std::vector<TaskRecord> records;
  for (int i = 0; i < 3; ++i) {
    TaskRecord r;
    r.key = "p" + std::to_string(i);
    r.kind = "probe";
    r.study = "probe";
    r.status = "done";
    r.result = gbmsweep::TaskResult{};
    records.push_back(r);
  }
  ga::ReportOptions o;
  o.out_dir = fresh_dir("probe_only");
  o.plots = false;
  auto s = ga::write_report(o, records);
  BOOST_TEST(s.completeness.empty());
  records[1].status = "pending";
  BOOST_TEST(!ga::write_report(o, records).completeness.empty());
}

BOOST_AUTO_TEST_CASE(radiomics_row_sits_beside_the_struct_rows) {
  std::vector<TaskRecord> records;
  for (int seed = 0; seed < 2; ++seed) {
    records.push_back(mri_record("spottune", seed, 0.25));
    records.push_back(mri_record("resnet_random", seed, 0.05));
  }
  TaskRecord r;  // an mri.radiomics record as src/tasks/radiomics_task.cpp writes it
  r.key = "radiomics";
  r.kind = "mri.radiomics";
  r.study = "mri";
  r.status = "done";
  r.params = {{"bin_width", 25.0}, {"bin_origin", "zero"}, {"trees", 10000}, {"max_depth", 5},
              {"min_samples_leaf", 10}, {"seeds", {0, 1}}};
  r.result = TaskResult{};
  r.result->metrics = {{"train", 120}, {"test", 30}};
  r.result->extra = {
      {"seeds", {{{"n", 30}, {"auc", 0.6}, {"ap", 0.5}, {"sen", 0.25}, {"spe", 0.9}},
                 {{"n", 30}, {"auc", 0.7}, {"ap", 0.5}, {"sen", 0.35}, {"spe", 0.8}}}},
      {"skipped", {{{"id", "UPENN-GBM-00042_11"}, {"reason", "seg.nii.gz: no voxel of label 1"}}}}};
  records.push_back(r);
  ga::ReportOptions o;
  o.out_dir = fresh_dir("radiomics");
  o.plots = false;
  auto s = ga::write_report(o, records);
  auto t = ga::read_csv(o.out_dir + "/table1_radiomics.csv");
  BOOST_TEST_REQUIRE(t.rows.size() == 4u);  // ours, the paper's, SpotTune and Random init Struct
  BOOST_TEST(t.rows[0][0] == "Radiomics RF (this run)");
  BOOST_TEST(std::stod(t.rows[0][1]) == 0.65, boost::test_tools::tolerance(1e-9));  // mean AUC
  BOOST_TEST(t.rows[1][0] == "Radiomics RF (paper, published)");
  BOOST_TEST(std::stod(t.rows[1][1]) == 0.5764);
  BOOST_TEST(t.rows[2][0] == "SpotTune Struct (Table 1)");
  BOOST_TEST(t.rows[3][0] == "Random init Struct (Table 1)");
  std::string md = gbmsweep::fs::read_all(o.out_dir + "/report.md");
  BOOST_TEST(md.find("UPENN-GBM-00042_11") != std::string::npos);  // the patient left out
  for (const auto& line : s.completeness) BOOST_TEST(line.find("radiomics") == std::string::npos, line);
}
