#pragma once
// Host tensors (row indices, Gumbel draws, shuffles) onto the device without making the host
// wait for the GPU. A pageable host -> CUDA copy is a copy-and-synchronise in ATen
// (at::cuda::memcpy_and_sync): the host stalls until every kernel queued before it has run, so
// the GPU idles while the host queues the next ones. A copy from pinned memory is only enqueued;
// ATen's caching host allocator keeps the pinned buffer until the copy has run. On the CPU it
// is the plain (no-op) .to().
#include <torch/torch.h>

#include <vector>

namespace gbmsweep::models {

inline torch::Tensor to_device_async(const torch::Tensor& host, const torch::Device& device) {
  if (!device.is_cuda() || !host.is_cpu()) return host.to(device);
  return host.pin_memory().to(device, /*non_blocking=*/true);
}

inline torch::Tensor indices_on(const std::vector<int64_t>& v, const torch::Device& device) {
  return to_device_async(torch::tensor(v, torch::kLong), device);
}

}  // namespace gbmsweep::models
