// The drug study's part of the report: one table of the transfer experiments and benchmarks.
#include "analysis/report_builder.hpp"

namespace gbmsweep::analysis::report_detail {

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
}  // namespace gbmsweep::analysis::report_detail
