#include "analysis/report.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "analysis/compare.hpp"
#include "analysis/ensemble.hpp"
#include "analysis/metrics.hpp"
#include "analysis/paper_values.hpp"
#include "analysis/radiomics_table.hpp"
#include "analysis/stats.hpp"
#include "analysis/table.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"

namespace gbmsweep::analysis {

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

// One MRI model configuration: a network with one variant, over its seeds.
struct MriConfig {
  std::string network, variant, label;
  // seed_index -> ensemble name -> predictions
  std::map<int, std::map<std::string, Predictions>> seeds;
  std::map<std::string, Predictions> averaged;  // over seeds, per ensemble
};

struct Comparison {
  std::string name;  // row of Table 4 ("DSC", ..., "Best overall")
  std::vector<std::string> methods;
  std::vector<const MriConfig*> owners;  // the configuration behind each method
  std::vector<std::string> ensembles;    // the ensemble behind each method
  std::optional<FriedmanResult> result;
  std::string skipped;  // why there is no result
};

std::string short_list(const std::vector<std::string>& v, std::size_t max = 5) {
  std::string s;
  for (std::size_t i = 0; i < v.size() && i < max; ++i) s += (i ? ", " : "") + v[i];
  if (v.size() > max) s += ", ... (" + std::to_string(v.size()) + " in all)";
  return s;
}

std::string file_stem(const std::string& s) {
  std::string o;
  for (char c : s) o += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '+' ? c : '_';
  return o;
}

std::string fmt(double v, int digits = 4) {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(digits);
  os << v;
  return os.str();
}

class ReportBuilder {
 public:
  ReportBuilder(const ReportOptions& o, const std::vector<TaskRecord>& records)
      : o_(o), records_(records) {}

  ReportSummary run();

 private:
  void write(const std::string& name, const std::string& content) {
    fs::atomic_write((std::filesystem::path(o_.out_dir) / name).string(), content);
    summary_.files.push_back(name);
  }
  void missing(const std::string& line) { summary_.completeness.push_back(line); }
  // Studies are reported when the store has tasks of them (both for an empty store), so that
  // a probe-only or single-study store is not called incomplete for the other study.
  static bool of_study(const TaskRecord& r, const std::string& study) {
    return r.study == study || r.kind.rfind(study + ".", 0) == 0;
  }
  bool has_study(const char* study) const {
    return records_.empty() || std::any_of(records_.begin(), records_.end(),
                                           [&](const TaskRecord& r) { return of_study(r, study); });
  }

  void collect_records();
  void collect_mri(const TaskRecord& r);
  void mri_tables();
  void friedman_tables();
  void mri_plots();
  void paper_tables();
  std::vector<std::pair<const MriConfig*, std::string>> best_overall();
  void drug_table();
  void finish();

