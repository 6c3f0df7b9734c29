#pragma once
// Internal to train/: a resolved gbmsweep::Device as a torch::Device, the process-wide CUDA
// math switches of a precision, and bf16 autocast. Version shims live here and in
// models/torch_compat.hpp: LibTorch 1.13 (Debian) and >= 2.1 (CUDA builds) differ.
#include <torch/torch.h>

#include "common/device.hpp"

namespace gbmsweep::train {

torch::Device to_torch(const Device& d);

// An exception's message without what follows its first line (c10 appends a backtrace).
std::string error_first_line(const std::exception& e);

// Refuses what the device cannot do (bf16 on a CPU throws, naming the fix); then, on CUDA,
// sets TF32 for convolutions and matmuls (on for tf32 and bf16, off for fp32)
// and cuDNN's benchmark mode (fixed shapes: it picks the fastest algorithm once). Nothing on
// the CPU: the default path stays exactly what it was.
void configure_precision(const Device& d, Precision p);

// bf16 autocast on CUDA for the scope (forward and loss); does nothing when `on` is false.
class AutocastScope {
 public:
  explicit AutocastScope(bool on);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool on_ = false, was_ = false;
};

}  // namespace gbmsweep::train
