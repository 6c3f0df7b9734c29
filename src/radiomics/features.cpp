// Feature definitions follow the IBSI 1 reference manual (arXiv:1612.07003, §3.3 statistics,
// §3.6 GLCM, §3.8 GLSZM, §3.10 NGTDM); tests/radiomics checks them against its digital
// phantom. Entropies are in bits (log2), as IBSI defines them.
#include "radiomics/features.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace gbmsweep::radiomics {

namespace {

// GLCM matrices are N_g × N_g doubles per direction; beyond this the bin width is wrong.
constexpr int kMaxLevels = 2048;

struct Offset {
  int dz, dy, dx;
};

// The 13 unique directions of the 26-neighbourhood (the other 13 are their opposites).
const std::array<Offset, 13>& directions() {
  static const std::array<Offset, 13> d = {{
      {0, 0, 1}, {0, 1, -1}, {0, 1, 0}, {0, 1, 1}, {1, -1, -1}, {1, -1, 0}, {1, -1, 1},
      {1, 0, -1}, {1, 0, 0}, {1, 0, 1}, {1, 1, -1}, {1, 1, 0}, {1, 1, 1}}};
  return d;
}

double entropy_term(double p) { return p > 0 ? -p * std::log2(p) : 0.0; }

// Features of one GLCM (counts, N_g × N_g, row i = level i + 1), IBSI §3.6.
Features cm_features(const std::vector<double>& counts, int ng) {
  double total = 0;
  for (double c : counts) total += c;
  std::vector<double> px(ng, 0.0), diff(ng, 0.0), sum(2 * ng + 1, 0.0);
  double joint_max = 0, joint_avg = 0, joint_entr = 0, energy = 0, contrast = 0, dissim = 0;
  double inv_diff = 0, inv_diff_norm = 0, inv_diff_mom = 0, inv_diff_mom_norm = 0;
  double auto_corr = 0;
  for (int i = 0; i < ng; ++i)
    for (int j = 0; j < ng; ++j) {
      double p = counts[std::size_t(i) * ng + j] / total;
      if (p == 0) continue;
      const double gi = i + 1, gj = j + 1, k = std::abs(gi - gj);
      px[i] += p;
      diff[std::size_t(k)] += p;
      sum[std::size_t(gi + gj)] += p;
      joint_max = std::max(joint_max, p);
      joint_avg += gi * p;
      joint_entr += entropy_term(p);
      energy += p * p;
      contrast += k * k * p;
      dissim += k * p;
      inv_diff += p / (1 + k);
      inv_diff_norm += p / (1 + k / ng);
      inv_diff_mom += p / (1 + k * k);
      inv_diff_mom_norm += p / (1 + k * k / (double(ng) * ng));
      auto_corr += gi * gj * p;
    }
  // The matrix is symmetric: the column marginal equals the row marginal.
  double mu = 0, var_i = 0, hx = 0;
  for (int i = 0; i < ng; ++i) mu += (i + 1) * px[i];
  for (int i = 0; i < ng; ++i)
    var_i += (i + 1 - mu) * (i + 1 - mu) * px[i], hx += entropy_term(px[i]);
  double joint_var = 0, corr_num = 0, tend = 0, shade = 0, prom = 0, hxy1 = 0, hxy2 = 0;
  for (int i = 0; i < ng; ++i)
    for (int j = 0; j < ng; ++j) {
      const double pp = px[i] * px[j];
      if (pp > 0) hxy2 += -pp * std::log2(pp);
      double p = counts[std::size_t(i) * ng + j] / total;
      if (p == 0) continue;
      const double di = i + 1 - mu, dj = j + 1 - mu, c = di + dj;
      joint_var += di * di * p;
      corr_num += di * dj * p;
      tend += c * c * p;
      shade += c * c * c * p;
      prom += c * c * c * c * p;
      hxy1 += -p * std::log2(pp);
    }
  double diff_avg = 0, diff_var = 0, diff_entr = 0, inv_var = 0;
  for (int k = 0; k < ng; ++k) diff_avg += k * diff[k], diff_entr += entropy_term(diff[k]);
  for (int k = 0; k < ng; ++k) {
    diff_var += (k - diff_avg) * (k - diff_avg) * diff[k];
    if (k > 0) inv_var += diff[k] / (double(k) * k);
  }
  double sum_avg = 0, sum_var = 0, sum_entr = 0;
  for (int k = 2; k <= 2 * ng; ++k) sum_avg += k * sum[k], sum_entr += entropy_term(sum[k]);
  for (int k = 2; k <= 2 * ng; ++k) sum_var += (k - sum_avg) * (k - sum_avg) * sum[k];
  return {{"cm_joint_max", joint_max},
          {"cm_joint_avg", joint_avg},
          {"cm_joint_var", joint_var},
          {"cm_joint_entr", joint_entr},
          {"cm_diff_avg", diff_avg},
          {"cm_diff_var", diff_var},
          {"cm_diff_entr", diff_entr},
          {"cm_sum_avg", sum_avg},
          {"cm_sum_var", sum_var},
          {"cm_sum_entr", sum_entr},
          {"cm_energy", energy},
          {"cm_contrast", contrast},
          {"cm_dissimilarity", dissim},
          {"cm_inv_diff", inv_diff},
          {"cm_inv_diff_norm", inv_diff_norm},
          {"cm_inv_diff_mom", inv_diff_mom},
          {"cm_inv_diff_mom_norm", inv_diff_mom_norm},
          {"cm_inv_var", inv_var},
          // One grey level: no variance, correlation defined as 0 here.
          {"cm_corr", var_i > 0 ? corr_num / var_i : 0.0},
          {"cm_auto_corr", auto_corr},
          {"cm_clust_tend", tend},
          {"cm_clust_shade", shade},
          {"cm_clust_prom", prom},
          {"cm_info_corr1", hx > 0 ? (joint_entr - hxy1) / hx : 0.0},
          {"cm_info_corr2", std::sqrt(std::max(0.0, 1 - std::exp(-2 * (hxy2 - joint_entr))))}};
}

void check_levels(const Discretised& d) {
  if (d.levels < 1 || d.levels > kMaxLevels)
    throw std::invalid_argument(
        "the ROI has " + std::to_string(d.levels) + " grey levels after discretisation (1 to " +
        std::to_string(kMaxLevels) + " allowed); choose a larger bin width");
}

}  // namespace

