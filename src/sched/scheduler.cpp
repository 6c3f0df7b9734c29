#include "sched/scheduler.hpp"

// The coordinator (rank 0): the MPI message loop, the store's writes, drain and progress.
// What it decides is sched/policy.hpp's and sched/dag_state.hpp's; workers are worker.cpp.
#include <algorithm>
#include <cstdlib>
#include <exception>
#include <iomanip>
#include <map>
#include <optional>
#include <sstream>
#include <unordered_map>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/log.hpp"
#include "common/mpi.hpp"
#include "sched/dag_state.hpp"
#include "sched/eta.hpp"
#include "sched/messages.hpp"
#include "sched/placement.hpp"
#include "sched/policy.hpp"
#include "sched/signals.hpp"
#include "sched/worker.hpp"
#include "store/store.hpp"

namespace gbmsweep::sched {

namespace {

std::string fmt_s(double s) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(s < 100 ? 1 : 0) << s << " s";
  return os.str();
}

// ---- the coordinator (rank 0) ----------------------------------------------------------

class Coordinator {
 public:
  Coordinator(Plan plan, Store store, const SchedOptions& opt, const Placement& pl,
              std::vector<std::string> hosts, MPI_Comm world)
      : plan_(std::move(plan)), store_(std::move(store)), opt_(opt), pl_(pl),
        hosts_(std::move(hosts)), world_(world) {}

  int run(SchedSummary* summary);

 private:
  struct Running {
    std::vector<int> members;
    int reported = 0;
    bool failed = false, cancelled = false;
    double failed_at = 0;  // when a member reported failure while others still ran
    std::string error, host;
    std::optional<TaskResult> result;
    double t0 = 0, t1 = 0;
  };

  void init();
  bool assign();
  void start_task(int i, const std::vector<int>& worker_ids);
  bool poll_messages();
  void on_finished(int rank, const Outcome& o, const std::string& host);
  void finish_task(int i);
  void begin_drain(const std::string& why);
  void storage_failed(int i, const std::string& what);
  void check_failed_groups();
  bool local_cancelled();
  void progress(bool force);
  RunInfo run_info(const Running& r) const;

  Plan plan_;
  Store store_;
  SchedOptions opt_;
  Placement pl_;
  std::vector<std::string> hosts_;
  MPI_Comm world_;

  bool local_ = false;  // one rank: rank 0 computes
  std::optional<DagState> dag_;  // states, readiness, priorities (sched/dag_state.hpp)
  std::vector<WorkerSlot> workers_;
  std::map<int, int> worker_of_rank_;
  std::map<int, Running> running_;  // until recorded in the store
  std::vector<int> finished_;        // every member reported; not yet recorded
  int max_workers_per_node_ = 0;

