#include "tasks/preflight.hpp"

#include <filesystem>
#include <set>

#include "common/error.hpp"

namespace gbmsweep {

namespace stdfs = std::filesystem;

namespace {

// Every path a task names in its inputs (strings only; nested objects are walked).
void collect_paths(const nlohmann::json& j, std::set<std::string>& out) {
  if (j.is_string()) {
    out.insert(j.get<std::string>());
  } else if (j.is_object() || j.is_array()) {
    for (const auto& v : j) collect_paths(v, out);
  }
}

}  // namespace

PreflightReport preflight(const Plan& plan) {
  PreflightReport r;
  std::set<std::string> paths, studies;
  for (const auto& t : plan.tasks) {
    collect_paths(t.inputs, paths);
    studies.insert(t.study);
  }
  // The inputs exist: the cheapest check, and the one every later check builds on.
  std::size_t missing = 0;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!stdfs::exists(p, ec)) {
      r.problems.add(p, 0, "input named by the sweep " + plan.sweep_path +
                               " does not exist (paths are relative to the working directory)");
      ++missing;
    }
  }
  r.checked.push_back(std::to_string(paths.size()) + " input path(s) exist: " +
                      std::to_string(paths.size() - missing) + " found");
  return r;
}

void throw_preflight(const Plan& plan, const PreflightReport& report) {
  throw InputError(plan.sweep_path,
                   std::to_string(report.problems.size()) +
                       " input problem(s); nothing was run (gbmsweep check lists the same):\n" +
                       report.problems.str());
}

}  // namespace gbmsweep
