#include "analysis/ensemble.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "analysis/metrics.hpp"
#include "common/error.hpp"
#include "common/log.hpp"

namespace gbmsweep::analysis {

namespace {

std::map<std::string, std::size_t> index_ids(const Predictions& p) {
  GBM_CHECK(p.labels.size() == p.ids.size() && p.scores.size() == p.ids.size(),
            "predictions '" << p.name << "': " << p.ids.size() << " ids, " << p.labels.size()
                            << " labels, " << p.scores.size() << " scores");
  std::map<std::string, std::size_t> idx;
  for (std::size_t i = 0; i < p.ids.size(); ++i)
    GBM_CHECK(idx.emplace(p.ids[i], i).second,
              "predictions '" << p.name << "': sample '" << p.ids[i] << "' appears twice");
  return idx;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

}  // namespace

Predictions mean_over_samples(const Predictions& p) {
  if (p.samples.empty()) return p;
  GBM_CHECK(p.samples.size() == p.ids.size(), "predictions '" << p.name << "': draws for "
                                                  << p.samples.size() << " of " << p.ids.size()
                                                  << " samples");
  Predictions out = p;
  out.samples.clear();
  for (std::size_t i = 0; i < p.samples.size(); ++i) {
    GBM_CHECK(!p.samples[i].empty(), "predictions '" << p.name << "': sample '" << p.ids[i]
                                                     << "' has no draws");
    double s = 0;
    for (float v : p.samples[i]) s += v;
    out.scores[i] = s / static_cast<double>(p.samples[i].size());
  }
  return out;
}

Predictions mean_predictions(const std::vector<Predictions>& members, const std::string& name,
                             IdPolicy ids) {
  GBM_CHECK(!members.empty(), "ensemble '" << name << "': no members");
  std::vector<std::map<std::string, std::size_t>> idx;
  for (const auto& m : members) idx.push_back(index_ids(m));
  // The IDs to keep, in the order of the first member.
  std::vector<std::string> keep;
  for (const auto& id : members[0].ids) {
    bool everywhere = true;
    for (std::size_t k = 1; k < members.size(); ++k)
      if (!idx[k].count(id)) {
        GBM_CHECK(ids == IdPolicy::Intersect, "ensemble '" << name << "': sample '" << id << "' is in '"
                                                 << members[0].name << "' but not in '"
                                                 << members[k].name << "'");
        everywhere = false;
      }
    if (everywhere) keep.push_back(id);
  }
  if (ids == IdPolicy::Same)
    for (std::size_t k = 1; k < members.size(); ++k)
      GBM_CHECK(members[k].ids.size() == keep.size(),
                "ensemble '" << name << "': '" << members[k].name << "' has "
                             << members[k].ids.size() << " samples, '" << members[0].name
                             << "' has " << keep.size());
  GBM_CHECK(!keep.empty(), "ensemble '" << name << "': the members have no sample in common");

  Predictions out;
  out.name = name;
  for (const auto& id : keep) {
    double label = members[0].labels[idx[0].at(id)], sum = 0;
    for (std::size_t k = 0; k < members.size(); ++k) {
      std::size_t i = idx[k].at(id);
      GBM_CHECK(members[k].labels[i] == label, "ensemble '" << name << "': sample '" << id
                                                   << "' has label " << label << " in '"
                                                   << members[0].name << "' but "
                                                   << members[k].labels[i] << " in '"
                                                   << members[k].name << "'");
      sum += members[k].scores[i];
    }
    out.ids.push_back(id);
    out.labels.push_back(label);
    out.scores.push_back(sum / static_cast<double>(members.size()));
  }
  return out;
}

std::vector<Predictions> mri_ensembles(const std::vector<MriModelPredictions>& models,
                                       const EnsembleSpec& spec) {
  GBM_CHECK(!models.empty(), "MRI ensembles: no model predictions");
  // Fold models per input, inputs in order of first appearance.
  std::vector<std::string> inputs;
  std::map<std::string, std::vector<Predictions>> folds;
  std::set<std::pair<std::string, int>> seen;
  for (const auto& m : models) {
    GBM_CHECK(m.network == models[0].network, "MRI ensembles: models of networks '"
                                                  << models[0].network << "' and '" << m.network
                                                  << "' mixed; ensemble one network at a time");
    GBM_CHECK(seen.emplace(m.input, m.fold).second,
              "MRI ensembles: input '" << m.input << "' fold " << m.fold << " appears twice");
    if (!folds.count(m.input)) inputs.push_back(m.input);
    Predictions p = mean_over_samples(m.test);
    p.name = m.input + " fold " + std::to_string(m.fold);
    folds[m.input].push_back(std::move(p));
  }
  std::vector<Predictions> out;
  std::map<std::string, std::size_t> by_name;
  for (const auto& in : inputs) {
    by_name[in] = out.size();
    out.push_back(mean_predictions(folds[in], in, spec.ids));
  }
  for (const auto& [group, members] : spec.groups) {
    std::vector<Predictions> present;
    std::vector<std::string> missing;
    for (const auto& in : members) {
      if (by_name.count(in))
        present.push_back(out[by_name[in]]);
      else
        missing.push_back(in);
    }
    if (present.empty()) {
      GBM_LOG(Info, "MRI ensembles: no input of group " << group << " present; skipped");
      continue;
    }
    GBM_CHECK(missing.empty(), "MRI ensembles: group '" << group << "' lacks "
                                                         << join(missing, ", ")
                                                         << " (have the others)");
    by_name[group] = out.size();
    out.push_back(mean_predictions(present, group, spec.ids));
  }
  std::map<std::string, std::vector<std::string>> group_inputs(spec.groups.begin(),
                                                                spec.groups.end());
  for (const auto& combo : spec.combinations) {
    std::vector<Predictions> parts;
    std::size_t present = 0;
    for (const auto& g : combo) {
      if (!by_name.count(g)) continue;
      ++present;
      if (spec.combine == EnsembleSpec::Combine::GroupMeans) {
        parts.push_back(out[by_name[g]]);
      } else {
        for (const auto& in : group_inputs.at(g)) parts.push_back(out[by_name.at(in)]);
      }
    }
    std::string name = join(combo, "+");
    if (present != combo.size()) {
      GBM_LOG(Info, "MRI ensembles: combination " << name << " skipped (a group is absent)");
      continue;
    }
    by_name[name] = out.size();
    out.push_back(mean_predictions(parts, name, spec.ids));
  }
  return out;
}

std::vector<std::string> ensemble_order(const json& groups, const json& combinations) {
  std::vector<std::string> paper, rows;
  for (const auto& g : EnsembleSpec{}.groups) paper.push_back(g.first);
  for (const auto& g : paper)
    if (groups.contains(g)) rows.push_back(g);
  for (const auto& [g, members] : groups.items())
    if (std::find(paper.begin(), paper.end(), g) == paper.end()) rows.push_back(g);
  for (const auto& c : combinations) {
    std::string name;
    for (const auto& g : c) name += (name.empty() ? "" : "+") + g.get<std::string>();
    rows.push_back(name);
  }
  return rows;
}

EnsembleSpec::Combine parse_combine(const std::string& s) {
  if (s == "groups") return EnsembleSpec::Combine::GroupMeans;
  if (s == "flat") return EnsembleSpec::Combine::Flat;
  GBM_THROW("unknown combination rule '" << s << "' (groups or flat)");
}

RepeatMetrics aggregate_repeats(const std::vector<RepeatFold>& folds) {
  GBM_CHECK(!folds.empty(), "drug aggregation: no fold predictions");
  std::map<int, Predictions> pooled;
  std::map<int, std::set<std::string>> ids;
  for (const auto& f : folds) {
    index_ids(f.oof);  // checks sizes and duplicates within the fold
    Predictions& p = pooled[f.repeat];
    for (std::size_t i = 0; i < f.oof.ids.size(); ++i) {
      GBM_CHECK(ids[f.repeat].insert(f.oof.ids[i]).second,
                "drug aggregation: sample '" << f.oof.ids[i] << "' is out-of-fold in two folds of repeat "
                                             << f.repeat);
      p.ids.push_back(f.oof.ids[i]);
      p.labels.push_back(f.oof.labels[i]);
      p.scores.push_back(f.oof.scores[i]);
    }
  }
  RepeatMetrics r;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const auto& [repeat, p] : pooled) {
    r.repeats.push_back(repeat);
    r.samples.push_back(static_cast<int>(p.ids.size()));
    r.rmse.push_back(rmse(p.labels, p.scores));
    auto guarded = [&](const char* what, double (*f)(const std::vector<double>&, const std::vector<double>&)) {
      try {
        return f(p.labels, p.scores);
      } catch (const Error& e) {
        r.warnings.push_back("repeat " + std::to_string(repeat) + ": " + what + " undefined (" + e.what() + ")");
        return nan;
      }
    };
    r.spearman.push_back(guarded("spearman", spearman));
    r.pearson.push_back(guarded("pearson", pearson));
  }
  return r;
}

MeanSd mean_sd(const std::vector<double>& values) {
  MeanSd m;
  double s = 0;
  for (double v : values)
    if (std::isfinite(v)) s += v, ++m.n;
  if (m.n == 0) {
    m.mean = m.sd = std::numeric_limits<double>::quiet_NaN();
    return m;
  }
  m.mean = s / m.n;
  double ss = 0;
  for (double v : values)
    if (std::isfinite(v)) ss += (v - m.mean) * (v - m.mean);
  m.sd = m.n > 1 ? std::sqrt(ss / (m.n - 1)) : std::numeric_limits<double>::quiet_NaN();
  return m;
}

TaskResult mri_ensemble_result(const std::vector<Predictions>& ensembles, double threshold) {
  TaskResult r;
  r.predictions = ensembles;
  json warnings = json::array();
  for (const auto& p : ensembles) {
    try {
      double auc = roc_auc(p.labels, p.scores), ap = average_precision(p.labels, p.scores);
      ThresholdMetrics m = threshold_metrics(p.labels, p.scores, threshold);
      r.metrics[p.name + ".auc"] = auc;
      r.metrics[p.name + ".ap"] = ap;
      r.metrics[p.name + ".sen"] = m.sen;
      r.metrics[p.name + ".spe"] = m.spe;
      r.metrics[p.name + ".acc"] = m.acc;
    } catch (const Error& e) {
      warnings.push_back(p.name + ": " + e.what());
    }
  }
  r.metrics["threshold"] = threshold;
  if (!warnings.empty()) r.extra["warnings"] = warnings;
  return r;
}

TaskResult drug_aggregate_result(const RepeatMetrics& m) {
  TaskResult r;
  std::vector<double> repeats(m.repeats.begin(), m.repeats.end());
  r.curves = {{"spearman", m.spearman}, {"pearson", m.pearson}, {"rmse", m.rmse}, {"repeat", repeats}};
  for (const auto& [name, v] : {std::pair<const char*, const std::vector<double>*>{"spearman", &m.spearman},
                                {"pearson", &m.pearson},
                                {"rmse", &m.rmse}}) {
    MeanSd s = mean_sd(*v);
    if (std::isfinite(s.mean)) r.metrics[std::string(name) + "_mean"] = s.mean;
    if (std::isfinite(s.sd)) r.metrics[std::string(name) + "_sd"] = s.sd;
  }
  r.metrics["repeats"] = static_cast<int>(m.repeats.size());
  if (!m.warnings.empty()) r.extra["warnings"] = m.warnings;
  return r;
}

}  // namespace gbmsweep::analysis
