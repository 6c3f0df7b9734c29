#pragma once
// A task as the store knows it: its plan entry, its run metadata and, when done, its result.
// Shared by store/ (which fills it), analysis/ (which reads it) and the CLI.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace gbmsweep {

struct TaskRecord {
  std::string key, kind, study, name;
  json params = json::object();
  std::vector<std::string> deps;
  std::string status = "pending";  // pending | running | done | failed
  std::string error;               // failure message (empty unless failed)
  std::uint64_t seed = 0;
  double start_time = 0, end_time = 0;  // seconds since the epoch
  std::vector<int> ranks;
  std::string host, code_version;
  std::optional<TaskResult> result;  // present when done and loaded
};

}  // namespace gbmsweep
