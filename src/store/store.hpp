#pragma once
// The result store of one sweep: the ONLY code that writes or reads gbmsweep's result files.
//
// Layout (docs/store-schema.md):
//   DIR/journal.jsonl      append-only, fsync'd event log; the source of truth for status
//   DIR/results/KEY.h5     one small HDF5 file per done task (temporary name + rename)
//   DIR/artifacts/KEY/     per-task large outputs (the task writes them atomically)
//   DIR/store.h5           index of every task (status, metadata, digest, external links to
//                          the result files), rewritten to a temporary name and renamed
//   DIR/.lock              flock held by the single writer
// A kill -9 at any instant leaves: complete result files (or none), a journal whose torn last
// line is ignored, and the previous or the new store.h5. Opening the store for writing replays
// the journal and rewrites store.h5, so the index catches up with every reported completion.
//
// One writer (the scheduler's rank 0) opens it with open_or_create; any number of readers
// (status, analysis, tasks reading their dependencies) use open_read / read_result.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/record.hpp"
#include "common/result.hpp"
#include "common/task_spec.hpp"

namespace gbmsweep {

// What the store records about the sweep itself (attributes of store.h5).
struct StoreInfo {
  std::string sweep_name;
  std::string sweep_path;
  json config = json::object();
  std::string code_version;  // e.g. GBMSWEEP_VERSION + commit
};

// Where and when a task ran (filled by the scheduler).
struct RunInfo {
  double start_time = 0, end_time = 0;  // seconds since the epoch
  std::vector<int> ranks;               // world ranks of its group
  std::string host;
};

struct StoreOptions {
  // Minimum seconds between two rewrites of store.h5 by flush_if_due(); the journal and the
  // result files are durable at once, the index only summarises them.
  double index_interval_s = 1.0;
  // fsync result files and the journal's done/fail lines. A kill -9 needs no fsync (the page
  // cache survives the process); this protects completions against a node crash or power loss,
  // at about two fsyncs per task.
  bool sync = true;
};

class Store {
 public:
  // Opens DIR for writing (creating it if needed), takes the writer lock (throws if another
  // writer holds it), replays the journal and rewrites store.h5.
  static Store open_or_create(const std::string& dir, const StoreInfo& info,
                              const StoreOptions& options = {});
  // Opens an existing store read-only (no lock): status, analysis. Throws InputError if DIR
  // holds no store.
  static Store open_read(const std::string& dir);

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  const std::string& dir() const;
  const StoreInfo& info() const;

  // Writer only. Registers plan tasks not yet known (status pending); known keys are kept.
  void add_tasks(const std::vector<TaskSpec>& tasks, const std::string& code_version);
  void mark_running(const std::string& key, const RunInfo& run);
  // Writes results/KEY.h5 (temporary + rename), then journals "done" with the digest.
  void mark_done(const std::string& key, const TaskResult& result, const RunInfo& run);
  void mark_failed(const std::string& key, const std::string& message, const RunInfo& run);
  // A task abandoned by a drain goes back to pending (a resume reruns it).
  void mark_pending(const std::string& key);
  // Rewrites store.h5 now / if dirty and index_interval_s has passed since the last rewrite.
  void flush();
  void flush_if_due();

  bool has(const std::string& key) const;
  const TaskRecord& record(const std::string& key) const;  // throws if unknown
  std::vector<TaskRecord> records(bool load_results) const;  // in registration order
  TaskResult result(const std::string& key) const;           // throws unless done
  std::string digest(const std::string& key) const;          // "" unless done
  std::string artifact_dir(const std::string& key) const;    // absolute; not created
  std::string result_path(const std::string& key) const;     // absolute results/KEY.h5

  // Reads one task's result file (used by tasks for their dependencies, without a Store).
  static TaskResult read_result(const std::string& store_dir, const std::string& key);
  // SHA-256 over the metrics and the predictions (not curves, timings or artifacts), in the
  // normalised form the result file keeps, so digest(result(key)) == digest(key).
  static std::string digest_of(const TaskResult& result);

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gbmsweep
