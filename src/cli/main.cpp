// gbmsweep: the command-line entry point. Subcommands live in cmd_*.cpp.
#include <cstring>
#include <exception>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/parse.hpp"
#include "cli/run_command.hpp"
#include "common/error.hpp"
#include "common/mpi.hpp"
#include "gbmsweep/config.hpp"
#include "sched/signals.hpp"
#include "train/device.hpp"

namespace {

using gbmsweep::cli::Args;

struct Command {
  std::function<int(const Args&)> run;
  const char* summary;
};

const std::map<std::string, Command>& commands() {
  static const std::map<std::string, Command> table = {
      {"jobs", {gbmsweep::cli::cmd_jobs, "print a batch script that runs a sweep to completion"}},
      {"plan", {gbmsweep::cli::cmd_plan, "enumerate a sweep file into its task DAG"}},
      {"report", {gbmsweep::cli::cmd_report, "tables, tests and figures from a result store"}},
      {"synth", {gbmsweep::cli::cmd_synth, "write a synthetic cohort in the real file layout"}},
      {"stats", {gbmsweep::cli::cmd_stats, "Friedman + Nemenyi on a block,method,score CSV"}},
      {"metrics", {gbmsweep::cli::cmd_metrics, "AUC, AP, SEN, SPE, ACC of an id,label,score CSV"}},
      {"check", {gbmsweep::cli::cmd_check, "open every input a sweep needs; list all problems"}},
      {"run", {gbmsweep::cli::cmd_run, "run a sweep under MPI into a result store (resumable)"}},
      {"status", {gbmsweep::cli::cmd_status, "counts and failures of a result store (--json)"}},
      {"cohort", {gbmsweep::cli::cmd_cohort, "build or check the preprocessed MRI cohort cache"}},
      {"bench", {gbmsweep::cli::cmd_bench, "micro-benchmarks (train-step, eval-samples)"}},
      {"radiomics", {gbmsweep::cli::cmd_radiomics, "IBSI radiomics features of an image in a mask"}},
      {"weights", {gbmsweep::cli::cmd_weights, "read and check a MedicalNet checkpoint"}},
  };
  return table;
}

void print_version() {
  // What was built (config header) and what the LibTorch loaded at run time offers.
  const auto torch = gbmsweep::train::torch_info();
  std::cout << "gbmsweep " << GBMSWEEP_VERSION << " (commit " << GBMSWEEP_GIT_COMMIT << ", "
            << GBMSWEEP_BUILD_TYPE << ")\n"
            << "  libtorch: " << GBMSWEEP_TORCH_VERSION << "  cuda: " << (torch.cuda ? "yes" : "no")
            << "  gpus visible: " << torch.gpus << "\n"
            << "  build: cuda " << (GBMSWEEP_HAS_CUDA ? "yes" : "no") << "  nccl "
            << (GBMSWEEP_HAS_NCCL ? "yes" : "no") << "  cpu engine "
            << (GBMSWEEP_HAS_CPU_ENGINE ? "yes" : "no") << "\n";
}

void print_usage(std::ostream& os) {
  os << "usage: gbmsweep <command> [options]   (gbmsweep <command> --help)\n\ncommands:\n";
  for (const auto& [name, cmd] : commands())
    os << "  " << name << std::string(10 - std::min<std::size_t>(9, name.size()), ' ')
       << cmd.summary << "\n";
  os << "\n  --version   print version, commit and build options\n";
}

// `run` blocks its drain signals before anything else of the process runs: .preinit_array
// entries of an executable run before every shared library's initialisers (LibTorch, ITK,
// Open MPI: up to seconds on a loaded node) and before main. A SIGUSR1 from Slurm or mpirun
// during that start-up then waits for cmd_run's handlers and drains, instead of killing the
// rank with rc 138 (found by the kill soak). Only the dynamic loader's relocation, before this,
// is left: see docs/reliability.md.
void preinit(int argc, char** argv, char** envp) {
  if (argc >= 2 && std::strcmp(argv[1], "run") == 0) gbmsweep::sched::block_drain_signals();
  gbmsweep::sched::test_raise_at("preinit", envp);
}
__attribute__((section(".preinit_array"), used)) void (*preinit_entry)(int, char**, char**) =
    preinit;

}  // namespace

int main(int argc, char** argv) {
  gbmsweep::sched::test_raise_at("main");
  if (argc < 2) {
    print_usage(std::cerr);
    return gbmsweep::kExitUsage;
  }
  std::string name = argv[1];
  if (name == "--version" || name == "version") {
    print_version();
    return 0;
  }
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(std::cout);
    return 0;
  }
  auto it = commands().find(name);
  if (it == commands().end()) {
    std::cerr << "gbmsweep: unknown command '" << name << "' (try gbmsweep --help)\n";
    return gbmsweep::kExitUsage;
  }
  Args args(argv + 2, argv + argc);
  return gbmsweep::cli::run_command("gbmsweep", name, it->second.run, args);
}