Roi make_roi(const std::array<int, 3>& shape, const float* image, const float* labels,
             const std::vector<int>& wanted) {
  auto in = [&](float l) {
    if (wanted.empty()) return l != 0.0f;
    for (int w : wanted)
      if (l == static_cast<float>(w)) return true;
    return false;
  };
  std::array<int, 3> lo{shape[0], shape[1], shape[2]}, hi{0, 0, 0};
  std::size_t i = 0;
  for (int z = 0; z < shape[0]; ++z)
    for (int y = 0; y < shape[1]; ++y)
      for (int x = 0; x < shape[2]; ++x, ++i)
        if (in(labels[i])) {
          lo = {std::min(lo[0], z), std::min(lo[1], y), std::min(lo[2], x)};
          hi = {std::max(hi[0], z + 1), std::max(hi[1], y + 1), std::max(hi[2], x + 1)};
        }
  if (hi[0] == 0) {
    std::string which;
    for (int w : wanted) which += (which.empty() ? "" : ",") + std::to_string(w);
    throw std::invalid_argument("no voxel of label " + (which.empty() ? "!= 0" : which) +
                                " in the mask (empty region)");
  }
  Roi r;
  r.shape = {hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]};
  const std::size_t n = std::size_t(r.shape[0]) * r.shape[1] * r.shape[2];
  r.value.resize(n);
  r.inside.resize(n);
  std::size_t o = 0;
  for (int z = lo[0]; z < hi[0]; ++z)
    for (int y = lo[1]; y < hi[1]; ++y) {
      const std::size_t row = (std::size_t(z) * shape[1] + y) * shape[2];
      for (int x = lo[2]; x < hi[2]; ++x, ++o) {
        const float v = image[row + x];
        const bool inside = in(labels[row + x]);
        if (inside && !std::isfinite(v))
          throw std::invalid_argument("NaN/Inf intensity inside the region at voxel (z,y,x) = (" +
                                      std::to_string(z) + "," + std::to_string(y) + "," +
                                      std::to_string(x) + ")");
        r.value[o] = v;
        r.inside[o] = inside;
        r.voxels += inside;
      }
    }
  return r;
}

