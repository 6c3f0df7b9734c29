// `mpirun -n P gbmsweep run FILE --store DIR`: plan the sweep and run it (docs/scheduler.md).
#include "cli/commands.hpp"
#include "cli/parse.hpp"
#include "common/device.hpp"
#include "common/error.hpp"
#include "common/mpi.hpp"
#include "gbmsweep/config.hpp"
#include "sched/scheduler.hpp"
#include "sched/signals.hpp"
#include "sweep/parse.hpp"
#include "sweep/plan.hpp"
#include "tasks/preflight.hpp"
#include "tasks/registry.hpp"
#include "train/device.hpp"

namespace gbmsweep::cli {

namespace {

// The run's device, decided once on every rank before MPI starts and any task runs: --device,
// else the sweep's run.device. A device or precision this build cannot honour is an input
// error (exit 2), not a failure of every training task.
void resolve_run_device(const std::string& sweep_path, const std::string& cli,
                        sched::SchedOptions& opt) {
  const sweep::ParsedSweep parsed = sweep::parse_sweep_file(sweep_path);
  const auto& cfg = parsed.config;
  std::string asked = cli, where = "--device";
  if (asked.empty() && cfg.contains("run") && cfg["run"].contains("device")) {
    asked = cfg["run"]["device"].get<std::string>();
    const auto pos = parsed.where("run.device");
    where = sweep_path + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
  }
  const train::TorchInfo torch = train::torch_info();
  opt.device = resolve_device_kind(parse_device_kind(asked.empty() ? "auto" : asked, where),
                                   torch.cuda, torch.gpus, where);
  opt.visible_gpus = torch.gpus;
  const bool bf16 = cfg.contains("mri") && cfg["mri"].contains("train") &&
                    parse_precision(cfg["mri"]["train"].value("precision", "fp32"),
                                    sweep_path) == Precision::Bf16;
  if (opt.device == DeviceKind::Cpu && bf16)
    throw InputError(sweep_path, "mri.train.precision = \"bf16\" needs CUDA, and this run is on "
                                 "the CPU (use fp32, or --device cuda on a CUDA build)");
}

}  // namespace

int cmd_run(const Args& args) {
  // First thing: a drain signal (SIGUSR1 from Slurm's --signal, or mpirun forwarding one) that
  // arrives during start-up or the preflight would otherwise kill the rank (the default
  // action); with the handler it is remembered and the scheduler drains at once. One that came
  // earlier was blocked (main.cpp's preinit) and is handled here.
  sched::install_drain_handlers();
  sched::SchedOptions opt;
  std::string sweep, device;
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
      ("device", po::value(&device),
       "auto | cpu | cuda: where tasks train (default: the sweep's run.device, else auto = "
       "CUDA when this build's LibTorch has it and a GPU is visible; one GPU per rank)")
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
  resolve_run_device(sweep, device, opt);
  opt.task_lookup = [](const std::string& kind) { return task_function(kind); };
  opt.needs_a_gpu_per_rank = [device = opt.device](const TaskSpec& spec) {
    return averages_over_nccl(spec, device);
  };
  opt.code_version = std::string(GBMSWEEP_VERSION) + "+" + GBMSWEEP_GIT_COMMIT;

  sched::test_raise_at("pre_mpi_init");
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
