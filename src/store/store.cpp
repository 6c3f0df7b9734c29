#include "store/store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/h5.hpp"
#include "common/hash.hpp"
#include "common/log.hpp"

namespace gbmsweep {

namespace {

constexpr int kSchemaVersion = 1;
namespace stdfs = std::filesystem;

double now_s() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

// Keys become file names: keep them to a safe alphabet.
void check_key(const std::string& key) {
  GBM_CHECK(!key.empty() && key.size() <= 200, "bad task key '" << key << "'");
  for (char c : key)
    GBM_CHECK(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.',
              "task key '" << key << "' has a character that cannot be part of a file name");
}

// Metrics as the result file keeps them: numbers (and booleans) as doubles, strings as
// strings, anything else as its JSON text.
json normalise_metrics(const json& metrics) {
  json out = json::object();
  for (const auto& [name, v] : metrics.items()) {
    if (v.is_number() || v.is_boolean())
      out[name] = v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>();
    else if (v.is_string())
      out[name] = v;
    else
      out[name] = v.dump();
  }
  return out;
}

void hash_double(Sha256& h, double d) {
  if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();  // one NaN pattern
  unsigned char b[8];
  std::memcpy(b, &d, 8);
  h.update(b, 8);
}
void hash_string(Sha256& h, const std::string& s) {
  std::uint64_t n = s.size();
  h.update(&n, sizeof n);
  h.update(s);
}

// ---- per-task result files -------------------------------------------------------------

void write_result_file(const std::string& path, const std::string& key, const std::string& kind,
                       const TaskResult& r, const std::string& digest, bool sync) {
  std::string image;
  {
    h5::Handle f = h5::create_memory_file(path);
    h5::set_attr(f, "schema_version", static_cast<double>(kSchemaVersion));
    h5::set_attr(f, "key", key);
    h5::set_attr(f, "kind", kind);
    h5::set_attr(f, "digest", digest);
    h5::set_attr(f, "extra", r.extra.dump());
    h5::Handle m = h5::ensure_group(f, "metrics");
    const json metrics = normalise_metrics(r.metrics);
    for (const auto& [name, v] : metrics.items()) {
      if (v.is_string())
        h5::set_attr(m, name, v.get<std::string>());
      else
        h5::set_attr(m, name, v.get<double>());
    }
    h5::Handle c = h5::ensure_group(f, "curves");
    for (const auto& curve : r.curves) {
      GBM_CHECK(curve.name.find('/') == std::string::npos,
                "curve name '" << curve.name << "' has a '/'");
      h5::write(c, curve.name, curve.values);
    }
    h5::Handle p = h5::ensure_group(f, "predictions");
    for (const auto& pr : r.predictions) {
      GBM_CHECK(!pr.name.empty() && pr.name.find('/') == std::string::npos,
                "prediction set name '" << pr.name << "' is empty or has a '/'");
      GBM_CHECK(pr.labels.size() == pr.ids.size() && pr.scores.size() == pr.ids.size(),
                "prediction set '" << pr.name << "': ids, labels and scores differ in length");
      h5::Handle g = h5::ensure_group(p, pr.name);
      h5::write(g, "ids", pr.ids);
      h5::write(g, "labels", pr.labels);
      h5::write(g, "scores", pr.scores);
      if (!pr.samples.empty()) {
        GBM_CHECK(pr.samples.size() == pr.ids.size(),
                  "prediction set '" << pr.name << "': samples for " << pr.samples.size()
                                     << " of " << pr.ids.size() << " samples");
        std::size_t m_draws = pr.samples.front().size();
        std::vector<float> flat;
        flat.reserve(pr.samples.size() * m_draws);
        for (const auto& s : pr.samples) {
          GBM_CHECK(s.size() == m_draws, "prediction set '" << pr.name
                                                            << "': ragged stochastic samples");
          flat.insert(flat.end(), s.begin(), s.end());
        }
        h5::write(g, "samples", flat, {pr.samples.size(), m_draws});
      }
    }
    h5::Handle a = h5::ensure_group(f, "artifacts");
    for (const auto& [name, rel] : r.artifacts) h5::set_attr(a, name, rel);
    image = h5::file_image(f, path);
  }
  fs::atomic_write(path, image, sync);  // a full disk: StorageError, the old file stays
}

TaskResult read_result_file(const std::string& path) {
  if (!fs::exists(path)) throw InputError(path, "no such result file");
  TaskResult r;
  h5::Handle f = h5::open_file(path, false);
  r.extra = json::parse(h5::get_attr_string(f, "extra"));
  h5::Handle m = h5::open_group(f, "metrics");
  for (const auto& name : h5::attr_names(m)) {
    if (h5::attr_is_string(m, name))
      r.metrics[name] = h5::get_attr_string(m, name);
    else
      r.metrics[name] = h5::get_attr_double(m, name);
  }
  h5::Handle c = h5::open_group(f, "curves");
  for (const auto& name : h5::link_names(c)) r.curves.push_back({name, h5::read_doubles(c, name)});
  h5::Handle p = h5::open_group(f, "predictions");
  for (const auto& name : h5::link_names(p)) {
    h5::Handle g = h5::open_group(p, name);
    Predictions pr;
    pr.name = name;
    pr.ids = h5::read_strings(g, "ids");
    pr.labels = h5::read_doubles(g, "labels");
    pr.scores = h5::read_doubles(g, "scores");
    if (h5::exists(g, "samples")) {
      std::vector<hsize_t> dims;
      auto flat = h5::read_floats(g, "samples", &dims);
      GBM_CHECK(dims.size() == 2, path << ": samples of '" << name << "' are not 2-D");
      for (hsize_t i = 0; i < dims[0]; ++i)
        pr.samples.emplace_back(flat.begin() + i * dims[1], flat.begin() + (i + 1) * dims[1]);
    }
    r.predictions.push_back(std::move(pr));
  }
  h5::Handle a = h5::open_group(f, "artifacts");
  for (const auto& name : h5::attr_names(a)) r.artifacts[name] = h5::get_attr_string(a, name);
  return r;
}

// ---- journal ---------------------------------------------------------------------------

// Integers of a journal event, checked: nlohmann's get<> casts a double such as 5.3e19 to the
// integer type unchecked (undefined behaviour, found by bench/fuzz fuzz_journal).
std::uint64_t event_seed(const json& j) {
  if (!j.is_number_unsigned()) throw std::invalid_argument("seed is not an unsigned integer");
  return j.get<std::uint64_t>();
}
std::vector<int> event_ranks(const json& j) {
  std::vector<int> ranks;
  for (const json& r : j) {  // a non-array throws json::type_error
    if (!r.is_number_integer() || r.get<std::int64_t>() < 0 || r.get<std::int64_t>() > 1 << 30)
      throw std::invalid_argument("a rank is not a small non-negative integer");
    ranks.push_back(int(r.get<std::int64_t>()));
  }
  if (!j.is_array()) throw std::invalid_argument("ranks is not an array");
  return ranks;
}

json record_to_add_event(const TaskRecord& r) {
  return {{"e", "add"},       {"key", r.key},     {"kind", r.kind},   {"study", r.study},
          {"name", r.name},   {"params", r.params}, {"deps", r.deps}, {"seed", r.seed},
          {"code", r.code_version}};
}

}  // namespace

struct Store::Impl {
  std::string dir;
  StoreInfo info;
  StoreOptions options;
  bool writer = false;
  int lock_fd = -1;
  int journal_fd = -1;
  std::vector<TaskRecord> records;
  std::unordered_map<std::string, std::size_t> index;
  std::unordered_map<std::string, std::string> digests;
  bool dirty = false;
  double last_flush = 0;