  const ReportOptions& o_;
  const std::vector<TaskRecord>& records_;
  ReportSummary summary_;
  std::vector<MriConfig> configs_;
  std::vector<const TaskRecord*> drug_;
  std::vector<const TaskRecord*> radiomics_;  // mri.radiomics (issue 18)
  std::optional<Table> radiomics_table_;
  std::vector<Table> mri_tables_;
  std::vector<Table> friedman_tables_;
  std::vector<Table> paper_tables_;
  std::string paper_note_;
  std::optional<Table> drug_table_;
  std::vector<std::pair<std::string, std::string>> figures_;  // (caption, png file)
  std::vector<std::string> notes_;                            // method notes for the report text
  std::vector<Comparison> comparisons_;
  int seeds_max_ = 0;
};

void ReportBuilder::collect_mri(const TaskRecord& r) {
  std::string network = r.params.value("network", std::string());
  if (network.empty()) {
    missing("record " + r.key + " (mri.ensemble) has no params.network; ignored");
    return;
  }
  std::string variant = r.params.contains("variant") && !r.params["variant"].is_null()
                            ? r.params["variant"].dump()
                            : "{}";
  int seed = r.params.value("seed_index", 0);
  auto it = std::find_if(configs_.begin(), configs_.end(), [&](const MriConfig& c) {
    return c.network == network && c.variant == variant;
  });
  if (it == configs_.end()) {
    MriConfig c;
    c.network = network;
    c.variant = variant;
    configs_.push_back(c);
    it = configs_.end() - 1;
  }
  auto& ens = it->seeds[seed];
  if (!ens.empty()) missing("network " + network + " seed " + std::to_string(seed) + ": two ensemble records; the later one (" + r.key + ") is used");
  ens.clear();
  for (const auto& p : r.result->predictions) ens[p.name] = p;
}

void ReportBuilder::collect_records() {
  std::map<std::string, std::map<std::string, int>> counts;
  // Failed tasks one line each (up to a limit); pending/running ones summarised per kind.
  constexpr int kMaxFailedLines = 100;
  int failed_lines = 0, failed_more = 0;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> waiting;
  for (const auto& r : records_) {
    counts[r.kind][r.status]++;
    std::string label = r.key + (r.name.empty() ? "" : " " + r.name);
    if (r.status == "failed") {
      if (failed_lines++ < kMaxFailedLines)
        missing("task " + label + " (" + r.kind + ") failed" + (r.error.empty() ? "" : ": " + r.error));
      else
        ++failed_more;
      continue;
    }
    if (r.status != "done") {
      waiting[{r.kind, r.status}].push_back(label);
      continue;
    }
    if (!r.result) {
      if (r.kind == "mri.ensemble" || r.kind == "drug.aggregate")
        missing("task " + r.key + " (" + r.kind + "): done but its result was not loaded");
      continue;
    }
    try {
      if (r.kind == "mri.ensemble") collect_mri(r);
    } catch (const std::exception& e) {  // params of the wrong type (nlohmann::json throws)
      missing("record " + r.key + " (mri.ensemble) ignored: " + e.what());
    }
    if (r.kind == "drug.aggregate") drug_.push_back(&r);
    if (r.kind == "mri.radiomics") radiomics_.push_back(&r);
  }
  if (failed_more > 0) missing("... and " + std::to_string(failed_more) + " more failed tasks");
  for (const auto& [ks, labels] : waiting)
    missing(std::to_string(labels.size()) + " " + ks.first + " task(s) " + ks.second + ": " + short_list(labels, 3));
  std::ostringstream os;
  for (const auto& [kind, st] : counts) {
    os << "- " << kind << ":";
    for (const auto& [s, n] : st) os << " " << n << " " << s;
    os << "\n";
  }
  notes_.push_back("Task records read: " + std::to_string(records_.size()) + "\n\n" + os.str());

  // Configurations in the order of options.networks, then any other network.
  auto rank = [&](const std::string& n) {
    for (std::size_t i = 0; i < o_.networks.size(); ++i)
      if (o_.networks[i].first == n) return i;
    return o_.networks.size();
  };
  std::stable_sort(configs_.begin(), configs_.end(),
                   [&](const MriConfig& a, const MriConfig& b) { return rank(a.network) < rank(b.network); });
  std::map<std::string, int> variants;
  for (const auto& c : configs_) variants[c.network]++;
  for (auto& c : configs_) {
    std::size_t i = rank(c.network);
    c.label = i < o_.networks.size() ? o_.networks[i].second : c.network;
    if (variants[c.network] > 1) c.label += " " + c.variant;
    seeds_max_ = std::max(seeds_max_, static_cast<int>(c.seeds.size()));
  }
  // Networks the sweep has tasks of (all of options.networks for an empty store).
  std::set<std::string> planned;
  for (const auto& r : records_)
    if (of_study(r, "mri") && r.params.contains("network") && r.params["network"].is_string())
      planned.insert(r.params["network"].get<std::string>());
  if (has_study("mri"))
    for (const auto& [n, display] : o_.networks)
      if (!variants.count(n) && (planned.empty() || planned.count(n)))
        missing("MRI: no finished mri.ensemble record for network " + n + " (" + display + ")");
}

void ReportBuilder::mri_tables() {
  int number = 0;
  for (auto& c : configs_) {
    ++number;
    Table t;
    t.title = "Table " + std::to_string(number) + ": " + c.label + " — hold-out test set";
    t.header = {"Ensemble", "AUC", "AP", "SEN", "SPE", "n"};
    if (o_.bootstrap.resamples > 0) {
      int pct = static_cast<int>(std::lround(o_.bootstrap.level * 100));
      t.header.push_back("AUC " + std::to_string(pct) + "% CI");
      t.header.push_back("AP " + std::to_string(pct) + "% CI");
    }
    std::set<std::string> all_names;
    for (const auto& [seed, ens] : c.seeds)
      for (const auto& [name, p] : ens) all_names.insert(name);
    std::vector<std::string> rows = o_.ensembles;
    // Single inputs and any other ensembles after the paper's rows.
    for (const auto& n : all_names)
      if (std::find(rows.begin(), rows.end(), n) == rows.end()) rows.push_back(n);
    for (const auto& name : rows) {
      std::vector<double> auc, ap, sen, spe;
      std::vector<int> missing_seeds;
      int n = 0;
      for (const auto& [seed, ens] : c.seeds) {
        auto it = ens.find(name);
        if (it == ens.end()) {
          missing_seeds.push_back(seed);
          continue;
        }
        const Predictions& p = it->second;
        n = static_cast<int>(p.ids.size());
        try {
          auc.push_back(roc_auc(p.labels, p.scores));
          ap.push_back(average_precision(p.labels, p.scores));
          auto m = threshold_metrics(p.labels, p.scores, o_.threshold);
          sen.push_back(m.sen);
          spe.push_back(m.spe);
        } catch (const Error& e) {
          missing("MRI " + c.label + " " + name + " seed " + std::to_string(seed) + ": no metrics (" + e.what() + ")");
        }
      }
      bool paper_row = std::find(o_.ensembles.begin(), o_.ensembles.end(), name) != o_.ensembles.end();
      if (!missing_seeds.empty() && (paper_row || missing_seeds.size() < c.seeds.size())) {
        std::vector<std::string> s;
        for (int x : missing_seeds) s.push_back(std::to_string(x));
        missing("MRI " + c.label + ": ensemble " + name + " missing in seed(s) " + short_list(s));
      }
      auto cell = [&](const std::vector<double>& v) {
        if (v.empty()) return Cell::str("missing");
        MeanSd m = mean_sd(v);
        return Cell::num(m.mean, v.size() > 1 ? m.sd : kNaN);
      };
      std::vector<Cell> row{Cell::str(name), cell(auc), cell(ap), cell(sen), cell(spe),
                            Cell::str(auc.empty() ? "" : std::to_string(n))};
      // The seed-averaged ensemble, used by the intervals, Table 4 and the curves.
      std::vector<Predictions> members;
      for (const auto& [seed, ens] : c.seeds)
        if (auto it = ens.find(name); it != ens.end()) members.push_back(it->second);
      if (!members.empty()) {
        try {
          c.averaged[name] = mean_predictions(members, name, IdPolicy::Same);
        } catch (const Error&) {
          try {
            c.averaged[name] = mean_predictions(members, name, IdPolicy::Intersect);
            missing("MRI " + c.label + " " + name + ": seeds hold different test patients; averaged over the " +
                    std::to_string(c.averaged[name].ids.size()) + " common ones");
          } catch (const Error& e) {  // e.g. a patient labelled differently in two seeds
            missing("MRI " + c.label + " " + name + ": seeds cannot be averaged (" + e.what() +
                    "); left out of Table 4 and the figures");
          }
        }
      }
      if (o_.bootstrap.resamples > 0) {
        Cell auc_ci = Cell::str(""), ap_ci = Cell::str("");
        if (auto it = c.averaged.find(name); it != c.averaged.end()) {
          try {
            auto b = bootstrap_auc_ap(it->second.labels, it->second.scores, o_.bootstrap);
            auc_ci = Cell::range(b.auc.lo, b.auc.hi);
            ap_ci = Cell::range(b.ap.lo, b.ap.hi);
          } catch (const Error&) {
          }  // single-class test sets are already reported above
        }
        row.push_back(auc_ci);
        row.push_back(ap_ci);
      }
      t.rows.push_back(row);
    }
    std::ostringstream note;
    note << "SEN and SPE at threshold " << o_.threshold << ". ";
    if (c.seeds.size() > 1)
      note << "Mean ± sd over " << c.seeds.size() << " seeds (each seed's ensemble scored on its own). ";
    else
      note << "One seed. ";
    if (o_.bootstrap.resamples > 0)
      note << "Intervals: percentile bootstrap over test patients (" << o_.bootstrap.resamples
           << " resamples, seed " << o_.bootstrap.seed << ")"
           << (c.seeds.size() > 1 ? " of the seed-averaged ensemble" : "") << ". ";
    note << "Rows after the paper's seven are single inputs.";
    t.note = note.str();
    mri_tables_.push_back(t);
  }
}

void ReportBuilder::friedman_tables() {
  if (configs_.size() < 2) {
    missing("Table 4: needs at least 2 networks with results, have " + std::to_string(configs_.size()));
    return;
  }
  std::vector<std::string> labels;
  for (const auto& c : configs_) labels.push_back(c.label);
  // One comparison per input set (methods = configurations) and the best-overall one.
  std::vector<std::pair<std::string, std::vector<std::pair<const MriConfig*, std::string>>>> plans;
  for (const auto& e : o_.ensembles) {
    std::vector<std::pair<const MriConfig*, std::string>> m;
    for (const auto& c : configs_) m.emplace_back(&c, e);
    plans.emplace_back(e, m);
  }
  plans.emplace_back("Best overall", best_overall());
  for (const auto& [name, members] : plans) {
    Comparison cmp;
    cmp.name = name;
    std::vector<ScoreRow> rows;
    for (const auto& [c, ens] : members) {
      std::string method = name == "Best overall" ? c->label + " " + ens : c->label;
      cmp.methods.push_back(method);
      cmp.owners.push_back(c);
      cmp.ensembles.push_back(ens);
      if (o_.blocks == ReportOptions::Blocks::Patients) {
        auto it = c->averaged.find(ens);
        if (it == c->averaged.end()) continue;
        const Predictions& p = it->second;
        for (std::size_t i = 0; i < p.ids.size(); ++i)
          rows.push_back({p.ids[i], method, p.labels[i] == 1.0 ? p.scores[i] : 1 - p.scores[i]});
      } else {
        for (const auto& [seed, e] : c->seeds) {
          auto it = e.find(ens);
          if (it == e.end()) continue;
          try {
            rows.push_back({"seed " + std::to_string(seed), method, roc_auc(it->second.labels, it->second.scores)});
          } catch (const Error&) {
          }
        }
      }
    }
    try {
      std::set<std::string> have;
      for (const auto& r : rows) have.insert(r.method);
      std::vector<std::string> absent;
      for (const auto& m : cmp.methods)
        if (!have.count(m)) absent.push_back(m);
      GBM_CHECK(absent.empty(), "no predictions for " << short_list(absent));
      WideTable w = to_wide(rows);
      if (!w.incomplete_blocks.empty())
        missing("Table 4 " + name + ": " + std::to_string(w.incomplete_blocks.size()) +
                " incomplete Friedman block(s) left out (" + short_list(w.incomplete_blocks) + ")");
      FriedmanOptions fo;
      fo.alpha = o_.alpha;
      cmp.result = friedman_nemenyi(w.table, fo);
    } catch (const Error& e) {
      cmp.skipped = e.what();
      missing("Table 4 " + name + ": not computed (" + cmp.skipped + ")");
    }
    comparisons_.push_back(cmp);
  }

  // Columns: pairs of configurations in order (the best-overall methods map onto them).
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  for (std::size_t a = 0; a < configs_.size(); ++a)
    for (std::size_t b = a + 1; b < configs_.size(); ++b) pairs.emplace_back(a, b);
  for (bool clipped : {false, true}) {
    Table t;
    t.title = clipped ? "Table 4 (Nemenyi p clipped to [0.001, 0.9] as psturng reports it)"
                      : "Table 4: Friedman test across networks per input set, Nemenyi post-hoc p";
    t.header = {"Input set", "blocks", "chi2", "Friedman p", "Friedman p < α"};
    for (auto [a, b] : pairs) t.header.push_back(labels[a] + " vs " + labels[b]);
    for (const auto& cmp : comparisons_) {
      std::vector<Cell> row{Cell::str(cmp.name)};
      if (!cmp.result) {
        row.push_back(Cell::str("missing"));
        while (row.size() < t.header.size()) row.push_back(Cell::str(""));
        t.rows.push_back(row);
        continue;
      }
      const FriedmanResult& r = *cmp.result;
      row.push_back(Cell::str(std::to_string(r.blocks)));
      row.push_back(Cell::num(r.statistic));
      row.push_back(Cell::p(r.p));
      row.push_back(Cell::str(r.p < o_.alpha ? "yes" : "no"));
      for (auto [a, b] : pairs) {
        auto method_of = [&](std::size_t config) -> std::string {
          for (std::size_t i = 0; i < cmp.owners.size(); ++i)
            if (cmp.owners[i] == &configs_[config]) return cmp.methods[i];
          return "";
        };
        std::string ma = method_of(a), mb = method_of(b);
        // Every row gets its Nemenyi p, as the paper's Table 4 prints them; where the Friedman
        // test is not significant the p is marked (it is not evidence of a difference there).
        Cell cell = Cell::str(ma.empty() || mb.empty() ? "—" : "n/a");
        for (const auto& np : r.nemenyi)
          if ((np.a == ma && np.b == mb) || (np.a == mb && np.b == ma)) {
            cell = Cell::p(clipped ? np.p_clipped : np.p);
            if (r.p >= o_.alpha) cell.mark = "†";
          }
        row.push_back(cell);
      }
      t.rows.push_back(row);
    }
    std::ostringstream note;
    note << "Blocks: "
         << (o_.blocks == ReportOptions::Blocks::Patients
                 ? "test patients, block score = probability given to the true class"
                 : "seeds, block score = AUC of the seed's ensemble");
    if (seeds_max_ > 1 && o_.blocks == ReportOptions::Blocks::Patients)
      note << " (ensemble probabilities averaged over seeds)";
    note << ". Nemenyi p (studentized range, infinite df) for every row, as the paper prints "
            "them; † marks rows whose Friedman p ≥ " << o_.alpha
         << " (no post-hoc conclusion there).";
    note << " Best overall ("
         << (o_.best_overall_rule == ReportOptions::BestOverall::Fixed
                 ? "fixed picks, report.best_overall"
                 : "each network's highest-AUC ensemble")
         << "):";
    for (const auto& cmp : comparisons_)
      if (cmp.name == "Best overall")
        for (std::size_t i = 0; i < cmp.owners.size(); ++i)
          note << " " << cmp.owners[i]->label << " " << cmp.ensembles[i] << ";";
    t.note = note.str();
    friedman_tables_.push_back(t);
  }
}

std::vector<std::pair<const MriConfig*, std::string>> ReportBuilder::best_overall() {
  std::vector<std::pair<const MriConfig*, std::string>> m;
  if (o_.best_overall_rule == ReportOptions::BestOverall::Fixed) {
    for (const auto& [net, ens] : o_.best_overall)
      for (const auto& c : configs_)
        if (c.network == net) m.emplace_back(&c, ens);
    return m;
  }
  for (const auto& c : configs_) {
    std::string best;
    double best_auc = -1;
    for (const auto& name : o_.ensembles) {
      auto it = c.averaged.find(name);
      if (it == c.averaged.end()) continue;
      try {
        const double a = roc_auc(it->second.labels, it->second.scores);
        if (a > best_auc) best_auc = a, best = name;
      } catch (const Error&) {  // one class: no AUC, not a candidate
      }
    }
    if (best.empty())
      missing("Table 4 Best overall: " + c.label + " has no ensemble with an AUC");
    else
      m.emplace_back(&c, best);
  }
  return m;
}

void ReportBuilder::paper_tables() {
  const PublishedStudy* paper = nullptr;
  try {
    paper = published_study(o_.compare);
  } catch (const Error& e) {
    missing(std::string("paper comparison: ") + e.what());
    return;
  }
  if (!paper) {
    paper_note_ = "Published values are not shown: report.compare = \"none\" (results not "
                  "comparable to a paper, e.g. a synthetic cohort).";
    return;
  }
  Reproduced ours;
  for (const auto& c : configs_)
    for (const auto& [name, p] : c.averaged) ours.ensembles.push_back({c.network, c.label, p});
  for (const auto& cmp : comparisons_) {
    Reproduced::Friedman f;
    f.input_set = cmp.name;
    if (cmp.name == "Best overall")
      for (std::size_t i = 0; i < cmp.owners.size(); ++i)
        f.picks.push_back(cmp.owners[i]->network + " " + cmp.ensembles[i]);
    if (cmp.result) {
      f.computed = true;
      f.p = cmp.result->p;
      auto network_of = [&](const std::string& method) {
        for (std::size_t i = 0; i < cmp.methods.size(); ++i)
          if (cmp.methods[i] == method) return cmp.owners[i]->network;
        return std::string();
      };
      std::map<std::pair<std::string, std::string>, int> seen;
      for (const auto& np : cmp.result->nemenyi) {
        const std::string a = network_of(np.a), b = network_of(np.b);
        for (const auto& key : {std::make_pair(a, b), std::make_pair(b, a)}) {
          f.nemenyi[key] = {np.p, np.p_clipped};
          ++seen[key];
        }
      }
      // Several variants of one network: the paper's pair is ambiguous, not compared.
      for (const auto& [key, n] : seen)
        if (n > 1) f.nemenyi.erase(key);
    }
    ours.friedman.push_back(f);
  }
  CompareOptions co;
  co.threshold = o_.threshold;
  co.alpha = o_.alpha;
  co.bootstrap = o_.bootstrap;
  paper_tables_ = paper_beside_us(*paper, ours, co);
}

void ReportBuilder::mri_plots() {
  if (!o_.plots || configs_.empty()) return;
  std::string term = png_terminal(o_.plot);
  if (term.empty()) {
    missing("figures: gnuplot ('" + o_.plot.gnuplot + "') not found; no plots drawn");
    return;
  }
  auto draw = [&](const std::string& stem, const std::string& caption, auto&& fn) {
    try {
      fn();
      summary_.files.push_back(stem + ".png");
      summary_.files.push_back(stem + ".svg");
      summary_.files.push_back(stem + ".gp");
      figures_.emplace_back(caption, stem + ".png");
    } catch (const Error& e) {
      missing("figure " + stem + ": not drawn (" + e.what() + ")");
    }
  };
  // ROC and PR per network for the chosen ensemble, and for each network's best ensemble.
  std::vector<Series> roc_e, pr_e, roc_b, pr_b;
  for (const auto& c : configs_) {
    if (auto it = c.averaged.find(o_.curve_ensemble); it != c.averaged.end()) {
      try {
        const auto& p = it->second;
        std::string l = c.label + " (AUC " + fmt(roc_auc(p.labels, p.scores), 3) + ")";
        roc_e.push_back({l, roc_points(p.labels, p.scores)});
        l = c.label + " (AP " + fmt(average_precision(p.labels, p.scores), 3) + ")";
        pr_e.push_back({l, pr_points(p.labels, p.scores)});
      } catch (const Error& e) {
        missing("curves " + c.label + " " + o_.curve_ensemble + ": " + e.what());
      }
    }
    const Predictions* best = nullptr;
    double best_auc = -1;
    for (const auto& name : o_.ensembles) {
      auto it = c.averaged.find(name);
      if (it == c.averaged.end()) continue;
      try {
        double a = roc_auc(it->second.labels, it->second.scores);
        if (a > best_auc) best_auc = a, best = &it->second;
      } catch (const Error&) {
      }
    }
    if (best) {
      roc_b.push_back({c.label + " " + best->name + " (AUC " + fmt(best_auc, 3) + ")", roc_points(best->labels, best->scores)});
      pr_b.push_back({c.label + " " + best->name + " (AP " + fmt(average_precision(best->labels, best->scores), 3) + ")",
                      pr_points(best->labels, best->scores)});
    }
  }
  const std::string ce = file_stem(o_.curve_ensemble);
  const std::string avg = seeds_max_ > 1 ? ", seed-averaged" : "";
  if (!roc_e.empty()) {
    draw("roc_" + ce, "ROC curves, " + o_.curve_ensemble + " ensemble" + avg,
         [&] { plot_curves(o_.out_dir, "roc_" + ce, "ROC — " + o_.curve_ensemble + avg, CurveKind::Roc, roc_e, o_.plot); });
    draw("pr_" + ce, "Precision-recall curves, " + o_.curve_ensemble + " ensemble" + avg, [&] {
      plot_curves(o_.out_dir, "pr_" + ce, "Precision-recall — " + o_.curve_ensemble + avg, CurveKind::PrecisionRecall, pr_e, o_.plot);
    });
  } else {
    missing("figures: no network has the " + o_.curve_ensemble + " ensemble; its ROC/PR curves are not drawn");
  }
  if (!roc_b.empty()) {
    draw("roc_best", "ROC curves of each network's best ensemble (by AUC)" + avg,
         [&] { plot_curves(o_.out_dir, "roc_best", "ROC — best ensemble per network", CurveKind::Roc, roc_b, o_.plot); });
    draw("pr_best", "Precision-recall curves of each network's best ensemble (by AUC)" + avg, [&] {
      plot_curves(o_.out_dir, "pr_best", "Precision-recall — best ensemble per network", CurveKind::PrecisionRecall, pr_b, o_.plot);
    });
  }
  for (const auto& cmp : comparisons_) {
    if (!cmp.result) continue;
    std::string stem = "cd_" + file_stem(cmp.name);
    std::ostringstream title;
    title << "Critical difference — " << cmp.name << " (Friedman p = " << fmt(cmp.result->p, 4)
          << ", alpha " << o_.alpha << ")";
    draw(stem, "Critical-difference diagram, " + cmp.name,
         [&] { plot_cd_diagram(o_.out_dir, stem, title.str(), *cmp.result, o_.plot); });
  }
}

void ReportBuilder::drug_table() {
  if (drug_.empty()) {
    missing("drug study: no finished drug.aggregate record");
    return;
  }
  struct Row {
    std::string experiment, source, target, variant;
    std::vector<double> spearman, pearson, rmse, repeat;
    std::size_t expected_repeats = 0;  // params.repeats, summed over pooled records
  };
  std::vector<Row> rows;
  for (const TaskRecord* r : drug_) try {
    Row key;
    key.experiment = r->params.value("experiment", std::string("?"));
    key.source = r->params.contains("source") && r->params["source"].is_string()
                     ? r->params["source"].get<std::string>()
                     : "—";
    key.target = r->params.value("target", std::string(""));
    // Grid points of a sweep differ in params.variant: one row each.
    key.variant = r->params.contains("variant") && !r->params["variant"].empty() ? r->params["variant"].dump() : "";
    auto it = std::find_if(rows.begin(), rows.end(), [&](const Row& x) {
      return x.experiment == key.experiment && x.source == key.source && x.target == key.target &&
             x.variant == key.variant;
    });
    if (it == rows.end()) {
      rows.push_back(key);
      it = rows.end() - 1;
    } else {
      missing("drug " + key.experiment + " / " + key.source + ": several aggregate records; their repeats are pooled");
    }
    if (r->params.contains("repeats") && r->params["repeats"].is_number_integer())
      it->expected_repeats += static_cast<std::size_t>(std::max<long>(0, r->params["repeats"].get<long>()));
    bool found = false;
    for (const auto& c : r->result->curves) {
      auto* dst = c.name == "spearman" ? &it->spearman : c.name == "pearson" ? &it->pearson
                  : c.name == "rmse"   ? &it->rmse
                  : c.name == "repeat" ? &it->repeat   : nullptr;
      if (dst) dst->insert(dst->end(), c.values.begin(), c.values.end());
      found |= c.name == "spearman";
    }
    if (!found) missing("drug task " + r->key + ": no 'spearman' curve");
  } catch (const std::exception& e) {  // params of the wrong type (nlohmann::json throws)
    missing("record " + r->key + " (drug.aggregate) ignored: " + e.what());
  }
  auto is_bench = [&](const Row& r) {
    return std::find(o_.drug_benchmarks.begin(), o_.drug_benchmarks.end(), r.experiment) != o_.drug_benchmarks.end();
  };
  auto bench_rank = [&](const Row& r) {
    return std::find(o_.drug_benchmarks.begin(), o_.drug_benchmarks.end(), r.experiment) - o_.drug_benchmarks.begin();
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    bool ba = is_bench(a), bb = is_bench(b);
    if (ba != bb) return !ba;
    return ba ? bench_rank(a) < bench_rank(b) : false;
  });
  for (const auto& b : o_.drug_benchmarks)
    if (std::none_of(rows.begin(), rows.end(), [&](const Row& r) { return r.experiment == b; }))
      missing("drug study: benchmark " + b + " has no finished aggregate record");

