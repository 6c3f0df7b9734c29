// The UPENN-GBM release as downloaded (DATA.md): versioned clinical tables, superseded `old/`
// copies, unstripped twins, the 4-D DSC series, an unknown MGMT value, DSC without DTI and a
// NaN voxel, on a synthetic cohort given those quirks (SynthOptions::release_quirks).
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "mri/io.hpp"
#include "mri/preprocess.hpp"
#include "synth_fixture.hpp"

using namespace gbmsweep::mri;
namespace stdfs = std::filesystem;

namespace {

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

bool any_note(const std::vector<std::string>& notes, const std::string& a, const std::string& b) {
  return std::any_of(notes.begin(), notes.end(),
                     [&](const std::string& n) { return contains(n, a) && contains(n, b); });
}

const char* const kP1 = "UPENN-GBM-00001_11";
const char* const kP2 = "UPENN-GBM-00002_11";
const char* const kP3 = "UPENN-GBM-00003_11";
const char* const kP4 = "UPENN-GBM-00004_11";

}  // namespace

BOOST_AUTO_TEST_SUITE(mri_release)

BOOST_AUTO_TEST_CASE(clinical_versions_compare_numerically) {
  BOOST_TEST(clinical_version("UPENN-GBM_clinical_info_v2.1.csv") == "2.1");
  BOOST_TEST(clinical_version("UPENN-GBM_clinical_info_v10.csv") == "10");
  BOOST_TEST(clinical_version("UPENN-GBM_clinical_info.csv") == "");
  BOOST_TEST(clinical_version("UPENN-GBM_data_availability.csv") == "");
  BOOST_TEST(compare_versions("2.1", "1.0") > 0);
  BOOST_TEST(compare_versions("10", "9") > 0);
  BOOST_TEST(compare_versions("1.10", "1.9") > 0);
  BOOST_TEST(compare_versions("2", "2.0") == 0);
  BOOST_TEST(compare_versions("2.1", "2") > 0);
  BOOST_TEST(compare_versions("1.0", "2.1") < 0);
  BOOST_TEST(is_superseded_folder("old"));
  BOOST_TEST(is_superseded_folder("OLD"));
  BOOST_TEST(is_superseded_folder(".ipynb_checkpoints"));
  BOOST_TEST(!is_superseded_folder("images_structural"));
  BOOST_TEST(!is_superseded_folder("UPENN-GBM-00260_11"));
}

BOOST_AUTO_TEST_CASE(scan_uses_the_newest_table_and_the_top_level_files) {
  mri_test::TinyCohort t("release_scan", 6, true);
  BOOST_TEST(stdfs::path(t.layout.clinical_csv).filename() == kClinicalCsv);
  BOOST_TEST(any_note(t.layout.notes, kClinicalCsv, "UPENN-GBM_clinical_info_v1.0.csv"));
  for (const char* id : {kP1, kP2}) {
    const auto& f = t.files(id);
    BOOST_TEST(f.problems.empty(), id);  // not "found twice"
    BOOST_TEST(f.images.at("T1") ==
               t.dir + "/data/images_structural/" + id + "/" + id + "_T1.nii.gz");
    BOOST_TEST(any_note(t.layout.notes, std::string("images_structural/") + id + "/old/",
                        "4 UPENN-GBM file(s) not read"));
  }
  // Unstripped twins and the 4-D series are not taken for images.
  for (const auto& file : t.layout.files) {
    BOOST_TEST(!contains(file, "unstripped"), file);
    BOOST_TEST(!contains(file, "_DSC.nii.gz"), file);
    BOOST_TEST(!contains(file, "/old/"), file);
  }
  BOOST_TEST(stdfs::exists(t.dir + "/data/images_DSC/" + kP4 + "/" + kP4 + "_DSC.nii.gz"));
  BOOST_TEST(t.files(kP4).images.count("DSC_PH") == 1u);
  BOOST_TEST(t.files(kP4).images.count("DTI_FA") == 0u);
  // Read as CSV: BOM, CRLF, quoted IDs, a quoted field with a comma, quote and line break.
  const auto text = gbmsweep::fs::read_all(t.layout.clinical_csv);
  BOOST_TEST(text.rfind("\xEF\xBB\xBF", 0) == 0u);
  BOOST_TEST(contains(text, "\r\n\"UPENN-GBM-00002_11\""));
  const auto rows = read_clinical(t.layout.clinical_csv);
  BOOST_REQUIRE(rows.size() == 6u);
  BOOST_TEST(rows[1].id == kP2);
  BOOST_TEST(rows[2].line == 5);  // row 2 spans lines 3 and 4
  BOOST_TEST((parse_mgmt(rows[2].mgmt) == Mgmt::Unknown));
}

