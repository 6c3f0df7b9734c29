#include "drug/prep.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "analysis/metrics.hpp"
#include "common/error.hpp"
#include "common/splitmix64.hpp"

namespace gbmsweep::drug {

namespace {

// numpy.percentile / R quantile type 7 on a sorted vector.
double quantile_sorted(const std::vector<double>& s, double q) {
  if (s.empty()) return 0.0;
  double h = (s.size() - 1) * q;
  auto lo = static_cast<std::size_t>(std::floor(h));
  std::size_t hi = std::min(lo + 1, s.size() - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}


double tmm_pair(const std::vector<double>& obs, const std::vector<double>& ref, double n_o,
                double n_r) {
  std::vector<double> logr, abse, var;
  for (std::size_t g = 0; g < obs.size(); ++g) {
    double o = obs[g], r = ref[g];
    if (o <= 0 || r <= 0) continue;  // log ratio not finite
    logr.push_back(std::log2((o / n_o) / (r / n_r)));
    abse.push_back((std::log2(o / n_o) + std::log2(r / n_r)) / 2);
    var.push_back((n_o - o) / n_o / o + (n_r - r) / n_r / r);
  }
  const double n = logr.size();
  if (n == 0) return 1.0;
  const double lo_l = std::floor(n * 0.3) + 1, hi_l = n + 1 - lo_l;
  const double lo_s = std::floor(n * 0.05) + 1, hi_s = n + 1 - lo_s;
  // R's rank(ties.method = "average"): midranks.
  auto rl = analysis::midranks(logr), ra = analysis::midranks(abse);
  double num = 0, den = 0;
  for (std::size_t i = 0; i < logr.size(); ++i) {
    if (rl[i] >= lo_l && rl[i] <= hi_l && ra[i] >= lo_s && ra[i] <= hi_s) {
      num += logr[i] / var[i];
      den += 1 / var[i];
    }
  }
  double f = den > 0 ? num / den : 0.0;
  return std::isfinite(f) ? std::pow(2.0, f) : 1.0;
}

}  // namespace

std::vector<double> tmm_factors(const ExprMatrix& m) {
  const std::size_t ns = m.samples.size(), ng = m.genes.size();
  std::vector<std::vector<double>> col(ns, std::vector<double>(ng));
  std::vector<double> lib(ns, 0.0);
  for (std::size_t g = 0; g < ng; ++g)
    for (std::size_t s = 0; s < ns; ++s) {
      col[s][g] = m.at(g, s);
      lib[s] += col[s][g];
    }
  for (std::size_t s = 0; s < ns; ++s)
    GBM_CHECK(lib[s] > 0, "sample " << m.samples[s] << " has no counts");
  // edgeR drops genes with no count in any sample before anything else: they would lower
  // every sample's upper quartile and so could change the reference sample.
  std::vector<bool> expressed(ng, false);
  for (std::size_t s = 0; s < ns; ++s)
    for (std::size_t g = 0; g < ng; ++g) expressed[g] = expressed[g] || col[s][g] > 0;
  std::vector<double> f75(ns);
  for (std::size_t s = 0; s < ns; ++s) {
    std::vector<double> v;
    for (std::size_t g = 0; g < ng; ++g)
      if (expressed[g]) v.push_back(col[s][g] / lib[s]);
    std::sort(v.begin(), v.end());
    f75[s] = quantile_sorted(v, 0.75);
  }
  double mean75 = std::accumulate(f75.begin(), f75.end(), 0.0) / ns;
  std::size_t ref = 0;
  for (std::size_t s = 1; s < ns; ++s)
    if (std::abs(f75[s] - mean75) < std::abs(f75[ref] - mean75)) ref = s;
  std::vector<double> f(ns);
  double logsum = 0;
  for (std::size_t s = 0; s < ns; ++s) {
    f[s] = tmm_pair(col[s], col[ref], lib[s], lib[ref]);
    logsum += std::log(f[s]);
  }
  const double gm = std::exp(logsum / ns);
  for (auto& x : f) x /= gm;
  return f;
}

std::vector<bool> filter_by_expr(const ExprMatrix& m, const FilterByExprOptions& o) {
  const std::size_t ns = m.samples.size(), ng = m.genes.size();
  std::vector<double> lib(ns, 0.0);
  for (std::size_t g = 0; g < ng; ++g)
    for (std::size_t s = 0; s < ns; ++s) lib[s] += m.at(g, s);
  std::vector<double> sorted = lib;
  std::sort(sorted.begin(), sorted.end());
  const double median = ns == 0 ? 0.0
                        : ns % 2 ? sorted[ns / 2]
                                 : (sorted[ns / 2 - 1] + sorted[ns / 2]) / 2;
  double min_samples = static_cast<double>(ns);
  if (min_samples > o.large_n) min_samples = o.large_n + (min_samples - o.large_n) * o.min_prop;
  const double cutoff = o.min_count / median * 1e6, tol = 1e-14;
  std::vector<bool> keep(ng);
  for (std::size_t g = 0; g < ng; ++g) {
    double n_above = 0, total = 0;
    for (std::size_t s = 0; s < ns; ++s) {
      total += m.at(g, s);
      n_above += lib[s] > 0 && m.at(g, s) / lib[s] * 1e6 >= cutoff;
    }
    keep[g] = n_above >= min_samples - tol && total >= o.min_total_count - tol;
  }
  return keep;
}

ExprMatrix keep_genes(const ExprMatrix& m, const std::vector<bool>& keep) {
  ExprMatrix out;
  out.samples = m.samples;
  const std::size_t ns = m.samples.size();
  for (std::size_t g = 0; g < m.genes.size(); ++g) {
    if (!keep[g]) continue;
    out.genes.push_back(m.genes[g]);
    out.values.insert(out.values.end(), m.values.begin() + g * ns,
                      m.values.begin() + (g + 1) * ns);
  }
  return out;
}

ExprMatrix log_cpm_tmm(const ExprMatrix& counts, double prior_count) {
  const std::size_t ns = counts.samples.size(), ng = counts.genes.size();
  auto nf = tmm_factors(counts);
  std::vector<double> lib(ns, 0.0);
  for (std::size_t g = 0; g < ng; ++g)
    for (std::size_t s = 0; s < ns; ++s) lib[s] += counts.at(g, s);
  for (std::size_t s = 0; s < ns; ++s) lib[s] *= nf[s];
  const double mean_lib = std::accumulate(lib.begin(), lib.end(), 0.0) / ns;
  ExprMatrix out = counts;
  for (std::size_t s = 0; s < ns; ++s) {
    const double prior = prior_count * lib[s] / mean_lib;
    const double l = lib[s] + 2 * prior;
    for (std::size_t g = 0; g < ng; ++g)
      out.values[g * ns + s] = std::log2((counts.at(g, s) + prior) / l * 1e6);
  }
  return out;
}

std::vector<std::string> intersect_genes(const std::vector<const ExprMatrix*>& matrices,
                                         const std::vector<std::string>& names) {
  GBM_CHECK(!matrices.empty(), "intersect_genes needs at least one matrix");
  std::set<std::string> common(matrices[0]->genes.begin(), matrices[0]->genes.end());
  for (std::size_t i = 1; i < matrices.size(); ++i) {
    std::set<std::string> next;
    for (const auto& g : matrices[i]->genes)
      if (common.count(g)) next.insert(g);
    common.swap(next);
  }
  if (common.empty()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    throw InputError(names.empty() ? "" : names[0], "no gene symbol shared by " + list);
  }
  return {common.begin(), common.end()};
}

Cohort Cohort::subset(const std::vector<std::size_t>& rows) const {
  Cohort c;
  c.genes = genes;
  const std::size_t P = p();
  c.x.reserve(rows.size() * P);
  for (auto r : rows) {
    c.ids.push_back(ids[r]);
    c.y.push_back(y[r]);
    c.x.insert(c.x.end(), x.begin() + r * P, x.begin() + (r + 1) * P);
  }
  return c;
}

Cohort make_cohort(const ExprMatrix& expr, const Response& response,
                   const std::vector<std::string>& genes, const std::string& expr_source,
                   const std::string& response_source) {
  auto sidx = expr.sample_index();
  auto gidx = expr.gene_index();
  std::vector<std::size_t> grow;
  grow.reserve(genes.size());
  for (const auto& g : genes) {
    auto it = gidx.find(g);
    if (it == gidx.end()) throw InputError(expr_source, "gene '" + g + "' not in the matrix");
    grow.push_back(it->second);
  }
  std::vector<std::pair<std::string, double>> matched;
  for (std::size_t i = 0; i < response.ids.size(); ++i)
    if (sidx.count(response.ids[i])) matched.emplace_back(response.ids[i], response.auc[i]);
  if (matched.empty())
    throw InputError(response_source, "no sample in common with " + expr_source);
  std::sort(matched.begin(), matched.end());
  Cohort c;
  c.genes = genes;
  c.x.reserve(matched.size() * genes.size());
  for (const auto& [id, auc] : matched) {
    c.ids.push_back(id);
    c.y.push_back(auc);
    const std::size_t s = sidx.at(id);
    for (auto g : grow) c.x.push_back(static_cast<float>(expr.at(g, s)));
  }
  return c;
}

ScalerKind scaler_kind(const std::string& name) {
  if (name == "robust") return ScalerKind::Robust;
  if (name == "standard") return ScalerKind::Standard;
  GBM_THROW("unknown scaler '" << name << "' (robust or standard)");
}

Scaler Scaler::fit(const Cohort& c, ScalerKind kind) {
  GBM_CHECK(c.n() > 0, "cannot fit a scaler on no samples");
  Scaler s;
  const std::size_t P = c.p(), N = c.n();
  s.center.resize(P);
  s.scale.resize(P);
  std::vector<double> col(N);
  for (std::size_t g = 0; g < P; ++g) {
    for (std::size_t i = 0; i < N; ++i) col[i] = c.x[i * P + g];
    double center, scale;
    if (kind == ScalerKind::Robust) {
      std::sort(col.begin(), col.end());
      center = quantile_sorted(col, 0.5);
      scale = quantile_sorted(col, 0.75) - quantile_sorted(col, 0.25);
    } else {
      center = std::accumulate(col.begin(), col.end(), 0.0) / N;
      double ss = 0;
      for (double v : col) ss += (v - center) * (v - center);
      scale = std::sqrt(ss / N);
    }
    s.center[g] = static_cast<float>(center);
    s.scale[g] = scale > 1e-12 ? static_cast<float>(scale) : 1.0f;
  }
  return s;
}

void Scaler::apply(Cohort& c) const {
  const std::size_t P = c.p();
  GBM_CHECK(P == center.size(), "scaler fitted on " << center.size() << " genes, cohort has " << P);
  for (std::size_t i = 0; i < c.n(); ++i)
    for (std::size_t g = 0; g < P; ++g)
      c.x[i * P + g] = (c.x[i * P + g] - center[g]) / scale[g];
}

TargetScaler TargetScaler::fit(const std::vector<double>& y, double hi) {
  GBM_CHECK(!y.empty(), "cannot fit a target scaler on no samples");
  auto [mn, mx] = std::minmax_element(y.begin(), y.end());
  TargetScaler t;
  t.lo = *mn;
  t.hi_in = *mx > *mn ? *mx : *mn + 1.0;
  t.hi = hi;
  return t;
}

std::vector<double> TargetScaler::apply(const std::vector<double>& y) const {
  std::vector<double> out(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) out[i] = (y[i] - lo) / (hi_in - lo) * hi;
  return out;
}

std::uint64_t SplitMix64::next() { return splitmix64_next(state); }

std::uint64_t SplitMix64::below(std::uint64_t n) {
  // Rejection sampling: no modulo bias.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  std::uint64_t v;
  do v = next();
  while (v >= limit);
  return v % n;
}

double SplitMix64::uniform() { return (next() >> 11) * 0x1.0p-53; }

double SplitMix64::normal() {
  double u1 = uniform(), u2 = uniform();
  if (u1 < 1e-300) u1 = 1e-300;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b) {
  SplitMix64 r(a ^ (b * 0xD1B54A32D192ED03ULL));
  return r.next();
}

std::vector<int> assign_folds(const std::vector<std::string>& ids, const std::vector<double>& y,
                              const FoldOptions& o) {
  GBM_CHECK(o.folds >= 2, "need at least 2 folds, got " << o.folds);
  GBM_CHECK(ids.size() == y.size(), "ids and responses differ in length");
  GBM_CHECK(static_cast<int>(ids.size()) >= o.folds,
            ids.size() << " samples cannot fill " << o.folds << " folds");
  std::vector<std::size_t> order(ids.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return ids[a] < ids[b]; });
  std::vector<std::vector<std::size_t>> strata(1);
  if (o.stratify_median) {
    std::vector<double> s(y);
    std::sort(s.begin(), s.end());
    const double med = quantile_sorted(s, 0.5);
    strata.assign(2, {});
    for (auto i : order) strata[y[i] > med ? 1 : 0].push_back(i);
  } else {
    strata[0] = order;
  }
  SplitMix64 rng(o.seed);
  std::vector<int> fold(ids.size(), -1);
  std::size_t dealt = 0;
  for (auto& st : strata) {
    for (std::size_t i = st.size(); i > 1; --i) std::swap(st[i - 1], st[rng.below(i)]);
    for (auto i : st) fold[i] = static_cast<int>(dealt++ % o.folds);
  }
  return fold;
}

}  // namespace gbmsweep::drug
