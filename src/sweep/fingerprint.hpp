#pragma once
// Content fingerprints of input data, mixed into task keys so that changed data makes new tasks.
#include <string>

namespace gbmsweep::sweep {

// "absent" for a missing path. For a file: SHA-256 over its size and its first and last MiB
// (cheap for multi-GB volumes, and any real edit changes size or an end). For a folder: over
// the sorted relative paths and file fingerprints, ignoring hidden files.
std::string fingerprint_path(const std::string& path);

}  // namespace gbmsweep::sweep
