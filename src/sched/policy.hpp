#pragma once
// The coordinator's decisions, apart from its MPI message loop (scheduler.cpp): which ready
// task goes to which idle workers, whether it fits the walltime, what happens to a task once
// every member has reported, and the exit code. Pure: no MPI, no store; the clock is passed
// in. Unit-tested without mpiexec (tests/sched/test_sched_policy.cpp).
#include <functional>
#include <optional>
#include <vector>

#include "sched/dag_state.hpp"

namespace gbmsweep::sched {

// A rank that computes tasks, as the coordinator tracks it.
struct WorkerSlot {
  int rank = 0;   // world rank
  int node = 0;   // node index (Placement::node_of_rank)
  int task = -1;  // the task it runs; -1: idle
};

// The most workers on any one node: the largest group a task may ask for.
int max_workers_per_node(const std::vector<WorkerSlot>& workers);

// `ranks` idle workers on one node (indices into `workers`, in worker order), from the lowest
// node index that has enough; nullopt when no node has. ranks < 1 counts as 1.
std::optional<std::vector<int>> choose_group(const std::vector<WorkerSlot>& workers, int ranks);

// Whether a task expected to take `expected_s` from `now` ends by `end_time` (<= 0: no limit).
bool fits_walltime(double now, double expected_s, double end_time);

// When the job must be done: start + walltime_s (walltime_s <= 0: none), or Slurm's
// SLURM_JOB_END_TIME (seconds since the epoch; null, empty or <= 0: none), whichever is
// earlier; 0 when neither applies.
double job_end_time(double start, double walltime_s, const char* slurm_job_end_time);

struct AssignOptions {
  double end_time = 0;    // job_end_time; 0: none
  bool one_task = false;  // one rank: rank 0 runs the task itself, then returns to its loop
};

struct AssignRound {
  int started = 0;
  bool walltime_hit = false;  // a ready task was held back because it would not fit
};

// One assignment round. Ready tasks in priority order: a task that would not fit the walltime
// is skipped (and the round says so); a group task with no node holding enough idle workers
// stops the round (the head task waits rather than being starved by smaller ones). Each task
// handed out is marked Running, its workers busy, then `start(task, worker indices)` runs
// (which may finish it at once, in one-rank mode). `now` is read before each walltime check.
AssignRound assign_round(DagState& dag, std::vector<WorkerSlot>& workers,
                         const AssignOptions& options, const std::function<double()>& now,
                         const std::function<void(int, const std::vector<int>&)>& start);

// What becomes of a task once every member of its group has reported.
enum class Disposition {
  Record,   // succeeded: store the result (if the store's disk is full, requeue and drain)
  Fail,     // failed: record the failure, block its dependants (DagState::fail)
  Requeue,  // failed because a drain cancelled it: not its fault, a resume reruns it
};
Disposition disposition(bool failed, bool cancelled);

// The run's exit code once nothing runs: kExitFailure when the store could not be written, a
// task failed or was blocked, or one could not be placed; kExitInterrupted / kExitWalltime when
// placeable tasks were left by a drain / for the walltime; else kExitOk.
int exit_code(const DagState& dag, bool draining, bool walltime_hit, bool storage_error);

}  // namespace gbmsweep::sched
