#pragma once
// Patient splits of study A: one hold-out test set, drawn stratified by label from the
// patients who have DSC and shared by every modality, then stratified k-fold on the rest.
#include <cstdint>
#include <vector>

namespace gbmsweep::mri {

struct SplitOptions {
  // Fraction of the eligible (DSC) patients of each class held out for testing. The reference
  // code's 0.3 gives the paper's 57 test patients out of 189 (the paper's text says 2:1).
  double test_fraction = 0.3;
  int folds = 5;              // stratified k-fold over the non-test patients
  std::uint64_t seed = 42;
};

constexpr int kTestFold = -1;

// Per patient: kTestFold for the hold-out set, else its fold in [0, folds).
// labels: 0/1 per patient; test_eligible: whether a patient may be drawn for the test set.
std::vector<int> make_split(const std::vector<int>& labels, const std::vector<bool>& test_eligible,
                            const SplitOptions& opts);

}  // namespace gbmsweep::mri
