#include "sched/placement.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "common/log.hpp"
#include "common/mpi.hpp"
#include "gbmsweep/config.hpp"

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
  // Under mpirun inside a Slurm allocation every rank inherits the batch step's SLURM_LOCALID
  // (0): it describes the rank only when srun launched it, i.e. when Open MPI's is absent.
  const char* launcher_var =
      env_int("OMPI_COMM_WORLD_LOCAL_RANK", -1) >= 0 ? "OMPI_COMM_WORLD_LOCAL_RANK" : "SLURM_LOCALID";
  for (const char* var : {launcher_var}) {
    int lr = env_int(var, -1);
    if (lr >= 0 && lr != p.local_rank)
      GBM_LOG(Warn, var << "=" << lr << " but MPI_Comm_split_type gives local rank "
                        << p.local_rank);
  }

  // Cores of the node, not of this rank's binding (mpirun binds small jobs to one core each).
  unsigned hw = std::thread::hardware_concurrency();
  p.cores = env_int("SLURM_CPUS_ON_NODE", hw > 0 ? static_cast<int>(hw) : 1);
  p.threads = options.threads > 0 ? options.threads : std::max(1, p.cores / p.local_size);
  std::string t = std::to_string(p.threads);
  for (const char* var : {"OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"})
    ::setenv(var, t.c_str(), 1);

#if GBMSWEEP_HAS_CUDA
  // GPU = local rank modulo the visible devices; narrow CUDA_VISIBLE_DEVICES to that one.
  if (const char* vis = std::getenv("CUDA_VISIBLE_DEVICES"); vis && *vis) {
    std::vector<std::string> ids;
    std::stringstream ss(vis);
    for (std::string id; std::getline(ss, id, ',');)
      if (!id.empty()) ids.push_back(id);
    if (!ids.empty()) {
      p.gpu = p.local_rank % static_cast<int>(ids.size());
      ::setenv("CUDA_VISIBLE_DEVICES", ids[static_cast<std::size_t>(p.gpu)].c_str(), 1);
    }
  }
#endif
  return p;
}

}  // namespace gbmsweep::sched
