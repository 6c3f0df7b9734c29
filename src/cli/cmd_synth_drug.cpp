#include "cli/commands.hpp"
#include "cli/parse.hpp"

namespace gbmsweep::cli {

// Replaced by the drug pipeline's generator when it lands.
int cmd_synth_drug(const Args&) { throw UsageError{"the drug generator is not in this build yet"}; }

}  // namespace gbmsweep::cli
