#pragma once
// One subcommand run with the exit codes every gbmsweep executable uses: 2 for a bad command
// line or bad input (the message names the file, line or patient), 1 for any other failure.
// Shared by `gbmsweep` and the torch-free `gbmsweep-cohort`.
#include <functional>
#include <string>
#include <vector>

namespace gbmsweep::cli {

int run_command(const std::string& program, const std::string& name,
                const std::function<int(const std::vector<std::string>&)>& run,
                const std::vector<std::string>& args);

}  // namespace gbmsweep::cli
