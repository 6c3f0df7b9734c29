#pragma once
// One scratch file (or directory) per fuzz process, for readers that take paths.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace fuzz {

inline std::string scratch_dir() {
  static const std::string dir = [] {
    char name[] = "/tmp/gbmsweep_fuzz.XXXXXX";
    if (!mkdtemp(name)) __builtin_trap();
    return std::string(name);
  }();
  return dir;
}

// Writes the input to DIR/NAME and returns the path.
inline std::string write_scratch(const std::string& name, const std::uint8_t* data,
                                 std::size_t size) {
  const std::string path = scratch_dir() + "/" + name;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) __builtin_trap();
  if (size && std::fwrite(data, 1, size, f) != size) __builtin_trap();
  std::fclose(f);
  return path;
}

}  // namespace fuzz
