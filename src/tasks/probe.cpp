// The probe task kind: deterministic arithmetic plus a sleep, so that the scheduler and the
// store are tested without training. Failure injection comes from the environment, not the
// params, so that the keys stay the same and `run --retry-failed` can later succeed.
#include <fnmatch.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <random>
#include <thread>

#include "common/error.hpp"
#include "common/mpi.hpp"
#include "tasks/kinds.hpp"

namespace gbmsweep {

namespace {

bool glob_matches(const char* pattern, const std::string& s) {
  return ::fnmatch(pattern, s.c_str(), 0) == 0;
}

TaskResult run_probe(const TaskContext& ctx) {
  const TaskSpec& spec = *ctx.spec;
  const double sleep_s = spec.params.value("sleep", 0.0);
  const long long value = spec.params.value("value", 0LL);

  // Sleep in short slices so that a drain can cancel us.
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(sleep_s);
  while (std::chrono::steady_clock::now() < until) {
    GBM_CHECK(!ctx.cancelled(), "probe " << spec.name << " cancelled");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // GBMSWEEP_PROBE_FAIL_MEMBER=m limits the failure to member m of a group task: the others
  // then wait in the collective below for a member that never comes.
  const char* member = std::getenv("GBMSWEEP_PROBE_FAIL_MEMBER");
  const bool this_member = !member || !*member || std::atoi(member) == mpi::rank(ctx.comm);
  if (const char* pattern = std::getenv("GBMSWEEP_PROBE_FAIL"); pattern && *pattern && this_member)
    GBM_CHECK(!glob_matches(pattern, spec.name) && !glob_matches(pattern, spec.key),
              "probe " << spec.name << ": injected failure (GBMSWEEP_PROBE_FAIL=" << pattern
                       << ")");

  long long sum = value;
  for (const auto& dep : spec.deps)
    sum += std::llround(ctx.dep_result(dep).metrics.at("sum").get<double>());

  TaskResult r;
  r.metrics = {{"value", value}, {"sum", sum}};
  // A group task proves its communicator works: every member contributes 1.
  if (mpi::size(ctx.comm) > 1) {
    int one = 1, members = 0;
    GBM_MPI_CHECK(MPI_Allreduce(&one, &members, 1, MPI_INT, MPI_SUM, ctx.comm));
    r.metrics["group"] = members;
  }
  std::mt19937_64 rng(ctx.seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Predictions p;
  p.name = "probe";
  for (int i = 0; i < 4; ++i) {
    p.ids.push_back("s" + std::to_string(i));
    p.labels.push_back(i % 2);
    p.scores.push_back(u(rng));
    p.samples.push_back({static_cast<float>(u(rng)), static_cast<float>(u(rng))});
  }
  r.predictions.push_back(std::move(p));
  r.curves.push_back({"sleep", {sleep_s}});
  return r;
}

}  // namespace

void register_probe_tasks(TaskTable& table) { table["probe"] = run_probe; }

}  // namespace gbmsweep
