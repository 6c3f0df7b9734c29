#include "cli/commands.hpp"
#include "cli/parse.hpp"

namespace gbmsweep::cli {

// Replaced by the mri pipeline's generator when it lands.
int cmd_synth_mri(const Args&) { throw UsageError{"the mri generator is not in this build yet"}; }

}  // namespace gbmsweep::cli
