#include "mri/split.hpp"

#include <cmath>

#include "common/error.hpp"
#include "mri/rng.hpp"

namespace gbmsweep::mri {

namespace {
void shuffle(std::vector<int>& v, Rng& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}
}  // namespace

std::vector<int> make_split(const std::vector<int>& labels, const std::vector<bool>& test_eligible,
                            const SplitOptions& opts) {
  GBM_CHECK(labels.size() == test_eligible.size(), "labels and eligibility differ in length");
  GBM_CHECK(opts.folds >= 2, "need at least 2 folds, got " << opts.folds);
  GBM_CHECK(opts.test_fraction >= 0.0 && opts.test_fraction < 1.0,
            "test fraction must be in [0, 1), got " << opts.test_fraction);
  Rng rng(derive_seed(opts.seed, "split"));
  std::vector<int> fold(labels.size(), 0);
  // Test set: per class, a shuffled draw of round(fraction × eligible) patients.
  for (int cls : {0, 1}) {
    std::vector<int> pool;
    for (std::size_t i = 0; i < labels.size(); ++i)
      if (labels[i] == cls && test_eligible[i]) pool.push_back(static_cast<int>(i));
    shuffle(pool, rng);
    const auto n_test = static_cast<std::size_t>(std::lround(opts.test_fraction * pool.size()));
    for (std::size_t k = 0; k < n_test; ++k) fold[pool[k]] = kTestFold;
  }
  // Folds: per class, shuffled, dealt round-robin; the dealer carries on across classes so
  // that fold sizes differ by at most one overall.
  int dealer = 0;
  for (int cls : {0, 1}) {
    std::vector<int> pool;
    for (std::size_t i = 0; i < labels.size(); ++i)
      if (labels[i] == cls && fold[i] != kTestFold) pool.push_back(static_cast<int>(i));
    shuffle(pool, rng);
    for (int p : pool) fold[p] = dealer++ % opts.folds;
  }
  return fold;
}

}  // namespace gbmsweep::mri
