#pragma once
// One function per subcommand. Each parses its own options (Boost.Program_options) into an
// *Options struct and calls into the library; it returns the process exit code.
#include <string>
#include <vector>

namespace gbmsweep::cli {

using Args = std::vector<std::string>;  // the arguments after the subcommand name

int cmd_plan(const Args& args);

}  // namespace gbmsweep::cli
