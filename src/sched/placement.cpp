#include "sched/placement.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <sstream>
#include <thread>

#include "common/log.hpp"
#include "common/mpi.hpp"

namespace gbmsweep::sched {

namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  long x = std::strtol(v, &end, 10);
  return (end && *end == '\0') ? static_cast<int>(x) : fallback;
}

std::string hostname() {
  char buf[256] = {0};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

}  // namespace

int choose_gpu(int local_rank, int visible_gpus, bool coordinator_on_node) {
  if (visible_gpus <= 0 || local_rank < 0) return -1;
  if (!coordinator_on_node) return local_rank % visible_gpus;
  return local_rank == 0 ? -1 : (local_rank - 1) % visible_gpus;
}

GpuLayoutReport describe_gpu_layout(const std::vector<RankGpu>& ranks) {
  GpuLayoutReport report;
  const std::size_t n = ranks.size();
  const std::size_t first_worker = n > 1 ? 1 : 0;
  int nodes = 0;
  for (const RankGpu& r : ranks) nodes = std::max(nodes, r.node + 1);
  for (int node = 0; node < nodes; ++node) {
    int visible = 0, workers = 0;
    std::string host;
    std::map<int, std::vector<int>> ranks_of_gpu;
    for (std::size_t r = first_worker; r < n; ++r) {
      if (ranks[r].node != node) continue;
      ++workers;
      host = ranks[r].host;
      visible = std::max(visible, ranks[r].visible);
      if (ranks[r].gpu >= 0) ranks_of_gpu[ranks[r].gpu].push_back(static_cast<int>(r));
    }
    if (visible <= 0 || workers == 0) continue;
    std::ostringstream line;
    line << host << ": " << workers << " worker rank(s), " << visible << " GPU(s):";
    for (const auto& [gpu, ranks] : ranks_of_gpu) {
      line << " cuda:" << gpu << " <- rank";
      for (int r : ranks) line << " " << r;
      line << ";";
      if (ranks.size() > 1) {
        std::ostringstream w;
        w << host << ": ranks";
        for (int r : ranks) w << " " << r;
        w << " share cuda:" << gpu << " (" << workers << " workers for " << visible
          << " GPUs): they split its memory and cannot train one task together over NCCL; "
             "start one worker rank per GPU (gbmsweep jobs slurm --gpus-per-node)";
        report.warnings.push_back(w.str());
        report.shared_node_workers = std::max(report.shared_node_workers, workers);
      }
    }
    std::ostringstream idle;
    int n_idle = 0;
    for (int g = 0; g < visible; ++g)
      if (!ranks_of_gpu.count(g)) idle << (n_idle++ ? ", " : "") << "cuda:" << g;
    if (n_idle > 0)
      report.warnings.push_back(host + ": " + idle.str() + (n_idle == 1 ? " has" : " have") +
                                " no worker rank (" + std::to_string(workers) + " workers for " +
                                std::to_string(visible) +
                                " GPUs); start one worker rank per GPU, + 1 for the "
                                "coordinator on the first node");
    std::string text = line.str();
    text.pop_back();
    report.info.push_back(text);
  }
  return report;
}

int launcher_local_rank(const char* ompi, const char* slurm) {
  // Under mpirun inside a Slurm allocation every rank inherits the batch step's SLURM_LOCALID
  // (0): it describes the rank only when srun launched it, i.e. when Open MPI's is absent.
  const auto parse = [](const char* v) {
    if (!v || !*v) return -1;
    char* end = nullptr;
    long x = std::strtol(v, &end, 10);
    return (end && *end == '\0' && x >= 0) ? static_cast<int>(x) : -1;
  };
  const int o = parse(ompi);
  return o >= 0 ? o : parse(slurm);
}

Placement place(MPI_Comm world, const PlacementOptions& options) {
  Placement p;
  p.world_rank = mpi::rank(world);
  p.world_size = mpi::size(world);
  p.host = hostname();

  MPI_Comm node_comm = MPI_COMM_NULL;
  GBM_MPI_CHECK(MPI_Comm_split_type(world, MPI_COMM_TYPE_SHARED, p.world_rank, MPI_INFO_NULL,
                                    &node_comm));
  p.local_rank = mpi::rank(node_comm);
  p.local_size = mpi::size(node_comm);
  // The node's leader is its lowest world rank; number nodes by their leaders.
  int leader = p.world_rank;
  GBM_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &leader, 1, MPI_INT, MPI_MIN, node_comm));
  GBM_MPI_CHECK(MPI_Comm_free(&node_comm));
  std::vector<int> leaders(static_cast<std::size_t>(p.world_size));
  GBM_MPI_CHECK(MPI_Allgather(&leader, 1, MPI_INT, leaders.data(), 1, MPI_INT, world));
  std::vector<int> distinct = leaders;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  for (int l : leaders)
    p.node_of_rank.push_back(static_cast<int>(
        std::lower_bound(distinct.begin(), distinct.end(), l) - distinct.begin()));
  p.node = p.node_of_rank[static_cast<std::size_t>(p.world_rank)];

  // The launcher's view of the local rank must match ours, or ranks of two jobs share a node
  // in a way we cannot see (and GPUs/threads would be split wrongly).
  if (int lr = launcher_local_rank(std::getenv("OMPI_COMM_WORLD_LOCAL_RANK"),
                                   std::getenv("SLURM_LOCALID"));
      lr >= 0 && lr != p.local_rank)
    GBM_LOG(Warn, "the launcher's local rank is " << lr << " but MPI_Comm_split_type gives "
                                                  << p.local_rank);

  // Cores of the node, not of this rank's binding (mpirun binds small jobs to one core each).
  unsigned hw = std::thread::hardware_concurrency();
  p.cores = env_int("SLURM_CPUS_ON_NODE", hw > 0 ? static_cast<int>(hw) : 1);
  p.threads = options.threads > 0 ? options.threads : std::max(1, p.cores / p.local_size);
  std::string t = std::to_string(p.threads);
  for (const char* var : {"OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"})
    ::setenv(var, t.c_str(), 1);

  // Devices are addressed by ordinal (cuda:k), not by narrowing CUDA_VISIBLE_DEVICES: once a
  // CUDA runtime has counted the devices (visible_gpus), changing the variable has no effect.
  p.gpu = choose_gpu(p.local_rank, options.visible_gpus, p.world_size > 1 && p.node == 0);
  return p;
}

}  // namespace gbmsweep::sched
