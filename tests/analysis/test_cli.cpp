// `gbmsweep stats` and `gbmsweep metrics` end to end: the JSON contract and the exit codes.
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/fs.hpp"
#include "support/process.hpp"

using json = nlohmann::json;

namespace {

using gbmsweep::test::Run;

// Runs the gbmsweep executable with `args` (stderr to stdout).
Run run_cli(const std::string& args) { return gbmsweep::test::run_gbmsweep(args); }

std::string scratch(const std::string& name, const std::string& content) {
  auto dir = std::filesystem::temp_directory_path() / ("gbmsweep_cli_" + std::to_string(::getpid()));
  std::string path = (dir / name).string();
  gbmsweep::fs::atomic_write(path, content);
  return path;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(stats_json_contract) {
  std::string f = scratch("s.csv",
                          "block,method,score\n"
                          "p1,A,0.9\np1,B,0.5\np1,C,0.1\np2,A,0.8\np2,B,0.6\np2,C,0.2\n"
                          "p3,A,0.7\np3,B,0.4\np3,C,0.3\n\"p4\",A,1\np4,B,0.5\np4,C,0\n");
  Run r = run_cli("stats --input " + f + " --alpha 0.1");
  BOOST_TEST_REQUIRE(r.rc == 0, r.out);
  json j = json::parse(r.out);
  BOOST_TEST(j["methods"] == json({"A", "B", "C"}));
  BOOST_TEST(j["blocks"] == 4);
  BOOST_TEST(j["mean_ranks"]["C"].get<double>() == 3.0);
  BOOST_TEST(j["friedman"]["statistic"].get<double>() == 8.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(j["friedman"]["df"] == 2);
  BOOST_TEST(j["friedman"]["p"].is_number());
  BOOST_TEST(j["nemenyi"].size() == 3u);
  for (const char* key : {"a", "b", "q", "p", "p_clipped"}) BOOST_TEST(j["nemenyi"][0].contains(key));
  BOOST_TEST(j["alpha"].get<double>() == 0.1);
  BOOST_TEST(j["critical_difference"].get<double>() > 0);
  Run md = run_cli("stats --input " + f + " --format md");
  BOOST_TEST(md.rc == 0);
  BOOST_TEST(md.out.find("| A | C | 4 |") != std::string::npos, md.out);
}

BOOST_AUTO_TEST_CASE(stats_degenerate_input_is_a_clear_error) {
  Run inc = run_cli("stats --input " + scratch("inc.csv", "block,method,score\np1,A,1\np1,B,2\np2,A,3\n"));
  BOOST_TEST(inc.rc == 2);
  BOOST_TEST(inc.out.find("lack a score") != std::string::npos, inc.out);
  Run one = run_cli("stats --input " + scratch("one.csv", "block,method,score\np1,A,1\np2,A,2\n"));
  BOOST_TEST(one.rc == 2);
  BOOST_TEST(one.out.find("at least 2 methods") != std::string::npos, one.out);
  Run tied = run_cli("stats --input " + scratch("tied.csv", "block,method,score\np1,A,1\np1,B,1\np2,A,2\np2,B,2\n"));
  BOOST_TEST(tied.rc == 2);
  BOOST_TEST(tied.out.find("tied") != std::string::npos, tied.out);
  BOOST_TEST(run_cli("stats --input " + scratch("bad.csv", "block,method\np1,A\n")).rc == 2);
  BOOST_TEST(run_cli("stats").rc == 2);
}

BOOST_AUTO_TEST_CASE(metrics_json_contract_and_errors) {
  std::string f = scratch("p.csv", "id,label,score\na,0,0.1\nb,0,0.4\nc,1,0.35\nd,1,0.8\n");
  Run r = run_cli("metrics --input " + f);
  BOOST_TEST_REQUIRE(r.rc == 0, r.out);
  json j = json::parse(r.out);
  BOOST_TEST(j.size() == 8u);
  BOOST_TEST(j["n"] == 4);
  BOOST_TEST(j["positives"] == 2);
  BOOST_TEST(j["auc"].get<double>() == 0.75, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(j["ap"].get<double>() == 5.0 / 6.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(j["sen"].get<double>() == 0.5);
  BOOST_TEST(j["spe"].get<double>() == 1.0);
  BOOST_TEST(j["acc"].get<double>() == 0.75);
  BOOST_TEST(j["threshold"].get<double>() == 0.5);
  json t = json::parse(run_cli("metrics --input " + f + " --threshold 0.3 --bootstrap 50").out);
  BOOST_TEST(t["sen"].get<double>() == 1.0);
  BOOST_TEST(t["auc_ci"].size() == 2u);
  Run one = run_cli("metrics --input " + scratch("one.csv", "id,label,score\na,1,0.1\nb,1,0.3\n"));
  BOOST_TEST(one.rc == 2);
  BOOST_TEST(one.out.find("one class") != std::string::npos, one.out);
  Run flat = run_cli("metrics --input " + scratch("flat.csv", "id,label,score\na,1,0.5\nb,0,0.5\n"));
  BOOST_TEST(flat.rc == 0);
  BOOST_TEST(flat.out.find("carry no information") != std::string::npos, flat.out);
  Run bad = run_cli("metrics --input " + scratch("bad.csv", "id,label,score\na,1,0.1\nb,2,0.3\n"));
  BOOST_TEST(bad.rc == 2);
  BOOST_TEST(bad.out.find("line 3") != std::string::npos, bad.out);
}

BOOST_AUTO_TEST_CASE(cleanup) {
  std::filesystem::remove_all(std::filesystem::temp_directory_path() /
                              ("gbmsweep_cli_" + std::to_string(::getpid())));
}

BOOST_AUTO_TEST_SUITE_END()
