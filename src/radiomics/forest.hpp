#pragma once
// A small random-forest classifier (binary labels) with scikit-learn's semantics, for the
// radiomics comparator of the MRI paper (§II.D: 10,000 trees, max depth 5, at least 10
// samples per leaf). Gini impurity, bootstrap samples weighted by their draw counts, a random
// subset of features per split (sklearn's "sqrt"), thresholds midway between neighbouring
// values, min samples per leaf counted in distinct samples as sklearn does; the probability is
// the mean over trees of each leaf's weighted fraction of class 1. Six features and ~180
// patients do not need sklearn's optimisations; our own RNG means the same seed gives the
// same forest here, not sklearn's forest. Torch-free.
#include <cstdint>
#include <vector>

namespace gbmsweep::radiomics {

struct ForestOptions {
  int trees = 10000;
  int max_depth = 5;          // root = depth 0; <= 0: unlimited
  int min_samples_leaf = 10;  // distinct training samples in every leaf
  int min_samples_split = 2;
  int max_features = 0;  // features tried per split; 0 = floor(sqrt(features)) (sklearn "sqrt")
  bool bootstrap = true;
  std::uint64_t seed = 0;
  int threads = 1;  // trees are grown in parallel; the forest does not depend on the count
};

struct TreeNode {
  int feature = -1;      // -1: leaf
  double threshold = 0;  // go left when x[feature] <= threshold
  int left = -1, right = -1;
  double p1 = 0;    // weighted fraction of class 1 among the node's samples
  int samples = 0;  // distinct training samples reaching the node
  int depth = 0;
};
using Tree = std::vector<TreeNode>;  // node 0 is the root

class RandomForest {
 public:
  // x: one row per sample (all the same length, finite); y: 0/1 per sample. Throws
  // std::invalid_argument for empty, ragged or non-finite input or labels other than 0/1.
  static RandomForest fit(const std::vector<std::vector<double>>& x, const std::vector<int>& y,
                          const ForestOptions& opts);

  double predict_proba(const std::vector<double>& row) const;  // P(y = 1)
  std::vector<double> predict_proba(const std::vector<std::vector<double>>& x) const;

  const std::vector<Tree>& trees() const { return trees_; }
  int features() const { return features_; }

 private:
  std::vector<Tree> trees_;
  int features_ = 0;
};

}  // namespace gbmsweep::radiomics
