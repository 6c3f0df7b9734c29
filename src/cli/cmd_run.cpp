// `mpirun -n P gbmsweep run FILE --store DIR`: plan the sweep and run it (docs/scheduler.md).
#include "cli/commands.hpp"
#include "cli/parse.hpp"
#include "common/mpi.hpp"
#include "gbmsweep/config.hpp"
#include "sched/scheduler.hpp"
#include "sweep/plan.hpp"
#include "tasks/preflight.hpp"
#include "tasks/registry.hpp"

namespace gbmsweep::cli {

int cmd_run(const Args& args) {
  sched::SchedOptions opt;
  std::string sweep;
  bool skip_check = false;
  po::options_description visible("options");
  visible.add_options()
      ("sweep", po::value(&sweep)->required(), "the sweep file (TOML)")
      ("store", po::value(&opt.store_dir)->required(), "the result store directory")
      ("retry-failed", po::bool_switch(&opt.retry_failed), "rerun tasks recorded as failed")
      ("walltime", po::value(&opt.walltime_s),
       "seconds this job may run; no task starts that is not expected to finish in time "
       "(SLURM_JOB_END_TIME also applies)")
      ("grace", po::value(&opt.grace_s)->default_value(opt.grace_s),
       "seconds running tasks get to finish after SIGTERM/SIGINT/SIGUSR1")
      ("group-fail-wait", po::value(&opt.group_fail_wait_s)->default_value(opt.group_fail_wait_s),
       "seconds the other members of a group task get to return after one failed; then the "
       "job aborts (they may be blocked in a collective) and the next run resumes")
      ("threads", po::value(&opt.threads)->default_value(opt.threads),
       "threads per rank (0: cores per node / ranks per node)")
      ("no-fsync", po::bool_switch(),
       "do not fsync completions (still safe against kill -9, not against a node crash)")
      ("skip-check", po::bool_switch(&skip_check),
       "do not open every input before the first task (gbmsweep check); for resubmissions of "
       "a job whose inputs were checked")
      ("verbose", po::bool_switch(&opt.verbose),
       "also the workers' per-task info lines (by default they log warnings and errors only)")
      ("progress-interval", po::value(&opt.progress_interval_s)->default_value(opt.progress_interval_s),
       "seconds between progress lines");
  po::positional_options_description pos;
  pos.add("sweep", 1);
  po::variables_map vm;
  if (!parse_command_line("run", "FILE --store DIR [options]", args, visible, pos, vm)) return 0;
  opt.store_sync = !vm["no-fsync"].as<bool>();
  if (opt.grace_s < 0 || opt.walltime_s < 0 || opt.threads < 0 || opt.group_fail_wait_s < 0)
    throw UsageError{"--grace, --walltime, --group-fail-wait and --threads must not be negative"};
  opt.task_lookup = [](const std::string& kind) { return task_function(kind); };
  opt.code_version = std::string(GBMSWEEP_VERSION) + "+" + GBMSWEEP_GIT_COMMIT;

  mpi::Environment env(nullptr, nullptr);
  PlanOptions plan_options;
  plan_options.sweep_path = sweep;
  // Rank 0 plans and checks every input before the store is opened: a broken input fails the
  // job in seconds with the whole list (exit 2, nothing written), not task by task.
  auto plan_and_check = [&] {
    Plan plan = make_plan(plan_options);
    if (!skip_check) {
      const PreflightReport report = preflight(plan);
      if (!report.problems.empty()) throw_preflight(plan, report);
    }
    return plan;
  };
  return sched::run_sweep(plan_and_check, opt, MPI_COMM_WORLD);
}

}  // namespace gbmsweep::cli