BOOST_AUTO_TEST_CASE(cohort_keeps_every_labelled_patient) {
  mri_test::TinyCohort t("release_cohort", 6, true);
  auto opts = t.options();
  Cohort c = build_or_load_cohort(opts, t.cache());
  BOOST_TEST(c.ids() == t.labelled, boost::test_tools::per_element());
  BOOST_TEST(std::count(c.ids().begin(), c.ids().end(), kP3) == 0);  // unknown MGMT
  BOOST_TEST(c.skipped().empty());
  BOOST_TEST(any_note(c.notes(), kP3, "unknown MGMT value 'Partially methylated'"));
  BOOST_TEST(any_note(c.notes(), "old/", "superseded"));
  // Patient 4: DSC without DTI, its NaN voxel zeroed and counted.
  const int p4 = int(std::find(c.ids().begin(), c.ids().end(), kP4) - c.ids().begin());
  BOOST_REQUIRE(p4 < c.size());
  BOOST_TEST(c.available(p4, "DSC_PH"));
  BOOST_TEST(!c.available(p4, "DTI_FA"));
  BOOST_REQUIRE(c.nonfinite().size() == 1u);
  BOOST_TEST(c.nonfinite()[0].id == kP4);
  BOOST_TEST(c.nonfinite()[0].modality == "DSC_PH");
  BOOST_TEST(c.nonfinite()[0].voxels == 1);
  // The values come from the top-level files, not from old/.
  for (const char* id : {kP1, kP2}) {
    const int p = int(std::find(c.ids().begin(), c.ids().end(), id) - c.ids().begin());
    BOOST_REQUIRE(p < c.size());
    const auto& f = t.files(id);
    const Volume seg = read_nifti(f.segm);
    for (const char* m : {"T1", "FLAIR"}) {
      const Volume top = preprocess(read_nifti(f.images.at(m)), seg, c.crop_box(), opts.preprocess);
      const Volume old = preprocess(
          read_nifti(t.dir + "/data/images_structural/" + id + "/old/" + id + "_" + m + ".nii.gz"),
          seg, c.crop_box(), opts.preprocess);
      const Volume got = c.volume(p, m);
      BOOST_TEST(got.data == top.data, boost::test_tools::per_element());
      BOOST_TEST(got.data != old.data);
    }
  }
}

BOOST_AUTO_TEST_CASE(reject_policy_and_skip_bad_list_the_nan_patient) {
  mri_test::TinyCohort t("release_reject", 6, true);
  auto opts = t.options();
  opts.nonfinite = NonFinite::Reject;
  try {
    build_or_load_cohort(opts, t.cache());
    BOOST_ERROR("no InputError for the NaN voxel");
  } catch (const gbmsweep::InputError& e) {
    BOOST_TEST(contains(e.what(), std::string(kP4) + "_DSC_PH.nii.gz"));
    BOOST_TEST(contains(e.what(), "NaN voxel"));
  }
  opts.skip_bad = true;
  Cohort c = build_or_load_cohort(opts, t.cache());
  BOOST_REQUIRE(c.skipped().size() == 1u);
  BOOST_TEST(c.skipped()[0].id == kP4);
  BOOST_TEST(contains(c.skipped()[0].reason, "NaN voxel"));
  BOOST_TEST(c.size() == int(t.labelled.size()) - 1);
}

BOOST_AUTO_TEST_CASE(a_missing_table_names_the_pattern) {
  mri_test::TinyCohort t("release_no_table", 4, true);
  stdfs::remove(t.dir + "/data/" + kClinicalCsv);
  stdfs::remove(t.dir + "/data/UPENN-GBM_clinical_info_v1.0.csv");
  try {
    scan_upenn(t.dir + "/data");
    BOOST_ERROR("no InputError");
  } catch (const gbmsweep::InputError& e) {
    BOOST_TEST(contains(e.what(), "UPENN-GBM_clinical_info_v<version>.csv"));
  }
}

BOOST_AUTO_TEST_SUITE_END()
