#pragma once
// Shims where LibTorch 1.13 (Debian 12, the CPU build) and >= 2.1 (the CUDA builds users bring)
// differ; scripts/check-torch2.sh compiles every torch source against 2.6's headers.
#include <torch/torch.h>
#include <torch/version.h>

#include <memory>
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

// Parameter `p`'s entry in an Adam optimiser's state map, made as torch::optim::Adam::step makes
// it (step 0, zero moments, here in `format`) the first time: for our Adam variants.
template <class StateMap>
torch::optim::AdamParamState& adam_state(StateMap& state, const torch::Tensor& p,
                                         c10::MemoryFormat format) {
  const auto key = state_key(state, p);
  auto it = state.find(key);
  if (it == state.end()) {
    auto s = std::make_unique<torch::optim::AdamParamState>();
    s->step(0);
    s->exp_avg(torch::zeros_like(p, format));
    s->exp_avg_sq(torch::zeros_like(p, format));
    it = state.emplace(key, std::move(s)).first;
  }
  return static_cast<torch::optim::AdamParamState&>(*it->second);
}

}  // namespace gbmsweep::models::compat
