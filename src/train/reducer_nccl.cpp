// NCCL gradient reducer (compiled only when GBMSWEEP_HAS_NCCL). Debian's LibTorch has no CUDA
// tensors, so buckets are staged through one device buffer: host -> device, ncclAllReduce
// (ncclAvg), device -> host. The communicator is made from an ncclUniqueId that rank 0 of the
// task's MPI communicator creates and broadcasts.
#include "gbmsweep/config.hpp"

#if GBMSWEEP_HAS_NCCL
#include <cuda_runtime.h>
#include <nccl.h>

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

class NcclReducer final : public GradientReducer {
 public:
  NcclReducer(MPI_Comm comm, std::size_t bucket_bytes) : GradientReducer(comm, bucket_bytes) {
    int devices = 0;
    GBM_CUDA_CHECK(cudaGetDeviceCount(&devices));
    GBM_CHECK(devices > 0, "NCCL reducer: no CUDA device");
    GBM_CUDA_CHECK(cudaSetDevice(rank() % devices));
    ncclUniqueId id;
    if (rank() == 0) GBM_NCCL_CHECK(ncclGetUniqueId(&id));
    GBM_MPI_CHECK(MPI_Bcast(&id, sizeof(id), MPI_BYTE, 0, comm_));
    GBM_NCCL_CHECK(ncclCommInitRank(&nccl_, size(), id, rank()));
    GBM_CUDA_CHECK(cudaStreamCreate(&stream_));
  }
  ~NcclReducer() override {
    if (device_) cudaFree(device_);
    cudaStreamDestroy(stream_);
    ncclCommDestroy(nccl_);
  }

 protected:
  void average_buffer(float* data, std::size_t count) override {
    if (count > capacity_) {
      if (device_) GBM_CUDA_CHECK(cudaFree(device_));
      GBM_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&device_), count * sizeof(float)));
      capacity_ = count;
    }
    const std::size_t bytes = count * sizeof(float);
    GBM_CUDA_CHECK(cudaMemcpyAsync(device_, data, bytes, cudaMemcpyHostToDevice, stream_));
    GBM_NCCL_CHECK(ncclAllReduce(device_, device_, count, ncclFloat, ncclAvg, nccl_, stream_));
    GBM_CUDA_CHECK(cudaMemcpyAsync(data, device_, bytes, cudaMemcpyDeviceToHost, stream_));
    GBM_CUDA_CHECK(cudaStreamSynchronize(stream_));
  }

 private:
  ncclComm_t nccl_{};
  cudaStream_t stream_{};
  float* device_ = nullptr;
  std::size_t capacity_ = 0;
};

}  // namespace

std::unique_ptr<GradientReducer> make_nccl_reducer(MPI_Comm comm, std::size_t bucket_bytes) {
  return std::make_unique<NcclReducer>(comm, bucket_bytes);
}

}  // namespace gbmsweep::train
#endif  // GBMSWEEP_HAS_NCCL
