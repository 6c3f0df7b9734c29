// The scheduling policy without mpiexec (src/sched/dag_state.hpp, policy.hpp): readiness,
// critical-path priority, rescaling by measured durations, walltime fit, group placement,
// failure propagation and the exit code, on small hand-made DAGs whose answers are known.
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <utility>

#include "common/error.hpp"  // exit codes (an enum; nothing of gbmsweep::common is linked)
#include "sched/dag_state.hpp"
#include "sched/policy.hpp"

using namespace gbmsweep;
using namespace gbmsweep::sched;

namespace {

DagNode node(double cost, std::vector<int> deps = {}, int ranks = 1, std::string kind = "k") {
  DagNode n;
  n.kind = std::move(kind);
  n.cost = cost;
  n.ranks = ranks;
  n.deps = std::move(deps);
  return n;
}

// A diamond with a long side:   0 ─┬─ 1 (cost 1) ──┬─ 3
//                                 └─ 2 (cost 5) ──┘
// plus an independent task 4 (cost 4).
std::vector<DagNode> diamond() {
  return {node(2), node(1, {0}), node(5, {0}), node(1, {1, 2}), node(4)};
}

std::vector<WorkerSlot> workers(const std::vector<int>& nodes) {
  std::vector<WorkerSlot> w;
  for (std::size_t i = 0; i < nodes.size(); ++i) w.push_back({static_cast<int>(i) + 1, nodes[i], -1});
  return w;
}

// One assignment round with a fixed clock; returns (task, worker indices) in hand-out order.
std::vector<std::pair<int, std::vector<int>>> round(DagState& dag, std::vector<WorkerSlot>& ws,
                                                    AssignOptions o = {}, double now = 0,
                                                    AssignRound* out = nullptr) {
  std::vector<std::pair<int, std::vector<int>>> started;
  AssignRound r = assign_round(dag, ws, o, [now] { return now; },
                               [&](int i, const std::vector<int>& g) { started.emplace_back(i, g); });
  if (out) *out = r;
  return started;
}

}  // namespace

