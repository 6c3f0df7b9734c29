// ComBat-seq with sva's defaults (shrink = FALSE, shrink.disp = FALSE): see combat_seq.hpp.
// Steps follow sva's R/ComBat_seq.R; the quantile map its R/helper_seq.R (match_quantiles).
#include "drug/combat_seq.hpp"

#include <Rmath.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "common/error.hpp"
#include "drug/text.hpp"

namespace gbmsweep::drug {

namespace {

// Counts of one gene in one batch with the log library sizes of those samples.
struct Slice {
  std::vector<double> y, log_lib;
};

// The NB maximum-likelihood log mean (per library) of one group with offsets: Newton on
// beta with score Σ (y − mu)/(1 + phi mu) and information Σ mu/(1 + phi mu), as a GLM with one
// coefficient (edgeR's mglmOneGroup). Needs Σ y > 0.
double fit_mean(const Slice& s, double phi, int iterations) {
  double ysum = 0, libsum = 0;
  for (std::size_t j = 0; j < s.y.size(); ++j) {
    ysum += s.y[j];
    libsum += std::exp(s.log_lib[j]);
  }
  double beta = std::log(ysum / libsum);  // exact when phi = 0 or the libraries are equal
  for (int it = 0; it < iterations; ++it) {
    double score = 0, info = 0;
    for (std::size_t j = 0; j < s.y.size(); ++j) {
      const double mu = std::exp(beta + s.log_lib[j]);
      score += (s.y[j] - mu) / (1 + phi * mu);
      info += mu / (1 + phi * mu);
    }
    const double step = score / info;
    beta += step;
    if (std::abs(step) < 1e-10) break;
  }
  return beta;
}

// Cox-Reid adjusted profile log-likelihood of dispersion phi (edgeR's adjustedProfileLik for
// an intercept-only design): NB log-likelihood at the fitted mean minus ½ log det(XᵀWX), with
// W = mu / (1 + phi mu).
double apl(const Slice& s, double phi, int iterations) {
  const double beta = fit_mean(s, phi, iterations);
  double ll = 0, info = 0;
  for (std::size_t j = 0; j < s.y.size(); ++j) {
    const double mu = std::exp(beta + s.log_lib[j]);
    ll += dnbinom_mu(s.y[j], 1 / phi, mu, 1);
    info += mu / (1 + phi * mu);
  }
  return ll - 0.5 * std::log(info);
}

// Maximum of f on [lo, hi] by golden-section search (f unimodal there, or a local maximum).
double golden_max(const std::function<double(double)>& f, double lo, double hi) {
  const double r = (std::sqrt(5.0) - 1) / 2;
  double a = lo, b = hi;
  double c = b - r * (b - a), d = a + r * (b - a);
  double fc = f(c), fd = f(d);
  for (int it = 0; it < 80 && b - a > 1e-7 * (1 + std::abs(a)); ++it) {
    if (fc >= fd) {
      b = d, d = c, fd = fc;
      c = b - r * (b - a), fc = f(c);
    } else {
      a = c, c = d, fc = fd;
      d = a + r * (b - a), fd = f(d);
    }
  }
  return (a + b) / 2;
}

// The spline of R's splinefun(method = "fmm") (Forsythe, Malcolm & Moler 1977: end conditions
// from cubics through the first and last four points), as coefficients of
// y_i + b_i t + c_i t^2 + d_i t^3 on [x_i, x_i+1], t = x - x_i.
struct Spline {
  std::vector<double> b, c, d;
};

Spline fmm_spline(const std::vector<double>& x, const std::vector<double>& y) {
  const int n = static_cast<int>(x.size());
  Spline s{std::vector<double>(n), std::vector<double>(n), std::vector<double>(n)};
  auto& b = s.b;
  auto& c = s.c;
  auto& d = s.d;
  // Tridiagonal system for the second derivatives: b diagonal, d off-diagonal, c right side.
  d[0] = x[1] - x[0];
  c[1] = (y[1] - y[0]) / d[0];
  for (int i = 1; i < n - 1; ++i) {
    d[i] = x[i + 1] - x[i];
    b[i] = 2 * (d[i - 1] + d[i]);
    c[i + 1] = (y[i + 1] - y[i]) / d[i];
    c[i] = c[i + 1] - c[i];
  }
  // End conditions: the third derivatives at both ends from divided differences.
  b[0] = -d[0];
  b[n - 1] = -d[n - 2];
  c[0] = c[n - 1] = 0;
  if (n > 3) {
    c[0] = c[2] / (x[3] - x[1]) - c[1] / (x[2] - x[0]);
    c[n - 1] = c[n - 2] / (x[n - 1] - x[n - 3]) - c[n - 3] / (x[n - 2] - x[n - 4]);
    c[0] = c[0] * d[0] * d[0] / (x[3] - x[0]);
    c[n - 1] = -c[n - 1] * d[n - 2] * d[n - 2] / (x[n - 1] - x[n - 4]);
  }
  for (int i = 1; i < n; ++i) {  // elimination
    const double t = d[i - 1] / b[i - 1];
    b[i] -= t * d[i - 1];
    c[i] -= t * c[i - 1];
  }
  c[n - 1] /= b[n - 1];  // back substitution
  for (int i = n - 2; i >= 0; --i) c[i] = (c[i] - d[i] * c[i + 1]) / b[i];
  b[n - 1] = (y[n - 1] - y[n - 2]) / d[n - 2] + d[n - 2] * (c[n - 2] + 2 * c[n - 1]);
  for (int i = 0; i < n - 1; ++i) {
    b[i] = (y[i + 1] - y[i]) / d[i] - d[i] * (c[i + 1] + 2 * c[i]);
    d[i] = (c[i + 1] - c[i]) / d[i];
    c[i] *= 3;
  }
  c[n - 1] *= 3;
  d[n - 1] = d[n - 2];
  return s;
}

// edgeR's maximizeInterpolant for one gene: the best grid point, moved to a larger stationary
// point of the spline in the segment on its left or right if one exists (the root of the
// derivative b + 2c t + 3d t^2 that edgeR takes, (-2c - sqrt(disc)) / (6d)).
double spline_argmax(const std::vector<double>& x, const std::vector<double>& y) {
  const int n = static_cast<int>(x.size());
  const int m = static_cast<int>(std::max_element(y.begin(), y.end()) - y.begin());
  double best = y[m], x_best = x[m];
  const Spline s = fmm_spline(x, y);
  auto segment = [&](int i) {
    const double a = 3 * s.d[i], bb = 2 * s.c[i], cc = s.b[i];
    const double disc = bb * bb - 4 * a * cc;
    if (disc < 0 || a == 0) return;
    const double t = (-bb / (2 * a)) - std::sqrt(disc) / (2 * a);
    if (t > 0 && t < x[i + 1] - x[i]) {
      const double v = ((s.d[i] * t + s.c[i]) * t + s.b[i]) * t + y[i];
      if (v > best) best = v, x_best = x[i] + t;
    }
  };
  if (m > 0) segment(m - 1);
  if (m < n - 1) segment(m);
  return x_best;
}

}  // namespace

ExprMatrix combat_seq(const ExprMatrix& counts, const std::vector<std::string>& batch,
                      const CombatSeqOptions& o, CombatSeqFit* fit_out) {
  const std::size_t G = counts.genes.size(), S = counts.samples.size();
  if (batch.size() != S)
    GBM_THROW("combat_seq: " + std::to_string(batch.size()) + " batch labels for " +
              std::to_string(S) + " samples");
  CombatSeqFit fit;
  std::map<std::string, std::vector<std::size_t>> members;
  for (std::size_t j = 0; j < S; ++j) members[batch[j]].push_back(j);
  for (const auto& [label, idx] : members) {
    if (idx.size() < 2)  // sva: "ComBat-seq doesn't support 1 sample per batch yet"
      GBM_THROW("combat_seq: batch '" + label + "' has one sample (" + counts.samples[idx[0]] +
                "); ComBat-seq needs at least two per batch");
    fit.batches.push_back(label);
  }
  const std::size_t B = fit.batches.size();
  std::vector<std::vector<std::size_t>> idx;
  for (const auto& b : fit.batches) idx.push_back(members[b]);

  for (std::size_t j = 0; j < S; ++j)
    for (std::size_t g = 0; g < G; ++g) {
      const double v = counts.at(g, j);
      if (!(v >= 0) || v != std::floor(v))
        GBM_THROW("combat_seq: gene " + counts.genes[g] + ", sample " + counts.samples[j] +
                  ": " + std::to_string(v) + " is not a non-negative integer count");
    }
  // sva: genes that are all zero in any batch are not adjusted (kept aside, put back as is).
  fit.adjusted.assign(G, true);
  auto row_sum = [&](std::size_t g, std::size_t b) {
    double t = 0;
    for (std::size_t j : idx[b]) t += counts.at(g, j);
    return t;
  };
  for (std::size_t g = 0; g < G; ++g)
    for (std::size_t b = 0; b < B; ++b)
      if (row_sum(g, b) <= 0) fit.adjusted[g] = false;

  // Library sizes: the column sums of the genes kept above (sva builds its DGEList after
  // setting the others aside; no normalisation factors).
  std::vector<double> log_lib(S, 0.0);
  for (std::size_t j = 0; j < S; ++j) {
    double sum = 0;
    for (std::size_t g = 0; g < G; ++g)
      if (fit.adjusted[g]) sum += counts.at(g, j);
    if (sum <= 0 && B > 1)
      GBM_THROW("combat_seq: sample " + counts.samples[j] + " has no counts in the genes "
                "expressed in every batch");
    log_lib[j] = std::log(std::max(sum, 1.0));
  }

  auto slice = [&](std::size_t g, std::size_t b) {
    Slice s;
    for (std::size_t j : idx[b]) {
      s.y.push_back(counts.at(g, j));
      s.log_lib.push_back(log_lib[j]);
    }
    return s;
  };

  // Dispersions per batch (sva: estimateGLMCommonDisp, then estimateGLMTagwiseDisp with
  // prior.df = 0, on each batch's samples with an intercept-only design).
  fit.common_dispersion.assign(B, 0.1);
  fit.dispersion.assign(G * B, 0.1);
  for (std::size_t b = 0; b < B; ++b) {
    std::vector<Slice> used;
    std::vector<std::size_t> used_genes;
    for (std::size_t g = 0; g < G; ++g)
      if (fit.adjusted[g] && row_sum(g, b) >= o.min_row_sum) {
        used.push_back(slice(g, b));
        used_genes.push_back(g);
      }
    double common = 0.1;  // edgeR's fallback when no gene qualifies
    if (!used.empty()) {
      // edgeR's dispCoxReid: the sum of the genes' APLs maximised over phi^(1/4) in (0, 4^¼].
      auto total = [&](double t) {
        double sum = 0;
        for (const auto& s : used) sum += apl(s, std::pow(t, 4), o.newton_iterations);
        return sum;
      };
      common = std::pow(golden_max(total, 0.01, std::pow(o.max_common, 0.25)), 4);
    }
    fit.common_dispersion[b] = common;
    for (std::size_t g = 0; g < G; ++g) fit.dispersion[g * B + b] = common;
    // edgeR's dispCoxReidInterpolateTagwise: the APL on 11 points of log2(phi / common) in
    // [-6, 6], then the maximum of the cubic spline through them (maximizeInterpolant).
    const int npts = 11;
    std::vector<double> grid(npts), values(npts);
    for (int i = 0; i < npts; ++i) grid[i] = -o.grid_range + i * (2 * o.grid_range / (npts - 1));
    for (std::size_t k = 0; k < used.size(); ++k) {
      for (int i = 0; i < npts; ++i)
        values[i] = apl(used[k], common * std::pow(2.0, grid[i]), o.newton_iterations);
      const double u = spline_argmax(grid, values);
      fit.dispersion[used_genes[k] * B + b] = common * std::pow(2.0, u);
    }
  }

  // The GLM: log mu_gj = log lib_j + beta_g,batch(j), fitted per batch with that batch's
  // dispersion; alpha_g = Σ_b (n_b / n) beta_gb; gamma_gb = beta_gb − alpha_g (sva's second
  // fit with offset log lib + alpha gives exactly this). mu* = lib · exp(alpha),
  // phi* = the mean of the batches' dispersions (sva: rowMeans(phi_star_mat)).
  fit.gamma.assign(G * B, 0.0);
  ExprMatrix out = counts;
  for (std::size_t g = 0; g < G; ++g) {
    if (!fit.adjusted[g]) continue;
    std::vector<double> beta(B);
    double alpha = 0, phi_star = 0;
    for (std::size_t b = 0; b < B; ++b) {
      beta[b] = fit_mean(slice(g, b), fit.dispersion[g * B + b], o.newton_iterations);
      alpha += beta[b] * static_cast<double>(idx[b].size()) / static_cast<double>(S);
      phi_star += fit.dispersion[g * B + b] / static_cast<double>(B);
    }
    for (std::size_t b = 0; b < B; ++b) {
      fit.gamma[g * B + b] = beta[b] - alpha;
      const double phi = fit.dispersion[g * B + b];
      for (std::size_t j : idx[b]) {
        // helper_seq.R's match_quantiles: counts <= 1 stay; a count whose lower tail
        // P(X <= y - 1) is within 1e-4 of 1 (an outlier) stays; else 1 + the quantile of that
        // probability under the batch-free NB.
        const double y = counts.at(g, j);
        if (y <= 1) continue;
        const double mu_old = std::exp(log_lib[j] + beta[b]);
        const double mu_new = std::exp(log_lib[j] + alpha);
        const double p = pnbinom_mu(y - 1, 1 / phi, mu_old, 1, 0);
        if (std::abs(p - 1) < 1e-4) continue;
        out.values[g * S + j] = 1 + qnbinom_mu(p, 1 / phi_star, mu_new, 1, 0);
      }
    }
  }
  if (fit_out) *fit_out = std::move(fit);
  return out;
}

std::vector<std::pair<std::string, std::string>> read_batch_table(const std::string& path) {
  text::Sink thrower;
  const auto t = text::read_table(path, 0, false, &thrower);
  if (t.header.size() < 2)
    text::fail(path, 1, "a batch table needs two columns (sample ID, then batch); the header "
                        "has " + std::to_string(t.header.size()));
  std::vector<std::pair<std::string, std::string>> rows;
  std::map<std::string, std::size_t> line_of;
  for (const auto& row : t.rows) {
    const std::string id = text::trim(row.at(0)), label = text::trim(row.at(1));
    if (id.empty() || label.empty())
      text::fail(path, row.line, "empty sample ID or batch");
    auto [it, fresh] = line_of.emplace(id, row.line);
    if (!fresh)
      text::fail(path, row.line, "sample " + id + " again (first on line " +
                                     std::to_string(it->second) + ")");
    rows.emplace_back(id, label);
  }
  if (rows.empty()) text::fail(path, t.last_line, "no sample-batch rows");
  return rows;
}

std::vector<std::string> batches_for(const std::vector<std::pair<std::string, std::string>>& t,
                                     const std::vector<std::string>& samples,
                                     const std::string& path) {
  // IDs as the count matrix writes them, or as the response table may ("802", "GS802" for
  // GS.802; read_gse_response does the same).
  auto digits = [](const std::string& x) {
    return !x.empty() && std::all_of(x.begin(), x.end(), [](unsigned char c) {
      return std::isdigit(c) != 0;
    });
  };
  std::map<std::string, std::string> of(t.begin(), t.end());
  for (const auto& [id, label] : t) {
    if (digits(id)) of.emplace("GS." + id, label);
    if (id.rfind("GS", 0) == 0 && digits(id.substr(2))) of.emplace("GS." + id.substr(2), label);
  }
  std::vector<std::string> out, missing;
  for (const auto& s : samples) {
    auto it = of.find(s);
    if (it == of.end()) {
      missing.push_back(s);
    } else {
      out.push_back(it->second);
    }
  }
  if (!missing.empty()) {
    std::string list;
    for (std::size_t i = 0; i < missing.size() && i < 5; ++i)
      list += (i ? ", " : "") + missing[i];
    if (missing.size() > 5) list += ", ... (" + std::to_string(missing.size()) + " in all)";
    throw InputError(path, "no batch for sample(s) " + list + " of the count matrix "
                           "([data] gse_batches)");
  }
  return out;
}

}  // namespace gbmsweep::drug
