#include "analysis/compare.hpp"

#include <cmath>
#include <sstream>

#include "common/error.hpp"

namespace gbmsweep::analysis {

namespace {

const char* kMetrics[] = {"AUC", "AP", "SEN", "SPE"};

double published(const PublishedMetrics& m, int i) {
  return i == 0 ? m.auc : i == 1 ? m.ap : i == 2 ? m.sen : m.spe;
}

Cell yes_no(bool b) { return Cell::str(b ? "yes" : "no"); }

std::vector<Cell> missing_row(std::vector<Cell> row, std::size_t width, const std::string& why) {
  row.push_back(Cell::str(why));
  while (row.size() < width) row.push_back(Cell::str("—"));
  return row;
}

Table metrics_table(const PublishedStudy& paper, const Reproduced& ours, const CompareOptions& o) {
  const int pct = static_cast<int>(std::lround(o.bootstrap.level * 100));
  Table t;
  t.title = "Paper beside us: Tables 1–3 (published vs reproduced, hold-out test set)";
  t.header = {"Network", "Ensemble", "Metric", "Paper", "Ours", "Δ (ours − paper)",
              "Ours " + std::to_string(pct) + "% CI", "Paper in CI"};
  int inside = 0, compared = 0;
  for (const auto& pub : paper.metrics) {
    bool found = false;
    for (const auto& e : ours.ensembles) {
      if (e.network != pub.network || e.predictions.name != pub.ensemble) continue;
      found = true;
      const auto& p = e.predictions;
      double value[4];
      Interval ci[4];
      bool have_ci = false;
      std::string why;
      try {
        value[0] = roc_auc(p.labels, p.scores);
        value[1] = average_precision(p.labels, p.scores);
        auto th = threshold_metrics(p.labels, p.scores, o.threshold);
        value[2] = th.sen;
        value[3] = th.spe;
        if (o.bootstrap.resamples > 0) {
          BootstrapOptions b = o.bootstrap;
          b.threshold = o.threshold;
          auto r = bootstrap_auc_ap(p.labels, p.scores, b);
          ci[0] = r.auc, ci[1] = r.ap, ci[2] = r.sen, ci[3] = r.spe;
          have_ci = true;
        }
      } catch (const Error& err) {  // a single-class test set: no AUC
        why = std::string("undefined (") + err.what() + ")";
      }
      for (int i = 0; i < 4; ++i) {
        std::vector<Cell> row{Cell::str(e.label), Cell::str(pub.ensemble), Cell::str(kMetrics[i]),
                              Cell::num(published(pub, i))};
        if (!why.empty()) {
          t.rows.push_back(missing_row(row, t.header.size(), why));
          continue;
        }
        row.push_back(Cell::num(value[i]));
        row.push_back(Cell::num(value[i] - published(pub, i)));
        if (have_ci) {
          const bool in = ci[i].lo <= published(pub, i) && published(pub, i) <= ci[i].hi;
          row.push_back(Cell::range(ci[i].lo, ci[i].hi));
          row.push_back(yes_no(in));
          inside += in;
          ++compared;
        } else {
          row.push_back(Cell::str("not computed"));
          row.push_back(Cell::str("—"));
        }
        t.rows.push_back(row);
      }
    }
    if (!found)
      for (int i = 0; i < 4; ++i)
        t.rows.push_back(missing_row({Cell::str(pub.network), Cell::str(pub.ensemble),
                                      Cell::str(kMetrics[i]), Cell::num(published(pub, i))},
                                     t.header.size(), "missing"));
  }
  std::ostringstream note;
  note << "Published: " << paper.citation << ". Ours: the seed-averaged ensemble, SEN/SPE at "
       << o.threshold << ". ";
  if (o.bootstrap.resamples > 0)
    note << "CI: percentile bootstrap over our test patients (" << o.bootstrap.resamples
         << " resamples, seed " << o.bootstrap.seed << "); the published value lies inside in "
         << inside << " of " << compared << " comparisons.";
  else
    note << "No bootstrap intervals (0 resamples).";
  t.note = note.str();
  return t;
}

Table friedman_table(const PublishedStudy& paper, const Reproduced& ours, const CompareOptions& o) {
  Table t;
  t.title = "Paper beside us: Table 4 (Friedman and Nemenyi p, published vs reproduced)";
  t.header = {"Input set", "Test", "Paper p", "Ours p", "Ours p (psturng form)",
              "Δ (ours − paper)", "Same side of α"};
  const std::pair<const char*, std::pair<std::string, std::string>> kPairs[] = {
      {"SpotTune vs Random", {"spottune", "resnet_random"}},
      {"Random vs Transfer", {"resnet_random", "resnet_transfer"}},
      {"SpotTune vs Transfer", {"spottune", "resnet_transfer"}}};
  std::string picks_note;
  for (const auto& pub : paper.friedman) {
    const Reproduced::Friedman* mine = nullptr;
    for (const auto& f : ours.friedman)
      if (f.input_set == pub.input_set) mine = &f;
    if (mine && !mine->picks.empty()) {
      picks_note = " Our best overall: ";
      for (std::size_t i = 0; i < mine->picks.size(); ++i)
        picks_note += (i ? ", " : "") + mine->picks[i];
      picks_note += "; the paper's: ";
      for (std::size_t i = 0; i < paper.best_overall.size(); ++i)
        picks_note += (i ? ", " : "") + paper.best_overall[i].first + " " +
                      paper.best_overall[i].second;
      picks_note += ".";
    }
    const double pub_nemenyi[] = {pub.spottune_random, pub.random_transfer,
                                  pub.spottune_transfer};
    auto same_side = [&](double a, double b) { return yes_no((a < o.alpha) == (b < o.alpha)); };
    std::vector<Cell> row{Cell::str(pub.input_set), Cell::str("Friedman"), Cell::p(pub.friedman_p)};
    if (!mine || !mine->computed) {
      t.rows.push_back(missing_row(row, t.header.size(), "missing"));
    } else {
      row.push_back(Cell::p(mine->p));
      row.push_back(Cell::str("—"));
      row.push_back(Cell::num(mine->p - pub.friedman_p));
      row.push_back(same_side(mine->p, pub.friedman_p));
      t.rows.push_back(row);
    }
    for (int i = 0; i < 3; ++i) {
      std::vector<Cell> r{Cell::str(pub.input_set), Cell::str(kPairs[i].first),
                          Cell::p(pub_nemenyi[i])};
      const std::pair<double, double>* found = nullptr;
      if (mine && mine->computed)
        if (auto it = mine->nemenyi.find(kPairs[i].second); it != mine->nemenyi.end())
          found = &it->second;
      if (!found) {
        t.rows.push_back(missing_row(r, t.header.size(), "missing"));
        continue;
      }
      const auto [exact, clipped] = *found;
      r.push_back(Cell::p(exact));
      r.push_back(Cell::p(clipped));
      r.push_back(Cell::num(clipped - pub_nemenyi[i]));
      r.push_back(same_side(clipped, pub_nemenyi[i]));
      t.rows.push_back(r);
    }
  }
  std::ostringstream note;
  note << "Published: " << paper.citation << ". The paper's Nemenyi p look clipped to "
       << "[0.001, 0.9] as statsmodels' psturng reports them; Δ for Nemenyi is taken against "
       << "our p in that form. Same side of α (" << o.alpha << "): both significant or both not."
       << picks_note;
  t.note = note.str();
  return t;
}

}  // namespace

std::vector<Table> paper_beside_us(const PublishedStudy& paper, const Reproduced& ours,
                                   const CompareOptions& options) {
  return {metrics_table(paper, ours, options), friedman_table(paper, ours, options)};
}

}  // namespace gbmsweep::analysis
