#include "analysis/stats.hpp"

#include <Rmath.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "analysis/metrics.hpp"
#include "common/error.hpp"

namespace gbmsweep::analysis {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

std::size_t index_of(std::map<std::string, std::size_t>& index, std::vector<std::string>& names,
                     const std::string& name) {
  auto [it, added] = index.emplace(name, names.size());
  if (added) names.push_back(name);
  return it->second;
}
}  // namespace

WideTable to_wide(const std::vector<ScoreRow>& rows) {
  std::vector<std::string> methods, blocks;
  std::map<std::string, std::size_t> mi, bi;
  for (const auto& r : rows) {
    index_of(mi, methods, r.method);
    index_of(bi, blocks, r.block);
  }
  const double missing = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::vector<double>> cells(blocks.size(), std::vector<double>(methods.size(), missing));
  std::vector<std::vector<bool>> seen(blocks.size(), std::vector<bool>(methods.size(), false));
  for (const auto& r : rows) {
    std::size_t b = bi[r.block], m = mi[r.method];
    GBM_CHECK(!seen[b][m], "block '" << r.block << "' has method '" << r.method << "' twice");
    seen[b][m] = true;
    cells[b][m] = r.score;
  }
  WideTable out;
  out.table.methods = methods;
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    if (std::find(seen[b].begin(), seen[b].end(), false) != seen[b].end()) {
      out.incomplete_blocks.push_back(blocks[b]);
      continue;
    }
    out.table.blocks.push_back(blocks[b]);
    out.table.scores.push_back(cells[b]);
  }
  return out;
}

double nemenyi_p(double q, int k) {
  GBM_CHECK(k >= 2, "Nemenyi: needs at least 2 methods, got " << k);
  return ptukey(q, 1.0, static_cast<double>(k), kInf, /*lower_tail=*/0, /*log_p=*/0);
}

double clip_psturng(double p) { return std::clamp(p, 0.001, 0.9); }

double critical_difference(int k, int n, double alpha) {
  GBM_CHECK(k >= 2 && n >= 1, "critical difference: needs k >= 2 methods and n >= 1 blocks");
  GBM_CHECK(alpha > 0 && alpha < 1, "critical difference: alpha " << alpha << " is outside (0, 1)");
  double q = qtukey(1 - alpha, 1.0, static_cast<double>(k), kInf, /*lower_tail=*/1, /*log_p=*/0);
  return q / std::sqrt(2.0) * std::sqrt(k * (k + 1.0) / (6.0 * n));
}

FriedmanResult friedman_nemenyi(const ScoreTable& t, const FriedmanOptions& o) {
  const std::size_t k = t.methods.size(), n = t.scores.size();
  GBM_CHECK(k >= 2, "Friedman: needs at least 2 methods, got " << k
                        << (k == 1 ? " ('" + t.methods[0] + "')" : std::string()));
  GBM_CHECK(n >= 2, "Friedman: needs at least 2 complete blocks, got " << n);
  GBM_CHECK(o.alpha > 0 && o.alpha < 1, "Friedman: alpha " << o.alpha << " is outside (0, 1)");

  std::vector<double> rank_sum(k, 0.0);
  double ties = 0;  // sum over tie groups of t(t² − 1), as scipy's find_repeats counts them
  for (std::size_t b = 0; b < n; ++b) {
    const auto& row = t.scores[b];
    GBM_CHECK(row.size() == k, "Friedman: block " << b << " has " << row.size() << " scores, expected " << k);
    std::vector<double> key(k);
    for (std::size_t m = 0; m < k; ++m) {
      GBM_CHECK(std::isfinite(row[m]), "Friedman: score of method '" << t.methods[m]
                                           << "' in block '" << (b < t.blocks.size() ? t.blocks[b] : std::to_string(b))
                                           << "' is not finite");
      key[m] = o.higher_is_better ? -row[m] : row[m];
    }
    std::vector<double> r = midranks(key);
    for (std::size_t m = 0; m < k; ++m) rank_sum[m] += r[m];
    std::vector<double> sorted = key;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < k;) {
      std::size_t j = i;
      while (j < k && sorted[j] == sorted[i]) ++j;
      double g = static_cast<double>(j - i);
      if (g > 1) ties += g * (g * g - 1);
      i = j;
    }
  }
  const double kd = static_cast<double>(k), nd = static_cast<double>(n);
  const double c = 1 - ties / (kd * (kd * kd - 1) * nd);
  GBM_CHECK(c > 1e-12, "Friedman: every block has all " << k
                           << " methods tied; the test is undefined (constant scores?)");

  FriedmanResult res;
  res.methods = t.methods;
  res.blocks = static_cast<int>(n);
  res.alpha = o.alpha;
  res.df = static_cast<int>(k) - 1;
  double ssbn = 0;
  for (double s : rank_sum) ssbn += s * s;
  res.statistic = (12.0 / (kd * nd * (kd + 1)) * ssbn - 3 * nd * (kd + 1)) / c;
  res.p = pchisq(res.statistic, res.df, /*lower_tail=*/0, /*log_p=*/0);
  for (double s : rank_sum) res.mean_ranks.push_back(s / nd);

  const double se = std::sqrt(kd * (kd + 1) / (12.0 * nd));
  for (std::size_t a = 0; a < k; ++a)
    for (std::size_t b = a + 1; b < k; ++b) {
      NemenyiPair p;
      p.a = t.methods[a];
      p.b = t.methods[b];
      p.q = std::abs(res.mean_ranks[a] - res.mean_ranks[b]) / se;
      p.p = nemenyi_p(p.q, static_cast<int>(k));
      p.p_clipped = clip_psturng(p.p);
      res.nemenyi.push_back(p);
    }
  res.critical_difference = critical_difference(static_cast<int>(k), static_cast<int>(n), o.alpha);
  return res;
}

