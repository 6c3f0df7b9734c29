#pragma once
// The computing side of the scheduler, internal to src/sched: running one task on this rank as
// a member of its group (rank 0 does it itself in a one-rank run), and the loop of ranks
// 1..P-1 that pull tasks from the coordinator (scheduler.cpp).
#include <mpi.h>

#include <functional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "sched/placement.hpp"
#include "sched/scheduler.hpp"

namespace gbmsweep::sched {

// Seconds since the epoch (the store's time stamps).
double now_s();

// Polling sleeps: short right after activity (low dispatch latency), growing to 2 ms while
// idle (little CPU taken from the tasks; MPI's blocking receive would spin on a core).
class Napper {
 public:
  void nap();
  void reset() { us_ = 50; }

 private:
  int us_ = 50;
};

// What one rank's part of a task produced.
struct Outcome {
  bool ok = false;
  std::string error;
  TaskResult result;
  double t0 = 0, t1 = 0;
};

// The device tasks on this rank compute on: its GPU when the run is on CUDA, else the CPU.
Device device_of(const Placement& pl, const SchedOptions& options);

// Runs `spec` on this rank as a member of the group `members` (world ranks, leader first).
// Collective over the members when there are more than one.
Outcome execute(const TaskLookup& lookup, const TaskSpec& spec, std::uint64_t seed,
                const std::vector<int>& members, int group_tag, const std::string& store_dir,
                int threads, const Device& device, const std::function<bool()>& cancelled,
                MPI_Comm world);

// A worker rank (1..P-1): runs what rank 0 sends until it says stop; returns its exit code.
int work(const TaskLookup& lookup, const Placement& pl, const std::string& store_dir,
         const Device& device, MPI_Comm world);

}  // namespace gbmsweep::sched
