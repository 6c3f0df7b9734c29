// Ensembles: the averaging chain, ID alignment, and the drug per-repeat aggregation.
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "analysis/ensemble.hpp"
#include "analysis/metrics.hpp"
#include "common/error.hpp"

namespace ga = gbmsweep::analysis;
using gbmsweep::Predictions;

namespace {
Predictions preds(std::vector<std::string> ids, std::vector<double> labels, std::vector<double> scores) {
  Predictions p;
  p.name = "test";
  p.ids = std::move(ids);
  p.labels = std::move(labels);
  p.scores = std::move(scores);
  return p;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(ensemble)

BOOST_AUTO_TEST_CASE(samples_then_ids_aligned) {
  Predictions a = preds({"p1", "p2"}, {1, 0}, {0, 0});
  a.samples = {{0.2f, 0.4f}, {0.5f, 0.7f, 0.9f}};
  Predictions m = ga::mean_over_samples(a);
  BOOST_TEST(m.samples.empty());
  BOOST_TEST(m.scores[0] == 0.3, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(m.scores[1] == 0.7, boost::test_tools::tolerance(1e-6));
  // Same IDs in another order: aligned by ID, not by position.
  Predictions b = preds({"p2", "p1"}, {0, 1}, {0.1, 0.5});
  Predictions e = ga::mean_predictions({m, b}, "e");
  BOOST_TEST(e.ids == std::vector<std::string>({"p1", "p2"}), boost::test_tools::per_element());
  BOOST_TEST(e.scores[0] == 0.4, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(e.scores[1] == 0.4, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(id_disagreement) {
  Predictions a = preds({"p1", "p2"}, {1, 0}, {0.2, 0.4});
  Predictions b = preds({"p1", "p3"}, {1, 0}, {0.6, 0.8});
  BOOST_CHECK_THROW(ga::mean_predictions({a, b}, "e"), gbmsweep::Error);
  Predictions i = ga::mean_predictions({a, b}, "e", ga::IdPolicy::Intersect);
  BOOST_TEST(i.ids == std::vector<std::string>({"p1"}), boost::test_tools::per_element());
  BOOST_TEST(i.scores[0] == 0.4, boost::test_tools::tolerance(1e-12));
  Predictions c = preds({"p1", "p2"}, {0, 0}, {0.2, 0.4});  // p1's label disagrees
  BOOST_CHECK_THROW(ga::mean_predictions({a, c}, "e"), gbmsweep::Error);
  Predictions sub = preds({"p1"}, {1}, {0.2});  // a subset is not the same set
  BOOST_CHECK_THROW(ga::mean_predictions({a, sub}, "e"), gbmsweep::Error);
}

BOOST_AUTO_TEST_CASE(mri_chain_inputs_groups_combinations) {
  // Each input's two folds score s and s + 0.2 on every patient: the input mean is s + 0.1.
  std::vector<ga::MriModelPredictions> models;
  ga::EnsembleSpec spec;
  spec.groups = {{"A", {"a1", "a2"}}, {"B", {"b1"}}, {"C", {"c1"}}};
  spec.combinations = {{"A", "B"}, {"A", "C"}};
  std::map<std::string, double> base{{"a1", 0.1}, {"a2", 0.3}, {"b1", 0.6}};
  for (const auto& [in, s] : base)
    for (int f = 0; f < 2; ++f)
      models.push_back({"spottune", in, f, preds({"p1", "p2"}, {1, 0}, {s + 0.2 * f, s + 0.2 * f})});
  auto out = ga::mri_ensembles(models, spec);
  std::vector<std::string> names;
  for (const auto& p : out) names.push_back(p.name);
  // C has no input present: it and A+C are skipped.
  BOOST_TEST(names == std::vector<std::string>({"a1", "a2", "b1", "A", "B", "A+B"}),
             boost::test_tools::per_element());
  BOOST_TEST(out[3].scores[0] == 0.3, boost::test_tools::tolerance(1e-12));  // (0.2 + 0.4) / 2
  BOOST_TEST(out[5].scores[1] == 0.5, boost::test_tools::tolerance(1e-12));  // (0.3 + 0.7) / 2
  // Only part of a group present is an error; so are duplicates and mixed networks.
  auto partial = models;
  partial.erase(partial.begin() + 2, partial.begin() + 4);  // drop a2
  BOOST_CHECK_THROW(ga::mri_ensembles(partial, spec), gbmsweep::Error);
  auto dup = models;
  dup.push_back(dup[0]);
  BOOST_CHECK_THROW(ga::mri_ensembles(dup, spec), gbmsweep::Error);
  auto mixed = models;
  mixed[0].network = "resnet_random";
  BOOST_CHECK_THROW(ga::mri_ensembles(mixed, spec), gbmsweep::Error);
}

BOOST_AUTO_TEST_CASE(paper_default_names) {
  ga::EnsembleSpec spec;
  std::vector<ga::MriModelPredictions> models;
  for (const auto& [g, inputs] : spec.groups)
    for (const auto& in : inputs)
      models.push_back({"spottune", in, 0, preds({"p1", "p2"}, {1, 0}, {0.7, 0.2})});
  auto out = ga::mri_ensembles(models, spec);
  BOOST_TEST(out.size() == 11u + 3u + 4u);
  BOOST_TEST(out.back().name == "DSC+DTI+Struct");
  BOOST_TEST(out[11].name == "DSC");
}

BOOST_AUTO_TEST_CASE(drug_repeats_pool_folds) {
  // Repeat 0: two folds that together predict the targets perfectly (Spearman 1, RMSE 0).
  // Repeat 1: one fold with constant predictions -> NaN correlation with a warning.
  std::vector<ga::RepeatFold> folds{
      {0, preds({"c1", "c2"}, {1, 2}, {1, 2})},
      {0, preds({"c3", "c4"}, {3, 4}, {3, 4})},
      {1, preds({"c1", "c2", "c3"}, {1, 2, 3}, {2, 2, 2})},
  };
  auto r = ga::aggregate_repeats(folds);
  BOOST_TEST(r.repeats == std::vector<int>({0, 1}), boost::test_tools::per_element());
  BOOST_TEST(r.samples == std::vector<int>({4, 3}), boost::test_tools::per_element());
  BOOST_TEST(r.spearman[0] == 1.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(r.rmse[0] == 0.0);
  BOOST_TEST(std::isnan(r.spearman[1]));
  BOOST_TEST(r.rmse[1] == std::sqrt(2.0 / 3.0), boost::test_tools::tolerance(1e-12));
  BOOST_TEST(r.warnings.size() == 2u);
  folds.push_back({0, preds({"c1"}, {1}, {1})});  // c1 out-of-fold twice in repeat 0
  BOOST_CHECK_THROW(ga::aggregate_repeats(folds), gbmsweep::Error);
  auto ms = ga::mean_sd({0.5, 0.7, std::nan("")});
  BOOST_TEST(ms.n == 2);
  BOOST_TEST(ms.mean == 0.6, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(ms.sd == std::sqrt(0.02), boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(task_results_for_the_integrator) {
  auto mri = ga::mri_ensemble_result({preds({"p1", "p2", "p3"}, {1, 0, 1}, {0.9, 0.2, 0.4}),
                                      preds({"p1", "p2"}, {1, 1}, {0.9, 0.2})});
  BOOST_TEST(mri.predictions.size() == 2u);
  BOOST_TEST(mri.metrics["test.auc"].get<double>() == 1.0);
  BOOST_TEST(mri.metrics["test.sen"].get<double>() == 0.5);
  BOOST_TEST(mri.extra["warnings"].size() == 1u);  // the second set has one class only
  ga::RepeatMetrics rm;
  rm.repeats = {0, 1};
  rm.spearman = {0.5, 0.7};
  rm.pearson = {0.4, std::nan("")};
  rm.rmse = {1, 1};
  auto drug = ga::drug_aggregate_result(rm);
  BOOST_TEST(drug.curves.size() == 4u);
  BOOST_TEST(drug.metrics["spearman_mean"].get<double>() == 0.6, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(drug.metrics["spearman_sd"].get<double>() == std::sqrt(0.02), boost::test_tools::tolerance(1e-12));
  BOOST_TEST(drug.metrics["pearson_mean"].get<double>() == 0.4);
  BOOST_TEST(!drug.metrics.contains("pearson_sd"));  // one defined repeat
  BOOST_TEST(drug.metrics["repeats"] == 2);
}

BOOST_AUTO_TEST_CASE(report_rows_put_the_papers_groups_first) {
  using gbmsweep::json;
  // A sweep with the paper's Struct and DSC (not DTI), two groups of its own and combinations.
  const json groups = {{"Struct", {"T1", "T2"}},
                       {"Perf", {"DSC_PH"}},
                       {"DSC", {"DSC_ap-rCBV"}},
                       {"Alpha", {"FLAIR"}}};
  // json::array: a list of string pairs would otherwise be read as an object.
  const json combinations = json::array({json::array({"Struct", "DSC"}),
                                         json::array({"Perf", "DSC", "Alpha"})});
  const std::vector<std::string> expected = {"DSC",        "Struct",         "Alpha", "Perf",
                                             "Struct+DSC", "Perf+DSC+Alpha"};
  BOOST_TEST(ga::ensemble_order(groups, combinations) == expected, boost::test_tools::per_element());
  // The paper's sweep gives the paper's seven rows, the report's defaults.
  const json paper_groups = {{"DSC", {"a"}}, {"DTI", {"b"}}, {"Struct", {"c"}}};
  const json paper_combinations =
      json::array({json::array({"DSC", "DTI"}), json::array({"DSC", "Struct"}),
                   json::array({"DTI", "Struct"}), json::array({"DSC", "DTI", "Struct"})});
  const std::vector<std::string> seven = {"DSC",        "DTI",        "Struct",        "DSC+DTI",
                                          "DSC+Struct", "DTI+Struct", "DSC+DTI+Struct"};
  BOOST_TEST(ga::ensemble_order(paper_groups, paper_combinations) == seven,
             boost::test_tools::per_element());
  BOOST_TEST(ga::ensemble_order(json::object(), json::array()).empty());
}

BOOST_AUTO_TEST_SUITE_END()
