#include "sched/policy.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>

// The exit codes only (an enum): this library does not link gbmsweep::common.
#include "common/error.hpp"

namespace gbmsweep::sched {

int max_workers_per_node(const std::vector<WorkerSlot>& workers) {
  std::map<int, int> per_node;
  int most = 0;
  for (const auto& w : workers) most = std::max(most, ++per_node[w.node]);
  return most;
}

std::optional<std::vector<int>> choose_group(const std::vector<WorkerSlot>& workers, int ranks) {
  const int g = std::max(1, ranks);
  std::map<int, std::vector<int>> by_node;
  for (std::size_t w = 0; w < workers.size(); ++w)
    if (workers[w].task < 0) by_node[workers[w].node].push_back(static_cast<int>(w));
  for (const auto& [node, ws] : by_node)
    if (static_cast<int>(ws.size()) >= g) return std::vector<int>(ws.begin(), ws.begin() + g);
  return std::nullopt;
}

bool fits_walltime(double now, double expected_s, double end_time) {
  return end_time <= 0 || now + expected_s <= end_time;
}

double job_end_time(double start, double walltime_s, const char* slurm_job_end_time) {
  double end = walltime_s > 0 ? start + walltime_s : 0;
  if (slurm_job_end_time && *slurm_job_end_time) {
    const double slurm_end = std::atof(slurm_job_end_time);
    if (slurm_end > 0) end = end > 0 ? std::min(end, slurm_end) : slurm_end;
  }
  return end;
}

AssignRound assign_round(DagState& dag, std::vector<WorkerSlot>& workers,
                         const AssignOptions& options, const std::function<double()>& now,
                         const std::function<void(int, const std::vector<int>&)>& start) {
  AssignRound round;
  for (int i : dag.ready()) {
    if (std::none_of(workers.begin(), workers.end(), [](const WorkerSlot& w) { return w.task < 0; }))
      break;
    if (!fits_walltime(now(), dag.expected(i), options.end_time)) {
      round.walltime_hit = true;
      continue;
    }
    auto group = choose_group(workers, dag.node(i).ranks);
    if (!group) break;
    dag.start(i);
    for (int w : *group) workers[static_cast<std::size_t>(w)].task = i;
    ++round.started;
    start(i, *group);
    if (options.one_task) break;  // back to the main loop: signals, progress, index
  }
  return round;
}

Disposition disposition(bool failed, bool cancelled) {
  if (failed && cancelled) return Disposition::Requeue;
  return failed ? Disposition::Fail : Disposition::Record;
}

int exit_code(const DagState& dag, bool draining, bool walltime_hit, bool storage_error) {
  bool left = false, bad = false;
  for (int i = 0; i < dag.size(); ++i) {
    const TaskState s = dag.state(i);
    if (s == TaskState::Waiting) (dag.unplaceable(i) ? bad : left) = true;
    if (s == TaskState::Failed || s == TaskState::Blocked) bad = true;
  }
  if (storage_error) return kExitFailure;
  if (left && draining) return kExitInterrupted;
  if (left && walltime_hit) return kExitWalltime;
  if (bad || left) return kExitFailure;
  return kExitOk;
}

}  // namespace gbmsweep::sched