  Napper napper_;
  bool need_assign_ = true;
  double start_ = 0, end_time_ = 0, last_progress_ = 0;
  bool draining_ = false, cancel_sent_ = false, walltime_hit_ = false;
  std::string storage_error_;  // the first write the store's file system refused (disk full)
  double drain_deadline_ = 0, cancel_deadline_ = 0;
  int ran_ = 0, skipped_done_ = 0;
};

void Coordinator::init() {
  const auto& tasks = plan_.tasks;
  std::size_t n = tasks.size();
  std::unordered_map<std::string, int> idx;
  for (std::size_t i = 0; i < n; ++i) {
    GBM_CHECK(idx.emplace(tasks[i].key, static_cast<int>(i)).second,
              "the plan holds task key " << tasks[i].key << " twice");
  }
  for (int w = local_ ? 0 : 1; w < pl_.world_size; ++w) {
    worker_of_rank_[w] = static_cast<int>(workers_.size());
    workers_.push_back({w, pl_.node_of_rank[static_cast<std::size_t>(w)], -1});
  }
  max_workers_per_node_ = max_workers_per_node(workers_);

  // The plan and the store, reduced to what the policy needs (sched/dag_state.hpp).
  std::vector<DagNode> nodes(n);
  for (std::size_t i = 0; i < n; ++i) {
    DagNode& node = nodes[i];
    node.kind = tasks[i].kind;
    node.cost = tasks[i].cost;
    node.ranks = tasks[i].ranks;
    const TaskRecord& rec = store_.record(tasks[i].key);
    if (rec.status == "done") {
      node.state = TaskState::Done;
      node.measured_s = rec.end_time - rec.start_time;
      ++skipped_done_;
    } else if (rec.status == "failed" && !opt_.retry_failed) {
      node.state = TaskState::Failed;
    }
    // Dependencies in plan order (topological); one outside the plan must be done already.
    for (const auto& d : tasks[i].deps) {
      auto it = idx.find(d);
      if (it == idx.end()) {
        GBM_CHECK(store_.has(d) && store_.record(d).status == "done",
                  "task " << tasks[i].name << " depends on " << d
                          << ", which is neither in the plan nor done in the store");
        continue;
      }
      GBM_CHECK(it->second < static_cast<int>(i),
                "the plan is not in topological order at " << tasks[i].name);
      node.deps.push_back(it->second);
    }
  }
  dag_.emplace(std::move(nodes), max_workers_per_node_);
  end_time_ = job_end_time(start_, opt_.walltime_s, std::getenv("SLURM_JOB_END_TIME"));
}

RunInfo Coordinator::run_info(const Running& r) const {
  RunInfo info;
  info.start_time = r.t0;
  info.end_time = r.t1;
  info.ranks = r.members;
  info.host = r.host;
  return info;
}

bool Coordinator::assign() {
  // Only when a worker was freed or a task became ready: the scan is O(tasks).
  if (!need_assign_) return false;
  need_assign_ = false;
  AssignOptions ao;
  ao.end_time = end_time_;
  ao.one_task = local_;
  AssignRound round = assign_round(*dag_, workers_, ao, now_s,
                                   [this](int i, const std::vector<int>& group) { start_task(i, group); });
  walltime_hit_ |= round.walltime_hit;
  return round.started > 0;
}

// assign_round has marked the task Running and its workers busy.
void Coordinator::start_task(int i, const std::vector<int>& group) {
  const TaskSpec& spec = plan_.tasks[static_cast<std::size_t>(i)];
  Running r;
  for (int w : group) r.members.push_back(workers_[static_cast<std::size_t>(w)].rank);
  r.t0 = now_s();
  r.host = hosts_[static_cast<std::size_t>(r.members.front())];
  store_.mark_running(spec.key, run_info(r));
  fs::make_dirs(store_.artifact_dir(spec.key));
  ++ran_;
  running_[i] = r;
  std::uint64_t seed = store_.record(spec.key).seed;
  if (local_) {
    Outcome o = execute(opt_.task_lookup, spec, seed, {0}, 0, store_.dir(), pl_.threads,
                        device_of(pl_, opt_),
                        [this] { return local_cancelled(); }, world_);
    on_finished(0, o, pl_.host);
    return;
  }
  json msg = {{"spec", to_json(spec)}, {"seed", seed}, {"members", r.members}, {"tag", i + 1}};
  for (int rank : r.members) send(msg, rank, kTagTask, world_);
}

bool Coordinator::poll_messages() {
  bool any = false;
  while (auto m = try_receive(MPI_ANY_SOURCE, MPI_ANY_TAG, world_)) {
    any = true;
    if (m->tag == kTagSignal) {
      begin_drain("signal " + std::to_string(m->body.value("signal", 0)) + " on rank " +
                  std::to_string(m->source));
    } else if (m->tag == kTagFinished) {
      Outcome o;
      o.ok = m->body.at("ok");
      o.error = m->body.value("error", "");
      o.t0 = m->body.at("t0");
      o.t1 = m->body.at("t1");
      if (m->body.contains("result")) o.result = result_from_json(m->body.at("result"));
      on_finished(m->source, o, m->body.value("host", ""));
    } else {
      GBM_LOG(Warn, "unexpected message tag " << m->tag << " from rank " << m->source);
    }
  }
  return any;
}

void Coordinator::on_finished(int rank, const Outcome& o, const std::string& host) {
  auto wit = worker_of_rank_.find(rank);
  GBM_CHECK(wit != worker_of_rank_.end(), "a result from rank " << rank << ", not a worker");
  WorkerSlot& w = workers_[static_cast<std::size_t>(wit->second)];
  int i = w.task;
  GBM_CHECK(i >= 0, "a result from idle rank " << rank);
  w.task = -1;
  need_assign_ = true;
  Running& r = running_.at(i);
  ++r.reported;
  if (!o.ok && !r.failed) {
    r.failed = true;
    r.error = o.error;
    if (r.reported < static_cast<int>(r.members.size())) {
      // The others cannot succeed without this member: ask them to stop. One blocked in a
      // collective cannot hear it; check_failed_groups() ends the job if none returns.
      r.failed_at = now_s();
      for (int m : r.members)
        if (workers_[static_cast<std::size_t>(worker_of_rank_.at(m))].task == i)
          send(json::object(), m, kTagCancel, world_);
    }
  }
  if (rank == r.members.front()) {
    r.t0 = o.t0;
    r.t1 = o.t1;
    if (!host.empty()) r.host = host;
    if (o.ok) r.result = o.result;
  }
  // Recorded after the next assignment round, so that workers compute while rank 0 writes.
  if (r.reported == static_cast<int>(r.members.size())) finished_.push_back(i);
}

void Coordinator::finish_task(int i) {
  const TaskSpec& spec = plan_.tasks[static_cast<std::size_t>(i)];
  Running r = std::move(running_.at(i));
  running_.erase(i);
  Disposition d = disposition(r.failed, r.cancelled);
  if (d == Disposition::Requeue) {
    store_.mark_pending(spec.key);
    dag_->requeue(i);
    GBM_LOG(Info, "abandoned " << spec.name << " (drain)");
    return;
  }
  if (d == Disposition::Record) {
    try {
      store_.mark_done(spec.key, *r.result, run_info(r));
    } catch (const StorageError& e) {
      // The disk is full, not the task at fault: it stays pending and the job stops.
      storage_failed(i, e.what());
      return;
    } catch (const std::exception& e) {
      d = Disposition::Fail;
      r.error = std::string("storing the result failed: ") + e.what();
    }
  }
  if (d == Disposition::Fail) {
    store_.mark_failed(spec.key, r.error, run_info(r));
    dag_->fail(i);
    GBM_LOG(Warn, "task " << spec.name << " failed: " << r.error);
    return;
  }
  dag_->complete(i, r.t1 - r.t0);
  need_assign_ = true;
}

void Coordinator::storage_failed(int i, const std::string& what) {
  if (storage_error_.empty()) storage_error_ = what;
  dag_->requeue(i);
  try {
    store_.mark_pending(plan_.tasks[static_cast<std::size_t>(i)].key);
  } catch (const StorageError&) {  // the journal is full too: the replay finds it unfinished
  }
  begin_drain("the store cannot be written");
}

void Coordinator::begin_drain(const std::string& why) {
  if (draining_) return;
  draining_ = true;
  drain_deadline_ = now_s() + opt_.grace_s;
  GBM_LOG(Info, "drain (" << why << "): no new tasks; " << running_.size()
                          << " running get " << fmt_s(opt_.grace_s) << " to finish");
}

void Coordinator::check_failed_groups() {
  const double t = now_s();
  for (const auto& [i, r] : running_) {
    if (r.failed_at <= 0 || t - r.failed_at <= opt_.group_fail_wait_s) continue;
    const TaskSpec& spec = plan_.tasks[static_cast<std::size_t>(i)];
    const int missing = static_cast<int>(r.members.size()) - r.reported;
    const std::string error = r.error + " [" + std::to_string(missing) + " of " +
                              std::to_string(r.members.size()) +
                              " group member(s) did not return within " +
                              fmt_s(opt_.group_fail_wait_s) +
                              " (blocked in a collective?); the job was aborted]";
    store_.mark_failed(spec.key, error, run_info(r));
    for (const auto& [j, other] : running_)
      if (j != i) store_.mark_pending(plan_.tasks[static_cast<std::size_t>(j)].key);
    store_.flush();
    GBM_LOG(Error, "task " << spec.name << " failed: " << error);
    MPI_Abort(world_, kExitFailure);
  }
}

// One rank: the running task is cancelled once the grace period after a signal is over.
bool Coordinator::local_cancelled() {
  if (!draining_ && drain_requested())
    begin_drain("signal " + std::to_string(drain_signal()));
  if (draining_ && now_s() > drain_deadline_) {
    for (auto& [i, r] : running_) r.cancelled = true;
    return true;
  }
  return false;
}

void Coordinator::progress(bool force) {
  double t = now_s();
  if (!force && t - last_progress_ < opt_.progress_interval_s) return;
  last_progress_ = t;
  std::vector<PendingWork> pending;
  for (int i = 0; i < dag_->size(); ++i) {
    const TaskState s = dag_->state(i);
    if (s != TaskState::Waiting && s != TaskState::Running) continue;
    const TaskSpec& spec = plan_.tasks[static_cast<std::size_t>(i)];
    PendingWork p{spec.kind, spec.cost, spec.ranks, -1, dag_->priority(i)};
    auto r = running_.find(i);
    if (r != running_.end()) p.elapsed_s = t - r->second.t0;
    pending.push_back(std::move(p));
  }
  const DagCounts c = dag_->counts();
  const Eta eta = estimate_eta(dag_->durations(), pending, static_cast<int>(workers_.size()));
  std::string basis;
  for (const auto& k : eta.unmeasured) basis += (basis.empty() ? "" : ", ") + k;
  if (!basis.empty()) basis = " (" + basis + ": no task finished yet, from the sweep's hints)";
  GBM_LOG(Info, "progress: " << c.done << "/" << dag_->size() << " done, " << running_.size()
                             << " running, " << c.failed << " failed, " << c.blocked
                             << " blocked, elapsed " << fmt_s(t - start_) << ", ETA "
                             << fmt_s(eta.seconds) << basis);
}

int Coordinator::run(SchedSummary* summary) {
  start_ = now_s();
  local_ = pl_.world_size == 1;
  init();
  int to_run = 0;
  for (int i = 0; i < dag_->size(); ++i) {
    if (dag_->state(i) != TaskState::Waiting) continue;
    ++to_run;
    const TaskSpec& spec = plan_.tasks[static_cast<std::size_t>(i)];
    if (dag_->unplaceable(i))
      GBM_LOG(Warn, spec.name << " needs " << spec.ranks
                                        << " ranks on one node; this job has at most "
                                        << max_workers_per_node_ << " workers per node");
  }
  GBM_LOG(Info, "run: " << dag_->size() << " tasks, " << skipped_done_ << " already done, "
                        << to_run << " to run on " << workers_.size() << " worker rank(s)"
                        << (local_ ? " (rank 0 computes)" : " (rank 0 coordinates)") << ", "
                        << pl_.threads << " thread(s) per rank");
  last_progress_ = start_;
  while (true) {
    bool activity = false;
    if (!draining_ && drain_requested())
      begin_drain("signal " + std::to_string(drain_signal()) + " on rank 0");
    if (!local_) activity |= poll_messages();
    if (!draining_) activity |= assign();
    if (!finished_.empty()) {
      for (int i : finished_) finish_task(i);
      finished_.clear();
      activity = true;
    }
    if (running_.empty() && (draining_ || !activity)) break;
    if (draining_ && !running_.empty()) {
      double t = now_s();
      if (!cancel_sent_ && t > drain_deadline_) {
        cancel_sent_ = true;
        cancel_deadline_ = t + opt_.cancel_wait_s;
        GBM_LOG(Warn, "grace period over: cancelling " << running_.size() << " running task(s)");
        for (auto& [i, r] : running_) {
          r.cancelled = true;
          for (int rank : r.members) send(json::object(), rank, kTagCancel, world_);
        }
      } else if (cancel_sent_ && t > cancel_deadline_) {
        // Tasks that ignore cancellation: record them as pending and end the job hard.
        for (auto& [i, r] : running_) store_.mark_pending(plan_.tasks[static_cast<std::size_t>(i)].key);
        store_.flush();
        GBM_LOG(Error, running_.size() << " task(s) did not stop; aborting the job");
        MPI_Abort(world_, kExitInterrupted);
      }
    }
    check_failed_groups();
    progress(false);
    try {
      store_.flush_if_due();
    } catch (const StorageError& e) {
      if (storage_error_.empty()) storage_error_ = e.what();
      begin_drain("the store cannot be written");
    }
    if (activity)
      napper_.reset();
    else
      napper_.nap();
  }
  int code = exit_code(*dag_, draining_, walltime_hit_, !storage_error_.empty());
  for (int rank = 1; rank < pl_.world_size; ++rank) send({{"code", code}}, rank, kTagStop, world_);
  try {
    store_.flush();
  } catch (const StorageError& e) {
    // store.h5 keeps its last complete version; the journal holds every completion since.
    if (storage_error_.empty()) storage_error_ = e.what();
    code = kExitFailure;
  }

  SchedSummary s;
  const DagCounts c = dag_->counts();
  s.total = dag_->size();
  s.done = c.done;
  s.failed = c.failed;
  s.blocked = c.blocked;
  s.not_started = c.waiting;
  s.skipped_done = skipped_done_;
  s.ran = ran_;
  s.elapsed_s = now_s() - start_;
  s.exit_code = code;
  progress(true);
  GBM_LOG(Info, "summary: " << s.total << " tasks: " << s.done << " done (" << s.done - s.skipped_done
                            << " this run), " << s.failed << " failed, " << s.blocked
                            << " blocked by a failed dependency, " << s.not_started
                            << " not started; " << s.ran << " started this run; elapsed "
                            << fmt_s(s.elapsed_s) << "; exit code " << code);
  int shown = 0;
  for (int i = 0; i < dag_->size() && shown < 10; ++i)
    if (dag_->state(i) == TaskState::Failed) {
      const TaskSpec& spec = plan_.tasks[static_cast<std::size_t>(i)];
      GBM_LOG(Info, "  failed: " << spec.name << ": " << store_.record(spec.key).error);
      ++shown;
    }
  if (!storage_error_.empty())
    GBM_LOG(Error, "the store cannot be written: " << storage_error_
                       << "; what was stored is kept: free space and run the same command again "
                          "to resume");
  if (code == kExitInterrupted) GBM_LOG(Info, "interrupted: run the same command again to resume");
  if (code == kExitWalltime)
    GBM_LOG(Info, "walltime: the remaining tasks would not finish in time; resume in a new job");
  if (summary) *summary = s;
  return code;
}

// Every rank's node, host, GPU and visible GPUs, on rank 0 (empty on the others): one gather.
std::vector<RankGpu> gather_ranks(const Placement& pl, int visible_gpus, MPI_Comm world) {
  struct Row {
    char host[256];
    int gpu, visible;
  } mine{};
  pl.host.copy(mine.host, sizeof mine.host - 1);
  mine.gpu = pl.gpu;
  mine.visible = visible_gpus;
  std::vector<Row> all(static_cast<std::size_t>(pl.world_size));
  GBM_MPI_CHECK(MPI_Gather(&mine, sizeof(Row), MPI_BYTE, all.data(), sizeof(Row), MPI_BYTE, 0,
                           world));
  std::vector<RankGpu> ranks;
  if (pl.world_rank != 0) return ranks;
  for (std::size_t r = 0; r < all.size(); ++r)
    ranks.push_back({pl.node_of_rank[r], all[r].host, all[r].gpu, all[r].visible});
  return ranks;
}

// Rank 0 logs which worker has which GPU, and warns about shared or idle GPUs.
GpuLayoutReport log_gpu_layout(const std::vector<RankGpu>& ranks) {
  GpuLayoutReport report = describe_gpu_layout(ranks);
  for (const std::string& line : report.info) GBM_LOG(Info, "gpus: " << line);
  for (const std::string& line : report.warnings) GBM_LOG(Warn, "gpus: " << line);
  return report;
}

// Before any task starts: a group task still to run that needs a GPU per rank, and could land
// on a node where ranks share one, would fail there; refuse the run, naming the first.
void check_group_gpus(const Plan& plan, const Store& store, const GpuLayoutReport& layout,
                      const std::function<bool(const TaskSpec&)>& needs_a_gpu_per_rank) {
  if (layout.shared_node_workers < 2 || !needs_a_gpu_per_rank) return;
  for (const TaskSpec& spec : plan.tasks) {
    if (spec.ranks < 2 || spec.ranks > layout.shared_node_workers ||
        store.record(spec.key).status == "done" || !needs_a_gpu_per_rank(spec))
      continue;
    throw InputError(plan.sweep_path,
                     spec.name + " trains on " + std::to_string(spec.ranks) +
                         " ranks with NCCL, which refuses two ranks on one GPU, and this job "
                         "has ranks sharing a GPU (the 'gpus:' warnings above). Start one "
                         "worker rank per GPU (gbmsweep jobs slurm --gpus-per-node), or set "
                         "mri.train.reducer = \"mpi\"");
  }
}

}  // namespace

