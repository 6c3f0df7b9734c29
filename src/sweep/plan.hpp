#pragma once
// From a sweep file to a DAG of tasks with content keys.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/task_spec.hpp"

namespace gbmsweep {

struct PlanOptions {
  std::string sweep_path;             // the TOML file
  bool fingerprint_inputs = true;     // hash the input data found on disk (false: "absent")
};

struct Plan {
  std::string sweep_name;
  std::string sweep_path;
  nlohmann::json config;              // the validated sweep with defaults filled in
  std::vector<TaskSpec> tasks;        // topological order: every dep precedes its dependants

  const TaskSpec* find(const std::string& key) const;
  std::map<std::string, int> counts_by_kind() const;
  int depth() const;                  // longest dependency chain, in tasks
};

// Parses, validates and plans. Throws SweepError (an InputError with line:column) on bad files.
Plan make_plan(const PlanOptions& options);

}  // namespace gbmsweep
