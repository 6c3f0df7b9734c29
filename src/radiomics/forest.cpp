// Random forest after scikit-learn's RandomForestClassifier / DecisionTreeClassifier
// (BestSplitter, Gini criterion): see forest.hpp for what is kept and what is not.
#include "radiomics/forest.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <thread>

#include "common/splitmix64.hpp"

namespace gbmsweep::radiomics {

namespace {

constexpr double kFeatureThreshold = 1e-7;  // sklearn: values closer than this are equal

// splitmix64: small, portable, and the same stream with every standard library.
struct Rng {
  std::uint64_t s;
  std::uint64_t next() { return splitmix64_next(s); }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

struct Builder {
  const std::vector<std::vector<double>>& cols;  // [feature][sample]
  const std::vector<int>& y;
  const ForestOptions& o;
  int max_features;
  std::vector<double> w;  // bootstrap weight of each sample
  Rng rng;
  Tree tree;

  static double gini(double w0, double w1) {
    const double t = w0 + w1;
    return t > 0 ? 1 - (w0 * w0 + w1 * w1) / (t * t) : 0;
  }

  int grow(std::vector<int>& idx, int depth) {
    double w0 = 0, w1 = 0;
    for (int i : idx) (y[i] ? w1 : w0) += w[i];
    const int n = static_cast<int>(idx.size());
    TreeNode node;
    node.p1 = w1 / (w0 + w1);
    node.samples = n;
    node.depth = depth;
    const int id = static_cast<int>(tree.size());
    tree.push_back(node);
    const bool leaf = (o.max_depth > 0 && depth >= o.max_depth) || n < o.min_samples_split ||
                      n < 2 * o.min_samples_leaf || gini(w0, w1) <= 1e-12;
    if (leaf) return id;

    // Features in random order; stop after max_features visited, unless all were constant.
    const int nf = static_cast<int>(cols.size());
    std::vector<int> order(nf);
    for (int f = 0; f < nf; ++f) order[f] = f;
    double best = INFINITY, best_thr = 0;
    int best_f = -1;
    int visited = 0, constant = 0;
    std::vector<std::pair<double, int>> v(idx.size());
    for (int k = 0; k < nf && (visited < max_features || visited <= constant); ++k) {
      std::swap(order[k], order[k + static_cast<int>(rng.below(std::size_t(nf - k)))]);
      const int f = order[k];
      ++visited;
      for (int i = 0; i < n; ++i) v[i] = {cols[f][idx[i]], idx[i]};
      std::sort(v.begin(), v.end());
      if (v.back().first <= v.front().first + kFeatureThreshold) {
        ++constant;
        continue;
      }
      double l0 = 0, l1 = 0;
      for (int p = 1; p < n; ++p) {  // left = v[0, p)
        (y[v[p - 1].second] ? l1 : l0) += w[v[p - 1].second];
        if (v[p].first <= v[p - 1].first + kFeatureThreshold) continue;
        if (p < o.min_samples_leaf || n - p < o.min_samples_leaf) continue;
        const double r0 = w0 - l0, r1 = w1 - l1;
        const double cost = (l0 + l1) * gini(l0, l1) + (r0 + r1) * gini(r0, r1);
        if (cost < best) {
          best = cost;
          best_f = f;
          best_thr = (v[p - 1].first + v[p].first) / 2;
          if (best_thr >= v[p].first) best_thr = v[p - 1].first;  // rounding
        }
      }
    }
    if (best_f < 0) return id;  // no split leaves min_samples_leaf on both sides
    std::vector<int> left, right;
    for (int i : idx) (cols[best_f][i] <= best_thr ? left : right).push_back(i);
    idx.clear();
    idx.shrink_to_fit();
    const int l = grow(left, depth + 1);
    const int r = grow(right, depth + 1);
    tree[id].feature = best_f;
    tree[id].threshold = best_thr;
    tree[id].left = l;
    tree[id].right = r;
    return id;
  }
};

}  // namespace

RandomForest RandomForest::fit(const std::vector<std::vector<double>>& x, const std::vector<int>& y,
                               const ForestOptions& opts) {
  if (x.empty() || x.size() != y.size())
    throw std::invalid_argument("random forest: " + std::to_string(x.size()) + " rows and " +
                                std::to_string(y.size()) + " labels");
  const std::size_t nf = x[0].size();
  if (nf == 0) throw std::invalid_argument("random forest: no features");
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i].size() != nf) throw std::invalid_argument("random forest: ragged rows");
    for (double v : x[i])
      if (!std::isfinite(v)) throw std::invalid_argument("random forest: non-finite feature value");
    if (y[i] != 0 && y[i] != 1) throw std::invalid_argument("random forest: labels must be 0/1");
  }
  if (opts.trees < 1 || opts.min_samples_leaf < 1)
    throw std::invalid_argument("random forest: trees and min_samples_leaf must be >= 1");
  std::vector<std::vector<double>> cols(nf, std::vector<double>(x.size()));
  for (std::size_t i = 0; i < x.size(); ++i)
    for (std::size_t f = 0; f < nf; ++f) cols[f][i] = x[i][f];
  int max_features = opts.max_features > 0 ? std::min<int>(opts.max_features, int(nf))
                                           : std::max(1, static_cast<int>(std::sqrt(double(nf))));

  RandomForest forest;
  forest.features_ = static_cast<int>(nf);
  forest.trees_.resize(static_cast<std::size_t>(opts.trees));
  auto grow_tree = [&](int t) {
    // Each tree has its own stream: the forest is the same whatever the thread count.
    Builder b{cols, y, opts, max_features, {}, Rng{opts.seed ^ (0xd1b54a32d192ed03ULL * (t + 1))},
              {}};
    const std::size_t n = x.size();
    b.w.assign(n, opts.bootstrap ? 0.0 : 1.0);
    if (opts.bootstrap)
      for (std::size_t k = 0; k < n; ++k) b.w[b.rng.below(n)] += 1;
    std::vector<int> idx;
    for (std::size_t i = 0; i < n; ++i)
      if (b.w[i] > 0) idx.push_back(static_cast<int>(i));
    b.grow(idx, 0);
    forest.trees_[static_cast<std::size_t>(t)] = std::move(b.tree);
  };
  const int threads = std::max(1, std::min(opts.threads, opts.trees));
  std::vector<std::thread> pool;
  for (int k = 0; k < threads; ++k)
    pool.emplace_back([&, k] {
      for (int t = k; t < opts.trees; t += threads) grow_tree(t);
    });
  for (auto& th : pool) th.join();
  return forest;
}

double RandomForest::predict_proba(const std::vector<double>& row) const {
  if (static_cast<int>(row.size()) != features_)
    throw std::invalid_argument("random forest: row has " + std::to_string(row.size()) +
                                " features, the forest " + std::to_string(features_));
  double s = 0;
  for (const Tree& t : trees_) {
    int k = 0;
    while (t[k].feature >= 0) k = row[t[k].feature] <= t[k].threshold ? t[k].left : t[k].right;
    s += t[k].p1;
  }
  return s / static_cast<double>(trees_.size());
}

std::vector<double> RandomForest::predict_proba(const std::vector<std::vector<double>>& x) const {
  std::vector<double> out;
  out.reserve(x.size());
  for (const auto& row : x) out.push_back(predict_proba(row));
  return out;
}

}  // namespace gbmsweep::radiomics
