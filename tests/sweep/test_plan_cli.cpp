// The `gbmsweep plan` command as users run it: JSON shape, exit codes, messages, no output files.
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/process.hpp"

namespace stdfs = std::filesystem;

namespace {
gbmsweep::test::Run run(const std::string& args) { return gbmsweep::test::run_gbmsweep(args); }
}  // namespace

BOOST_AUTO_TEST_SUITE(plan_cli)

BOOST_AUTO_TEST_CASE(json_lists_every_task) {
  auto r = run("plan " + std::string(GBMSWEEP_SOURCE_DIR) + "/sweeps/mgmt_paper.toml --json");
  BOOST_REQUIRE(r.rc == 0);
  auto j = nlohmann::json::parse(r.out);
  BOOST_TEST(j["sweep"] == "mgmt_paper");
  BOOST_TEST(j["total"] == 336);  // with the radiomics comparator (mri.radiomics)
  BOOST_TEST(j["tasks"].size() == 336u);
  BOOST_TEST(j["counts"]["mri.train"] == 165);
  for (const auto& t : j["tasks"]) {
    BOOST_TEST(t["key"].is_string());
    BOOST_TEST(t["kind"].is_string());
    BOOST_TEST(t["study"] == "mri");
    BOOST_TEST(t["params"].is_object());
    BOOST_TEST(t["deps"].is_array());
  }
}

BOOST_AUTO_TEST_CASE(bad_file_exit_2_with_location_and_nothing_written) {
  auto dir = stdfs::temp_directory_path() / "gbmsweep_plan_cli";
  stdfs::remove_all(dir);
  stdfs::create_directories(dir);
  std::ofstream(dir / "bad.toml") << "[sweep]\nname = \"x\"\n[probe]\nsleep_mx = 1.0\n";
  auto before = std::distance(stdfs::directory_iterator(dir), stdfs::directory_iterator());
  auto r = run("plan " + (dir / "bad.toml").string());
  BOOST_TEST(r.rc == 2);
  BOOST_TEST(r.out.find("bad.toml:4:1: unknown key 'probe.sleep_mx'") != std::string::npos, r.out);
  auto after = std::distance(stdfs::directory_iterator(dir), stdfs::directory_iterator());
  BOOST_TEST(before == after);
  stdfs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2) {
  BOOST_TEST(run("plan").rc == 2);
  BOOST_TEST(run("plan --no-such-option x.toml").rc == 2);
  BOOST_TEST(run("no-such-command").rc == 2);
  BOOST_TEST(run("plan /nonexistent.toml").rc == 2);
  auto r = run("--version");
  BOOST_TEST(r.rc == 0);
  BOOST_TEST(r.out.find("cuda:") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(run_cli)

// A malformed sweep file must not touch an existing store: exit 2, the message names
// file:line:column, and the store's journal is byte-for-byte unchanged.
BOOST_AUTO_TEST_CASE(bad_sweep_leaves_the_store_untouched) {
  auto dir = stdfs::temp_directory_path() / "gbmsweep_run_bad_sweep";
  stdfs::remove_all(dir);
  stdfs::create_directories(dir);
  std::ofstream(dir / "good.toml") << "[sweep]\nname = \"p\"\n[probe]\ntasks = 3\nlevels = 2\n"
                                      "sleep_min = 0.0\nsleep_max = 0.01\n";
  std::ofstream(dir / "bad.toml") << "[sweep]\nname = \"p\"\n[probe]\ntasks = \"three\"\n";
  std::string store = (dir / "store").string();
  auto ok = run("run " + (dir / "good.toml").string() + " --store " + store);
  BOOST_REQUIRE_MESSAGE(ok.rc == 0, ok.out);
  std::ifstream j1(store + "/journal.jsonl");
  std::string before((std::istreambuf_iterator<char>(j1)), std::istreambuf_iterator<char>());
  auto bad = run("run " + (dir / "bad.toml").string() + " --store " + store);
  BOOST_TEST(bad.rc == 2);
  BOOST_TEST(bad.out.find("bad.toml:4:9: key 'probe.tasks' must be an integer") != std::string::npos,
             bad.out);
  std::ifstream j2(store + "/journal.jsonl");
  std::string after((std::istreambuf_iterator<char>(j2)), std::istreambuf_iterator<char>());
  BOOST_TEST(before == after);
  auto st = run("status --store " + store + " --json");
  BOOST_REQUIRE(st.rc == 0);
  BOOST_TEST(nlohmann::json::parse(st.out)["counts"]["done"] == 3);
  stdfs::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
