// The torch.save reader (models/torch_file: legacy pickle and zip): any bytes give a state
// dict or an InputError, never a crash, a hang or unbounded memory (-rss_limit_mb).
#include <cstdint>
#include <string>

#include "common/error.hpp"
#include "models/torch_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    auto file = gbmsweep::torchfile::parse_torch_file(bytes, "fuzz.pth");
    auto dict = gbmsweep::torchfile::state_dict_of(file, "fuzz.pth");
    for (const auto& [name, ref] : dict.tensors)
      if (name.empty() && size == 0) __builtin_trap();  // a dict from no bytes is impossible
  } catch (const gbmsweep::InputError&) {
  }
  return 0;
}
