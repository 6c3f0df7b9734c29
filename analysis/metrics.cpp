#include "analysis/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "common/error.hpp"

namespace gbmsweep::analysis {

namespace {

void check_same_size(const char* what, std::size_t a, std::size_t b) {
  GBM_CHECK(a == b, what << ": the two vectors differ in length (" << a << " vs " << b << ")");
}

// Counts positives and checks that every label is 0 or 1 and every score finite.
int count_positives(const char* what, const std::vector<double>& labels,
                    const std::vector<double>& scores) {
  check_same_size(what, labels.size(), scores.size());
  int pos = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    GBM_CHECK(labels[i] == 0.0 || labels[i] == 1.0,
              what << ": label " << i << " is " << labels[i] << ", expected 0 or 1");
    GBM_CHECK(std::isfinite(scores[i]), what << ": score " << i << " is not finite");
    pos += labels[i] == 1.0;
  }
  return pos;
}

void check_two_classes(const char* what, int pos, std::size_t n) {
  GBM_CHECK(pos > 0 && static_cast<std::size_t>(pos) < n,
            what << ": undefined when all " << n << " labels are one class (" << pos
                 << " positive)");
}

// Indices sorted by descending score; stable so the result does not depend on the sort.
std::vector<std::size_t> order_descending(const std::vector<double>& scores) {
  std::vector<std::size_t> idx(scores.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(),
                   [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  return idx;
}

double auc_from_ranks(const std::vector<double>& labels, const std::vector<double>& scores,
                      int pos) {
  std::vector<double> r = midranks(scores);
  double sum = 0;
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] == 1.0) sum += r[i];
  double p = pos, n = static_cast<double>(labels.size()) - pos;
  return (sum - p * (p + 1) / 2) / (p * n);
}

double ap_unchecked(const std::vector<double>& labels, const std::vector<double>& scores,
                    int pos) {
  std::vector<std::size_t> idx = order_descending(scores);
  double tp = 0, fp = 0, prev_recall = 0, ap = 0;
  for (std::size_t i = 0; i < idx.size();) {
    // All samples tied at this score cross the threshold together.
    std::size_t j = i;
    while (j < idx.size() && scores[idx[j]] == scores[idx[i]]) {
      (labels[idx[j]] == 1.0 ? tp : fp) += 1;
      ++j;
    }
    double recall = tp / pos, precision = tp / (tp + fp);
    ap += (recall - prev_recall) * precision;
    prev_recall = recall;
    i = j;
  }
  return ap;
}

}  // namespace

std::vector<double> midranks(const std::vector<double>& x) {
  std::vector<std::size_t> idx(x.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  std::vector<double> r(x.size());
  for (std::size_t i = 0; i < idx.size();) {
    std::size_t j = i;
    while (j + 1 < idx.size() && x[idx[j + 1]] == x[idx[i]]) ++j;
    double mid = (static_cast<double>(i) + static_cast<double>(j)) / 2 + 1;
    for (std::size_t k = i; k <= j; ++k) r[idx[k]] = mid;
    i = j + 1;
  }
  return r;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  check_same_size("pearson", x.size(), y.size());
  GBM_CHECK(x.size() >= 2, "pearson: needs at least 2 points, got " << x.size());
  double n = static_cast<double>(x.size());
  double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxx = 0, syy = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    double dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  GBM_CHECK(std::isfinite(sxx) && std::isfinite(syy), "pearson: input has non-finite values");
  GBM_CHECK(sxx > 0, "pearson: the first vector is constant; correlation is undefined");
  GBM_CHECK(syy > 0, "pearson: the second vector is constant; correlation is undefined");
  double r = sxy / std::sqrt(sxx * syy);
  return std::clamp(r, -1.0, 1.0);
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  check_same_size("spearman", x.size(), y.size());
  GBM_CHECK(x.size() >= 2, "spearman: needs at least 2 points, got " << x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    GBM_CHECK(std::isfinite(x[i]) && std::isfinite(y[i]),
              "spearman: value " << i << " is not finite");
  std::vector<double> rx = midranks(x), ry = midranks(y);
  GBM_CHECK(rx != std::vector<double>(rx.size(), rx[0]),
            "spearman: the first vector is constant; correlation is undefined");
  GBM_CHECK(ry != std::vector<double>(ry.size(), ry[0]),
            "spearman: the second vector is constant; correlation is undefined");
  return pearson(rx, ry);
}

double rmse(const std::vector<double>& observed, const std::vector<double>& predicted) {
  check_same_size("rmse", observed.size(), predicted.size());
  GBM_CHECK(!observed.empty(), "rmse: no values");
  double s = 0;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    double d = observed[i] - predicted[i];
    s += d * d;
  }
  return std::sqrt(s / static_cast<double>(observed.size()));
}

double roc_auc(const std::vector<double>& labels, const std::vector<double>& scores) {
  int pos = count_positives("roc_auc", labels, scores);
  check_two_classes("roc_auc", pos, labels.size());
  return auc_from_ranks(labels, scores, pos);
}

double average_precision(const std::vector<double>& labels, const std::vector<double>& scores) {
  int pos = count_positives("average_precision", labels, scores);
  GBM_CHECK(pos > 0, "average_precision: undefined without a positive label (n = "
                         << labels.size() << ")");
  return ap_unchecked(labels, scores, pos);
}

ThresholdCounts threshold_counts(const std::vector<double>& labels,
                                 const std::vector<double>& scores, double threshold) {
  check_same_size("threshold_counts", labels.size(), scores.size());
  ThresholdCounts c;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    GBM_CHECK(labels[i] == 0.0 || labels[i] == 1.0,
              "threshold_counts: label " << i << " is " << labels[i] << ", expected 0 or 1");
    const bool predicted = scores[i] >= threshold;
    if (labels[i] == 1.0)
      (predicted ? c.tp : c.fn) += 1;
    else
      (predicted ? c.fp : c.tn) += 1;
  }
  return c;
}

