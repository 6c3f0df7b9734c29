#pragma once
// Internal to the report (analysis/report*.cpp): the builder that turns task records into
// tables, figures and report.md/.tex, split by study across files so that each stays readable:
// report.cpp (records, completeness, the document), report_mri.cpp (Tables 1-4, the paper
// beside us, figures), report_drug.cpp (the drug table). The radiomics row is radiomics_table.cpp.
// Not a public header: use analysis/report.hpp.
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

namespace gbmsweep::analysis::report_detail {

inline const double kNaN = std::numeric_limits<double>::quiet_NaN();

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

inline std::string short_list(const std::vector<std::string>& v, std::size_t max = 5) {
  std::string s;
  for (std::size_t i = 0; i < v.size() && i < max; ++i) s += (i ? ", " : "") + v[i];
  if (v.size() > max) s += ", ... (" + std::to_string(v.size()) + " in all)";
  return s;
}

inline std::string file_stem(const std::string& s) {
  std::string o;
  for (char c : s) o += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '+' ? c : '_';
  return o;
}

inline std::string fmt(double v, int digits = 4) {
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

}  // namespace gbmsweep::analysis::report_detail
