// gbmsweep-cohort: `gbmsweep cohort` in an executable that links neither LibTorch nor MPI's
// users beyond common/. Loading LibTorch alone costs ~150 MiB of resident memory before the
// first volume is read (`gbmsweep --version`: 177 MiB peak), which matters when a cohort is
// built on a memory-tight node or with many threads. Same options, output and exit codes.
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/run_command.hpp"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  return gbmsweep::cli::run_command("gbmsweep-cohort", "", gbmsweep::cli::cmd_cohort, args);
}
