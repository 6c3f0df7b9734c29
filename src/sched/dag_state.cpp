#include "sched/dag_state.hpp"

#include <algorithm>
#include <stdexcept>

namespace gbmsweep::sched {

DagState::DagState(std::vector<DagNode> nodes, int max_group) : nodes_(std::move(nodes)) {
  const std::size_t n = nodes_.size();
  children_.assign(n, {});
  missing_.assign(n, 0);
  unplaceable_.assign(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    DagNode& t = nodes_[i];
    if (t.ranks > max_group) unplaceable_[i] = true;
    for (int j : t.deps) {
      // Not GBM_CHECK: this library does not link gbmsweep::common (and with it MPI).
      if (j < 0 || j >= static_cast<int>(i))
        throw std::invalid_argument("task " + std::to_string(i) + " depends on task " +
                                    std::to_string(j) + ", which is not an earlier one");
      const TaskState dep = nodes_[idx(j)].state;
      children_[idx(j)].push_back(static_cast<int>(i));
      if (dep != TaskState::Done) ++missing_[i];
      if ((dep == TaskState::Failed || dep == TaskState::Blocked) && t.state == TaskState::Waiting)
        t.state = TaskState::Blocked;
    }
  }
  // Earlier runs' durations scale the hints before anything runs in this one.
  for (const DagNode& t : nodes_)
    if (t.state == TaskState::Done && t.measured_s > 0) durations_.record(t.kind, t.cost, t.measured_s);
  update_priorities();
}

double DagState::expected(int i) const {
  const DagNode& t = nodes_[idx(i)];
  return durations_.expected(t.kind, t.cost);
}

void DagState::update_priorities() {
  const std::size_t n = nodes_.size();
  prio_.assign(n, 0);
  for (std::size_t k = n; k-- > 0;) {
    double below = 0;
    for (int c : children_[k]) below = std::max(below, prio_[idx(c)]);
    prio_[k] = expected(static_cast<int>(k)) + below;
  }
}

DagCounts DagState::counts() const {
  DagCounts c;
  for (const DagNode& t : nodes_) {
    switch (t.state) {
      case TaskState::Waiting: ++c.waiting; break;
      case TaskState::Running: ++c.running; break;
      case TaskState::Done: ++c.done; break;
      case TaskState::Failed: ++c.failed; break;
      case TaskState::Blocked: ++c.blocked; break;
    }
  }
  return c;
}

std::vector<int> DagState::ready() const {
  std::vector<int> r;
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].state == TaskState::Waiting && missing_[i] == 0 && !unplaceable_[i])
      r.push_back(static_cast<int>(i));
  std::stable_sort(r.begin(), r.end(), [this](int a, int b) { return prio_[idx(a)] > prio_[idx(b)]; });
  return r;
}

void DagState::start(int i) { nodes_[idx(i)].state = TaskState::Running; }

void DagState::complete(int i, double seconds) {
  DagNode& t = nodes_[idx(i)];
  t.state = TaskState::Done;
  durations_.record(t.kind, t.cost, seconds);
  for (int c : children_[idx(i)]) --missing_[idx(c)];
  update_priorities();
}

void DagState::fail(int i) {
  nodes_[idx(i)].state = TaskState::Failed;
  block_descendants(i);
}

void DagState::requeue(int i) { nodes_[idx(i)].state = TaskState::Waiting; }

void DagState::block_descendants(int i) {
  for (int c : children_[idx(i)]) {
    TaskState& s = nodes_[idx(c)].state;
    if (s == TaskState::Waiting) {
      s = TaskState::Blocked;
      block_descendants(c);
    }
  }
}

}  // namespace gbmsweep::sched