  // The reference arm of a row: no transfer learning on the same target, i.e. the
  // experiment named as the target ("gse" for GSE232173 arms, "hgcc" for HGCC ones), with the
  // same variant; a benchmark (no variant) takes the target's only no-TL row if there is one.
  auto baseline = [&](const Row& r) -> const Row* {
    std::vector<const Row*> found;
    for (const auto& b : rows)
      if (b.experiment == r.target && b.target == r.target) found.push_back(&b);
    // Same variant and source drug first: a sweep may list its no-TL arm once per source.
    for (const Row* b : found)
      if (b->variant == r.variant && b->source == r.source) return b;
    for (const Row* b : found)
      if (b->variant == r.variant) return b;
    return is_bench(r) && found.size() == 1 ? found[0] : nullptr;
  };
  auto paired_p = [&](const Row& r) {
    // A no-TL arm (e.g. GDSC rows, one per source drug) is its own reference; never paired
    // with another drug's row of the same experiment.
    if (r.experiment == r.target) return Cell::str("reference");
    const Row* b = baseline(r);
    if (!b) return Cell::str("—");
    if (b == &r) return Cell::str("reference");
    // Pairs by repeat number (the "repeat" curve), else by position when the counts agree.
    std::vector<double> x, y;
    const bool by_id = r.repeat.size() == r.spearman.size() &&
                       b->repeat.size() == b->spearman.size() && !r.repeat.empty();
    if (by_id) {
      for (std::size_t i = 0; i < r.spearman.size(); ++i)
        for (std::size_t j = 0; j < b->spearman.size(); ++j)
          if (b->repeat[j] == r.repeat[i] && std::isfinite(r.spearman[i]) &&
              std::isfinite(b->spearman[j])) {
            x.push_back(r.spearman[i]);
            y.push_back(b->spearman[j]);
          }
    } else if (r.spearman.size() == b->spearman.size()) {
      for (std::size_t i = 0; i < r.spearman.size(); ++i)
        if (std::isfinite(r.spearman[i]) && std::isfinite(b->spearman[i])) {
          x.push_back(r.spearman[i]);
          y.push_back(b->spearman[i]);
        }
    }
    if (x.size() < 2) {
      missing("drug " + r.experiment + " / " + r.source + ": fewer than 2 repeats pair with " +
              b->experiment + "; no paired test");
      return Cell::str("n/a");
    }
    const SignedRankResult w = wilcoxon_signed_rank(x, y);
    return std::isfinite(w.p) ? Cell::p(w.p) : Cell::str("n/a (no differences)");
  };

