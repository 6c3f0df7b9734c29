// The sweep parser: any TOML text gives a validated configuration or a SweepError/InputError
// with a position, never a crash or an unhandled exception of another type.
#include <cstdint>
#include <string>

#include "common/error.hpp"
#include "sweep/parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto s = gbmsweep::sweep::parse_sweep_text(text, "fuzz.toml");
    for (const auto& point : s.grid) (void)gbmsweep::sweep::apply_grid_point(s.config, point);
  } catch (const gbmsweep::InputError&) {
  }
  return 0;
}
