// The result store on its own: round trips, digests, crash leftovers, the writer lock.
#define BOOST_TEST_MODULE gbmsweep store
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "common/error.hpp"
#include "common/h5.hpp"
#include "common/hash.hpp"
#include "store/store.hpp"

using namespace gbmsweep;
namespace stdfs = std::filesystem;

namespace {

std::string fresh_dir(const std::string& name) {
  std::string d = std::string(GBMSWEEP_BINARY_DIR) + "/tests/store/tmp/" + name;
  stdfs::remove_all(d);
  return d;
}

TaskSpec spec(const std::string& key, std::vector<std::string> deps = {}) {
  TaskSpec t;
  t.key = key;
  t.kind = "probe";
  t.study = "probe";
  t.name = "probe/" + key;
  t.params = {{"value", 1}};
  t.deps = std::move(deps);
  t.seed = seed_from_hex(sha256_hex("seed:" + key));  // as the planner derives it
  return t;
}

TaskResult sample_result() {
  TaskResult r;
  r.metrics = {{"auc", 0.75}, {"epochs", 3}, {"loss", std::nan("")}, {"model", "spottune"},
               {"ok", true}};
  r.curves = {{"train_loss", {1.0, 0.5, 0.25}}};
  Predictions p;
  p.name = "test";
  p.ids = {"P1", "P2", "P3"};
  p.labels = {0, 1, 1};
  p.scores = {0.1, 0.8, 0.6};
  p.samples = {{0.1f, 0.2f}, {0.7f, 0.9f}, {0.5f, 0.6f}};
  r.predictions = {p, Predictions{"val", {"P9"}, {1}, {0.4}, {}}};
  r.artifacts = {{"weights", "artifacts/k1/model.pt"}};
  r.extra = {{"top_genes", {"EGFR", "PTEN"}}};
  return r;
}

StoreInfo info() { return {"unit", "unit.toml", {{"a", 1}}, "test"}; }

RunInfo run() { return {100.0, 101.5, {1}, "node1"}; }

}  // namespace

BOOST_AUTO_TEST_CASE(results_round_trip_and_digests_match) {
  std::string dir = fresh_dir("roundtrip");
  Store s = Store::open_or_create(dir, info());
  s.add_tasks({spec("k1"), spec("k2", {"k1"})}, "v1");
  s.mark_running("k1", run());
  TaskResult in = sample_result();
  s.mark_done("k1", in, run());
  TaskResult out = s.result("k1");
  BOOST_TEST(out.metrics.at("auc").get<double>() == 0.75);
  BOOST_TEST(out.metrics.at("epochs").get<double>() == 3.0);
  BOOST_TEST(std::isnan(out.metrics.at("loss").get<double>()));
  BOOST_TEST(out.metrics.at("model").get<std::string>() == "spottune");
  BOOST_TEST(out.metrics.at("ok").get<double>() == 1.0);
  BOOST_REQUIRE_EQUAL(out.predictions.size(), 2u);
  BOOST_TEST(out.predictions[0].name == "test");
  BOOST_TEST(out.predictions[0].ids == in.predictions[0].ids);
  BOOST_TEST(out.predictions[0].scores == in.predictions[0].scores);
  BOOST_TEST(out.predictions[0].samples == in.predictions[0].samples);
  BOOST_TEST(out.predictions[1].samples.empty());
  BOOST_TEST(out.curves.at(0).values == in.curves.at(0).values);
  BOOST_TEST(out.artifacts.at("weights") == "artifacts/k1/model.pt");
  BOOST_TEST(out.extra == in.extra);
  BOOST_TEST(s.digest("k1") == Store::digest_of(in));
  BOOST_TEST(s.digest("k1") == Store::digest_of(out));
  BOOST_TEST(s.digest("k2") == "");
  const TaskRecord& r = s.record("k1");
  BOOST_TEST(r.status == "done");
  BOOST_TEST(r.host == "node1");
  BOOST_TEST(r.end_time == 101.5);
  BOOST_TEST(r.seed == spec("k1").seed);  // the store keeps the planner's seed
  BOOST_TEST(r.seed != s.record("k2").seed);

  // A reader sees the same, and store.h5 (rewritten atomically) lists both tasks.
  Store reader = Store::open_read(dir);
  BOOST_TEST(reader.digest("k1") == s.digest("k1"));
  s.flush();
  h5::Handle f = h5::open_file(dir + "/store.h5", false);
  BOOST_TEST((h5::read_strings(h5::open_group(f, "tasks"), "status") ==
              std::vector<std::string>{"done", "pending"}));
}

BOOST_AUTO_TEST_CASE(digest_covers_metrics_and_predictions_not_curves) {
  TaskResult a = sample_result(), b = sample_result();
  b.curves[0].values[0] = 99;
  b.artifacts.clear();
  BOOST_TEST(Store::digest_of(a) == Store::digest_of(b));
  b.predictions[0].scores[1] = 0.81;
  BOOST_TEST(Store::digest_of(a) != Store::digest_of(b));
  b = sample_result();
  b.metrics["auc"] = 0.76;
  BOOST_TEST(Store::digest_of(a) != Store::digest_of(b));
  // Prediction sets are hashed by name, whatever order the task returned them in.
  b = sample_result();
  std::swap(b.predictions[0], b.predictions[1]);
  BOOST_TEST(Store::digest_of(a) == Store::digest_of(b));
}