  Table t;
  t.title = "Drug response: Spearman correlation of pooled out-of-fold predictions (mean ± sd over repeats)";
  t.header = {"Experiment", "Source drug", "Target", "Spearman", "Pearson", "RMSE", "Repeats",
              "p vs no TL"};
  bool variants = std::any_of(rows.begin(), rows.end(), [](const Row& r) { return !r.variant.empty(); });
  if (variants) t.header.insert(t.header.begin() + 3, "Variant");
  for (const auto& r : rows) {
    if (r.expected_repeats > r.spearman.size())
      missing("drug " + r.experiment + " / " + r.source + ": " + std::to_string(r.spearman.size()) + " of " +
              std::to_string(r.expected_repeats) + " repeats have a result");
    auto cell = [&](const std::vector<double>& v) {
      if (v.empty()) return Cell::str("missing");
      MeanSd m = mean_sd(v);
      return m.n == 0 ? Cell::str("undefined") : Cell::num(m.mean, m.sd);
    };
    MeanSd s = mean_sd(r.spearman);
    int nan_repeats = static_cast<int>(r.spearman.size()) - s.n;
    if (nan_repeats > 0)
      missing("drug " + r.experiment + " / " + r.source + ": Spearman undefined in " + std::to_string(nan_repeats) +
              " repeat(s) (constant predictions); left out of the mean");
    std::vector<Cell> row{Cell::str(r.experiment + (is_bench(r) ? " (benchmark)" : "")), Cell::str(r.source),
                          Cell::str(r.target), cell(r.spearman), cell(r.pearson), cell(r.rmse),
                          Cell::str(std::to_string(s.n))};
    row.push_back(paired_p(r));
    if (variants) row.insert(row.begin() + 3, Cell::str(r.variant.empty() ? "—" : r.variant));
    t.rows.push_back(row);
  }
  t.note = "Benchmarks last. sd over repeats (n − 1); Repeats counts repeats with a defined "
           "Spearman. p vs no TL: two-sided Wilcoxon signed-rank test (R's wilcox.test, "
           "paired) of the arm's per-repeat Spearman against the no-transfer arm on the same "
           "target (the experiment named as the target, e.g. gse; same variant), paired by "
           "repeat; \"reference\" marks that arm.";
  drug_table_ = t;
}

