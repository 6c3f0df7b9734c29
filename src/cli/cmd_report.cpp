// `gbmsweep report --store DIR --out DIR`: the papers' tables, tests and figures from a store.
// Works on a partial store: the report's completeness section says what is missing.
#include <iostream>

#include "analysis/ensemble.hpp"
#include "analysis/report.hpp"
#include "cli/commands.hpp"
#include "cli/parse.hpp"
#include "store/store.hpp"

namespace gbmsweep::cli {

int cmd_report(const Args& args) {
  analysis::ReportOptions o;
  std::string dir;
  bool no_plots = false;
  int bootstrap = -1;
  po::options_description visible("options");
  visible.add_options()
      ("store", po::value(&dir)->required(), "the result store directory")
      ("out", po::value(&o.out_dir)->required(), "output directory for the report")
      ("alpha", po::value(&o.alpha), "significance level (default: the sweep's report.alpha)")
      ("no-plots", po::bool_switch(&no_plots), "tables only, no gnuplot figures")
      ("bootstrap", po::value(&bootstrap), "bootstrap resamples for AUC/AP intervals (0: none)");
  po::variables_map vm;
  if (!parse_command_line("report", "--store DIR --out DIR [options]", args, visible, {}, vm))
    return 0;

  Store store = Store::open_read(dir);
  // The sweep's [report] section gives the defaults; the command line overrides them.
  const json& cfg = store.info().config;
  if (cfg.contains("report")) {
    const json& r = cfg["report"];
    if (!vm.count("alpha") && r.contains("alpha")) o.alpha = r["alpha"].get<double>();
    if (r.contains("ensemble")) o.curve_ensemble = r["ensemble"].get<std::string>();
    if (r.contains("best_overall")) {
      o.best_overall.clear();
      for (const auto& pair : r["best_overall"])
        o.best_overall.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
    }
    if (r.value("best_overall_rule", std::string("highest_auc")) == "fixed")
      o.best_overall_rule = analysis::ReportOptions::BestOverall::Fixed;
    o.compare = r.value("compare", std::string("none"));
  }
  if (cfg.contains("mri")) {
    const json& mri = cfg["mri"];
    if (mri.contains("threshold")) o.threshold = mri["threshold"].get<double>();
    // Table rows: the sweep's groups (the paper's first, in its order), then its combinations.
    if (mri.contains("groups") && mri.contains("combinations"))
      o.ensembles = analysis::ensemble_order(mri["groups"], mri["combinations"]);
  }
  if (!(o.alpha > 0 && o.alpha < 1)) throw UsageError{"--alpha must be in (0, 1)"};
  if (bootstrap >= 0) o.bootstrap.resamples = bootstrap;
  o.plots = !no_plots;

  auto summary = analysis::write_report(o, store.records(true));
  std::cout << "report written to " << o.out_dir << "/report.md (" << summary.files.size()
            << " files)\n";
  if (summary.completeness.empty()) {
    std::cout << "store complete\n";
  } else {
    std::cout << "incomplete store:\n";
    for (const auto& line : summary.completeness) std::cout << "  " << line << "\n";
  }
  return 0;
}

}  // namespace gbmsweep::cli
