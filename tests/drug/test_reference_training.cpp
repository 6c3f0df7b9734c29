// The reference code's training choices as options (issue 17): later layers initialised
// U(±0.05), and the test fold's inputs re-scaled on the test fold itself.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>

#include "common/error.hpp"
#include "drug/experiment.hpp"
#include "drug/model.hpp"

using namespace gbmsweep;
using namespace gbmsweep::drug;

namespace {

Cohort random_cohort(int n, int p, std::uint64_t seed) {
  SplitMix64 r(seed);
  Cohort c;
  for (int g = 0; g < p; ++g) c.genes.push_back("G" + std::to_string(g));
  for (int i = 0; i < n; ++i) {
    c.ids.push_back("S" + std::to_string(100 + i));
    double s = 0;
    for (int g = 0; g < p; ++g) {
      c.x.push_back(static_cast<float>(r.normal()));
      s += g < 3 ? c.x.back() : 0.0;
    }
    c.y.push_back(50 + 10 * s + r.normal());
  }
  return c;
}

float max_abs(const std::vector<float>& v) {
  float m = 0;
  for (float x : v) m = std::max(m, std::abs(x));
  return m;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(reference_training)

BOOST_AUTO_TEST_CASE(uniform_init_of_the_later_layers) {
  MlpOptions o;
  o.hidden = {200, 100};
  o.deep_init = DeepInit::Uniform;
  auto p = DrugModel(40, o, 5).parameters();
  for (const char* w : {"fc1.weight", "fc2.weight", "out.weight"}) {
    BOOST_TEST(max_abs(p.at(w)) <= 0.05f, w);
    BOOST_TEST(max_abs(p.at(w)) > 0.04f, w);
  }
  BOOST_TEST(max_abs(p.at("out.bias")) == 0.0f);
  // Glorot on the 100 -> 1 layer reaches sqrt(6 / 101) = 0.24: the default differs.
  o.deep_init = DeepInit::Glorot;
  BOOST_TEST(max_abs(DrugModel(40, o, 5).parameters().at("out.weight")) > 0.06f);
  BOOST_TEST(static_cast<int>(parse_deep_init("uniform")) == static_cast<int>(DeepInit::Uniform));
  BOOST_CHECK_THROW(parse_deep_init("he"), InputError);
  BOOST_CHECK_THROW(parse_test_scaling("fold"), InputError);
}

BOOST_AUTO_TEST_CASE(test_fold_rescaled_on_itself) {
  const Cohort c = random_cohort(30, 6, 9);
  Split split;
  for (std::size_t i = 0; i < c.n(); ++i) (i % 3 == 0 ? split.test : split.train).push_back(i);
  // The same cohort with the test rows moved and stretched per gene (a batch effect).
  Cohort shifted = c;
  for (std::size_t i : split.test)
    for (std::size_t g = 0; g < c.p(); ++g)
      shifted.x[i * c.p() + g] = 3.0f * c.x[i * c.p() + g] + 7.0f + static_cast<float>(g);
  MlpOptions mo;
  mo.hidden = {16, 4};
  TrainOptions to;
  to.epochs = 5;
  to.test_scaling = TestScaling::TestFit;
  auto a = run_mlp_fold(c, Dataset::Gse, split, mo, to, 3, nullptr);
  auto b = run_mlp_fold(shifted, Dataset::Gse, split, mo, to, 3, nullptr);
  BOOST_REQUIRE(a.predicted.size() == split.test.size());
  // Re-fitted on the test fold, the shift and stretch are scaled away (float rounding only).
  for (std::size_t i = 0; i < a.predicted.size(); ++i)
    BOOST_TEST(std::abs(a.predicted[i] - b.predicted[i]) < 1e-3 * std::abs(a.predicted[i]) + 1e-3);
  // With the training part's scaler they are not.
  to.test_scaling = TestScaling::TrainFit;
  auto a2 = run_mlp_fold(c, Dataset::Gse, split, mo, to, 3, nullptr);
  auto b2 = run_mlp_fold(shifted, Dataset::Gse, split, mo, to, 3, nullptr);
  double diff = 0;
  for (std::size_t i = 0; i < a2.predicted.size(); ++i)
    diff = std::max(diff, std::abs(a2.predicted[i] - b2.predicted[i]));
  BOOST_TEST(diff > 1e-2);
}

BOOST_AUTO_TEST_SUITE_END()
