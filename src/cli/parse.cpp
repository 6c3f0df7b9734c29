#include "cli/parse.hpp"

#include <iostream>

namespace gbmsweep::cli {

bool parse_command_line(const std::string& command, const std::string& synopsis,
                        const std::vector<std::string>& args, po::options_description& visible,
                        const po::positional_options_description& positional,
                        po::variables_map& vm) {
  visible.add_options()("help,h", "print this help");
  try {
    po::store(po::command_line_parser(args).options(visible).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: gbmsweep " << command << " " << synopsis << "\n\n" << visible << "\n";
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError{e.what()};
  }
  return true;
}

}  // namespace gbmsweep::cli