BOOST_AUTO_TEST_CASE(crash_leftovers_are_ignored_on_reopen) {
  std::string dir = fresh_dir("crash");
  {
    Store s = Store::open_or_create(dir, info());
    s.add_tasks({spec("k1"), spec("k2")}, "v1");
    s.mark_running("k1", run());
    s.mark_done("k1", sample_result(), run());
    s.mark_running("k2", run());
  }
  // A kill mid-append leaves a torn line; one between rename and journal, an orphan result;
  // one during a write, a temporary.
  std::ofstream(dir + "/journal.jsonl", std::ios::app) << "{\"e\":\"done\",\"key\":\"k2\",\"dig";
  stdfs::copy_file(dir + "/results/k1.h5", dir + "/results/k2.h5");
  std::ofstream(dir + "/results/k1.h5.tmp.123") << "partial";

  Store s = Store::open_or_create(dir, info());
  BOOST_TEST(s.record("k1").status == "done");
  BOOST_TEST(s.record("k2").status == "running");  // reran by the scheduler
  BOOST_TEST(!stdfs::exists(dir + "/results/k2.h5"));
  BOOST_TEST(!stdfs::exists(dir + "/results/k1.h5.tmp.123"));
  s.mark_running("k2", run());
  s.mark_done("k2", sample_result(), run());
  Store reader = Store::open_read(dir);
  BOOST_TEST(reader.record("k2").status == "done");
  BOOST_TEST(reader.digest("k2") == Store::digest_of(sample_result()));
}

BOOST_AUTO_TEST_CASE(one_writer_at_a_time) {
  std::string dir = fresh_dir("lock");
  Store s = Store::open_or_create(dir, info());
  BOOST_CHECK_THROW(Store::open_or_create(dir, info()), InputError);
  BOOST_CHECK_THROW(Store::open_read(fresh_dir("nothing")), InputError);
  BOOST_CHECK_THROW(s.add_tasks({spec("bad/key")}, "v1"), Error);
  BOOST_CHECK_THROW(s.result("unknown"), Error);
}

BOOST_AUTO_TEST_CASE(failed_and_pending_states_are_recorded) {
  std::string dir = fresh_dir("states");
  Store s = Store::open_or_create(dir, info());
  s.add_tasks({spec("k1"), spec("k2")}, "v1");
  s.mark_running("k1", run());
  s.mark_failed("k1", "NaN loss at epoch 3", run());
  s.mark_running("k2", run());
  s.mark_pending("k2");
  Store reader = Store::open_read(dir);
  BOOST_TEST(reader.record("k1").status == "failed");
  BOOST_TEST(reader.record("k1").error == "NaN loss at epoch 3");
  BOOST_TEST(reader.record("k2").status == "pending");
  BOOST_CHECK_THROW(reader.result("k1"), Error);
}

// Found by bench/fuzz fuzz_journal: one bit flipped in a journal line ("params" → "paramS")
// made every later open throw the JSON library's "key 'params' not found", naming neither the
// file nor the line, so no resume could start. Malformed events are now ignored (with a
// warning naming file:line) like unreadable lines, and leave the records as they were.
BOOST_AUTO_TEST_CASE(malformed_journal_events_are_ignored) {
  std::string dir = fresh_dir("malformed");
  {
    Store s = Store::open_or_create(dir, info());
    s.add_tasks({spec("k1"), spec("k2")}, "v1");
    s.mark_running("k1", run());
    s.mark_done("k1", sample_result(), run());
  }
  {
    std::ofstream j(dir + "/journal.jsonl", std::ios::app);
    // An add without params, then events for the task it did not add.
    j << R"({"code":"v1","deps":[],"e":"add","key":"k3","kind":"probe","name":"p","paramS":{},"seed":1,"study":"probe"})"
      << "\n"
      << R"({"e":"done","key":"k3","t0":1,"t1":2,"ranks":[1],"host":"h","digest":"x"})" << "\n"
      // Fields of the wrong type: k1 keeps its done state, k2 stays pending.
      << R"({"e":"run","key":"k1","t0":"soon","ranks":[1],"host":"h"})" << "\n"
      << R"({"e":"done","key":"k2","t0":1,"t1":2,"ranks":[1],"host":"h","digest":7})" << "\n"
      // Numbers out of their type's range (nlohmann's get<> cast them unchecked: UB).
      << R"({"code":"v1","deps":[],"e":"add","key":"k4","kind":"probe","name":"p","params":{},"seed":5.3e19,"study":"probe"})"
      << "\n"
      << R"({"e":"run","key":"k2","t0":1,"ranks":[1e30],"host":"h"})" << "\n"
      // Valid JSON that is no event at all.
      << "5\n[]\n{\"e\":3}\n";
  }
  Store reader = Store::open_read(dir);
  BOOST_TEST(reader.records(false).size() == 2u);
  BOOST_TEST(!reader.has("k3"));
  BOOST_TEST(!reader.has("k4"));
  BOOST_TEST(reader.record("k1").status == "done");
  BOOST_TEST(reader.record("k1").start_time == run().start_time);
  BOOST_TEST(reader.digest("k1") == Store::digest_of(sample_result()));
  BOOST_TEST(reader.record("k2").status == "pending");
  // The writer opens it too (a resume), and the task whose add was lost is added again.
  Store s = Store::open_or_create(dir, info());
  s.add_tasks({spec("k1"), spec("k2"), spec("k3")}, "v1");
  BOOST_TEST(s.record("k3").status == "pending");
  BOOST_TEST(s.record("k1").status == "done");
}