  ~Impl() {
    if (journal_fd >= 0) ::close(journal_fd);
    if (lock_fd >= 0) ::close(lock_fd);  // releases the flock
  }

  std::string journal_path() const { return dir + "/journal.jsonl"; }

  TaskRecord& rec(const std::string& key) {
    auto it = index.find(key);
    GBM_CHECK(it != index.end(), "task " << key << " is not in the store " << dir);
    return records[it->second];
  }

  // One journal event. Every field is read before anything changes, so that a malformed
  // event (json::exception, caught by replay) leaves the records as they were.
  void apply(const json& ev, std::size_t line = 0) {  // line: in the journal, for warnings
    const std::string e = ev.at("e");
    if (e == "store") {
      info.sweep_name = ev.value("sweep_name", "");
      info.sweep_path = ev.value("sweep_path", "");
      info.config = ev.value("config", json::object());
      info.code_version = ev.value("code", "");
      return;
    }
    const std::string key = ev.at("key");
    if (e == "add") {
      if (index.count(key)) return;
      TaskRecord r;
      r.key = key;
      r.kind = ev.at("kind");
      r.study = ev.at("study");
      r.name = ev.at("name");
      r.params = ev.at("params");
      r.deps = ev.at("deps").get<std::vector<std::string>>();
      r.seed = event_seed(ev.at("seed"));
      r.code_version = ev.value("code", "");
      index[key] = records.size();
      records.push_back(std::move(r));
      return;
    }
    auto it = index.find(key);
    if (it == index.end()) {  // its "add" line was unreadable: the plan adds the task again
      GBM_LOG(Warn, journal_path() << ":" << line << ": event for unknown task " << key << " ignored");
      return;
    }
    TaskRecord& r = records[it->second];
    if (e == "run") {
      const double t0 = ev.at("t0");
      auto ranks = event_ranks(ev.at("ranks"));
      const std::string host = ev.at("host");
      r.status = "running";
      r.error.clear();
      r.start_time = t0;
      r.end_time = 0;
      r.ranks = std::move(ranks);
      r.host = host;
      digests.erase(key);
    } else if (e == "done" || e == "fail") {
      const double t0 = ev.at("t0"), t1 = ev.at("t1");
      auto ranks = event_ranks(ev.at("ranks"));
      const std::string host = ev.at("host");
      const std::string error = e == "fail" ? ev.at("error").get<std::string>() : "";
      const std::string digest = e == "done" ? ev.at("digest").get<std::string>() : "";
      r.status = e == "done" ? "done" : "failed";
      r.start_time = t0;
      r.end_time = t1;
      r.ranks = std::move(ranks);
      r.host = host;
      r.error = error;
      if (e == "done") digests[key] = digest;
      else digests.erase(key);
    } else if (e == "pend") {
      r.status = "pending";
      digests.erase(key);
    } else {
      GBM_LOG(Warn, journal_path() << ":" << line << ": unknown event '" << e << "' ignored");
    }
  }

