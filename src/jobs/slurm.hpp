#pragma once
// Batch scripts for running a sweep under Slurm: one submission that drains before its time
// limit, resubmits itself while tasks remain, and writes the report when the store is complete.
#include <string>

namespace gbmsweep::jobs {

struct SlurmJobOptions {
  std::string sweep;             // sweep file (made absolute)
  std::string store;             // store directory (made absolute)
  std::string exe;               // gbmsweep executable (made absolute)
  std::string report_dir;        // default: <store>/report
  std::string job_name;          // default: gbmsweep-<sweep file stem>
  int nodes = 1;
  // Worker ranks per node; 0: one per GPU with gpus_per_node, else 1. A GPU job starts
  // nodes x gpus_per_node workers + 1 coordinator (rank 0 only coordinates), so that every
  // GPU gets one worker: placement counts GPUs from local rank 1 on the coordinator's node.
  int ranks_per_node = 0;
  int gpus_per_node = 0;
  // CPU cores per rank (#SBATCH --cpus-per-task); 0: a GPU job takes whole nodes (--exclusive)
  // and gbmsweep splits each node's cores among its ranks; a CPU job gets Slurm's default.
  int cpus_per_rank = 0;
  std::string time = "01:00:00";  // Slurm time limit: [D-]HH:MM:SS
  std::string partition;          // empty: the cluster's default
  std::string account;
  int max_resubmits = 10;
  int signal_lead_s = 0;          // 0: derived from the time limit (10 %, 60..600 s)
  std::string launcher = "mpirun";  // "mpirun" (inside the allocation) or "srun" (PMIx)
  // Keep paths as given (relative to the submission directory) instead of making them
  // absolute; an executable name without '/' is always looked up on PATH.
  bool keep_paths = false;
};

// Seconds in a Slurm time limit ("HH:MM:SS", "MM:SS", "D-HH:MM:SS"); throws InputError.
long parse_time_limit(const std::string& t);

// The sbatch script. Validates the options (InputError on bad values).
std::string render_slurm_script(SlurmJobOptions options);

}  // namespace gbmsweep::jobs
