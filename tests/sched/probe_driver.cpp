// A stand-in for `gbmsweep run` with a probe DAG built in code, so that the scheduler tests do
// not depend on a sweep file format: `probe_driver --store DIR [--levels L] [--width W]
// [--sleep-min S] [--sleep-max S] [--seed N] [--group-ranks G] [--retry-failed]
// [--grace S] [--walltime S] [--group-fail-wait S] [--fake-gpus N]`. --fake-gpus: the run's
// device is cuda with N GPUs visible per rank (placement only: probe tasks never touch them),
// and every group task counts as one that averages over NCCL (needs a GPU per rank). Level
// l > 0 tasks depend on one or two tasks of level l-1;
// with --group-ranks G, the first task of every level runs on G ranks.
#include <cstdlib>
#include <iostream>
#include <cmath>
#include <random>
#include <string>

#include "common/error.hpp"
#include "common/hash.hpp"
#include "common/mpi.hpp"
#include "common/result.hpp"
#include "sched/scheduler.hpp"
#include "tasks/kinds.hpp"

using namespace gbmsweep;

namespace {

struct DagOptions {
  int levels = 4, width = 6, group_ranks = 1;
  double sleep_min = 0.01, sleep_max = 0.05;
  unsigned seed = 1;
};

Plan probe_plan(const DagOptions& o) {
  Plan plan;
  plan.sweep_name = "probe-test";
  plan.sweep_path = "(probe_driver)";
  plan.config = {{"levels", o.levels}, {"width", o.width}, {"seed", o.seed}};
  std::mt19937 rng(o.seed);
  std::uniform_real_distribution<double> sleep(o.sleep_min, o.sleep_max);
  std::vector<std::string> previous;
  for (int level = 0; level < o.levels; ++level) {
    std::vector<std::string> current;
    for (int i = 0; i < o.width; ++i) {
      TaskSpec t;
      t.kind = "probe";
      t.study = "probe";
      t.name = "probe/L" + std::to_string(level) + "/" + std::to_string(i);
      double s = std::round(sleep(rng) * 1000) / 1000;
      t.params = {{"level", level}, {"index", i}, {"sleep", s}, {"value", level * 100 + i}};
      if (!previous.empty()) {
        t.deps.push_back(previous[static_cast<std::size_t>(i) % previous.size()]);
        if (i % 2 == 1) t.deps.push_back(previous[static_cast<std::size_t>(i + 1) % previous.size()]);
        if (t.deps.size() == 2 && t.deps[0] == t.deps[1]) t.deps.pop_back();
      }
      t.cost = s;
      t.ranks = (i == 0 && o.group_ranks > 1) ? o.group_ranks : 1;
      t.key = sha256_hex(json({{"kind", t.kind}, {"params", t.params}, {"deps", t.deps},
                               {"ranks", t.ranks}}).dump()).substr(0, 32);
      current.push_back(t.key);
      plan.tasks.push_back(std::move(t));
    }
    previous = current;
  }
  return plan;
}

}  // namespace

int main(int argc, char** argv) {
  DagOptions dag;
  sched::SchedOptions opt;
  opt.progress_interval_s = 1;
  opt.code_version = "probe_driver";
  // Only the probe kind (compiled in): no LibTorch or ITK to load at every launch.
  TaskTable table;
  register_probe_tasks(table);
  opt.task_lookup = [&table](const std::string& kind) {
    GBM_CHECK(table.count(kind), "probe_driver runs only probe tasks, not '" << kind << "'");
    return table.at(kind);
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "probe_driver: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--store") opt.store_dir = next();
    else if (a == "--levels") dag.levels = std::stoi(next());
    else if (a == "--width") dag.width = std::stoi(next());
    else if (a == "--sleep-min") dag.sleep_min = std::stod(next());
    else if (a == "--sleep-max") dag.sleep_max = std::stod(next());
    else if (a == "--seed") dag.seed = static_cast<unsigned>(std::stoul(next()));
    else if (a == "--group-ranks") dag.group_ranks = std::stoi(next());
    else if (a == "--retry-failed") opt.retry_failed = true;
    else if (a == "--grace") opt.grace_s = std::stod(next());
    else if (a == "--walltime") opt.walltime_s = std::stod(next());
    else if (a == "--group-fail-wait") opt.group_fail_wait_s = std::stod(next());
    else if (a == "--fake-gpus") {
      opt.device = DeviceKind::Cuda;
      opt.visible_gpus = std::stoi(next());
      opt.needs_a_gpu_per_rank = [](const TaskSpec& spec) { return spec.ranks > 1; };
    }
    else {
      std::cerr << "probe_driver: unknown option " << a << "\n";
      return 2;
    }
  }
  mpi::Environment env(&argc, &argv);
  try {
    return sched::run_sweep([&] { return probe_plan(dag); }, opt, MPI_COMM_WORLD);
  } catch (const InputError& e) {
    std::cerr << "probe_driver: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "probe_driver: " << e.what() << "\n";
    return kExitFailure;
  }
}
