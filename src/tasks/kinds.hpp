#pragma once
// One registration function per domain; each lives in its own file in this folder.
#include <map>
#include <string>

#include "tasks/task.hpp"

namespace gbmsweep {

using TaskTable = std::map<std::string, TaskFn>;

void register_probe_tasks(TaskTable& table);  // probe.cpp
void register_mri_tasks(TaskTable& table);    // mri_tasks.cpp
void register_drug_tasks(TaskTable& table);   // drug_tasks.cpp
void register_ensemble_tasks(TaskTable& table);  // ensemble_tasks.cpp (mri.ensemble, drug.aggregate)
void register_radiomics_tasks(TaskTable& table);  // radiomics_task.cpp (mri.radiomics)

}  // namespace gbmsweep
