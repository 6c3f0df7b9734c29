#pragma once
// Gradient averaging for data-parallel training: one interface, an MPI implementation (CPU)
// and an NCCL one (compiled only when GBMSWEEP_HAS_NCCL). The backend (a Reducer, parsed from
// the sweep's mri.train.reducer in common/device) becomes an implementation in exactly one
// place: make_reducer().
//
// Gradients are packed into a few flat float buffers ("buckets", default 25 MiB) on their own
// device and each bucket is averaged with one all-reduce, instead of one blocking call per
// tensor. MPI is the CPU reducer (CUDA tensors go through host memory); NCCL reduces CUDA
// buckets in place in device memory.
// A parameter whose gradient is undefined on every rank stays undefined (the caller decides
// what that means); one defined on some ranks only counts as zero on the others.
//
// BatchNorm: layers in training mode normalise with the statistics of the micro-batch they
// see (as PyTorch DDP without SyncBatchNorm); see MriTrainOptions::micro_batches for how a
// g-rank run and a 1-rank run see the same micro-batches. Running statistics are averaged
// across ranks (average) so that every rank ends with identical state.
// Every collective on the training's tensors goes through this seam: gradients and BatchNorm
// statistics (average), the epoch's loss and the validation probabilities (sum). A backend
// only sums a flat bucket; averaging is that sum times 1/g.
#include <mpi.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "common/device.hpp"

namespace gbmsweep::train {

struct ReducerOptions {
  Reducer backend = Reducer::Mpi;        // Mpi | Nccl (Auto: resolve_reducer first)
  std::size_t bucket_bytes = 25u << 20;  // flat-buffer size per all-reduce
  int cuda_device = -1;                  // nccl: this rank's CUDA ordinal (-1: rank % count)
};

class GradientReducer {
 public:
  virtual ~GradientReducer() = default;
  // Averages the gradients of `params` over the ranks of the communicator, in place.
  void average_gradients(const std::vector<torch::Tensor>& params);
  // Averages float tensors in place (e.g. BatchNorm running statistics); others are left alone.
  void average(const std::vector<torch::Tensor>& tensors);
  // Sums float and double tensors in place over the ranks (the epoch's loss, the validation
  // probabilities that each rank filled in part); others are refused.
  void sum(const std::vector<torch::Tensor>& tensors);
  int rank() const { return rank_; }
  int size() const { return size_; }
  // The task's communicator (MPI_COMM_NULL for a lone process), e.g. for mpi::agree_or_throw.
  MPI_Comm comm() const { return comm_; }

 protected:
  GradientReducer(MPI_Comm comm, std::size_t bucket_bytes);
  // Sum-all-reduce of a flat float or double bucket in place: the backend's only job. The
  // bucket lives on the device of the tensors it packs (no host staging by the base).
  virtual void sum_bucket(torch::Tensor& flat) = 0;
  // What the backend cannot sum ("" when it can), asked before the ranks agree.
  virtual std::string check_bucket(const torch::Tensor& /*flat*/) const { return ""; }
  MPI_Comm comm_;

 private:
  // Packs tensors of one dtype into buckets and sums each (`average`: then x 1/g). Before each
  // bucket's all-reduce the ranks agree on `failure` or a packing failure: then all throw.
  void reduce_packed(const std::vector<torch::Tensor>& tensors, bool average,
                     std::string failure = "");
  // The bucket of tensors [first, last): "" or what went wrong (bucket then undefined).
  std::string pack(const std::vector<torch::Tensor>& tensors, size_t first, size_t& last,
                   torch::Tensor& bucket) const;
  std::size_t bucket_floats_;
  int rank_ = 0, size_ = 1;
};

// Mpi or Nccl (the latter throws when gbmsweep was built without NCCL; Auto throws: resolve it
// with resolve_reducer, which knows the device). MPI_COMM_NULL
// gives a single-process reducer that never calls MPI (benchmarks, tools).
std::unique_ptr<GradientReducer> make_reducer(const ReducerOptions& options, MPI_Comm comm);

}  // namespace gbmsweep::train