ThresholdMetrics threshold_metrics(const std::vector<double>& labels,
                                   const std::vector<double>& scores, double threshold) {
  int pos = count_positives("threshold_metrics", labels, scores);
  check_two_classes("threshold_metrics (SEN and SPE)", pos, labels.size());
  const ThresholdCounts c = threshold_counts(labels, scores, threshold);
  ThresholdMetrics m;
  m.threshold = threshold;
  m.tp = c.tp;
  m.fp = c.fp;
  m.tn = c.tn;
  m.fn = c.fn;
  m.sen = static_cast<double>(m.tp) / (m.tp + m.fn);
  m.spe = static_cast<double>(m.tn) / (m.tn + m.fp);
  m.acc = static_cast<double>(m.tp + m.tn) / static_cast<double>(labels.size());
  return m;
}

double m_criterion(double sen, double spe) {
  return 0.6 * (sen >= 0.5 ? 1.0 : 0.0) + 0.4 * (spe >= 0.5 ? 1.0 : 0.0);
}

double weighted_sen_spe(double sen, double spe) { return 0.6 * sen + 0.4 * spe; }

double quantile(std::vector<double> v, double q) {
  GBM_CHECK(!v.empty(), "quantile of an empty vector");
  GBM_CHECK(q >= 0 && q <= 1, "quantile: q = " << q << " is outside [0, 1]");
  std::sort(v.begin(), v.end());
  double h = q * static_cast<double>(v.size() - 1);
  auto lo = static_cast<std::size_t>(std::floor(h));
  std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

BootstrapResult bootstrap_auc_ap(const std::vector<double>& labels,
                                 const std::vector<double>& scores,
                                 const BootstrapOptions& options) {
  int pos = count_positives("bootstrap_auc_ap", labels, scores);
  check_two_classes("bootstrap_auc_ap", pos, labels.size());
  GBM_CHECK(options.resamples >= 1, "bootstrap: resamples must be >= 1");
  GBM_CHECK(options.level > 0 && options.level < 1,
            "bootstrap: level " << options.level << " is outside (0, 1)");
  BootstrapResult out;
  out.estimate = {auc_from_ranks(labels, scores, pos), ap_unchecked(labels, scores, pos)};
  out.resamples = options.resamples;

  const std::size_t n = labels.size();
  std::mt19937_64 rng(options.seed);
  // Unbiased index draw by rejection, so results do not depend on the library's distributions.
  const std::uint64_t limit = std::mt19937_64::max() - std::mt19937_64::max() % n;
  auto draw = [&]() {
    std::uint64_t v;
    do v = rng(); while (v >= limit);
    return static_cast<std::size_t>(v % n);
  };
  std::vector<double> aucs, aps, sens, spes, bl(n), bs(n);
  aucs.reserve(options.resamples);
  aps.reserve(options.resamples);
  // A guard against a pathological sample (e.g. one positive in thousands) looping forever.
  const long max_draws = 1000L * options.resamples;
  long draws = 0;
  while (static_cast<int>(aucs.size()) < options.resamples) {
    GBM_CHECK(++draws <= max_draws, "bootstrap: almost every resample has a single class ("
                                        << pos << " positives of " << n << ")");
    int bpos = 0;
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t k = draw();
      bl[i] = labels[k];
      bs[i] = scores[k];
      bpos += labels[k] == 1.0;
    }
    if (bpos == 0 || static_cast<std::size_t>(bpos) == n) {
      ++out.redrawn;
      continue;
    }
    aucs.push_back(auc_from_ranks(bl, bs, bpos));
    aps.push_back(ap_unchecked(bl, bs, bpos));
    int tp = 0, tn = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const bool predicted = bs[i] >= options.threshold;
      tp += bl[i] == 1.0 && predicted;
      tn += bl[i] != 1.0 && !predicted;
    }
    sens.push_back(static_cast<double>(tp) / bpos);
    spes.push_back(static_cast<double>(tn) / static_cast<double>(n - bpos));
  }
  double a = (1 - options.level) / 2;
  out.auc = {quantile(aucs, a), quantile(aucs, 1 - a)};
  out.ap = {quantile(aps, a), quantile(aps, 1 - a)};
  out.sen = {quantile(sens, a), quantile(sens, 1 - a)};
  out.spe = {quantile(spes, a), quantile(spes, 1 - a)};
  return out;
}

}  // namespace gbmsweep::analysis
