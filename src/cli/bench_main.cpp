// gbmsweep_bench: `gbmsweep bench ...` without the rest of gbmsweep, so that it links against
// the GPU core alone (GBMSWEEP_CORE_ONLY: no HDF5, ITK or toml++ on a lent GPU machine).
// Same options, JSON and exit codes as `gbmsweep bench`.
#include <iostream>
#include <string>

#include "cli/commands.hpp"
#include "cli/run_command.hpp"
#include "gbmsweep/config.hpp"
#include "train/device.hpp"

int main(int argc, char** argv) {
  const gbmsweep::cli::Args args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "--version" || args[0] == "version")) {
    const auto torch = gbmsweep::train::torch_info();
    std::cout << "gbmsweep_bench " << GBMSWEEP_VERSION << " (commit " << GBMSWEEP_GIT_COMMIT
              << ")  libtorch: " << GBMSWEEP_TORCH_VERSION
              << "  cuda: " << (torch.cuda ? "yes" : "no") << "  gpus visible: " << torch.gpus
              << "  nccl: " << (GBMSWEEP_HAS_NCCL ? "yes" : "no") << "\n";
    return 0;
  }
  return gbmsweep::cli::run_command("gbmsweep_bench", "", gbmsweep::cli::cmd_bench, args);
}