  // Replays complete lines; returns the byte length of the complete part (a torn last line,
  // from a kill in the middle of a write, is ignored and later truncated by the writer).
  // Unreadable lines (a torn write followed by more, after a full disk) and malformed events
  // are ignored with a warning naming the line: the task they concern runs again, rather than
  // one bad line stopping every resume (found by bench/fuzz fuzz_journal).
  std::size_t replay() {
    if (!fs::exists(journal_path())) return 0;
    std::string text = fs::read_all(journal_path());
    std::size_t pos = 0, complete = 0, line_no = 0;
    while (pos < text.size()) {
      std::size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) break;
      std::string line = text.substr(pos, nl - pos);
      pos = nl + 1;
      complete = pos;
      ++line_no;
      if (line.empty()) continue;
      json ev = json::parse(line, nullptr, false);
      if (ev.is_discarded()) {
        GBM_LOG(Warn, journal_path() << ":" << line_no << ": unreadable line ignored");
        continue;
      }
      try {
        apply(ev, line_no);
      } catch (const json::exception& ex) {
        GBM_LOG(Warn, journal_path() << ":" << line_no << ": malformed event ignored ("
                                     << ex.what() << ")");
      } catch (const std::invalid_argument& ex) {  // event_seed, event_ranks
        GBM_LOG(Warn, journal_path() << ":" << line_no << ": malformed event ignored ("
                                     << ex.what() << ")");
      }
    }
    return complete;
  }

