#pragma once
// The MPI scheduler: rank 0 coordinates, the other ranks pull tasks (docs/scheduler.md).
//
// With one rank, rank 0 runs the tasks itself, one after another. With P > 1 ranks, rank 0
// only coordinates (it polls with short sleeps, so it costs little CPU: run P = workers + 1,
// oversubscribed) and ranks 1..P-1 compute. Rank 0 is the store's single writer; workers send
// their results to it over MPI and read their dependencies' result files.
#include <mpi.h>

#include <functional>
#include <string>

#include "sweep/plan.hpp"
#include "tasks/task.hpp"

namespace gbmsweep::sched {

// Task kind -> its function. `gbmsweep run` passes tasks/registry.hpp's task_function; sched/
// itself does not link the task kinds (nor, through them, LibTorch and ITK).
using TaskLookup = std::function<TaskFn(const std::string& kind)>;

struct SchedOptions {
  std::string store_dir;             // required
  TaskLookup task_lookup;            // required
  bool retry_failed = false;         // rerun tasks recorded as failed
  double walltime_s = 0;             // 0: none (SLURM_JOB_END_TIME still applies)
  double grace_s = 30;               // after a drain signal, running tasks get this long
  double cancel_wait_s = 5;          // then, after cancelling them, this long to stop
  // A member of a group task failed while the others still run: they may be blocked in a
  // collective the failed member never joins. After this long the task is recorded as failed
  // and the job aborts (running tasks go back to pending; the next submission resumes).
  double group_fail_wait_s = 60;
  int threads = 0;                   // per rank; 0 = cores per node / ranks per node
  double progress_interval_s = 10;   // at most one progress line per interval
  double index_interval_s = 1;       // at most one store.h5 rewrite per interval
  bool store_sync = true;            // fsync completions (StoreOptions::sync)
  std::string code_version;          // recorded with every task
  // Workers log warnings and errors only; their per-task info lines (weights loaded, cohort
  // read) come at --verbose. Rank 0's progress, failures and summary are always shown.
  bool verbose = false;
  // Resolved device kind of the run (Cpu or Cuda, see resolve_device_kind) and the GPUs each
  // rank's CUDA runtime sees; with Cuda every task rank gets one by placement (choose_gpu).
  DeviceKind device = DeviceKind::Cpu;
  int visible_gpus = 0;
  // Group tasks that cannot have two ranks on one GPU (NCCL refuses them; tasks::
  // averages_over_nccl). With Cuda, a job whose ranks share a GPU on a node with room for such
  // a group is refused before it starts (InputError, exit 2), instead of failing each task.
  std::function<bool(const TaskSpec&)> needs_a_gpu_per_rank;
};

struct SchedSummary {
  int total = 0, done = 0, failed = 0, skipped_done = 0, ran = 0;
  int blocked = 0;       // not run: a dependency failed
  int not_started = 0;   // not run: drain, walltime or no room for a group
  double elapsed_s = 0;
  int exit_code = 0;
};

// Collective over `world`. Rank 0 calls `make_plan` (errors are rethrown on rank 0; the other
// ranks return the same exit code), opens the store, runs the plan and records every result.
// Returns the exit code (the same on every rank): kExitOk, kExitFailure (a task failed or
// could not be placed), kExitInterrupted (drain), kExitWalltime.
int run_sweep(const std::function<Plan()>& make_plan, const SchedOptions& options,
              MPI_Comm world, SchedSummary* summary = nullptr);

}  // namespace gbmsweep::sched
