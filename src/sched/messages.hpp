#pragma once
// What the coordinator and the workers say to each other: JSON values sent as CBOR (which,
// unlike JSON text, keeps NaN and infinities, e.g. a NaN loss in the metrics).
#include <mpi.h>

#include <optional>

#include "common/result.hpp"
#include "common/task_spec.hpp"

namespace gbmsweep::sched {

enum Tag : int {
  kTagTask = 101,      // coordinator -> worker: {spec, seed, members, tag}
  kTagCancel = 102,    // coordinator -> worker: stop the running task (drain past its grace)
  kTagStop = 103,      // coordinator -> worker: {code}; the worker returns it
  kTagFinished = 201,  // worker -> coordinator: {key, ok, error, t0, t1, host, [result]}
  kTagSignal = 202,    // worker -> coordinator: {signal} a drain signal reached the worker
};

json to_json(const TaskResult& r);
TaskResult result_from_json(const json& j);
json to_json(const TaskSpec& s);
TaskSpec spec_from_json(const json& j);

void send(const json& message, int dest, int tag, MPI_Comm comm);
// A message from `source` (or MPI_ANY_SOURCE) with `tag` (or MPI_ANY_TAG) if one is waiting.
struct Message {
  json body;
  int source = -1, tag = -1;
};
std::optional<Message> try_receive(int source, int tag, MPI_Comm comm);

}  // namespace gbmsweep::sched
