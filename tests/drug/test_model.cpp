// The drug MLP: initialisation, transfer of layer 1, fine-tuning, save/load, importance;
// benchmarks and gene-set enrichment.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>

#include "analysis/metrics.hpp"
#include "common/error.hpp"
#include "drug/benchmarks.hpp"
#include "drug/importance.hpp"
#include "drug/model.hpp"
#include "fixtures.hpp"

using namespace gbmsweep;
using namespace gbmsweep::drug;

namespace {

// y = x0 - x1 + 0.5 x2 + noise over `p` standard-normal genes.
Cohort linear_cohort(int n, int p, std::uint64_t seed, std::vector<double>* y) {
  SplitMix64 r(seed);
  Cohort c;
  for (int g = 0; g < p; ++g) c.genes.push_back("G" + std::to_string(g));
  for (int i = 0; i < n; ++i) {
    c.ids.push_back("S" + std::to_string(i));
    for (int g = 0; g < p; ++g) c.x.push_back(static_cast<float>(r.normal()));
    const float* row = &c.x[i * p];
    y->push_back(5 + row[0] - row[1] + 0.5 * row[2] + 0.3 * r.normal());
  }
  c.y = *y;
  return c;
}


MlpOptions small() {
  MlpOptions o;
  o.hidden = {32, 8};
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(model)

BOOST_AUTO_TEST_CASE(initialisation_follows_the_paper) {
  DrugModel m(50, MlpOptions{}, 3);
  BOOST_TEST(m.hidden_shape() == (std::vector<std::int64_t>{1000, 100}), boost::test_tools::per_element());
  auto p = m.parameters();
  BOOST_TEST(p.at("fc1.weight").size() == 50000u);
  float wmax = 0, bmax = 0;
  for (float w : p.at("fc1.weight")) wmax = std::max(wmax, std::abs(w));
  for (float b : p.at("fc1.bias")) bmax = std::max(bmax, std::abs(b));
  BOOST_TEST(wmax <= 0.05f);
  BOOST_TEST(wmax > 0.04f);  // uniform over the whole range, not a narrower default
  BOOST_TEST(bmax == 0.0f);
  // Glorot uniform on layer 2: |w| <= sqrt(6 / (1000 + 100)).
  float w2 = 0;
  for (float w : p.at("fc2.weight")) w2 = std::max(w2, std::abs(w));
  BOOST_TEST(w2 <= std::sqrt(6.0f / 1100));
  // Same seed, same initialisation.
  DrugModel m2(50, MlpOptions{}, 3);
  BOOST_TEST((m2.parameters() == p));
}

BOOST_AUTO_TEST_CASE(transfer_copies_layer_one_exactly_and_reinitialises_the_rest) {
  std::vector<double> y;
  auto c = linear_cohort(64, 20, 1, &y);
  TrainOptions to;
  to.epochs = 5;
  DrugModel source(20, small(), 1);
  source.fit(c, y, to, 1);
  Layer1 l1 = source.first_layer();

  DrugModel fresh(20, small(), 2);  // what re-initialisation gives with this seed
  DrugModel target(20, small(), 2);
  target.load_first_layer(l1);
  auto s = source.parameters(), t = target.parameters(), f = fresh.parameters();
  BOOST_TEST((t.at("fc1.weight") == s.at("fc1.weight")));
  BOOST_TEST((t.at("fc1.bias") == s.at("fc1.bias")));
  BOOST_TEST((t.at("fc2.weight") != s.at("fc2.weight")));
  for (const char* k : {"fc2.weight", "fc2.bias", "out.weight", "out.bias"})
    BOOST_TEST((t.at(k) == f.at(k)), k << " is not freshly initialised");

  // Fine-tuning trains everything: layer 1 moves too.
  target.fit(c, y, to, 3);
  BOOST_TEST((target.parameters().at("fc1.weight") != s.at("fc1.weight")));

  Layer1 wrong = l1;
  wrong.inputs = 19;
  BOOST_CHECK_THROW(target.load_first_layer(wrong), Error);
}

BOOST_AUTO_TEST_CASE(learns_a_linear_signal_and_importance_is_sum_of_abs_weights) {
  std::vector<double> y;
  auto c = linear_cohort(300, 10, 2, &y);
  std::vector<double> yt;
  auto test = linear_cohort(100, 10, 3, &yt);
  DrugModel m(10, MlpOptions{}, 4);
  auto curve = m.fit(c, y, TrainOptions{}, 4);
  BOOST_TEST(curve.back() < curve.front());
  auto pred = m.predict(test);
  BOOST_TEST(analysis::spearman(yt, pred) > 0.8);
  auto imp = m.importance();
  auto w = m.parameters().at("fc1.weight");  // 1000 × 10
  for (int g = 0; g < 10; ++g) {
    double sum = 0;
    for (int u = 0; u < 1000; ++u) sum += std::abs(w[u * 10 + g]);
    BOOST_TEST(imp[g] == sum, boost::test_tools::tolerance(1e-4));
  }
  // The informative genes 0 and 1 outrank the noise genes.
  auto top = top_genes(c.genes, imp, 2);
  BOOST_TEST(((top[0].gene == "G0" && top[1].gene == "G1") || (top[0].gene == "G1" && top[1].gene == "G0")));
}

BOOST_AUTO_TEST_CASE(save_and_load_first_layer_round_trip) {
  drugtest::TempDir d("model_io");
  DrugModel m(4, small(), 5);
  std::vector<std::string> genes{"A", "B", "C", "D"};
  const std::string path = (d.path / "model.pt").string();
  m.save(path, genes);
  auto l = load_first_layer(path);
  auto ref = m.first_layer();
  BOOST_TEST(l.genes == genes, boost::test_tools::per_element());
  BOOST_TEST(l.weight == ref.weight, boost::test_tools::per_element());
  BOOST_TEST(l.bias == ref.bias, boost::test_tools::per_element());
  auto junk = d.write("junk.pt", "not a model");
  BOOST_CHECK_THROW(load_first_layer(junk), InputError);
}

BOOST_AUTO_TEST_CASE(benchmarks_fit_a_linear_signal) {
  std::vector<double> y, yt;
  auto train = linear_cohort(150, 30, 6, &y);
  auto test = linear_cohort(60, 30, 7, &yt);
  auto en = elastic_net_predict(train, y, test, {}, 1, 1);
  BOOST_TEST(analysis::pearson(yt, en) > 0.9);
  auto rf = random_forest_predict(train, y, test, {}, 1, 1);
  BOOST_TEST(analysis::pearson(yt, rf) > 0.5);
  auto mg = mgmt_scores({1, 0, 0.5, NAN});
  BOOST_TEST(mg == (std::vector<double>{0, 1, 0.5, 0.5}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(enrichment_is_hypergeometric) {
  std::vector<std::string> genes;
  std::vector<double> imp;
  std::vector<std::string> set;
  for (int g = 0; g < 100; ++g) {
    genes.push_back("G" + std::to_string(g));
    imp.push_back(100 - g);  // G0 best
  }
  for (int g : {0, 2, 4, 6, 8, 50, 60, 70, 80, 90}) set.push_back("G" + std::to_string(g));
  set.push_back("NOT_MEASURED");
  auto e = gene_set_enrichment(genes, imp, set, 10);
  BOOST_TEST(e.set_in_universe == 10u);
  BOOST_TEST(e.overlap == 5u);
  BOOST_TEST(e.expected == 1.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(e.p_value == 0.0006716277482650502, boost::test_tools::tolerance(1e-9));  // scipy
  drugtest::TempDir d("geneset");
  auto p = d.write("set.txt", "# cell cycle\nMKI67\n\nTOP2A\nMKI67\n");
  BOOST_TEST(read_gene_set(p) == (std::vector<std::string>{"MKI67", "TOP2A"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
