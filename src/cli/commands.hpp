#pragma once
// One function per subcommand. Each parses its own options (Boost.Program_options) into an
// *Options struct and calls into the library; it returns the process exit code.
#include <string>
#include <vector>

namespace gbmsweep::cli {

using Args = std::vector<std::string>;  // the arguments after the subcommand name

int cmd_plan(const Args& args);
int cmd_synth(const Args& args);       // dispatches to the generators below
int cmd_synth_mri(const Args& args);   // cmd_synth_mri.cpp
int cmd_synth_drug(const Args& args);  // cmd_synth_drug.cpp
int cmd_bench(const Args& args);       // cmd_bench.cpp: train-step, eval-samples

}  // namespace gbmsweep::cli
