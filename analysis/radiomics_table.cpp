#include "analysis/radiomics_table.hpp"

#include <cmath>
#include <limits>
#include <sstream>

#include "analysis/ensemble.hpp"
#include "analysis/metrics.hpp"
#include "common/error.hpp"

namespace gbmsweep::analysis {

namespace {

struct Scores {
  std::vector<double> auc, ap, sen, spe;
  int n = 0;
};

Cell cell(const std::vector<double>& v) {
  if (v.empty()) return Cell::str("missing");
  MeanSd m = mean_sd(v);
  if (m.n == 0) return Cell::str("missing");
  return Cell::num(m.mean, m.n > 1 ? m.sd : std::numeric_limits<double>::quiet_NaN());
}

std::vector<Cell> row(const std::string& name, const Scores& s) {
  const bool none = s.auc.empty() && s.sen.empty();
  return {Cell::str(name), cell(s.auc), cell(s.ap), cell(s.sen), cell(s.spe),
          Cell::str(none ? "—" : std::to_string(s.n))};
}

}  // namespace

Table radiomics_table(
    const std::vector<const TaskRecord*>& records,
    const std::vector<std::pair<std::string, std::vector<Predictions>>>& struct_rows,
    double threshold, std::vector<std::string>& missing) {
  Table t;
  t.title =
      "Radiomics comparator (MRI paper §II.D) beside Table 1's Struct row — hold-out test set";
  t.header = {"Model", "AUC", "AP", "SEN", "SPE", "n"};
  std::string note;
  for (const TaskRecord* r : records) {
    Scores s;
    const json& extra = r->result->extra;
    try {
      for (const auto& m : extra.at("seeds")) {
        for (auto [key, dst] : {std::pair<const char*, std::vector<double>*>{"auc", &s.auc},
                                {"ap", &s.ap},
                                {"sen", &s.sen},
                                {"spe", &s.spe}})
          if (m.contains(key)) dst->push_back(m[key].get<double>());
        s.n = m.value("n", 0);
      }
      const json& p = r->params;
      note +=
          "Radiomics: six IBSI features (T1 core skewness, T1 oedema energy, FLAIR necrotic "
          "GLCM contrast, T1GD enhancing GLSZM grey level variance, T2 oedema GLSZM LGZE, T2 "
          "core NGTDM busyness), bin width " +
          p.at("bin_width").dump() + " (origin " + p.at("bin_origin").get<std::string>() +
          "), random forest of " + p.at("trees").dump() + " trees, depth " +
          p.at("max_depth").dump() + ", " + p.at("min_samples_leaf").dump() +
          " samples per leaf, trained on " +
          std::to_string(std::lround(r->result->metrics.value("train", 0.0))) +
          " non-test patients; " + std::to_string(extra.at("seeds").size()) + " seed(s). ";
      const json& skipped = extra.at("skipped");
      if (!skipped.empty()) {
        note += std::to_string(skipped.size()) + " patient(s) left out of the radiomics model:";
        for (const auto& k : skipped)
          note += " " + k.value("id", std::string("?")) + " (" + k.value("reason", std::string()) +
                  ");";
        note += " ";
      }
    } catch (const std::exception& e) {  // a record of another shape (nlohmann::json throws)
      missing.push_back("record " + r->key + " (mri.radiomics) ignored: " + e.what());
      continue;
    }
    t.rows.push_back(row("Radiomics RF (this run)", s));
  }
  PublishedRadiomics pub;
  t.rows.push_back({Cell::str("Radiomics RF (paper, published)"), Cell::num(pub.auc),
                    Cell::num(pub.ap), Cell::num(pub.sen), Cell::num(pub.spe),
                    Cell::str(std::to_string(pub.n))});
  for (const auto& [label, seeds] : struct_rows) {
    Scores s;
    for (const Predictions& p : seeds) {
      s.n = static_cast<int>(p.ids.size());
      try {
        s.auc.push_back(roc_auc(p.labels, p.scores));
        s.ap.push_back(average_precision(p.labels, p.scores));
        auto m = threshold_metrics(p.labels, p.scores, threshold);
        s.sen.push_back(m.sen);
        s.spe.push_back(m.spe);
      } catch (const Error&) {
      }  // one-class test sets: Table 1 already reports them
    }
    t.rows.push_back(row(label + " Struct (Table 1)", s));
  }
  std::ostringstream th;
  th << threshold;
  t.note = note + "SEN and SPE at threshold " + th.str() +
           "; mean ± sd over seeds where there are several.";
  return t;
}

}  // namespace gbmsweep::analysis
