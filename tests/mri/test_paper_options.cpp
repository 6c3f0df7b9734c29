// Cohort options of the "as the paper ran it" sweep (issue 16): the tumour mask policy and
// the hold-out eligibility that gives every group the same test patients.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>

#include "common/error.hpp"
#include "mri/io.hpp"
#include "synth_fixture.hpp"

using namespace gbmsweep::mri;
namespace stdfs = std::filesystem;

BOOST_AUTO_TEST_SUITE(paper_cohort_options)

BOOST_AUTO_TEST_CASE(automated_mask_policy_reads_the_automated_segmentation) {
  mri_test::TinyCohort t("paper_mask", 10);
  // A patient with an expert mask gets an automated one too: the expert mask without the
  // tumour's lower half (so the two masks differ, and both are valid).
  std::string id;
  for (const auto& l : t.labelled)
    if (!t.files(l).automated_segm) id = l;
  BOOST_REQUIRE(!id.empty());
  Volume seg = read_nifti(t.files(id).segm);
  int lo = seg.shape[0], hi = 0;
  for (int z = 0; z < seg.shape[0]; ++z)
    for (int y = 0; y < seg.shape[1]; ++y)
      for (int x = 0; x < seg.shape[2]; ++x)
        if (seg.at(z, y, x) > 0) lo = std::min(lo, z), hi = std::max(hi, z);
  for (int z = 0; z < (lo + hi + 1) / 2; ++z)
    for (int y = 0; y < seg.shape[1]; ++y)
      for (int x = 0; x < seg.shape[2]; ++x) seg.at(z, y, x) = 0;
  stdfs::create_directories(t.dir + "/data/automated_segm");
  write_nifti(t.dir + "/data/automated_segm/" + id + "_automated_approx_segm.nii.gz", seg,
              PixelType::UInt8);
  t.rescan();
  BOOST_TEST(!t.files(id).automated_path.empty());
  BOOST_TEST(t.files(id).segm != t.files(id).automated_path);

  CohortOptions o = t.options();
  o.crop = Box{{0, 0, 0}, {16, 20, 20}};  // the same geometry whatever the masks' boxes
  Cohort manual = build_or_load_cohort(o, t.dir + "/manual.h5");
  o.mask = "automated";
  Cohort automated = build_or_load_cohort(o, t.dir + "/automated.h5");
  BOOST_REQUIRE(manual.ids() == automated.ids());
  for (int p = 0; p < manual.size(); ++p) {
    const bool same = manual.volume(p, "T1").data == automated.volume(p, "T1").data;
    BOOST_TEST(same == (manual.ids()[p] != id), manual.ids()[p]);
  }
  o.mask = "expert";
  BOOST_CHECK_THROW(build_or_load_cohort(o, t.dir + "/bad.h5"), gbmsweep::Error);
}

BOOST_AUTO_TEST_CASE(every_group_is_tested_on_the_same_patients) {
  mri_test::TinyCohort t("paper_test_eligible", 24);
  Cohort before = build_or_load_cohort(t.options(), t.dir + "/before.h5");
  const auto test = before.test_patients({});
  BOOST_REQUIRE(!test.empty());
  // A hold-out patient with DSC loses its DTI maps (the release has such patients).
  const std::string id = before.ids()[test.front()];
  stdfs::remove_all(t.dir + "/data/images_DTI/" + id);

  // Eligibility by the DSC maps alone (paper II.A): the DTI test set is one patient short, so
  // DSC and DTI ensembles would be scored on different patients.
  Cohort dsc = build_or_load_cohort(t.options(), t.dir + "/dsc.h5");
  BOOST_TEST(dsc.test_patients({"DTI_FA"}).size() + 1 == dsc.test_patients({"DSC_PH"}).size());

  // Eligibility by every modality the sweep trains: one test set for all.
  CohortOptions o = t.options();
  o.test_modalities = modality_names();
  Cohort all = build_or_load_cohort(o, t.dir + "/all.h5");
  const auto common = all.test_patients({});
  BOOST_TEST(!common.empty());
  for (const auto& m : modality_names())
    BOOST_TEST(all.test_patients({m}) == common, boost::test_tools::per_element());
  for (int p : common) BOOST_TEST(all.ids()[p] != id);
  o.test_modalities = {"DTI_XX"};
  BOOST_CHECK_THROW(build_or_load_cohort(o, t.dir + "/bad.h5"), gbmsweep::Error);
}

BOOST_AUTO_TEST_SUITE_END()
