#pragma once
// Where this rank sits: node, local rank, threads, GPU. Collective over `world`.
#include <mpi.h>

#include <string>
#include <vector>

namespace gbmsweep::sched {

struct PlacementOptions {
  int threads = 0;  // LibTorch/OpenMP threads per rank; 0 = cores per node / ranks per node
};

struct Placement {
  int world_rank = 0, world_size = 1;
  int local_rank = 0, local_size = 1;  // within this node (MPI_Comm_split_type SHARED)
  int node = 0;                        // node index, 0..n_nodes-1, by lowest world rank
  std::vector<int> node_of_rank;       // node index of every world rank
  int cores = 1;                       // cores of this node (SLURM_CPUS_ON_NODE or online CPUs)
  int threads = 1;                     // threads each task on this rank may use
  int gpu = -1;                        // device index among the visible ones, -1 without CUDA
  std::string host;
};

// Computes the placement, cross-checks the local rank with OMPI_COMM_WORLD_LOCAL_RANK /
// SLURM_LOCALID (a warning when they disagree) and exports the thread count to the
// environment (OMP_NUM_THREADS, MKL_NUM_THREADS, OPENBLAS_NUM_THREADS) before any task runs;
// with CUDA, CUDA_VISIBLE_DEVICES is narrowed to this rank's device.
Placement place(MPI_Comm world, const PlacementOptions& options);

}  // namespace gbmsweep::sched