SignedRankResult wilcoxon_signed_rank(const std::vector<double>& x,
                                      const std::vector<double>& y) {
  GBM_CHECK(x.size() == y.size(),
            "wilcoxon_signed_rank: " << x.size() << " and " << y.size() << " values");
  std::vector<double> d;
  bool zeros = false;
  for (std::size_t i = 0; i < x.size(); ++i) {
    GBM_CHECK(std::isfinite(x[i]) && std::isfinite(y[i]),
              "wilcoxon_signed_rank: pair " << i << " is not finite");
    const double v = x[i] - y[i];
    if (v == 0) {
      zeros = true;
    } else {
      d.push_back(v);
    }
  }
  SignedRankResult r;
  r.n = static_cast<int>(d.size());
  if (d.empty()) {
    r.p = std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  // Mid-ranks of |d|; tie group sizes for the variance correction.
  std::vector<std::size_t> order(d.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return std::abs(d[a]) < std::abs(d[b]); });
  std::vector<double> rank(d.size());
  double tie_term = 0;  // Σ (t³ − t)
  bool ties = false;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && std::abs(d[order[j + 1]]) == std::abs(d[order[i]])) ++j;
    const double mid = (static_cast<double>(i + j) + 2) / 2;  // ranks i+1 .. j+1
    for (std::size_t k = i; k <= j; ++k) rank[order[k]] = mid;
    const double t = static_cast<double>(j - i + 1);
    if (t > 1) ties = true;
    tie_term += t * t * t - t;
    i = j + 1;
  }
  for (std::size_t i = 0; i < d.size(); ++i)
    if (d[i] > 0) r.statistic += rank[i];
  const double n = r.n;
  r.exact = r.n < 50 && !ties && !zeros;
  if (r.exact) {
    // Two-sided: twice the smaller tail, P(V >= v) above the centre, P(V <= v) below.
    const double p = r.statistic > n * (n + 1) / 4
                         ? psignrank(r.statistic - 1, n, /*lower*/ 0, /*log*/ 0)
                         : psignrank(r.statistic, n, 1, 0);
    r.p = std::min(1.0, 2 * p);
  } else {
    double z = r.statistic - n * (n + 1) / 4;
    const double sigma = std::sqrt(n * (n + 1) * (2 * n + 1) / 24 - tie_term / 48);
    const double correction = z > 0 ? 0.5 : z < 0 ? -0.5 : 0.0;
    z = (z - correction) / sigma;
    r.p = 2 * std::min(pnorm(z, 0, 1, 1, 0), pnorm(z, 0, 1, 0, 0));
  }
  return r;
}

}  // namespace gbmsweep::analysis
