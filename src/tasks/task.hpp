#pragma once
// The contract between the scheduler and a task kind. A task gets its spec, a seed, a
// communicator (its data-parallel group; size 1 for most tasks), a directory for artifacts
// and read access to the results and artifacts of the tasks it depends on. It returns a
// TaskResult or throws (the scheduler records the message and marks the task failed).
#include <mpi.h>

#include <cstdint>
#include <functional>
#include <string>

#include "common/device.hpp"
#include "common/result.hpp"
#include "common/task_spec.hpp"

namespace gbmsweep {

struct TaskContext {
  const TaskSpec* spec = nullptr;
  std::uint64_t seed = 0;          // derived from the key: same task, same seed
  MPI_Comm comm = MPI_COMM_SELF;   // the task's rank group; rank 0 of it returns the result
  std::string artifact_dir;        // absolute; created by the scheduler; write atomically
  std::string store_dir;           // absolute; artifact paths in results are relative to it
  int threads = 1;                 // LibTorch/ITK threads for this rank
  // Result of a dependency by key (throws if not a dependency or not done).
  std::function<TaskResult(const std::string& key)> dep_result;
  // Absolute path of a dependency's artifact by key and artifact name.
  std::function<std::string(const std::string& key, const std::string& name)> dep_artifact;
  // Cooperative cancellation: long tasks may poll it between epochs and throw if true.
  std::function<bool()> cancelled = [] { return false; };
  // Where this rank computes (placement's GPU under device cuda/auto, else the CPU). Tasks
  // that train pass it on (MriTrainOptions::device); the drug MLPs stay on the CPU.
  Device device;
};

using TaskFn = std::function<TaskResult(const TaskContext&)>;

}  // namespace gbmsweep
