// The MRI study's part of the report: Tables 1-3 per network, Table 4 (Friedman/Nemenyi), the
// paper's values beside ours, ROC/PR and critical-difference figures.
#include "analysis/report_builder.hpp"

namespace gbmsweep::analysis::report_detail {

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
}  // namespace gbmsweep::analysis::report_detail
