#pragma once
// File helpers. Artifacts are written atomically: a temporary file in the same directory,
// fsync, then rename, so a kill at any instant leaves either the old file or the new one.
#include <string>

namespace gbmsweep::fs {

// `sync` = false skips the fsync (tests, scratch stores). A full file system (ENOSPC, EDQUOT)
// throws StorageError naming `path`, with the space left; the temporary file is removed.
void atomic_write(const std::string& path, const std::string& bytes, bool sync = true);
std::string read_all(const std::string& path);  // throws InputError naming the file
bool exists(const std::string& path);
void make_dirs(const std::string& path);

}  // namespace gbmsweep::fs
