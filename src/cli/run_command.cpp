#include "cli/run_command.hpp"

#include <exception>
#include <iostream>

#include "cli/parse.hpp"
#include "common/error.hpp"

namespace gbmsweep::cli {

int run_command(const std::string& program, const std::string& name,
                const std::function<int(const std::vector<std::string>&)>& run,
                const std::vector<std::string>& args) {
  const std::string who = name.empty() ? program : program + " " + name;
  try {
    return run(args);
  } catch (const UsageError& e) {
    std::cerr << who << ": " << e.message << "\n";
    return kExitUsage;
  } catch (const InputError& e) {
    std::cerr << who << ": error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const Error& e) {
    std::cerr << who << ": error: " << e.what() << " [" << e.where();
    if (e.rank() >= 0) std::cerr << ", rank " << e.rank();
    std::cerr << "]\n";
    return kExitFailure;
  } catch (const std::exception& e) {
    std::cerr << who << ": error: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace gbmsweep::cli
