#include <filesystem>
#include <iostream>
#include <unistd.h>

#include "cli/commands.hpp"
#include "cli/parse.hpp"
#include "jobs/slurm.hpp"

namespace gbmsweep::cli {

namespace {

// The running executable, so that the script calls this very build.
std::string self_exe() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "gbmsweep";
}

int slurm(const Args& args) {
  jobs::SlurmJobOptions o;
  o.exe = self_exe();
  po::options_description opts("jobs slurm options");
  opts.add_options()
      ("sweep", po::value<std::string>(&o.sweep), "sweep file")
      ("store", po::value<std::string>(&o.store)->required(), "store directory")
      ("nodes", po::value<int>(&o.nodes)->default_value(1), "nodes")
      ("ranks-per-node", po::value<int>(&o.ranks_per_node)->default_value(0),
       "MPI ranks per node (0: one per GPU with --gpus-per-node, else 1)")
      ("gpus-per-node", po::value<int>(&o.gpus_per_node)->default_value(0),
       "GPUs per node: one worker rank each, + the coordinator on the first node")
      ("cpus-per-rank", po::value<int>(&o.cpus_per_rank)->default_value(0),
       "cores per rank (--cpus-per-task; a GPU job's first node holds G + 1 ranks, so at most "
       "cores / (G + 1); 0: whole nodes for a GPU job, else Slurm's default)")
      ("time", po::value<std::string>(&o.time)->default_value("01:00:00"), "time limit per job [D-]HH:MM:SS")
      ("partition", po::value<std::string>(&o.partition), "partition")
      ("account", po::value<std::string>(&o.account), "account")
      ("max-resubmits", po::value<int>(&o.max_resubmits)->default_value(10), "resubmissions at most")
      ("signal-lead", po::value<int>(&o.signal_lead_s)->default_value(0),
       "seconds before the limit at which Slurm sends SIGTERM (0: 10 % of the limit, 60..600)")
      ("launcher", po::value<std::string>(&o.launcher)->default_value("mpirun"), "mpirun or srun (PMIx)")
      ("report", po::value<std::string>(&o.report_dir), "report directory (default STORE/report)")
      ("exe", po::value<std::string>(&o.exe), "gbmsweep executable the job runs (default: this one)")
      ("job-name", po::value<std::string>(&o.job_name), "job name")
      ("keep-paths", po::bool_switch(&o.keep_paths),
       "keep paths relative to the submission directory (default: make them absolute)");
  po::positional_options_description pos;
  pos.add("sweep", 1);
  po::variables_map vm;
  if (!parse_command_line("jobs slurm", "SWEEP.toml --store DIR [options]", args, opts, pos, vm))
    return 0;
  std::string script = jobs::render_slurm_script(o);
  // Slurm opens the job log in the store before the script runs: the folder must exist.
  if (!o.keep_paths) std::filesystem::create_directories(o.store);
  std::cout << script;
  return 0;
}

}  // namespace

int cmd_jobs(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << "usage: gbmsweep jobs slurm SWEEP.toml --store DIR [options]   (prints an sbatch script)\n";
    if (args.empty()) throw UsageError{"missing the scheduler name (slurm)"};
    return 0;
  }
  if (args[0] != "slurm") throw UsageError{"unknown job system '" + args[0] + "' (slurm)"};
  return slurm(Args(args.begin() + 1, args.end()));
}

}  // namespace gbmsweep::cli
