// `gbmsweep check SWEEP.toml`: plans the sweep and opens every input its tasks need, printing
// every problem at once (file:line: what). Exit 0 when all is well, 2 otherwise; nothing is
// written. `gbmsweep run` does the same on rank 0 before it opens the store.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/parse.hpp"
#include "common/error.hpp"
#include "sweep/plan.hpp"
#include "tasks/preflight.hpp"

namespace gbmsweep::cli {

int cmd_check(const Args& args) {
  std::string sweep;
  bool json = false;
  po::options_description visible("options");
  visible.add_options()
      ("sweep", po::value(&sweep)->required(), "the sweep file (TOML)")
      ("json", po::bool_switch(&json), "print {\"ok\", \"problems\", \"checked\"} as JSON");
  po::positional_options_description pos;
  pos.add("sweep", 1);
  po::variables_map vm;
  if (!parse_command_line("check", "FILE [--json]", args, visible, pos, vm)) return 0;

  PlanOptions po_;
  po_.sweep_path = sweep;
  po_.fingerprint_inputs = false;  // the check opens the inputs itself; hashing is run's job
  const Plan plan = make_plan(po_);
  const PreflightReport report = preflight(plan);
  if (json) {
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& p : report.problems.list())
      problems.push_back({{"file", p.file}, {"line", p.line}, {"what", p.what}});
    std::cout << nlohmann::json{{"ok", report.problems.empty()},
                                {"tasks", plan.tasks.size()},
                                {"problems", problems},
                                {"checked", report.checked}}
                     .dump(2)
              << "\n";
  } else {
    for (const auto& c : report.checked) std::cout << "checked: " << c << "\n";
    if (report.problems.empty())
      std::cout << sweep << ": ok, " << plan.tasks.size() << " tasks can start\n";
    else
      std::cerr << report.problems.str() << sweep << ": " << report.problems.size()
                << " problem(s); fix them before `gbmsweep run`\n";
  }
  return report.problems.empty() ? kExitOk : kExitUsage;
}

}  // namespace gbmsweep::cli
