#pragma once
// The task DAG as the coordinator sees it: each task's state, which tasks are ready and in
// which order (critical-path priority over estimates rescaled by measured durations), and
// what a completion or a failure does to the tasks below. Pure (no MPI, no store, no clock),
// so that the scheduling policy is unit-tested without mpiexec (tests/sched/test_sched_policy).
#include <string>
#include <vector>

#include "sched/eta.hpp"

namespace gbmsweep::sched {

enum class TaskState {
  Waiting,  // not started (dependencies may be missing)
  Running,
  Done,
  Failed,
  Blocked,  // not run: a dependency failed or was blocked
};

// One task of the plan, reduced to what scheduling needs. The coordinator builds these from
// the plan and the store (resolving dependency keys, checking topological order).
struct DagNode {
  std::string kind;       // durations are rescaled per kind
  double cost = 1;        // the plan's hint in seconds
  int ranks = 1;          // group size
  std::vector<int> deps;  // indices of earlier nodes (the plan is in topological order)
  TaskState state = TaskState::Waiting;  // Done or Failed when the store says so; else Waiting
  double measured_s = 0;  // Done in an earlier run: how long it took (<= 0: unknown)
};

struct DagCounts {
  int waiting = 0, running = 0, done = 0, failed = 0, blocked = 0;
};

class DagState {
 public:
  // `max_group`: the most workers any node has; a task needing more is never ready
  // (unplaceable). A Waiting node with a Failed or Blocked dependency starts Blocked. Throws
  // std::invalid_argument when a dependency index is not that of an earlier node.
  DagState(std::vector<DagNode> nodes, int max_group);

  int size() const { return static_cast<int>(nodes_.size()); }
  const DagNode& node(int i) const { return nodes_[idx(i)]; }
  TaskState state(int i) const { return nodes_[idx(i)].state; }
  bool unplaceable(int i) const { return unplaceable_[idx(i)]; }
  // Dependencies of `i` not done yet.
  int missing(int i) const { return missing_[idx(i)]; }
  // Expected seconds: the hint rescaled by the measured durations (DurationModel::expected).
  double expected(int i) const;
  // Longest expected path from `i` to the end of the DAG, `i` included: for independent tasks
  // this is longest-expected-first; in a DAG it favours the critical path.
  double priority(int i) const { return prio_[idx(i)]; }
  const DurationModel& durations() const { return durations_; }
  DagCounts counts() const;

  // Waiting, every dependency done and placeable; highest priority first, plan order among
  // equal priorities (the coordinator hands them out in this order).
  std::vector<int> ready() const;

  // Waiting -> Running.
  void start(int i);
  // Running -> Done after `seconds`: its dependants miss one dependency less, the duration
  // model learns from it and the priorities are recomputed.
  void complete(int i, double seconds);
  // Running -> Failed: every Waiting task below it becomes Blocked.
  void fail(int i);
  // Running -> Waiting: stopped by a drain or not recorded (storage full); a resume reruns it.
  void requeue(int i);

 private:
  std::size_t idx(int i) const { return static_cast<std::size_t>(i); }
  void block_descendants(int i);
  void update_priorities();

  std::vector<DagNode> nodes_;
  std::vector<std::vector<int>> children_;
  std::vector<int> missing_;
  std::vector<bool> unplaceable_;
  std::vector<double> prio_;
  DurationModel durations_;  // measured seconds per kind against the plan's hints
};

}  // namespace gbmsweep::sched
