#include "tasks/kinds.hpp"

namespace gbmsweep {

// The probe kind (scheduler tests) is added here with the scheduler.
void register_probe_tasks(TaskTable&) {}

}  // namespace gbmsweep