BOOST_AUTO_TEST_CASE(critical_path_priority_on_a_diamond) {
  DagState dag(diamond(), 1);
  // Longest expected path to the end, the task included.
  BOOST_CHECK_CLOSE(dag.priority(3), 1.0, 1e-9);
  BOOST_CHECK_CLOSE(dag.priority(1), 2.0, 1e-9);
  BOOST_CHECK_CLOSE(dag.priority(2), 6.0, 1e-9);
  BOOST_CHECK_CLOSE(dag.priority(0), 8.0, 1e-9);  // 2 + max(2, 6)
  BOOST_CHECK_CLOSE(dag.priority(4), 4.0, 1e-9);
  // Ready: the roots, the head of the critical path first although task 4 is longer alone.
  BOOST_TEST(dag.ready() == (std::vector<int>{0, 4}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ready_set_after_completions) {
  DagState dag(diamond(), 1);
  dag.start(0);
  dag.start(4);
  BOOST_TEST(dag.ready().empty());
  dag.complete(0, 2);
  BOOST_TEST(dag.ready() == (std::vector<int>{2, 1}), boost::test_tools::per_element());
  BOOST_CHECK_EQUAL(dag.missing(3), 2);
  dag.start(1);
  dag.complete(1, 1);
  BOOST_CHECK_EQUAL(dag.missing(3), 1);
  BOOST_TEST(dag.ready() == (std::vector<int>{2}), boost::test_tools::per_element());  // 3 waits for 2
  dag.start(2);
  dag.complete(2, 5);
  BOOST_TEST(dag.ready() == (std::vector<int>{3}), boost::test_tools::per_element());
  const DagCounts c = dag.counts();
  BOOST_CHECK_EQUAL(c.done, 3);
  BOOST_CHECK_EQUAL(c.running, 1);
  BOOST_CHECK_EQUAL(c.waiting, 1);
}

BOOST_AUTO_TEST_CASE(equal_priorities_keep_plan_order) {
  DagState dag({node(3), node(3), node(3)}, 1);
  BOOST_TEST(dag.ready() == (std::vector<int>{0, 1, 2}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(measured_durations_rescale_estimates_and_reorder) {
  // Two kinds: "slow" hinted 1 s, "fast" hinted 3 s. Before anything runs, fast goes first.
  DagState dag({node(1, {}, 1, "slow"), node(3, {}, 1, "fast"), node(1, {}, 1, "slow"),
                node(3, {}, 1, "fast")},
               1);
  BOOST_TEST(dag.ready() == (std::vector<int>{1, 3, 0, 2}), boost::test_tools::per_element());
  // A slow task took 10 s against its 1 s hint: slow ones are now expected to take 10 s, and
  // the unmeasured fast kind takes the overall ratio (10 / 1) too: 30 s.
  dag.start(0);
  dag.complete(0, 10);
  BOOST_CHECK_CLOSE(dag.expected(2), 10.0, 1e-9);
  BOOST_CHECK_CLOSE(dag.expected(3), 30.0, 1e-9);
  // A fast one took 0.3 s: its own ratio (0.1) now applies; slow ones first.
  dag.start(1);
  dag.complete(1, 0.3);
  BOOST_CHECK_CLOSE(dag.expected(3), 0.3, 1e-9);
  BOOST_CHECK_CLOSE(dag.priority(2), 10.0, 1e-9);
  BOOST_TEST(dag.ready() == (std::vector<int>{2, 3}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(earlier_runs_durations_count_from_the_start) {
  std::vector<DagNode> nodes = {node(2), node(2), node(2, {0})};
  nodes[0].state = TaskState::Done;
  nodes[0].measured_s = 6;  // three times the hint
  DagState dag(nodes, 1);
  BOOST_CHECK_CLOSE(dag.expected(1), 6.0, 1e-9);
  BOOST_CHECK_EQUAL(dag.missing(2), 0);  // its dependency is done already
  BOOST_TEST(dag.ready() == (std::vector<int>{1, 2}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(failure_blocks_every_waiting_descendant) {
  // 0 → 1 → 2, 0 → 3; 4 independent; 5 depends on 4 and 2.
  DagState dag({node(1), node(1, {0}), node(1, {1}), node(1, {0}), node(1), node(1, {4, 2})}, 1);
  dag.start(0);
  dag.start(4);
  dag.fail(0);
  for (int i : {1, 2, 3, 5}) BOOST_TEST((dag.state(i) == TaskState::Blocked), "task " << i);
  BOOST_TEST((dag.state(4) == TaskState::Running));
  dag.complete(4, 1);
  BOOST_TEST(dag.ready().empty());
  BOOST_CHECK_EQUAL(dag.counts().blocked, 4);
  BOOST_CHECK_EQUAL(exit_code(dag, false, false, false), kExitFailure);
}

BOOST_AUTO_TEST_CASE(failed_in_the_store_blocks_dependants_from_the_start) {
  std::vector<DagNode> nodes = {node(1), node(1, {0}), node(1, {1}), node(1)};
  nodes[0].state = TaskState::Failed;
  DagState dag(nodes, 1);
  BOOST_TEST((dag.state(1) == TaskState::Blocked));
  BOOST_TEST((dag.state(2) == TaskState::Blocked));
  BOOST_TEST(dag.ready() == (std::vector<int>{3}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_dependency_must_be_an_earlier_task) {
  BOOST_CHECK_THROW(DagState({node(1, {1}), node(1)}, 1), std::invalid_argument);
  BOOST_CHECK_THROW(DagState({node(1, {0})}, 1), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(requeue_makes_a_task_ready_again) {
  DagState dag({node(1), node(1, {0})}, 1);
  dag.start(0);
  dag.requeue(0);  // drained, or the store could not record it
  BOOST_TEST(dag.ready() == (std::vector<int>{0}), boost::test_tools::per_element());
  BOOST_CHECK_EQUAL(dag.missing(1), 1);
  BOOST_CHECK_EQUAL(exit_code(dag, true, false, false), kExitInterrupted);
  BOOST_CHECK_EQUAL(exit_code(dag, false, true, false), kExitWalltime);
  BOOST_CHECK_EQUAL(exit_code(dag, true, false, true), kExitFailure);  // storage error wins
}

BOOST_AUTO_TEST_CASE(disposition_of_a_reported_task) {
  BOOST_CHECK((disposition(false, false) == Disposition::Record));
  BOOST_CHECK((disposition(true, false) == Disposition::Fail));
  BOOST_CHECK((disposition(true, true) == Disposition::Requeue));  // the drain's doing
  BOOST_CHECK((disposition(false, true) == Disposition::Record));  // finished before the cancel
}

BOOST_AUTO_TEST_CASE(walltime_fit_refuses_what_would_overrun) {
  BOOST_CHECK(fits_walltime(100, 50, 0));  // no limit
  BOOST_CHECK(fits_walltime(100, 50, 150));
  BOOST_CHECK(!fits_walltime(100, 50.5, 150));
  BOOST_CHECK_CLOSE(job_end_time(1000, 60, nullptr), 1060.0, 1e-12);
  BOOST_CHECK_CLOSE(job_end_time(1000, 60, "1030"), 1030.0, 1e-12);  // Slurm's is earlier
  BOOST_CHECK_CLOSE(job_end_time(1000, 60, "2000"), 1060.0, 1e-12);
  BOOST_CHECK_CLOSE(job_end_time(1000, 0, "2000"), 2000.0, 1e-12);
  BOOST_CHECK_EQUAL(job_end_time(1000, 0, ""), 0.0);
  BOOST_CHECK_EQUAL(job_end_time(1000, 0, nullptr), 0.0);
}

BOOST_AUTO_TEST_CASE(a_round_skips_tasks_that_would_not_fit_the_walltime) {
  // Ready by priority: 0 (8 s on its path, 2 s itself), 4 (4 s). 30 s left of the job.
  DagState dag(diamond(), 1);
  auto ws = workers({0, 0});
  AssignOptions o;
  o.end_time = 1003;
  AssignRound r;
  auto started = round(dag, ws, o, 1000, &r);
  // Task 0 (2 s) fits, task 4 (4 s) does not: skipped, the round says so, its worker stays idle.
  BOOST_REQUIRE_EQUAL(started.size(), 1u);
  BOOST_CHECK_EQUAL(started[0].first, 0);
  BOOST_CHECK(r.walltime_hit);
  BOOST_CHECK_EQUAL(r.started, 1);
  BOOST_CHECK((dag.state(4) == TaskState::Waiting));
  BOOST_CHECK_EQUAL(ws[1].task, -1);
}

BOOST_AUTO_TEST_CASE(group_placement_takes_one_node_and_the_head_task_waits) {
  // Workers: node 0 has two, node 1 has three. Tasks in priority order: a 3-rank group (the
  // head), then two single-rank ones.
  std::vector<DagNode> nodes = {node(10, {}, 3), node(5), node(4), node(1, {}, 4)};
  auto ws = workers({0, 0, 1, 1, 1});
  BOOST_CHECK_EQUAL(max_workers_per_node(ws), 3);
  DagState dag(nodes, max_workers_per_node(ws));
  BOOST_CHECK(dag.unplaceable(3));  // 4 ranks on one node: no node has them
  BOOST_TEST(dag.ready() == (std::vector<int>{0, 1, 2}), boost::test_tools::per_element());

  auto started = round(dag, ws);
  BOOST_REQUIRE_EQUAL(started.size(), 3u);
  BOOST_CHECK_EQUAL(started[0].first, 0);  // the group on node 1, the only one with 3
  BOOST_TEST(started[0].second == (std::vector<int>{2, 3, 4}), boost::test_tools::per_element());
  BOOST_CHECK_EQUAL(started[1].first, 1);
  BOOST_TEST(started[1].second == (std::vector<int>{0}), boost::test_tools::per_element());
  BOOST_CHECK_EQUAL(started[2].first, 2);
  BOOST_TEST(started[2].second == (std::vector<int>{1}), boost::test_tools::per_element());
  for (int w : {2, 3, 4}) BOOST_CHECK_EQUAL(ws[static_cast<std::size_t>(w)].task, 0);
  BOOST_CHECK((dag.state(0) == TaskState::Running));
  // Nothing placeable is left ready (task 3 never is): leaving it Waiting fails the run.
  dag.complete(0, 10);
  dag.complete(1, 5);
  dag.complete(2, 4);
  BOOST_CHECK_EQUAL(exit_code(dag, false, false, false), kExitFailure);
}

BOOST_AUTO_TEST_CASE(a_group_that_does_not_fit_yet_stops_the_round) {
  // Node 0: workers 0 and 1, worker 0 busy. The head task needs two ranks: it waits rather than
  // let the smaller task behind it take the idle worker.
  std::vector<DagNode> nodes = {node(10, {}, 2), node(1)};
  auto ws = workers({0, 0});
  ws[0].task = 99;
  DagState dag(nodes, 2);
  BOOST_CHECK(!choose_group(ws, 2));
  BOOST_TEST(round(dag, ws).empty());
  ws[0].task = -1;
  auto g = choose_group(ws, 2);
  BOOST_REQUIRE(g);
  BOOST_TEST(*g == (std::vector<int>{0, 1}), boost::test_tools::per_element());
  BOOST_CHECK(choose_group(ws, 0));  // fewer than one rank counts as one
}

BOOST_AUTO_TEST_CASE(one_rank_mode_starts_one_task_per_round) {
  DagState dag({node(1), node(2), node(3)}, 1);
  auto ws = workers({0});
  AssignOptions o;
  o.one_task = true;
  std::vector<int> order;
  // One rank computes: start() runs the task and frees the worker at once, as the coordinator does.
  for (int k = 0; k < 3; ++k) {
    AssignRound r = assign_round(dag, ws, o, [] { return 0.0; }, [&](int i, const std::vector<int>& g) {
      order.push_back(i);
      ws[static_cast<std::size_t>(g[0])].task = -1;
      dag.complete(i, dag.node(i).cost);
    });
    BOOST_CHECK_EQUAL(r.started, 1);
  }
  BOOST_TEST(order == (std::vector<int>{2, 1, 0}), boost::test_tools::per_element());  // longest first
  BOOST_CHECK_EQUAL(exit_code(dag, false, false, false), kExitOk);
}
