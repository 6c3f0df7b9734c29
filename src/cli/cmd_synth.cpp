#include <iostream>
#include <map>

#include "cli/commands.hpp"
#include "cli/parse.hpp"

namespace gbmsweep::cli {

// `gbmsweep synth mri|drug ...`: each generator parses its own options.
int cmd_synth(const Args& args) {
  static const std::map<std::string, int (*)(const Args&)> generators = {
      {"mri", cmd_synth_mri},
      {"drug", cmd_synth_drug},
  };
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << "usage: gbmsweep synth mri|drug [options]   (gbmsweep synth mri --help)\n";
    if (args.empty()) throw UsageError{"missing generator name (mri or drug)"};
    return 0;
  }
  auto it = generators.find(args[0]);
  if (it == generators.end()) throw UsageError{"unknown generator '" + args[0] + "' (mri or drug)"};
  return it->second(Args(args.begin() + 1, args.end()));
}

}  // namespace gbmsweep::cli
