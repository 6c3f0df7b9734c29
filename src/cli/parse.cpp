#include "cli/parse.hpp"

#include <iostream>
#include <sstream>

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

std::array<int, 3> parse_shape(const std::string& text, const char* option) {
  std::array<int, 3> s{0, 0, 0};
  std::istringstream is(text);
  char c1 = 0, c2 = 0;
  if (!(is >> s[0] >> c1 >> s[1] >> c2 >> s[2]) || c1 != ',' || c2 != ',' || !is.eof() ||
      s[0] <= 0 || s[1] <= 0 || s[2] <= 0)
    throw UsageError{std::string("--") + option + " expects D,H,W (three positive integers), got '" +
                     text + "'"};
  return s;
}

}  // namespace gbmsweep::cli