  // `sync`: the lines are a commit point (done/fail) and must survive a node crash.
  void append(const std::vector<json>& events, bool sync = false) {
    GBM_CHECK(writer, "store " << dir << " is open read-only");
    std::string bytes;
    for (const auto& ev : events) bytes += ev.dump() + "\n";
    std::size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = ::write(journal_fd, bytes.data() + off, bytes.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == ENOSPC || errno == EDQUOT))  // a torn line is dropped on replay
        throw StorageError(journal_path() + ": No space left on device while appending to it",
                           __FILE__, __LINE__);
      GBM_CHECK(n >= 0, "cannot append to " << journal_path() << ": " << std::strerror(errno));
      off += static_cast<std::size_t>(n);
    }
    if (sync && options.sync) ::fdatasync(journal_fd);
    for (const auto& ev : events) apply(ev);
    dirty = true;
  }

  void write_index() {
    std::string path = dir + "/store.h5";
    std::string image;
    {
      h5::Handle f = h5::create_memory_file(path);
      h5::set_attr(f, "schema_version", static_cast<double>(kSchemaVersion));
      h5::set_attr(f, "sweep_name", info.sweep_name);
      h5::set_attr(f, "sweep_path", info.sweep_path);
      h5::set_attr(f, "config", info.config.dump());
      h5::set_attr(f, "code_version", info.code_version);
      h5::set_attr(f, "updated", now_s());
      std::map<std::string, double> counts = {
          {"pending", 0}, {"running", 0}, {"done", 0}, {"failed", 0}};
      std::vector<std::string> key, kind, study, name, status, error, params, deps, ranks, host,
          code, digest;
      std::vector<std::uint64_t> seed;
      std::vector<double> t0, t1;
      for (const auto& r : records) {
        counts[r.status] += 1;
        key.push_back(r.key);
        kind.push_back(r.kind);
        study.push_back(r.study);
        name.push_back(r.name);
        status.push_back(r.status);
        error.push_back(r.error);
        params.push_back(r.params.dump());
        deps.push_back(json(r.deps).dump());
        ranks.push_back(json(r.ranks).dump());
        host.push_back(r.host);
        code.push_back(r.code_version);
        auto d = digests.find(r.key);
        digest.push_back(d == digests.end() ? "" : d->second);
        seed.push_back(r.seed);
        t0.push_back(r.start_time);
        t1.push_back(r.end_time);
      }
      for (const auto& [s, n] : counts) h5::set_attr(f, "n_" + s, n);
      h5::Handle t = h5::ensure_group(f, "tasks");
      h5::write(t, "key", key);
      h5::write(t, "kind", kind);
      h5::write(t, "study", study);
      h5::write(t, "name", name);
      h5::write(t, "status", status);
      h5::write(t, "error", error);
      h5::write(t, "params", params);
      h5::write(t, "deps", deps);
      h5::write(t, "ranks", ranks);
      h5::write(t, "host", host);
      h5::write(t, "code_version", code);
      h5::write(t, "digest", digest);
      h5::write(t, "seed", seed);
      h5::write(t, "start_time", t0);
      h5::write(t, "end_time", t1);
      // External links make every done task's results reachable from store.h5
      // (f["results"][key]["metrics"] in h5py); the target path is relative to store.h5.
      h5::Handle res = h5::ensure_group(f, "results");
      for (const auto& r : records) {
        if (r.status != "done") continue;
        h5::link_external(res, r.key, "results/" + r.key + ".h5");
      }
      image = h5::file_image(f, path);
    }
    fs::atomic_write(path, image, options.sync);
    dirty = false;
    last_flush = now_s();
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() {
  if (impl_ && impl_->writer && impl_->dirty) {
    try {
      impl_->write_index();
    } catch (const std::exception& e) {
      GBM_LOG(Warn, "could not rewrite " << impl_->dir << "/store.h5: " << e.what());
    }
  }
}

Store Store::open_or_create(const std::string& dir_in, const StoreInfo& info,
                            const StoreOptions& options) {
  auto impl = std::make_unique<Impl>();
  std::error_code ec;
  stdfs::create_directories(dir_in, ec);
  if (ec) throw InputError(dir_in, "cannot create the store directory: " + ec.message());
  impl->dir = stdfs::absolute(dir_in).lexically_normal().string();
  if (!impl->dir.empty() && impl->dir.back() == '/') impl->dir.pop_back();
  impl->options = options;
  impl->writer = true;
  fs::make_dirs(impl->dir + "/results");
  fs::make_dirs(impl->dir + "/artifacts");

  std::string lock = impl->dir + "/.lock";
  impl->lock_fd = ::open(lock.c_str(), O_RDWR | O_CREAT, 0644);
  GBM_CHECK(impl->lock_fd >= 0, "cannot open " << lock << ": " << std::strerror(errno));
  if (::flock(impl->lock_fd, LOCK_EX | LOCK_NB) != 0)
    throw InputError(impl->dir, "the store is in use by another gbmsweep run");

  std::size_t complete = impl->replay();
  std::string jp = impl->journal_path();
  impl->journal_fd = ::open(jp.c_str(), O_WRONLY | O_CREAT, 0644);
  GBM_CHECK(impl->journal_fd >= 0, "cannot open " << jp << ": " << std::strerror(errno));
  // Drop a torn last line so that the next event starts on a line of its own.
  GBM_CHECK(::ftruncate(impl->journal_fd, static_cast<off_t>(complete)) == 0,
            "cannot truncate " << jp << ": " << std::strerror(errno));
  ::lseek(impl->journal_fd, 0, SEEK_END);

  // Results whose rename happened but whose "done" line did not: a kill in between. The task
  // is not done (it reruns); the orphan and stale temporaries are removed.
  for (const auto& entry : stdfs::directory_iterator(impl->dir + "/results")) {
    std::string fname = entry.path().filename().string();
    bool tmp = fname.find(".tmp.") != std::string::npos;
    std::string key = fname.size() > 3 ? fname.substr(0, fname.size() - 3) : "";
    if (tmp || !impl->digests.count(key)) stdfs::remove(entry.path(), ec);
  }

  json ev = {{"e", "store"},        {"schema", kSchemaVersion},    {"sweep_name", info.sweep_name},
             {"sweep_path", info.sweep_path}, {"config", info.config}, {"code", info.code_version}};
  impl->append({ev});
  impl->write_index();
  return Store(std::move(impl));
}

Store Store::open_read(const std::string& dir_in) {
  auto impl = std::make_unique<Impl>();
  impl->dir = stdfs::absolute(dir_in).lexically_normal().string();
  if (!impl->dir.empty() && impl->dir.back() == '/') impl->dir.pop_back();
  if (!fs::exists(impl->journal_path()))
    throw InputError(dir_in, "not a gbmsweep store (no journal.jsonl)");
  impl->replay();
  return Store(std::move(impl));
}

const std::string& Store::dir() const { return impl_->dir; }
const StoreInfo& Store::info() const { return impl_->info; }

void Store::add_tasks(const std::vector<TaskSpec>& tasks, const std::string& code_version) {
  std::vector<json> events;
  for (const auto& t : tasks) {
    check_key(t.key);
    if (impl_->index.count(t.key)) continue;
    TaskRecord r;
    r.key = t.key;
    r.kind = t.kind;
    r.study = t.study;
    r.name = t.name;
    r.params = t.params;
    r.deps = t.deps;
    r.seed = t.seed;  // the planner's, derived from the task's content key
    r.code_version = code_version;
    events.push_back(record_to_add_event(r));
  }
  if (!events.empty()) impl_->append(events);
}

namespace {
json run_fields(json ev, const RunInfo& run) {
  ev["t0"] = run.start_time;
  ev["t1"] = run.end_time;
  ev["ranks"] = run.ranks;
  ev["host"] = run.host;
  return ev;
}
}  // namespace

void Store::mark_running(const std::string& key, const RunInfo& run) {
  impl_->rec(key);
  impl_->append({run_fields({{"e", "run"}, {"key", key}}, run)});
}

void Store::mark_done(const std::string& key, const TaskResult& result, const RunInfo& run) {
  const TaskRecord& r = impl_->rec(key);
  std::string digest = digest_of(result);
  write_result_file(result_path(key), key, r.kind, result, digest, impl_->options.sync);
  impl_->append({run_fields({{"e", "done"}, {"key", key}, {"digest", digest}}, run)}, true);
}

void Store::mark_failed(const std::string& key, const std::string& message, const RunInfo& run) {
  impl_->rec(key);
  impl_->append({run_fields({{"e", "fail"}, {"key", key}, {"error", message}}, run)}, true);
}

void Store::mark_pending(const std::string& key) {
  impl_->rec(key);
  impl_->append({{{"e", "pend"}, {"key", key}}});
}

void Store::flush() {
  GBM_CHECK(impl_->writer, "store " << impl_->dir << " is open read-only");
  impl_->write_index();
}

void Store::flush_if_due() {
  if (impl_->dirty && now_s() - impl_->last_flush >= impl_->options.index_interval_s)
    impl_->write_index();
}

bool Store::has(const std::string& key) const { return impl_->index.count(key) > 0; }

const TaskRecord& Store::record(const std::string& key) const { return impl_->rec(key); }

std::vector<TaskRecord> Store::records(bool load_results) const {
  std::vector<TaskRecord> out = impl_->records;
  if (load_results)
    for (auto& r : out)
      if (r.status == "done") r.result = result(r.key);
  return out;
}

TaskResult Store::result(const std::string& key) const {
  const TaskRecord& r = impl_->rec(key);
  GBM_CHECK(r.status == "done", "task " << r.name << " (" << key << ") is " << r.status
                                        << ", not done: it has no result");
  return read_result_file(result_path(key));
}

std::string Store::digest(const std::string& key) const {
  auto it = impl_->digests.find(key);
  return it == impl_->digests.end() ? "" : it->second;
}

std::string Store::artifact_dir(const std::string& key) const {
  check_key(key);
  return impl_->dir + "/artifacts/" + key;
}

std::string Store::result_path(const std::string& key) const {
  check_key(key);
  return impl_->dir + "/results/" + key + ".h5";
}

TaskResult Store::read_result(const std::string& store_dir, const std::string& key) {
  check_key(key);
  return read_result_file(store_dir + "/results/" + key + ".h5");
}

std::string Store::digest_of(const TaskResult& result) {
  Sha256 h;
  h.update("gbmsweep-result-v1\n");
  const json metrics = normalise_metrics(result.metrics);
  for (const auto& [name, v] : metrics.items()) {
    hash_string(h, name);
    if (v.is_string()) {
      h.update("s");
      hash_string(h, v.get<std::string>());
    } else {
      h.update("d");
      hash_double(h, v.get<double>());
    }
  }
  std::vector<const Predictions*> preds;
  for (const auto& p : result.predictions) preds.push_back(&p);
  std::sort(preds.begin(), preds.end(),
            [](const Predictions* a, const Predictions* b) { return a->name < b->name; });
  for (const Predictions* p : preds) {
    h.update("p");
    hash_string(h, p->name);
    std::uint64_t n = p->ids.size();
    h.update(&n, sizeof n);
    for (const auto& id : p->ids) hash_string(h, id);
    for (double d : p->labels) hash_double(h, d);
    for (double d : p->scores) hash_double(h, d);
    for (const auto& s : p->samples) {
      std::uint64_t m = s.size();
      h.update(&m, sizeof m);
      for (float x : s) hash_double(h, static_cast<double>(x));
    }
  }
  return h.hex();
}

}  // namespace gbmsweep
