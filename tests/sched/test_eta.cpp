// The progress line's ETA without mpiexec: the duration model and the ETA against the truth of
// a simulated run of the probe sweep's DAG (sweeps/probe.toml, planned by the real planner).
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <queue>
#include <sstream>

#include "sched/eta.hpp"
#include "sweep/plan.hpp"

using namespace gbmsweep;
using namespace gbmsweep::sched;

BOOST_AUTO_TEST_CASE(unmeasured_kinds_take_the_scale_measured_on_the_others) {
  DurationModel m;
  BOOST_CHECK_CLOSE(m.expected("mri.train", 20), 20.0, 1e-9);  // nothing finished: the hint
  m.record("mri.train", 20, 2);                                 // hints are 10x too long
  m.record("mri.train", 20, 4);
  BOOST_CHECK(m.measured("mri.train"));
  BOOST_CHECK(!m.measured("mri.evaluate"));
  BOOST_CHECK_CLOSE(m.expected("mri.train", 20), 3.0, 1e-9);      // its own mean ratio
  BOOST_CHECK_CLOSE(m.expected("mri.evaluate", 120), 18.0, 1e-9);  // 120 × 6/40, not 120
  m.record("mri.evaluate", 120, 60);
  BOOST_CHECK_CLOSE(m.expected("mri.evaluate", 120), 60.0, 1e-9);
}

BOOST_AUTO_TEST_CASE(eta_names_kinds_without_measurement_and_respects_the_chain) {
  DurationModel m;
  m.record("a", 1, 1);
  // Ten one-second tasks in a chain on eight workers take ten seconds, not 10/8.
  std::vector<PendingWork> chain;
  for (int i = 0; i < 10; ++i) chain.push_back({"a", 1, 1, -1, double(10 - i)});
  BOOST_CHECK_CLOSE(estimate_eta(m, chain, 8).seconds, 10.0, 1e-9);
  // A running task counts what is left of it; a group task occupies its ranks.
  std::vector<PendingWork> mix{{"a", 4, 1, 3.0, 4}, {"b", 2, 2, -1, 2}};
  Eta e = estimate_eta(m, mix, 1);
  BOOST_CHECK_CLOSE(e.seconds, 1.0 + 4.0, 1e-9);
  BOOST_REQUIRE_EQUAL(e.unmeasured.size(), 1u);
  BOOST_CHECK_EQUAL(e.unmeasured[0], "b");
}

namespace {
// The probe sweep with hints 100x longer than its sleeps, as the smoke demo's [cost] hints were.
Plan probe_plan() {
  const auto dir = std::filesystem::temp_directory_path() / "gbmsweep_test_eta";
  std::filesystem::create_directories(dir);
  std::ifstream in(std::string(GBMSWEEP_SOURCE_DIR) + "/sweeps/probe.toml");
  std::stringstream ss;
  ss << in.rdbuf() << "\n[cost]\nprobe = 20.0\n";
  std::ofstream(dir / "probe.toml") << ss.str();
  PlanOptions o;
  o.sweep_path = (dir / "probe.toml").string();
  o.fingerprint_inputs = false;
  return make_plan(o);
}
}  // namespace

// A list-scheduling simulation of the probe DAG on `workers` workers: at every completion after
// 20 % of the work, the ETA from what has finished so far must lie within 2x of the truth.
BOOST_AUTO_TEST_CASE(probe_sweep_eta_within_2x_once_a_fifth_is_done) {
  const Plan plan = probe_plan();
  const std::size_t n = plan.tasks.size();
  BOOST_REQUIRE_GE(n, 20u);
  std::map<std::string, std::size_t> idx;
  for (std::size_t i = 0; i < n; ++i) idx[plan.tasks[i].key] = i;
  std::vector<double> actual(n);
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) total += actual[i] = plan.tasks[i].params.at("sleep");
  BOOST_REQUIRE_GT(plan.tasks[0].cost, 10 * actual[0]);  // the hint really is wrong

  for (int workers : {1, 2, 4}) {
    // Event simulation: ready tasks start in plan order on free workers.
    std::vector<int> missing(n, 0);
    std::vector<std::vector<std::size_t>> children(n);
    for (std::size_t i = 0; i < n; ++i)
      for (const auto& d : plan.tasks[i].deps) {
        ++missing[i];
        children[idx.at(d)].push_back(i);
      }
    std::vector<double> start(n, -1), end(n, -1);
    using Ev = std::pair<double, std::size_t>;
    std::priority_queue<Ev, std::vector<Ev>, std::greater<Ev>> running;
    std::vector<std::size_t> ready;
    for (std::size_t i = 0; i < n; ++i)
      if (!missing[i]) ready.push_back(i);
    double now = 0;
    auto fill = [&] {
      std::sort(ready.begin(), ready.end());
      while (!ready.empty() && static_cast<int>(running.size()) < workers) {
        std::size_t i = ready.front();
        ready.erase(ready.begin());
        start[i] = now;
        running.push({now + actual[i], i});
      }
    };
    fill();
    std::vector<std::pair<double, double>> checks;  // (time, eta) at completions
    DurationModel model;
    double done_work = 0;
    while (!running.empty()) {
      auto [t, i] = running.top();
      running.pop();
      now = t;
      end[i] = t;
      done_work += actual[i];
      model.record(plan.tasks[i].kind, plan.tasks[i].cost, actual[i]);
      for (auto c : children[i])
        if (--missing[c] == 0) ready.push_back(c);
      fill();
      if (done_work < 0.2 * total) continue;
      // The coordinator's view: expected chains below each task, and the running ones' age.
      std::vector<double> path(n, 0);
      for (std::size_t k = n; k-- > 0;) {
        double below = 0;
        for (auto c : children[k]) below = std::max(below, path[c]);
        path[k] = model.expected(plan.tasks[k].kind, plan.tasks[k].cost) + below;
      }
      std::vector<PendingWork> pending;
      for (std::size_t k = 0; k < n; ++k)
        if (end[k] < 0)
          pending.push_back({plan.tasks[k].kind, plan.tasks[k].cost, 1,
                             start[k] >= 0 ? now - start[k] : -1.0, path[k]});
      if (!pending.empty()) checks.push_back({now, estimate_eta(model, pending, workers).seconds});
    }
    BOOST_REQUIRE(!checks.empty());
    for (auto [t, eta] : checks) {
      const double truth = now - t;
      if (truth < 0.5) continue;  // the last tasks: a fraction of a second either way
      BOOST_CHECK_MESSAGE(eta <= 2 * truth && eta >= truth / 2,
                          workers << " workers at t=" << t << ": ETA " << eta << " s, truth "
                                  << truth << " s");
    }
  }
}