void ReportBuilder::finish() {
  std::ostringstream md, tex;
  md << "# gbmsweep report\n\n";
  for (const auto& n : notes_) md << n << "\n";
  tex << "\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n\\usepackage{booktabs}\n"
         "\\usepackage{graphicx}\n\\usepackage[margin=2cm]{geometry}\n\\begin{document}\n"
         "\\section*{gbmsweep report}\n";
  auto emit = [&](const Table& t, const std::string& csv) {
    md << to_markdown(t) << "\n(CSV: `" << csv << "`)\n\n";
    tex << to_latex(t) << "\n";
    write(csv, to_csv(t));
  };
  md << "## MRI study (MGMT methylation)\n\n";
  tex << "\\subsection*{MRI study (MGMT methylation)}\n";
  if (mri_tables_.empty()) md << "No MRI results.\n\n";
  for (std::size_t i = 0; i < mri_tables_.size(); ++i)
    emit(mri_tables_[i], "table" + std::to_string(i + 1) + "_" + file_stem(configs_[i].network) +
                             (configs_[i].variant == "{}" ? "" : "_" + std::to_string(i + 1)) + ".csv");
  if (radiomics_table_) emit(*radiomics_table_, "table1_radiomics.csv");
  for (std::size_t i = 0; i < friedman_tables_.size(); ++i)
    emit(friedman_tables_[i], i == 0 ? "table4_friedman.csv" : "table4_friedman_clipped.csv");
  if (!paper_tables_.empty()) {
    md << "### The paper beside us\n\n";
    tex << "\\subsubsection*{The paper beside us}\n";
    emit(paper_tables_[0], "paper_tables1-3.csv");
    emit(paper_tables_[1], "paper_table4.csv");
  } else if (!paper_note_.empty()) {
    md << paper_note_ << "\n\n";
    tex << latex_escape(paper_note_) << "\n\n";
  }
  md << "## Drug study (temozolomide response)\n\n";
  tex << "\\subsection*{Drug study (temozolomide response)}\n";
  if (drug_table_)
    emit(*drug_table_, "table_drug.csv");
  else
    md << "No drug results.\n\n";
  if (!figures_.empty()) {
    md << "## Figures\n\n";
    tex << "\\subsection*{Figures}\n";
    for (const auto& [caption, png] : figures_) {
      md << "![" << caption << "](" << png << ")\n\n*" << caption << "* (also `"
         << png.substr(0, png.size() - 4) << ".svg`)\n\n";
      tex << "\\begin{figure}[ht]\\centering\\includegraphics[width=0.7\\textwidth]{" << png
          << "}\\caption{" << latex_escape(caption) << "}\\end{figure}\n";
    }
  }
  md << "## Completeness\n\n";
  tex << "\\subsection*{Completeness}\n";
  if (summary_.completeness.empty()) {
    md << "Every expected result is present; no task failed.\n";
    tex << "Every expected result is present; no task failed.\n";
  } else {
    tex << "\\begin{itemize}\n";
    for (const auto& l : summary_.completeness) {
      md << "- " << l << "\n";
      tex << "\\item " << latex_escape(l) << "\n";
    }
    tex << "\\end{itemize}\n";
  }
  tex << "\\end{document}\n";
  write("report.md", md.str());
  write("report.tex", tex.str());
}

ReportSummary ReportBuilder::run() {
  fs::make_dirs(o_.out_dir);
  collect_records();
  if (has_study("mri")) {
    mri_tables();
    if (!radiomics_.empty()) {  // beside each network's Struct row of Tables 1-3
      std::vector<std::pair<std::string, std::vector<Predictions>>> structs;
      for (const auto& c : configs_) {
        structs.emplace_back(c.label, std::vector<Predictions>{});
        for (const auto& [seed, ens] : c.seeds)
          if (auto it = ens.find("Struct"); it != ens.end())
            structs.back().second.push_back(it->second);
      }
      radiomics_table_ = radiomics_table(radiomics_, structs, o_.threshold, summary_.completeness);
    }
    friedman_tables();
    paper_tables();
    mri_plots();
  }
  if (has_study("drug")) drug_table();
  finish();
  return summary_;
}

}  // namespace

ReportSummary write_report(const ReportOptions& options, const std::vector<TaskRecord>& records) {
  return ReportBuilder(options, records).run();
}

}  // namespace gbmsweep::analysis
