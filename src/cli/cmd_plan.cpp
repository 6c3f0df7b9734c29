#include <iostream>

#include "cli/commands.hpp"
#include "cli/parse.hpp"
#include "sweep/plan.hpp"

namespace gbmsweep::cli {

int cmd_plan(const Args& args) {
  std::cout << "plan: not yet\n";
  return 0;
}

}  // namespace gbmsweep::cli