Discretised discretise(const Roi& roi, const DiscretiseOptions& opts) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (std::size_t i = 0; i < roi.value.size(); ++i)
    if (roi.inside[i])
      lo = std::min(lo, double(roi.value[i])), hi = std::max(hi, double(roi.value[i]));
  Discretised d;
  d.shape = roi.shape;
  d.level.assign(roi.value.size(), 0);
  if (roi.voxels == 0) throw std::invalid_argument("empty region");
  const bool fbs = opts.method == Discretisation::FixedBinWidth;
  if (fbs && !(opts.bin_width > 0)) throw std::invalid_argument("bin width must be > 0");
  if (!fbs && opts.bins < 1) throw std::invalid_argument("bin number must be >= 1");
  const double w = opts.bin_width;
  const double base = fbs && opts.origin_zero ? std::floor(lo / w) : 0.0;
  for (std::size_t i = 0; i < roi.value.size(); ++i) {
    if (!roi.inside[i]) continue;
    const double x = roi.value[i];
    double l;
    if (fbs)
      l = opts.origin_zero ? std::floor(x / w) - base + 1 : std::floor((x - lo) / w) + 1;
    else
      l = hi > lo ? std::min(double(opts.bins), std::floor(opts.bins * (x - lo) / (hi - lo)) + 1)
                  : 1;
    if (l > kMaxLevels) l = kMaxLevels + 1;  // reported by check_levels
    d.level[i] = static_cast<int>(l);
    d.levels = std::max(d.levels, d.level[i]);
  }
  if (!fbs) d.levels = opts.bins;
  return d;
}

Features first_order(const Roi& roi) {
  if (roi.voxels == 0) throw std::invalid_argument("empty region");
  double n = 0, s = 0, energy = 0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (std::size_t i = 0; i < roi.value.size(); ++i)
    if (roi.inside[i]) {
      const double x = roi.value[i];
      n += 1, s += x, energy += x * x, lo = std::min(lo, x), hi = std::max(hi, x);
    }
  const double mean = s / n;
  double m2 = 0, m3 = 0, m4 = 0;
  for (std::size_t i = 0; i < roi.value.size(); ++i)
    if (roi.inside[i]) {
      const double d = roi.value[i] - mean;
      m2 += d * d, m3 += d * d * d, m4 += d * d * d * d;
    }
  m2 /= n, m3 /= n, m4 /= n;
  return {{"stat_mean", mean},
          {"stat_var", m2},
          {"stat_skew", m2 > 0 ? m3 / std::pow(m2, 1.5) : 0.0},  // IBSI: 0 for constant ROIs
          {"stat_kurt", m2 > 0 ? m4 / (m2 * m2) - 3 : 0.0},
          {"stat_min", lo},
          {"stat_max", hi},
          {"stat_energy", energy},
          {"stat_rms", std::sqrt(energy / n)}};
}

