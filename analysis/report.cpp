#include "analysis/report.hpp"

#include "analysis/report_builder.hpp"

namespace gbmsweep::analysis {

namespace report_detail {

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

}  // namespace report_detail

ReportSummary write_report(const ReportOptions& options, const std::vector<TaskRecord>& records) {
  return report_detail::ReportBuilder(options, records).run();
}

}  // namespace gbmsweep::analysis
