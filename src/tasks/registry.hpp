#pragma once
// Task kinds by name. Adding a kind touches this folder and the sweep planner, nothing in sched/.
#include <string>
#include <vector>

#include "tasks/task.hpp"

namespace gbmsweep {

// The function for `kind`; throws gbmsweep::Error for an unknown kind.
const TaskFn& task_function(const std::string& kind);
std::vector<std::string> task_kinds();

// Whether a group task (ranks > 1) would average its gradients over NCCL on `device`: an
// mri.train task whose mri.train.reducer is "nccl", or "auto" on CUDA in a build with NCCL.
// NCCL refuses two ranks of one communicator on one GPU (mri_tasks.cpp).
bool averages_over_nccl(const TaskSpec& spec, DeviceKind device);

}  // namespace gbmsweep