int run_sweep(const std::function<Plan()>& make_plan, const SchedOptions& options,
              MPI_Comm world, SchedSummary* summary) {
  GBM_CHECK(!options.store_dir.empty(), "no store directory given");
  GBM_CHECK(options.task_lookup, "no task lookup given");
  install_drain_handlers();
  Placement pl = place(
      world, {options.threads, options.device == DeviceKind::Cuda ? options.visible_gpus : 0});
  if (pl.world_rank != 0 && !options.verbose && log::level() == log::Level::Info)
    log::set_level(log::Level::Warn);
  // Every rank gathers, whatever its device: `auto` is resolved per rank, and a collective
  // that only some ranks call would hang the start.
  const std::vector<RankGpu> ranks =
      gather_ranks(pl, options.device == DeviceKind::Cuda ? options.visible_gpus : 0, world);
  const GpuLayoutReport gpu_layout = log_gpu_layout(ranks);
  std::vector<std::string> hosts;
  for (const RankGpu& r : ranks) hosts.push_back(r.host);

  // Rank 0 plans and opens the store; every rank learns whether that worked.
  std::optional<Plan> plan;
  std::optional<Store> store;
  std::exception_ptr error;
  int setup_code = 0;
  if (pl.world_rank == 0) {
    try {
      plan = make_plan();
      StoreInfo info{plan->sweep_name, plan->sweep_path, plan->config, options.code_version};
      StoreOptions so;
      so.index_interval_s = options.index_interval_s;
      so.sync = options.store_sync;
      store = Store::open_or_create(options.store_dir, info, so);
      store->add_tasks(plan->tasks, options.code_version);
      check_group_gpus(*plan, *store, gpu_layout, options.needs_a_gpu_per_rank);
    } catch (const InputError&) {
      error = std::current_exception();
      setup_code = kExitUsage;
    } catch (...) {
      error = std::current_exception();
      setup_code = kExitFailure;
    }
  }
  GBM_MPI_CHECK(MPI_Bcast(&setup_code, 1, MPI_INT, 0, world));
  if (setup_code != 0) {
    if (error) std::rethrow_exception(error);
    return setup_code;
  }
  std::string store_dir = pl.world_rank == 0 ? store->dir() : "";
  int len = static_cast<int>(store_dir.size());
  GBM_MPI_CHECK(MPI_Bcast(&len, 1, MPI_INT, 0, world));
  store_dir.resize(static_cast<std::size_t>(len));
  GBM_MPI_CHECK(MPI_Bcast(store_dir.data(), len, MPI_CHAR, 0, world));

  // From here a failure on one rank would leave the others waiting: abort the job instead
  // (the store is crash-consistent, so this is as safe as a kill).
  try {
    if (pl.world_rank == 0) {
      Coordinator c(std::move(*plan), std::move(*store), options, pl, hosts, world);
      return c.run(summary);
    }
    return work(options.task_lookup, pl, store_dir, device_of(pl, options), world);
  } catch (const std::exception& e) {
    GBM_LOG(Error, "scheduler: " << e.what());
    MPI_Abort(world, kExitFailure);
    return kExitFailure;
  }
}

}  // namespace gbmsweep::sched