Features glcm(const Discretised& d) {
  check_levels(d);
  const int ng = d.levels, D = d.shape[0], H = d.shape[1], W = d.shape[2];
  std::vector<double> merged(std::size_t(ng) * ng, 0.0), one(merged.size());
  Features avg;
  int used = 0;
  for (const Offset& o : directions()) {
    std::fill(one.begin(), one.end(), 0.0);
    double pairs = 0;
    for (int z = 0; z < D; ++z) {
      const int z2 = z + o.dz;
      if (z2 < 0 || z2 >= D) continue;
      for (int y = 0; y < H; ++y) {
        const int y2 = y + o.dy;
        if (y2 < 0 || y2 >= H) continue;
        const int* a = &d.level[(std::size_t(z) * H + y) * W];
        const int* b = &d.level[(std::size_t(z2) * H + y2) * W];
        for (int x = std::max(0, -o.dx); x < W - std::max(0, o.dx); ++x) {
          const int i = a[x], j = b[x + o.dx];
          if (i == 0 || j == 0) continue;
          // Symmetric: the pair counts for δ and −δ.
          one[std::size_t(i - 1) * ng + (j - 1)] += 1;
          one[std::size_t(j - 1) * ng + (i - 1)] += 1;
          pairs += 1;
        }
      }
    }
    if (pairs == 0) continue;  // a direction the ROI has no pair along
    ++used;
    for (std::size_t k = 0; k < one.size(); ++k) merged[k] += one[k];
    for (const auto& [name, v] : cm_features(one, ng)) avg[name] += v;
  }
  if (used == 0)
    throw std::invalid_argument("no two neighbouring voxels in the region; GLCM undefined");
  Features out;
  for (const auto& [name, v] : avg) out[name + "_3d_avg"] = v / used;
  for (const auto& [name, v] : cm_features(merged, ng)) out[name + "_3d_mrg"] = v;
  return out;
}

Features glszm(const Discretised& d) {
  check_levels(d);
  const int D = d.shape[0], H = d.shape[1], W = d.shape[2];
  std::vector<std::uint8_t> seen(d.level.size(), 0);
  std::vector<std::size_t> stack;
  std::map<std::pair<int, long>, double> cells;  // (level, size) → zones
  double nv = 0;
  for (std::size_t start = 0; start < d.level.size(); ++start) {
    const int g = d.level[start];
    if (g == 0 || seen[start]) continue;
    long size = 0;
    stack.assign(1, start);
    seen[start] = 1;
    while (!stack.empty()) {  // flood fill over the 26-neighbourhood
      const std::size_t v = stack.back();
      stack.pop_back();
      ++size;
      const int z = int(v / (std::size_t(H) * W)), y = int(v / W % H), x = int(v % W);
      for (int dz = -1; dz <= 1; ++dz)
        for (int dy = -1; dy <= 1; ++dy)
          for (int dx = -1; dx <= 1; ++dx) {
            const int z2 = z + dz, y2 = y + dy, x2 = x + dx;
            if (z2 < 0 || z2 >= D || y2 < 0 || y2 >= H || x2 < 0 || x2 >= W) continue;
            const std::size_t u = (std::size_t(z2) * H + y2) * W + x2;
            if (seen[u] || d.level[u] != g) continue;
            seen[u] = 1;
            stack.push_back(u);
          }
    }
    cells[{g, size}] += 1;
    nv += size;
  }
  if (cells.empty()) throw std::invalid_argument("empty region");
  double ns = 0;
  std::map<int, double> by_level;
  std::map<long, double> by_size;
  for (const auto& [k, m] : cells) ns += m, by_level[k.first] += m, by_size[k.second] += m;
  double sze = 0, lze = 0, lgze = 0, hgze = 0, szlge = 0, szhge = 0, lzlge = 0, lzhge = 0;
  double mu_i = 0, mu_j = 0, entr = 0;
  for (const auto& [k, m] : cells) {
    const double i2 = double(k.first) * k.first, j2 = double(k.second) * k.second;
    sze += m / j2, lze += m * j2, lgze += m / i2, hgze += m * i2;
    szlge += m / (i2 * j2), szhge += m * i2 / j2, lzlge += m * j2 / i2, lzhge += m * i2 * j2;
    mu_i += k.first * m / ns, mu_j += k.second * m / ns;
    entr += entropy_term(m / ns);
  }
  double var_i = 0, var_j = 0, glnu = 0, zsnu = 0;
  for (const auto& [k, m] : cells)
    var_i += (k.first - mu_i) * (k.first - mu_i) * m / ns,
        var_j += (k.second - mu_j) * (k.second - mu_j) * m / ns;
  for (const auto& [g, m] : by_level) glnu += m * m;
  for (const auto& [s, m] : by_size) zsnu += m * m;
  return {{"szm_sze", sze / ns},     {"szm_lze", lze / ns},
          {"szm_lgze", lgze / ns},   {"szm_hgze", hgze / ns},
          {"szm_szlge", szlge / ns}, {"szm_szhge", szhge / ns},
          {"szm_lzlge", lzlge / ns}, {"szm_lzhge", lzhge / ns},
          {"szm_glnu", glnu / ns},   {"szm_glnu_norm", glnu / (ns * ns)},
          {"szm_zsnu", zsnu / ns},   {"szm_zsnu_norm", zsnu / (ns * ns)},
          {"szm_z_perc", ns / nv},   {"szm_grey_lvl_var", var_i},
          {"szm_zs_var", var_j},     {"szm_zs_entr", entr}};
}

