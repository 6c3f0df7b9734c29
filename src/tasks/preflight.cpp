#include "tasks/preflight.hpp"

#include <filesystem>
#include <set>

#include "common/error.hpp"
#include "drug/preflight.hpp"
#include "mri/preflight.hpp"

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
  // Each study's readers open what they will read, in the same parse as the tasks.
  if (studies.count("mri")) {
    const std::size_t before = r.problems.size();
    mri::MriCheckOptions opts;
    // What mri.skip_bad would leave out of the run does not stop it, so it is not a problem.
    const nlohmann::json::json_pointer skip_bad("/mri/skip_bad");
    opts.report_skippable = !plan.config.value(skip_bad, false);
    mri::check_mri_inputs(plan.config, r.problems, opts);
    r.checked.push_back("MRI cohort (clinical table, NIfTI headers and gzip trailers, weights): " +
                        std::to_string(r.problems.size() - before) + " problem(s)");
  }
  if (studies.count("drug")) {
    const std::size_t before = r.problems.size();
    drug::check_drug_inputs(plan.config, r.problems);
    r.checked.push_back("drug inputs (expression, responses, gene set and map): " +
                        std::to_string(r.problems.size() - before) + " problem(s)");
  }
  return r;
}

void throw_preflight(const Plan& plan, const PreflightReport& report) {
  throw InputError(plan.sweep_path,
                   std::to_string(report.problems.size()) +
                       " input problem(s); nothing was run (gbmsweep check lists the same):\n" +
                       report.problems.str());
}

}  // namespace gbmsweep
