// Split stratification, disjointness and seeding.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>

#include "mri/rng.hpp"
#include "mri/split.hpp"

using namespace gbmsweep::mri;

BOOST_AUTO_TEST_SUITE(mri_split)

BOOST_AUTO_TEST_CASE(holdout_and_folds_are_stratified_and_disjoint) {
  // 200 patients, about 40 % methylated, about 79 % eligible (have DSC).
  Rng rng(5);
  std::vector<int> labels;
  std::vector<bool> eligible;
  for (int i = 0; i < 200; ++i) {
    labels.push_back(rng.bernoulli(0.4));
    eligible.push_back(rng.bernoulli(0.79));
  }
  SplitOptions opts;
  auto fold = make_split(labels, eligible, opts);
  BOOST_REQUIRE(fold.size() == labels.size());
  for (int cls : {0, 1}) {
    int elig = 0, test = 0;
    std::vector<int> per_fold(opts.folds, 0);
    for (std::size_t i = 0; i < fold.size(); ++i) {
      if (labels[i] != cls) continue;
      elig += eligible[i];
      if (fold[i] == kTestFold) {
        ++test;
        BOOST_TEST(eligible[i]);  // only DSC patients are held out
      } else {
        BOOST_REQUIRE(fold[i] >= 0);
        BOOST_REQUIRE(fold[i] < opts.folds);
        ++per_fold[fold[i]];
      }
    }
    BOOST_TEST(test == std::lround(0.3 * elig));
    auto [lo, hi] = std::minmax_element(per_fold.begin(), per_fold.end());
    BOOST_TEST(*hi - *lo <= 1);  // stratified: each class spread evenly over the folds
  }
  std::vector<int> sizes(opts.folds, 0);
  for (int f : fold)
    if (f != kTestFold) ++sizes[f];
  BOOST_TEST(*std::max_element(sizes.begin(), sizes.end()) -
                 *std::min_element(sizes.begin(), sizes.end()) <= 1);
}

BOOST_AUTO_TEST_CASE(split_is_seeded) {
  std::vector<int> labels(60);
  std::vector<bool> eligible(60, true);
  for (int i = 0; i < 60; ++i) labels[i] = i % 3 == 0;
  SplitOptions a;
  SplitOptions b = a;
  b.seed = 7;
  BOOST_TEST(make_split(labels, eligible, a) == make_split(labels, eligible, a));
  BOOST_TEST(make_split(labels, eligible, a) != make_split(labels, eligible, b));
  SplitOptions none = a;
  none.test_fraction = 0.0;
  auto f = make_split(labels, eligible, none);
  BOOST_TEST(std::count(f.begin(), f.end(), kTestFold) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
