#pragma once
// One node of the task DAG, as planned from a sweep file (src/sweep). In common/ because every
// layer uses it: the store records it, the scheduler sends it, a task reads its own.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace gbmsweep {

struct TaskSpec {
  std::string key;    // content key: hash of kind, params, dep keys, input fingerprints, code
  std::string kind;   // "probe", "mri.train", "drug.fold", ...
  std::string study;  // "mri", "drug" or "probe"
  std::string name;   // human-readable, unique within the plan: "mri.train/spottune/T1/f0/s0"
  nlohmann::json params = nlohmann::json::object();  // everything that determines the result
  // Input locations (paths). Not part of the key: their content fingerprint is.
  nlohmann::json inputs = nlohmann::json::object();
  std::vector<std::string> deps;  // keys of tasks that must be done first
  double cost = 1.0;              // expected seconds (hint; the scheduler refines it)
  int ranks = 1;                  // ranks the task runs on (data-parallel group size)
  std::uint64_t seed = 0;         // the task's random seed, derived from its key
};

}  // namespace gbmsweep
