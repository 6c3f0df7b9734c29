#include <iomanip>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/parse.hpp"
#include "sweep/plan.hpp"
#include "sweep/schema.hpp"

namespace gbmsweep::cli {

namespace {

void print_schema() {
  for (const auto& f : sweep::schema()) {
    std::cout << f.path << "  (" << sweep::type_name(f.type);
    if (f.required) std::cout << ", required";
    if (!f.default_value.is_null()) std::cout << ", default " << f.default_value.dump();
    std::cout << ")  " << f.doc << "\n";
  }
}

void print_summary(const Plan& plan) {
  std::map<std::string, std::map<std::string, int>> by_study;
  for (const auto& t : plan.tasks) ++by_study[t.study][t.kind];
  std::cout << "sweep " << plan.sweep_name << " (" << plan.sweep_path << "): " << plan.tasks.size()
            << " tasks, DAG depth " << plan.depth() << "\n";
  for (const auto& [study, kinds] : by_study) {
    int total = 0;
    for (const auto& [k, n] : kinds) total += n;
    std::cout << "  " << study << ": " << total << "\n";
    for (const auto& [k, n] : kinds)
      std::cout << "    " << std::left << std::setw(16) << k << std::right << std::setw(6) << n << "\n";
  }
}

nlohmann::json to_json(const Plan& plan) {
  nlohmann::json out = {{"sweep", plan.sweep_name},
                        {"total", plan.tasks.size()},
                        {"depth", plan.depth()},
                        {"counts", plan.counts_by_kind()}};
  nlohmann::json tasks = nlohmann::json::array();
  for (const auto& t : plan.tasks)
    tasks.push_back({{"key", t.key},       {"kind", t.kind},   {"study", t.study},
                     {"name", t.name},     {"params", t.params}, {"deps", t.deps},
                     {"inputs", t.inputs}, {"cost", t.cost},   {"ranks", t.ranks}});
  out["tasks"] = tasks;
  return out;
}

}  // namespace

int cmd_plan(const Args& args) {
  po::options_description opts("plan options");
  std::string file;
  opts.add_options()
      ("sweep", po::value<std::string>(&file), "sweep file (TOML)")
      ("list", "print every task: key, kind, name, dependencies")
      ("json", "print the plan as one JSON object")
      ("no-fingerprint", "do not hash input data (keys then ignore data content)")
      ("schema", "print every sweep-file key with its type and default");
  po::positional_options_description pos;
  pos.add("sweep", 1);
  po::variables_map vm;
  if (!parse_command_line("plan", "SWEEP.toml [--list | --json]", args, opts, pos, vm)) return 0;
  if (vm.count("schema")) {
    print_schema();
    return 0;
  }
  if (file.empty()) throw UsageError{"missing the sweep file (gbmsweep plan SWEEP.toml)"};

  PlanOptions options;
  options.sweep_path = file;
  options.fingerprint_inputs = !vm.count("no-fingerprint");
  Plan plan = make_plan(options);

  if (vm.count("json")) {
    std::cout << to_json(plan).dump() << "\n";
  } else if (vm.count("list")) {
    for (const auto& t : plan.tasks) {
      std::cout << t.key << "  " << std::left << std::setw(15) << t.kind << std::right << " "
                << t.name;
      if (!t.deps.empty()) std::cout << "  <- " << t.deps.size() << " deps";
      std::cout << "\n";
    }
  } else {
    print_summary(plan);
  }
  return 0;
}

}  // namespace gbmsweep::cli
