#pragma once
// Preflight: every input a plan needs is opened before any task runs (`gbmsweep check`, and
// `gbmsweep run` on rank 0 before the store is opened), and every problem is reported at once
// as file:line: what. A sweep whose inputs are broken fails in seconds with the whole list,
// instead of task by task after the job has started (docs/reliability.md).
#include <string>
#include <vector>

#include "common/problems.hpp"
#include "sweep/plan.hpp"

namespace gbmsweep {

struct PreflightReport {
  Problems problems;
  std::vector<std::string> checked;  // what was opened, one line per input family
};

// Reads only what the plan's tasks need (an MRI-only sweep does not open the drug files).
PreflightReport preflight(const Plan& plan);

// The report's problems as one InputError (for `run`): names the sweep and lists them all.
[[noreturn]] void throw_preflight(const Plan& plan, const PreflightReport& report);

}  // namespace gbmsweep
