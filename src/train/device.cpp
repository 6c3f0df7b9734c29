#include "train/device.hpp"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include "common/error.hpp"
#include "train/device_torch.hpp"

// LibTorch 2.4 made autocast per device type (set_autocast_enabled(kCUDA, ...)); 1.13 has the
// CUDA-only set_enabled / set_autocast_gpu_dtype.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define GBM_AUTOCAST_PER_DEVICE 1
#else
#define GBM_AUTOCAST_PER_DEVICE 0
#endif

namespace gbmsweep::train {

TorchInfo torch_info() {
  TorchInfo t;
  t.version = TORCH_VERSION;
  t.cuda = at::hasCUDA();
  t.gpus = t.cuda ? static_cast<int>(torch::cuda::device_count()) : 0;
  return t;
}

std::string error_first_line(const std::exception& e) {
  const auto* c10e = dynamic_cast<const c10::Error*>(&e);
  std::string what = c10e ? c10e->what_without_backtrace() : e.what();
  return what.substr(0, what.find('\n'));
}

torch::Device to_torch(const Device& d) {
  if (!d.is_cuda()) return torch::kCPU;
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(std::max(0, d.index)));
}

void configure_precision(const Device& d, Precision p) {
  GBM_CHECK(d.is_cuda() || p != Precision::Bf16,
            "precision bf16 needs a CUDA device (this task runs on the CPU: use fp32)");
  if (!d.is_cuda()) return;
  auto& ctx = at::globalContext();
  const bool tf32 = p != Precision::Fp32;
  ctx.setAllowTF32CuDNN(tf32);
  ctx.setAllowTF32CuBLAS(tf32);
  ctx.setBenchmarkCuDNN(true);
}

AutocastScope::AutocastScope(bool on) : on_(on) {
  if (!on_) return;
#if GBM_AUTOCAST_PER_DEVICE
  was_ = at::autocast::is_autocast_enabled(at::kCUDA);
  at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
  at::autocast::set_autocast_enabled(at::kCUDA, true);
#else
  was_ = at::autocast::is_enabled();
  at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
  at::autocast::set_enabled(true);
#endif
}

AutocastScope::~AutocastScope() {
  if (!on_) return;
#if GBM_AUTOCAST_PER_DEVICE
  at::autocast::set_autocast_enabled(at::kCUDA, was_);
#else
  at::autocast::set_enabled(was_);
#endif
  if (!was_) at::autocast::clear_cache();  // the bf16 weight copies of this scope
}

}  // namespace gbmsweep::train
