// The cohort cache: contents, splits shared across modalities, reuse and invalidation.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <set>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "synth_fixture.hpp"

using namespace gbmsweep::mri;
namespace stdfs = std::filesystem;

BOOST_AUTO_TEST_SUITE(mri_cohort)

BOOST_AUTO_TEST_CASE(cache_contents_and_reuse) {
  mri_test::TinyCohort t("cohort_contents", 24);
  auto opts = t.options();
  Cohort c = build_or_load_cohort(opts, t.cache());
  BOOST_TEST(c.rebuilt());
  BOOST_TEST(c.size() == int(t.labelled.size()));
  BOOST_TEST(c.ids() == t.labelled, boost::test_tools::per_element());
  BOOST_TEST((c.shape() == std::array<int, 3>{10, 12, 12}));
  // Availability follows the files.
  for (int p = 0; p < c.size(); ++p)
    for (const auto& m : modality_names())
      BOOST_TEST(c.available(p, m) == (t.files(c.ids()[p]).images.count(m) == 1));
  // Volumes are preprocessed: [0, 1], reaching 1, zero outside the tumour.
  Volume v = c.volume(0, "T1GD");
  BOOST_TEST((v.shape == c.shape()));
  BOOST_TEST(v.spacing[0] == 2.0);  // 1 mm input, downscaled by 2
  BOOST_TEST(*std::max_element(v.data.begin(), v.data.end()) == 1.0f);
  BOOST_TEST(*std::min_element(v.data.begin(), v.data.end()) == 0.0f);
  // Batches are N×C×D×H×W in the order asked for.
  Batch b = c.load({2, 0}, {"T1", "T1GD"});
  BOOST_TEST((b.shape == std::array<int, 5>{2, 2, 10, 12, 12}));
  BOOST_TEST(b.ids[1] == c.ids()[0]);
  BOOST_TEST(b.labels[0] == c.labels()[2]);
  BOOST_TEST(b.channel(1, 1).data == v.data, boost::test_tools::per_element());

  // Unchanged inputs and options: the cache is read, not rebuilt; other ranks just open it.
  Cohort again = build_or_load_cohort(opts, t.cache());
  BOOST_TEST(!again.rebuilt());
  BOOST_TEST(again.fingerprint() == c.fingerprint());
  BOOST_TEST(Cohort::open(t.cache()).ids() == c.ids(), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(parallel_build_gives_the_same_cache) {
  mri_test::TinyCohort t("cohort_parallel", 12);
  auto opts = t.options();
  Cohort one = build_or_load_cohort(opts, t.cache());
  opts.threads = 3;
  Cohort three = build_or_load_cohort(opts, t.dir + "/three.h5");
  BOOST_TEST(three.fingerprint() == one.fingerprint());  // the thread count is not a parameter
  BOOST_TEST(three.ids() == one.ids(), boost::test_tools::per_element());
  for (int p = 0; p < one.size(); ++p) BOOST_TEST(three.fold(p) == one.fold(p));
  for (const auto& m : modality_names()) {
    std::vector<int> have;
    for (int p = 0; p < one.size(); ++p)
      if (one.available(p, m)) have.push_back(p);
    BOOST_TEST(three.load(have, {m}).data == one.load(have, {m}).data, boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(compression_changes_the_file_not_the_values) {
  mri_test::TinyCohort t("cohort_compression", 8);
  auto opts = t.options();
  Cohort fast = build_or_load_cohort(opts, t.cache());
  opts.compression = CohortOptions::kNoCompression;
  Cohort none = build_or_load_cohort(opts, t.dir + "/none.h5");
  opts.compression = 9;
  Cohort nine = build_or_load_cohort(opts, t.dir + "/nine.h5");
  BOOST_TEST(none.fingerprint() == fast.fingerprint());
  std::vector<int> all(fast.size());
  for (int p = 0; p < fast.size(); ++p) all[p] = p;
  BOOST_TEST(none.load(all, {"T1"}).data == fast.load(all, {"T1"}).data,
             boost::test_tools::per_element());
  BOOST_TEST(nine.load(all, {"T1"}).data == fast.load(all, {"T1"}).data,
             boost::test_tools::per_element());
  BOOST_TEST(stdfs::file_size(t.dir + "/none.h5") > stdfs::file_size(t.cache()));
}

BOOST_AUTO_TEST_CASE(explicit_crop_box) {
  mri_test::TinyCohort t("cohort_crop", 6);
  auto opts = t.options();
  opts.crop = Box{{2, 4, 4}, {14, 18, 16}};  // 12 × 14 × 12 → 6 × 7 × 6
  opts.preprocess.target_shape = {0, 0, 0};
  Cohort c = build_or_load_cohort(opts, t.cache());
  BOOST_TEST(c.crop_box() == *opts.crop);
  BOOST_TEST((c.shape() == std::array<int, 3>{6, 7, 6}));
  opts.crop = Box{{0, 0, 0}, {17, 20, 20}};  // one voxel deeper than the 16×20×20 input
  BOOST_CHECK_THROW(build_or_load_cohort(opts, t.cache()), gbmsweep::InputError);
}

BOOST_AUTO_TEST_CASE(split_is_shared_by_every_modality) {
  mri_test::TinyCohort t("cohort_split", 24);
  Cohort c = build_or_load_cohort(t.options(), t.cache());
  const auto test = c.test_patients({});
  BOOST_TEST(!test.empty());
  for (int p : test) BOOST_TEST(c.available(p, "DSC_ap-rCBV"));
  // DSC patients also have DTI here, so every modality sees the same test patients.
  for (const auto& m : modality_names()) BOOST_TEST(c.test_patients({m}) == test, boost::test_tools::per_element());
  for (int k = 0; k < c.folds(); ++k) {
    // A modality's fold is the common fold restricted to the patients that have it.
    std::vector<int> expect;
    for (int p : c.fold_patients(k, {"T1"}))
      if (c.available(p, "DTI_FA")) expect.push_back(p);
    BOOST_TEST(c.fold_patients(k, {"DTI_FA"}) == expect, boost::test_tools::per_element());
    // Train and validation are disjoint, exclude the test set and cover the rest.
    auto train = c.train_patients(k, {"T1"}), val = c.fold_patients(k, {"T1"});
    std::set<int> all(train.begin(), train.end());
    for (int p : val) BOOST_TEST(all.insert(p).second);
    for (int p : test) BOOST_TEST(all.count(p) == 0u);
    BOOST_TEST(all.size() + test.size() == std::size_t(c.size()));
  }
}

BOOST_AUTO_TEST_CASE(cache_is_rebuilt_when_inputs_or_parameters_change) {
  mri_test::TinyCohort t("cohort_invalidation", 10);
  auto opts = t.options();
  Cohort first = build_or_load_cohort(opts, t.cache());

  auto seed = opts;
  seed.split.seed = 7;
  Cohort c = build_or_load_cohort(seed, t.cache());
  BOOST_TEST(c.rebuilt());
  BOOST_TEST(c.fingerprint() != first.fingerprint());

  auto shape = seed;
  shape.preprocess.target_shape = {12, 12, 12};
  c = build_or_load_cohort(shape, t.cache());
  BOOST_TEST(c.rebuilt());
  BOOST_TEST((c.shape() == std::array<int, 3>{12, 12, 12}));
  BOOST_TEST(!build_or_load_cohort(shape, t.cache()).rebuilt());

  // A touched input file (new modification time) means a rebuild.
  const std::string t1 = t.files(t.labelled.front()).images.at("T1");
  stdfs::last_write_time(t1, stdfs::last_write_time(t1) + std::chrono::seconds(5));
  BOOST_TEST(build_or_load_cohort(shape, t.cache()).rebuilt());

  // An edited label: rebuilt, and the new label is in the cache.
  std::string csv = gbmsweep::fs::read_all(t.layout.clinical_csv);
  const std::string& id = t.labelled.front();
  const auto row = csv.find(id);
  const bool was_unmethylated = csv.find(",Unmethylated,", row) < csv.find('\n', row);
  csv.replace(csv.find(was_unmethylated ? ",Unmethylated," : ",Methylated,", row),
              was_unmethylated ? 14 : 12, was_unmethylated ? ",Methylated," : ",Unmethylated,");
  gbmsweep::fs::atomic_write(t.layout.clinical_csv, csv);
  c = build_or_load_cohort(shape, t.cache());
  BOOST_TEST(c.rebuilt());
  BOOST_TEST(c.labels()[0] == (was_unmethylated ? 1 : 0));

  // A damaged cache file is replaced, not trusted.
  gbmsweep::fs::atomic_write(t.cache(), "not an HDF5 file");
  BOOST_TEST(build_or_load_cohort(shape, t.cache()).rebuilt());
  for (const auto& entry : stdfs::directory_iterator(t.dir))
    BOOST_TEST(entry.path().filename().string().find(".tmp.") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
