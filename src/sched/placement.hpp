#pragma once
// Where this rank sits: node, local rank, threads, GPU. Collective over `world`.
#include <mpi.h>

#include <string>
#include <vector>

namespace gbmsweep::sched {

struct PlacementOptions {
  int threads = 0;  // LibTorch/OpenMP threads per rank; 0 = cores per node / ranks per node
  // GPUs this rank's CUDA runtime sees (CUDA_VISIBLE_DEVICES applied, or all of the node's when
  // it is unset); 0 = place on the CPU. Injected by the caller: sched/ does not link CUDA.
  int visible_gpus = 0;
};

struct Placement {
  int world_rank = 0, world_size = 1;
  int local_rank = 0, local_size = 1;  // within this node (MPI_Comm_split_type SHARED)
  int node = 0;                        // node index, 0..n_nodes-1, by lowest world rank
  std::vector<int> node_of_rank;       // node index of every world rank
  int cores = 1;                       // cores of this node (SLURM_CPUS_ON_NODE or online CPUs)
  int threads = 1;                     // threads each task on this rank may use
  int gpu = -1;                        // CUDA ordinal among the visible ones; -1: no GPU
  std::string host;
};

// Computes the placement, cross-checks the local rank with OMPI_COMM_WORLD_LOCAL_RANK /
// SLURM_LOCALID (a warning when they disagree) and exports the thread count to the
// environment (OMP_NUM_THREADS, MKL_NUM_THREADS, OPENBLAS_NUM_THREADS) before any task runs;
// the GPU is choose_gpu's.
Placement place(MPI_Comm world, const PlacementOptions& options);

// The GPU of a rank (a pure function, unit-tested with injected counts): the local rank modulo
// the visible GPUs. On the coordinator's node of a multi-rank run (rank 0 only coordinates),
// the coordinator gets none (-1) and the workers count from local rank 1, so that n GPUs and
// n + 1 ranks give one worker per GPU. -1 when no GPU is visible.
int choose_gpu(int local_rank, int visible_gpus, bool coordinator_on_node);

// One world rank as the coordinator sees it for the GPU report.
struct RankGpu {
  int node = 0;
  std::string host;
  int gpu = -1;      // chosen CUDA ordinal; -1: none
  int visible = 0;   // GPUs the rank sees (0 on a CPU run)
};
struct GpuLayoutReport {
  std::vector<std::string> info, warnings;
  // The most workers on a node where two share a GPU (0: none shared): a group task of at
  // most that many ranks may get two ranks on one GPU there.
  int shared_node_workers = 0;
};
// What the coordinator logs about the GPUs (pure, unit-tested): per node, which worker has
// which GPU; a warning for each GPU two workers share (they split its memory, and NCCL
// refuses them in one group) or no worker uses. Rank 0 of a multi-rank run only coordinates
// and is not counted. Empty when no rank sees a GPU.
GpuLayoutReport describe_gpu_layout(const std::vector<RankGpu>& ranks);

// The launcher's local rank (OMPI_COMM_WORLD_LOCAL_RANK, else SLURM_LOCALID when srun started
// the rank), -1 when neither says; `ompi` / `slurm` are the variables' values or null.
int launcher_local_rank(const char* ompi, const char* slurm);

}  // namespace gbmsweep::sched
