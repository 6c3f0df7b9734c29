// check_mri_inputs: every problem of a broken cohort in one pass, each naming its file.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/fs.hpp"
#include "common/problems.hpp"
#include "mri/io.hpp"
#include "mri/preflight.hpp"
#include "synth_fixture.hpp"

using namespace gbmsweep::mri;
namespace stdfs = std::filesystem;

namespace {

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// How many problems mention both parts.
int count(const gbmsweep::Problems& p, const std::string& a, const std::string& b) {
  int n = 0;
  for (const auto& x : p.list()) n += contains(x.str(), a) && contains(x.str(), b);
  return n;
}

nlohmann::json config_for(const std::string& data) {
  return {{"data", {{"mri", data}}}, {"mri", nlohmann::json::object()}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mri_preflight)

BOOST_AUTO_TEST_CASE(the_release_quirks_are_not_problems) {
  mri_test::TinyCohort t("preflight_ok", 6, true);
  gbmsweep::Problems p;
  check_mri_inputs(config_for(t.dir + "/data"), p);
  BOOST_TEST(p.empty(), p.str());
  MriCheckOptions full;
  full.full_streams = true;
  check_mri_inputs(config_for(t.dir + "/data"), p, full);
  BOOST_TEST(p.empty(), p.str());
  // No [mri] table: nothing to check.
  check_mri_inputs(nlohmann::json{{"data", {{"mri", "/nowhere"}}}}, p);
  BOOST_TEST(p.empty());
}

BOOST_AUTO_TEST_CASE(every_problem_is_listed_with_its_file) {
  mri_test::TinyCohort t("preflight_bad", 8);
  BOOST_REQUIRE(t.labelled.size() >= 5u);
  const std::string a = t.labelled[0], b = t.labelled[1], c = t.labelled[2], d = t.labelled[3],
                    e = t.labelled[4];
  const std::string trunc = t.files(a).images.at("T2");
  stdfs::resize_file(trunc, stdfs::file_size(trunc) - 100);
  const std::string dims = t.files(b).images.at("T1");
  write_nifti(dims, Volume({16, 20, 19}, {1, 1, 1}, 5.0f));
  stdfs::remove(t.files(c).images.at("FLAIR"));
  const std::string spacing = t.files(e).segm;
  Volume seg = read_nifti(spacing);
  seg.spacing[0] = 1.5;
  write_nifti(spacing, seg, PixelType::UInt8);
  // The table: a duplicated ID and a ragged row.
  const std::string csv = t.layout.clinical_csv;
  std::string text = gbmsweep::fs::read_all(csv);
  const auto at = text.find(d);
  text += text.substr(at, text.find('\n', at) - at + 1) + "UPENN-GBM-99999_11,M\n";
  gbmsweep::fs::atomic_write(csv, text);
  const std::string weights = t.dir + "/resnet_50.pth";
  gbmsweep::fs::atomic_write(weights, "<html>not found</html>");

  auto cfg = config_for(t.dir + "/data");
  cfg["data"]["medicalnet"] = weights;
  gbmsweep::Problems p;
  check_mri_inputs(cfg, p);
  BOOST_TEST_INFO("problems:\n" << p.str());
  BOOST_TEST(count(p, trunc, "truncated") == 1);
  BOOST_TEST(count(p, dims, "dimensions 16x20x19") == 1);
  BOOST_TEST(count(p, c, "FLAIR missing") == 1);
  BOOST_TEST(count(p, spacing, "spacing 1.5") == 1);
  BOOST_TEST(count(p, csv + ":10", "duplicated ID " + d) == 1);
  BOOST_TEST(count(p, csv + ":11", "2 fields, header has 11") == 1);
  BOOST_TEST(count(p, weights, "not a PyTorch file") == 1);
  BOOST_TEST(p.size() == 7u);

  // As a run with mri.skip_bad = true sees it: only what would stop the run.
  MriCheckOptions run;
  run.report_skippable = false;
  gbmsweep::Problems q;
  check_mri_inputs(cfg, q, run);
  BOOST_TEST_INFO("problems:\n" << q.str());
  BOOST_TEST(q.size() == 2u);
  BOOST_TEST(count(q, csv + ":11", "fields") == 1);
  BOOST_TEST(count(q, weights, "") == 1);
}

BOOST_AUTO_TEST_CASE(missing_directory_and_table) {
  gbmsweep::Problems p;
  check_mri_inputs(config_for("/nonexistent/upenn"), p);
  BOOST_TEST(p.size() == 1u);
  BOOST_TEST(count(p, "/nonexistent/upenn", "not found") == 1);
  gbmsweep::Problems q;
  check_mri_inputs(
      nlohmann::json{{"data", nlohmann::json::object()}, {"mri", nlohmann::json::object()}}, q);
  BOOST_TEST(count(q, "", "data.mri") == 1);
}

BOOST_AUTO_TEST_CASE(full_streams_find_corruption_inside_a_file) {
  mri_test::TinyCohort t("preflight_full", 4);
  const std::string victim = t.files(t.labelled.front()).images.at("T1GD");
  std::string bytes = gbmsweep::fs::read_all(victim);
  bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x5a);
  gbmsweep::fs::atomic_write(victim, bytes);
  MriCheckOptions full;
  full.full_streams = true;
  gbmsweep::Problems p;
  check_mri_inputs(config_for(t.dir + "/data"), p, full);
  BOOST_TEST_INFO("problems:\n" << p.str());
  BOOST_TEST(count(p, victim, "") == 1);
}

// The header check alone (no full stream pass) refuses a bitpix that disagrees with the float
// datatype, before a job starts rather than when the cohort is built (fuzz_nifti's crash).
BOOST_AUTO_TEST_CASE(header_check_refuses_bitpix_that_disagrees_with_the_datatype) {
  mri_test::TinyCohort t("preflight_bitpix", 4);
  const std::string victim = t.files(t.labelled.front()).images.at("FLAIR");
  Volume v = read_nifti(victim);
  const std::string plain = t.dir + "/plain.nii";
  write_nifti(plain, v);
  std::string bytes = gbmsweep::fs::read_all(plain);
  BOOST_REQUIRE(bytes.size() > 348u);
  std::int16_t datatype = 0;
  std::memcpy(&datatype, &bytes[70], 2);
  BOOST_REQUIRE(datatype == 16);  // float32, as the synthetic writer stores images
  const std::int16_t bitpix = 128;
  std::memcpy(&bytes[72], &bitpix, 2);
  gbmsweep::fs::atomic_write(victim, bytes);  // plain bytes under .nii.gz: zlib reads both
  gbmsweep::Problems p;
  check_mri_inputs(config_for(t.dir + "/data"), p);
  BOOST_TEST_INFO("problems:\n" << p.str());
  BOOST_TEST(count(p, victim, "bitpix 128 does not match datatype 16") == 1);
  BOOST_TEST(p.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
