#include "tasks/kinds.hpp"

namespace gbmsweep {

// The mri task kinds are added here as the mri pipeline lands.
void register_mri_tasks(TaskTable&) {}

}  // namespace gbmsweep
