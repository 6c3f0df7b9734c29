#pragma once
// What the LibTorch in use offers, for the CLI (torch-free: `gbmsweep --version`, the device
// decision before a run starts).
#include <string>

namespace gbmsweep::train {

struct TorchInfo {
  std::string version;  // of the headers compiled against, e.g. "1.13.0" (Debian 12's 1.13.1)
  bool cuda = false;    // the library in use has CUDA (at::hasCUDA())
  int gpus = 0;         // devices its CUDA runtime sees (0 without CUDA)
};

TorchInfo torch_info();

}  // namespace gbmsweep::train
