// `gbmsweep check` and the preflight of `gbmsweep run`: every problem at once, exit 2, nothing
// written, before any task starts.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/process.hpp"

namespace stdfs = std::filesystem;
using gbmsweep::test::run_shell;

namespace {
const std::string kExe = GBMSWEEP_EXE;
const std::string kSweeps = std::string(GBMSWEEP_SOURCE_DIR) + "/sweeps/";

stdfs::path fresh_dir(const std::string& name) {
  auto dir = stdfs::temp_directory_path() / name;
  stdfs::remove_all(dir);
  stdfs::create_directories(dir);
  return dir;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(check_cli)

BOOST_AUTO_TEST_CASE(missing_inputs_are_all_listed_and_exit_2) {
  // The smoke sweep names data/synth/{mri,drug} relative to the working directory: in an empty
  // one, both studies' inputs are missing, and both are reported in one round.
  auto dir = fresh_dir("gbmsweep_check_missing");
  auto r = run_shell("cd " + dir.string() + " && " + kExe + " check " + kSweeps + "smoke.toml");
  BOOST_TEST(r.rc == 2);
  BOOST_TEST(r.out.find("data/synth/mri: input named by the sweep") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("data/synth/drug: input named by the sweep") != std::string::npos, r.out);
  auto j = run_shell("cd " + dir.string() + " && " + kExe + " check " + kSweeps +
                     "smoke.toml --json 2>/dev/null");
  BOOST_TEST(j.rc == 2);
  auto parsed = nlohmann::json::parse(j.out);
  BOOST_TEST(parsed["ok"] == false);
  BOOST_TEST(parsed["problems"].size() >= 2u);
  BOOST_TEST(stdfs::is_empty(dir));  // nothing written
}

BOOST_AUTO_TEST_CASE(probe_sweep_passes) {
  auto r = run_shell(kExe + " check " + kSweeps + "probe.toml");
  BOOST_TEST(r.rc == 0, r.out);
  BOOST_TEST(r.out.find("ok, 60 tasks") != std::string::npos, r.out);
}

BOOST_AUTO_TEST_CASE(run_refuses_before_the_store_exists) {
  auto dir = fresh_dir("gbmsweep_check_run");
  auto r = run_shell("cd " + dir.string() + " && " + kExe + " run " + kSweeps +
                     "smoke.toml --store st");
  BOOST_TEST(r.rc == 2, r.out);
  BOOST_TEST(r.out.find("input problem(s); nothing was run") != std::string::npos, r.out);
  BOOST_TEST(!stdfs::exists(dir / "st"));
}

BOOST_AUTO_TEST_SUITE_END()
