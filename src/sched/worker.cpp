#include "sched/worker.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <thread>

#include "common/error.hpp"
#include "common/mpi.hpp"
#include "sched/messages.hpp"
#include "sched/signals.hpp"
#include "store/store.hpp"

namespace gbmsweep::sched {

double now_s() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

void Napper::nap() {
  std::this_thread::sleep_for(std::chrono::microseconds(us_));
  us_ = std::min(us_ * 2, 2000);
}

Device device_of(const Placement& pl, const SchedOptions& options) {
  if (options.device == DeviceKind::Cuda && pl.gpu >= 0) return {DeviceKind::Cuda, pl.gpu};
  return {};
}

Outcome execute(const TaskLookup& lookup, const TaskSpec& spec, std::uint64_t seed,
                const std::vector<int>& members, int group_tag, const std::string& store_dir,
                int threads, const Device& device, const std::function<bool()>& cancelled,
                MPI_Comm world) {
  Outcome out;
  out.t0 = now_s();
  MPI_Comm comm = MPI_COMM_SELF;
  if (members.size() > 1) {
    MPI_Group world_group, group;
    GBM_MPI_CHECK(MPI_Comm_group(world, &world_group));
    GBM_MPI_CHECK(MPI_Group_incl(world_group, static_cast<int>(members.size()), members.data(),
                                 &group));
    GBM_MPI_CHECK(MPI_Comm_create_group(world, group, group_tag, &comm));
    MPI_Group_free(&group);
    MPI_Group_free(&world_group);
  }
  TaskContext ctx;
  ctx.spec = &spec;
  ctx.seed = seed;
  ctx.comm = comm;
  ctx.artifact_dir = store_dir + "/artifacts/" + spec.key;
  ctx.store_dir = store_dir;
  ctx.threads = threads;
  ctx.device = device;
  ctx.dep_result = [&spec, &store_dir](const std::string& key) {
    GBM_CHECK(std::find(spec.deps.begin(), spec.deps.end(), key) != spec.deps.end(),
              spec.name << " asked for the result of " << key << ", which is not a dependency");
    return Store::read_result(store_dir, key);
  };
  ctx.dep_artifact = [&ctx](const std::string& key, const std::string& name) {
    TaskResult r = ctx.dep_result(key);
    auto it = r.artifacts.find(name);
    GBM_CHECK(it != r.artifacts.end(), "dependency " << key << " has no artifact '" << name << "'");
    return ctx.store_dir + "/" + it->second;
  };
  ctx.cancelled = cancelled;
  try {
    out.result = lookup(spec.kind)(ctx);
    out.ok = true;
  } catch (const Error& e) {
    out.error = std::string(e.what()) + " [" + e.where() + "]";
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  if (comm != MPI_COMM_SELF) MPI_Comm_free(&comm);
  out.t1 = now_s();
  return out;
}

int work(const TaskLookup& lookup, const Placement& pl, const std::string& store_dir,
         const Device& device, MPI_Comm world) {
  bool signal_sent = false;
  Napper napper;
  auto forward_signal = [&] {
    if (!signal_sent && drain_requested()) {
      signal_sent = true;
      send({{"signal", drain_signal()}}, 0, kTagSignal, world);
    }
  };
  while (true) {
    forward_signal();
    auto m = try_receive(0, MPI_ANY_TAG, world);
    if (!m) {
      napper.nap();
      continue;
    }
    napper.reset();
    if (m->tag == kTagStop) return m->body.at("code").get<int>();
    if (m->tag == kTagCancel) continue;  // for a task that already finished
    GBM_CHECK(m->tag == kTagTask, "unexpected message tag " << m->tag << " from rank 0");
    TaskSpec spec = spec_from_json(m->body.at("spec"));
    auto members = m->body.at("members").get<std::vector<int>>();
    bool cancelled = false;
    auto poll_cancel = [&] {
      forward_signal();
      if (!cancelled && try_receive(0, kTagCancel, world)) cancelled = true;
      return cancelled;
    };
    Outcome o = execute(lookup, spec, m->body.at("seed").get<std::uint64_t>(), members,
                        m->body.at("tag").get<int>(), store_dir,
                        pl.threads, device, poll_cancel, world);
    json reply = {{"key", spec.key}, {"ok", o.ok}, {"error", o.error},
                  {"t0", o.t0},      {"t1", o.t1}, {"host", pl.host}};
    if (o.ok && members.front() == pl.world_rank) reply["result"] = to_json(o.result);
    send(reply, 0, kTagFinished, world);
  }
}

}  // namespace gbmsweep::sched
