#include "analysis/summary.hpp"

#include <iomanip>
#include <sstream>

namespace gbmsweep::analysis {

nlohmann::ordered_json to_json(const FriedmanResult& r) {
  nlohmann::ordered_json ranks = nlohmann::ordered_json::object();
  for (std::size_t m = 0; m < r.methods.size(); ++m) ranks[r.methods[m]] = r.mean_ranks[m];
  nlohmann::ordered_json pairs = nlohmann::ordered_json::array();
  for (const auto& p : r.nemenyi)
    pairs.push_back({{"a", p.a}, {"b", p.b}, {"q", p.q}, {"p", p.p}, {"p_clipped", p.p_clipped}});
  return {{"methods", r.methods},
          {"blocks", r.blocks},
          {"mean_ranks", ranks},
          {"friedman", {{"statistic", r.statistic}, {"df", r.df}, {"p", r.p}}},
          {"nemenyi", pairs},
          {"critical_difference", r.critical_difference},
          {"alpha", r.alpha}};
}

std::string to_markdown(const FriedmanResult& r) {
  std::ostringstream os;
  os << std::setprecision(4);
  os << "Friedman chi-square = " << r.statistic << " (df " << r.df << "), p = " << r.p << "; "
     << r.blocks << " blocks, " << r.methods.size() << " methods.\n\n";
  os << "| method | mean rank |\n|---|---|\n";
  for (std::size_t m = 0; m < r.methods.size(); ++m)
    os << "| " << r.methods[m] << " | " << r.mean_ranks[m] << " |\n";
  os << "\nNemenyi (q = studentized range statistic; p exact, p clipped as psturng reports it):\n\n";
  os << "| a | b | q | p | p (clipped) |\n|---|---|---|---|---|\n";
  for (const auto& p : r.nemenyi)
    os << "| " << p.a << " | " << p.b << " | " << p.q << " | " << p.p << " | " << p.p_clipped << " |\n";
  os << "\nCritical difference of mean ranks at alpha = " << r.alpha << ": " << r.critical_difference
     << "\n";
  return os.str();
}

BinarySummary summarize_binary(const std::vector<double>& labels, const std::vector<double>& scores,
                               double threshold, const std::optional<BootstrapOptions>& bootstrap) {
  BinarySummary s;
  s.n = static_cast<int>(labels.size());
  s.auc = roc_auc(labels, scores);
  s.ap = average_precision(labels, scores);
  s.at = threshold_metrics(labels, scores, threshold);
  s.positives = s.at.tp + s.at.fn;
  if (bootstrap) s.bootstrap = bootstrap_auc_ap(labels, scores, *bootstrap);
  return s;
}

nlohmann::ordered_json to_json(const BinarySummary& s) {
  nlohmann::ordered_json j = {{"n", s.n},         {"positives", s.positives}, {"auc", s.auc},
                      {"ap", s.ap},       {"sen", s.at.sen},          {"spe", s.at.spe},
                      {"acc", s.at.acc},  {"threshold", s.at.threshold}};
  if (s.bootstrap) {
    j["auc_ci"] = {s.bootstrap->auc.lo, s.bootstrap->auc.hi};
    j["ap_ci"] = {s.bootstrap->ap.lo, s.bootstrap->ap.hi};
    j["bootstrap_resamples"] = s.bootstrap->resamples;
  }
  return j;
}

}  // namespace gbmsweep::analysis
