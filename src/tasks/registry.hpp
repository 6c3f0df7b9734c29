#pragma once
// Task kinds by name. Adding a kind touches this folder and the sweep planner, nothing in sched/.
#include <string>
#include <vector>

#include "tasks/task.hpp"

namespace gbmsweep {

// The function for `kind`; throws gbmsweep::Error for an unknown kind.
const TaskFn& task_function(const std::string& kind);
std::vector<std::string> task_kinds();

}  // namespace gbmsweep
