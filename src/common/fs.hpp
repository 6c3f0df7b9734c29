#pragma once
// File helpers. Artifacts are written atomically: a temporary file in the same directory,
// fsync, then rename, so a kill at any instant leaves either the old file or the new one.
#include <string>

namespace gbmsweep::fs {

void atomic_write(const std::string& path, const std::string& bytes);
std::string read_all(const std::string& path);  // throws InputError naming the file
bool exists(const std::string& path);
void make_dirs(const std::string& path);

}  // namespace gbmsweep::fs
