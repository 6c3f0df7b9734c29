// NCCL gradient reducer (compiled only when GBMSWEEP_HAS_NCCL). Buckets are flat CUDA tensors
// (GradientReducer packs them on the gradients' device) and are summed in place with
// ncclAllReduce(ncclSum) (the base scales an average by 1/g): no host staging. The
// communicator is made from an ncclUniqueId that rank 0 of the task's MPI communicator creates
// and broadcasts over it.
//
// Streams: the all-reduce is enqueued on the legacy default stream, the stream LibTorch's
// kernels use unless a caller sets another; so it is ordered after the backward pass that
// wrote the gradients and before the optimiser step that reads them, without a host wait and
// without linking LibTorch's CUDA library here (this file must also compile in CI, where the
// CUDA and NCCL headers exist but LibTorch has no CUDA).
#include "gbmsweep/config.hpp"

#if GBMSWEEP_HAS_NCCL
#include <cuda_runtime.h>
#include <nccl.h>

#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/mpi.hpp"
#include "train/reducer.hpp"

#define GBM_CUDA_CHECK(call)                                                             \
  do {                                                                                   \
    cudaError_t gbm_e_ = (call);                                                         \
    GBM_CHECK(gbm_e_ == cudaSuccess, #call << " failed: " << cudaGetErrorString(gbm_e_)); \
  } while (0)
#define GBM_NCCL_CHECK(call)                                                             \
  do {                                                                                   \
    ncclResult_t gbm_r_ = (call);                                                        \
    GBM_CHECK(gbm_r_ == ncclSuccess, #call << " failed: " << ncclGetErrorString(gbm_r_)); \
  } while (0)

namespace gbmsweep::train {

namespace {

// Two ranks of one communicator on one GPU: NCCL rejects it (or hangs), so refuse first,
// naming the ranks and the device. Collective over `comm`.
void check_one_gpu_per_rank(MPI_Comm comm, int device) {
  constexpr int kLen = 64;
  char mine[kLen] = {0};
  GBM_CUDA_CHECK(cudaDeviceGetPCIBusId(mine, kLen - 1, device));
  char name[MPI_MAX_PROCESSOR_NAME] = {0}, host[kLen] = {0};
  int len = 0;
  GBM_MPI_CHECK(MPI_Get_processor_name(name, &len));
  std::string(name, static_cast<std::size_t>(len)).copy(host, kLen - 1);
  const int n = mpi::size(comm);
  std::vector<char> buses(static_cast<std::size_t>(n * kLen)), hosts(buses.size());
  GBM_MPI_CHECK(MPI_Allgather(mine, kLen, MPI_CHAR, buses.data(), kLen, MPI_CHAR, comm));
  GBM_MPI_CHECK(MPI_Allgather(host, kLen, MPI_CHAR, hosts.data(), kLen, MPI_CHAR, comm));
  for (int a = 0; a < n; ++a)
    for (int b = a + 1; b < n; ++b) {
      const char* ba = &buses[static_cast<std::size_t>(a * kLen)];
      const char* bb = &buses[static_cast<std::size_t>(b * kLen)];
      const char* ha = &hosts[static_cast<std::size_t>(a * kLen)];
      const char* hb = &hosts[static_cast<std::size_t>(b * kLen)];
      GBM_CHECK(std::strcmp(ba, bb) != 0 || std::strcmp(ha, hb) != 0,
                "NCCL reducer: ranks " << a << " and " << b << " of the task share the GPU "
                                       << ba << " on " << ha
                                       << "; NCCL needs one GPU per rank (run as many task "
                                          "ranks per node as GPUs, or use reducer = \"mpi\")");
    }
}

class NcclReducer final : public GradientReducer {
 public:
  NcclReducer(MPI_Comm comm, const ReducerOptions& options)
      : GradientReducer(comm, options.bucket_bytes) {
    int devices = 0;
    GBM_CUDA_CHECK(cudaGetDeviceCount(&devices));
    GBM_CHECK(devices > 0, "NCCL reducer: no CUDA device visible");
    device_ = options.cuda_device >= 0 ? options.cuda_device : rank() % devices;
    GBM_CHECK(device_ < devices, "NCCL reducer: CUDA device " << device_ << " of " << devices);
    GBM_CUDA_CHECK(cudaSetDevice(device_));
    check_one_gpu_per_rank(comm_, device_);
    ncclUniqueId id;
    if (rank() == 0) GBM_NCCL_CHECK(ncclGetUniqueId(&id));
    GBM_MPI_CHECK(MPI_Bcast(&id, sizeof(id), MPI_BYTE, 0, comm_));
    GBM_NCCL_CHECK(ncclCommInitRank(&nccl_, size(), id, rank()));
  }
  ~NcclReducer() override { ncclCommDestroy(nccl_); }

 protected:
  std::string check_bucket(const torch::Tensor& flat) const override {
    std::ostringstream m;
    if (!flat.is_cuda() || !flat.is_contiguous() ||
        (flat.scalar_type() != torch::kDouble && flat.scalar_type() != torch::kFloat))
      m << "NCCL reducer: buckets must be contiguous float or double CUDA tensors (device = "
           "\"cuda\"), got " << flat.scalar_type() << " on " << flat.device();
    else if (flat.device().index() != device_)
      m << "NCCL reducer: bucket on " << flat.device() << ", communicator on cuda:" << device_;
    return m.str();
  }
  void sum_bucket(torch::Tensor& flat) override {
    const bool dbl = flat.scalar_type() == torch::kDouble;
    void* data = flat.data_ptr();
    GBM_NCCL_CHECK(ncclAllReduce(data, data, static_cast<std::size_t>(flat.numel()),
                                 dbl ? ncclDouble : ncclFloat, ncclSum, nccl_, cudaStreamLegacy));
  }

 private:
  ncclComm_t nccl_{};
  int device_ = 0;
};

}  // namespace

std::unique_ptr<GradientReducer> make_nccl_reducer(MPI_Comm comm, const ReducerOptions& options) {
  return std::make_unique<NcclReducer>(comm, options);
}

}  // namespace gbmsweep::train
#endif  // GBMSWEEP_HAS_NCCL