Features ngtdm(const Discretised& d) {
  check_levels(d);
  const int ng = d.levels, D = d.shape[0], H = d.shape[1], W = d.shape[2];
  std::vector<double> n(ng + 1, 0.0), s(ng + 1, 0.0);
  double nvc = 0;
  for (int z = 0; z < D; ++z)
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        const int g = d.level[(std::size_t(z) * H + y) * W + x];
        if (g == 0) continue;
        double sum = 0, count = 0;
        for (int dz = -1; dz <= 1; ++dz)
          for (int dy = -1; dy <= 1; ++dy)
            for (int dx = -1; dx <= 1; ++dx) {
              const int z2 = z + dz, y2 = y + dy, x2 = x + dx;
              if ((dz | dy | dx) == 0 || z2 < 0 || z2 >= D || y2 < 0 || y2 >= H || x2 < 0 ||
                  x2 >= W)
                continue;
              const int h = d.level[(std::size_t(z2) * H + y2) * W + x2];
              if (h != 0) sum += h, count += 1;
            }
        if (count == 0) continue;  // no neighbour in the ROI: not a valid neighbourhood
        n[g] += 1;
        s[g] += std::abs(g - sum / count);
        nvc += 1;
      }
  Features f{{"ngt_coarseness", 1e6},
             {"ngt_contrast", 0.0},
             {"ngt_busyness", 0.0},
             {"ngt_complexity", 0.0},
             {"ngt_strength", 0.0}};
  if (nvc == 0) return f;
  std::vector<double> p(ng + 1, 0.0);
  double ngp = 0, ps = 0, s_total = 0;
  for (int i = 1; i <= ng; ++i) {
    p[i] = n[i] / nvc;
    ngp += p[i] > 0;
    ps += p[i] * s[i];
    s_total += s[i];
  }
  double contrast = 0, busy_den = 0, complexity = 0, strength = 0;
  for (int i = 1; i <= ng; ++i)
    for (int j = 1; j <= ng; ++j) {
      if (p[i] == 0 || p[j] == 0) continue;
      const double k = i - j;
      contrast += p[i] * p[j] * k * k;
      busy_den += std::abs(i * p[i] - j * p[j]);
      complexity += std::abs(k) * (p[i] * s[i] + p[j] * s[j]) / (p[i] + p[j]);
      strength += (p[i] + p[j]) * k * k;
    }
  if (ps > 0) f["ngt_coarseness"] = 1 / ps;
  if (ngp > 1) f["ngt_contrast"] = contrast / (ngp * (ngp - 1)) * s_total / nvc;
  if (busy_den > 0) f["ngt_busyness"] = ps / busy_den;
  f["ngt_complexity"] = complexity / nvc;
  if (s_total > 0) f["ngt_strength"] = strength / s_total;
  return f;
}

Features all_features(const Roi& roi, const DiscretiseOptions& opts) {
  Features out = first_order(roi);
  const Discretised d = discretise(roi, opts);
  for (const Features& part : {glcm(d), glszm(d), ngtdm(d)}) out.insert(part.begin(), part.end());
  return out;
}

}  // namespace gbmsweep::radiomics
