#pragma once
// Shims where LibTorch 1.13 (Debian 12, the CPU build) and >= 2.1 (the CUDA builds users bring)
// differ; scripts/check-torch2.sh compiles every torch source against 2.6's headers.
#include <torch/torch.h>
#include <torch/version.h>

#include <sstream>
#include <string>
#include <type_traits>
#include <variant>

namespace gbmsweep::models::compat {

// Module options' variants (padding): c10::variant in 1.13, std::variant from 2.1. By the
// version, not by __has_include: a machine may hold Debian's 1.13 headers in /usr/include
// beside the LibTorch 2.x in use.
#if TORCH_VERSION_MAJOR >= 2
using std::get_if;
#else
using c10::get_if;
#endif

// The key of a parameter in torch::optim::Optimizer::state(): the TensorImpl's address as text
// (c10::guts::to_string) in 1.13, the address itself from 2.1.
template <class StateMap>
typename StateMap::key_type state_key(const StateMap&, const torch::Tensor& p) {
  if constexpr (std::is_same_v<typename StateMap::key_type, void*>) {
    return p.unsafeGetTensorImpl();
  } else {
    std::ostringstream os;  // what c10::guts::to_string does
    os << p.unsafeGetTensorImpl();
    return os.str();
  }
}

}  // namespace gbmsweep::models::compat
