// Cross-checks against Debian's scipy and sklearn (/usr/bin/python3) on random inputs with ties:
// the scores are drawn from a few levels so that ties within and across classes are common.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <random>

#include <nlohmann/json.hpp>

#include "analysis/metrics.hpp"
#include "analysis/stats.hpp"
#include "common/fs.hpp"

namespace ga = gbmsweep::analysis;
using json = nlohmann::json;
using V = std::vector<double>;

namespace {

// Runs crosscheck.py on `cases` and returns its results (one per case).
json python_reference(const json& cases) {
  auto dir = std::filesystem::temp_directory_path() /
             ("gbmsweep_crosscheck_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string in = (dir / "in.json").string(), out = (dir / "out.json").string();
  gbmsweep::fs::atomic_write(in, cases.dump());
  std::string cmd = std::string("/usr/bin/python3 ") + GBMSWEEP_SOURCE_DIR +
                    "/tests/analysis/crosscheck.py " + in + " " + out;
  int rc = std::system(cmd.c_str());
  BOOST_TEST_REQUIRE(rc == 0, "crosscheck.py failed: " << cmd);
  json res = json::parse(gbmsweep::fs::read_all(out));
  std::filesystem::remove_all(dir);
  return res;
}

V draw_levels(std::mt19937_64& rng, std::size_t n, int levels) {
  std::uniform_int_distribution<int> d(0, levels - 1);
  V v(n);
  for (auto& x : v) x = d(rng) / static_cast<double>(levels - 1);
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(crosscheck)

BOOST_AUTO_TEST_CASE(metrics_match_sklearn_and_scipy) {
  std::mt19937_64 rng(2024);
  json cases = json::array();
  std::vector<std::pair<V, V>> binary, pairs;
  for (int c = 0; c < 40; ++c) {
    std::size_t n = 5 + c * 3;
    V y(n), s = draw_levels(rng, n, 2 + c % 7);
    for (std::size_t i = 0; i < n; ++i) y[i] = (rng() % 3 == 0) || (s[i] > 0.7 && rng() % 2);
    y[0] = 0;
    y[1] = 1;
    binary.emplace_back(y, s);
    cases.push_back({{"kind", "binary"}, {"labels", y}, {"scores", s}});
    V a = draw_levels(rng, n, 3 + c % 5), b = draw_levels(rng, n, 4);
    for (std::size_t i = 0; i < n; ++i) b[i] += 0.5 * a[i];
    a[0] = 0, a[1] = 1, b[0] = 0, b[1] = 2;  // neither constant
    pairs.emplace_back(a, b);
    cases.push_back({{"kind", "corr"}, {"x", a}, {"y", b}});
  }
  json ref = python_reference(cases);
  auto tol = boost::test_tools::tolerance(1e-10);
  for (std::size_t c = 0; c < binary.size(); ++c) {
    const json& rb = ref[2 * c];
    const json& rc = ref[2 * c + 1];
    BOOST_TEST(ga::roc_auc(binary[c].first, binary[c].second) == rb["auc"].get<double>(), tol);
    BOOST_TEST(ga::average_precision(binary[c].first, binary[c].second) == rb["ap"].get<double>(), tol);
    BOOST_TEST(ga::spearman(pairs[c].first, pairs[c].second) == rc["spearman"].get<double>(), tol);
    BOOST_TEST(ga::pearson(pairs[c].first, pairs[c].second) == rc["pearson"].get<double>(), tol);
    BOOST_TEST(ga::rmse(pairs[c].first, pairs[c].second) == rc["rmse"].get<double>(), tol);
  }
}

BOOST_AUTO_TEST_CASE(friedman_nemenyi_match_scipy) {
  std::mt19937_64 rng(7);
  json cases = json::array();
  std::vector<ga::ScoreTable> tables;
  for (int c = 0; c < 24; ++c) {
    int k = 3 + c % 4, n = 4 + 5 * c;
    ga::ScoreTable t;
    for (int m = 0; m < k; ++m) t.methods.push_back("m" + std::to_string(m));
    for (int b = 0; b < n; ++b) {
      V row = draw_levels(rng, k, 3 + c % 3);  // few levels: ties inside blocks
      for (int m = 0; m < k; ++m) row[m] += (c % 2) * 0.2 * m;  // half the cases with an effect
      t.scores.push_back(row);
    }
    t.scores[0][0] = 0, t.scores[0][1] = 1;  // at least one untied block
    tables.push_back(t);
    cases.push_back({{"kind", "friedman"}, {"scores", t.scores}, {"alpha", 0.05}});
  }
  json ref = python_reference(cases);
  auto tol = boost::test_tools::tolerance(1e-9);
  for (std::size_t c = 0; c < tables.size(); ++c) {
    auto r = ga::friedman_nemenyi(tables[c]);
    const json& e = ref[c];
    BOOST_TEST(r.statistic == e["statistic"].get<double>(), tol);
    BOOST_TEST(r.p == e["p"].get<double>(), tol);
    BOOST_TEST(r.critical_difference == e["cd"].get<double>(), boost::test_tools::tolerance(1e-6));
    for (std::size_t m = 0; m < r.mean_ranks.size(); ++m)
      BOOST_TEST(r.mean_ranks[m] == e["mean_ranks"][m].get<double>(), tol);
    BOOST_TEST_REQUIRE(r.nemenyi.size() == e["pairs"].size());
    for (std::size_t i = 0; i < r.nemenyi.size(); ++i) {
      BOOST_TEST(r.nemenyi[i].q == e["pairs"][i]["q"].get<double>(), tol);
      // scipy integrates numerically; ptukey uses Gauss-Legendre: agree to ~1e-6 absolute.
      BOOST_TEST(std::abs(r.nemenyi[i].p - e["pairs"][i]["p"].get<double>()) < 1e-6);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
