#include "tasks/kinds.hpp"

namespace gbmsweep {

// The drug task kinds are added here as the drug pipeline lands.
void register_drug_tasks(TaskTable&) {}

}  // namespace gbmsweep
