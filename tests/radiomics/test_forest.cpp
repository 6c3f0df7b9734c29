// The random forest: it learns what it should, respects depth and leaf size, and is
// reproducible from its seed whatever the thread count.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <stdexcept>

#include "radiomics/forest.hpp"

using namespace gbmsweep::radiomics;

namespace {

struct Data {
  std::vector<std::vector<double>> x;
  std::vector<int> y;
};

// n samples, 6 features of noise; feature 2 separates the classes by `gap` when gap > 0.
Data make_data(int n, double gap, std::uint64_t seed) {
  Data d;
  std::uint64_t s = seed;
  auto uniform = [&] {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return double(s >> 11) * 0x1.0p-53;
  };
  for (int i = 0; i < n; ++i) {
    int label = i % 3 == 0;
    std::vector<double> row(6);
    for (double& v : row) v = uniform();
    row[2] += label * gap;
    d.x.push_back(row);
    d.y.push_back(label);
  }
  return d;
}

}  // namespace

BOOST_AUTO_TEST_CASE(separable_data_is_learned_perfectly) {
  Data d = make_data(90, 2.0, 1);
  ForestOptions o;
  o.trees = 200;
  o.max_depth = 0;  // grown out
  o.min_samples_leaf = 1;
  o.seed = 3;
  RandomForest f = RandomForest::fit(d.x, d.y, o);
  int correct = 0;
  for (std::size_t i = 0; i < d.x.size(); ++i)
    correct += (f.predict_proba(d.x[i]) > 0.5) == (d.y[i] == 1);
  BOOST_TEST(correct == 90);
  // Unseen samples of the same rule.
  Data t = make_data(60, 2.0, 99);
  correct = 0;
  for (std::size_t i = 0; i < t.x.size(); ++i)
    correct += (f.predict_proba(t.x[i]) > 0.5) == (t.y[i] == 1);
  BOOST_TEST(correct == 60);
}

BOOST_AUTO_TEST_CASE(depth_and_leaf_size_are_respected) {
  Data d = make_data(180, 0.3, 2);
  ForestOptions o;  // the paper's settings, fewer trees
  o.trees = 300;
  RandomForest f = RandomForest::fit(d.x, d.y, o);
  int splits = 0;
  for (const Tree& t : f.trees())
    for (const TreeNode& n : t) {
      BOOST_TEST(n.depth <= 5);
      if (n.feature < 0) {
        BOOST_TEST(n.samples >= 10);
      } else {
        ++splits;
        BOOST_TEST(t[n.left].samples + t[n.right].samples == n.samples);
      }
    }
  BOOST_TEST(splits > 300);  // the trees do split
  // Some tree reaches depth 5 (the limit binds on 180 samples with leaves of 10).
  bool deep = false;
  for (const Tree& t : f.trees())
    for (const TreeNode& n : t) deep |= n.depth == 5;
  BOOST_TEST(deep);
}

BOOST_AUTO_TEST_CASE(same_seed_same_forest_whatever_the_threads) {
  Data d = make_data(120, 0.5, 4);
  ForestOptions o;
  o.trees = 500;
  o.seed = 11;
  auto a = RandomForest::fit(d.x, d.y, o).predict_proba(d.x);
  o.threads = 2;
  auto b = RandomForest::fit(d.x, d.y, o).predict_proba(d.x);
  BOOST_TEST(a == b);
  o.seed = 12;
  auto c = RandomForest::fit(d.x, d.y, o).predict_proba(d.x);
  BOOST_TEST(a != c);
  for (double p : a) BOOST_TEST((p >= 0 && p <= 1));
}

BOOST_AUTO_TEST_CASE(min_samples_leaf_can_forbid_every_split) {
  Data d = make_data(15, 2.0, 5);
  ForestOptions o;
  o.trees = 20;
  o.min_samples_leaf = 10;  // 15 samples cannot make two leaves of 10
  RandomForest f = RandomForest::fit(d.x, d.y, o);
  for (const Tree& t : f.trees()) BOOST_TEST(t.size() == 1u);
}

BOOST_AUTO_TEST_CASE(bad_input_throws) {
  ForestOptions o;
  o.trees = 1;
  BOOST_CHECK_THROW(RandomForest::fit({}, {}, o), std::invalid_argument);
  BOOST_CHECK_THROW(RandomForest::fit({{1.0}, {2.0, 3.0}}, {0, 1}, o), std::invalid_argument);
  BOOST_CHECK_THROW(RandomForest::fit({{1.0}, {NAN}}, {0, 1}, o), std::invalid_argument);
  BOOST_CHECK_THROW(RandomForest::fit({{1.0}, {2.0}}, {0, 2}, o), std::invalid_argument);
  RandomForest f = RandomForest::fit({{1.0}, {2.0}}, {0, 1}, o);
  BOOST_CHECK_THROW(f.predict_proba(std::vector<double>{1.0, 2.0}), std::invalid_argument);
}
