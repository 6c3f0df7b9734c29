// IBSI features against the IBSI 1 digital phantom's published reference values, and small
// cases computed by hand.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "phantom.hpp"
#include "radiomics/features.hpp"

using namespace gbmsweep::radiomics;

namespace {

Roi phantom_roi() {
  const auto img = phantom::image(), msk = phantom::mask();
  return make_roi(phantom::kShape, img.data(), msk.data(), {1});
}

// A ROI that is the whole of a D×H×W block of values.
Roi block(std::array<int, 3> shape, std::vector<float> values) {
  std::vector<float> labels(values.size(), 1.0f);
  return make_roi(shape, values.data(), labels.data(), {});
}

}  // namespace

BOOST_AUTO_TEST_CASE(phantom_roi_is_cropped_and_counted) {
  Roi r = phantom_roi();
  BOOST_TEST(r.voxels == 74u);  // 80 voxels, 6 outside the ROI (IBSI figure)
  BOOST_TEST((r.shape == std::array<int, 3>{4, 4, 5}));
  Discretised d = discretise(r, {});
  BOOST_TEST(d.levels == 6);  // bin width 1 from the minimum 1: levels 1..6, 2 and 5 empty
}

BOOST_AUTO_TEST_CASE(phantom_matches_ibsi_reference_values) {
  DiscretiseOptions o;  // fixed bin width 1 from the ROI minimum, no resampling
  o.bin_width = 1.0;
  Features f = all_features(phantom_roi(), o);
  for (const auto& ref : phantom::references()) {
    BOOST_TEST_CONTEXT(ref.name) {
      BOOST_REQUIRE(f.count(ref.name) == 1u);
      BOOST_TEST(std::abs(f[ref.name] - ref.value) <= ref.tolerance + 1e-12,
                 ref.name << " = " << f[ref.name] << ", IBSI " << ref.value);
    }
  }
}

BOOST_AUTO_TEST_CASE(phantom_with_six_fixed_bins_is_unchanged) {
  // IBSI: 6 bins of the fixed bin number method leave the phantom as it is.
  DiscretiseOptions fbn;
  fbn.method = Discretisation::FixedBinNumber;
  fbn.bins = 6;
  Features a = all_features(phantom_roi(), fbn), b = all_features(phantom_roi(), {});
  for (const char* name : {"cm_contrast_3d_avg", "szm_grey_lvl_var", "szm_lgze", "ngt_busyness"})
    BOOST_TEST(a[name] == b[name], name);
}

BOOST_AUTO_TEST_CASE(bin_width_origin_roi_minimum_or_zero) {
  Roi r = block({1, 1, 4}, {10, 24, 25, 49});
  DiscretiseOptions ibsi;
  ibsi.bin_width = 25;
  Discretised a = discretise(r, ibsi);  // (x − 10) / 25: 0, 0.56, 0.6, 1.56
  BOOST_TEST((a.level == std::vector<int>{1, 1, 1, 2}));
  DiscretiseOptions py = ibsi;
  py.origin_zero = true;  // edges at 0, 25, 50: 10 and 24 in bin 1, 25 and 49 in bin 2
  Discretised b = discretise(r, py);
  BOOST_TEST((b.level == std::vector<int>{1, 1, 2, 2}));
  DiscretiseOptions fbn;
  fbn.method = Discretisation::FixedBinNumber;
  fbn.bins = 3;  // 3 (x − 10) / 39: 0, 1.08, 1.15, 3 → 1, 2, 2, 3 (the maximum goes to bin 3)
  BOOST_TEST((discretise(r, fbn).level == std::vector<int>{1, 2, 2, 3}));
}

BOOST_AUTO_TEST_CASE(hand_computed_line_of_three_voxels) {
  // Levels 1 2 2 along x: one direction (0,0,1) has pairs (1,2), (2,2) → symmetric counts
  // M = [[0,1],[1,2]] / 4. Contrast 2 · 1/4 = 0.5; the other 12 directions have no pair.
  Roi r = block({1, 1, 3}, {1, 2, 2});
  Features f = all_features(r, {});
  BOOST_TEST(f["cm_contrast_3d_avg"] == 0.5, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(f["cm_contrast_3d_mrg"] == 0.5, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(f["cm_energy_3d_avg"] == 0.375, boost::test_tools::tolerance(1e-12));
  // Zones: {1} size 1, {2,2} size 2. LGZE = (1/1 + 1/4) / 2; GLV: levels 1, 2 equally → 0.25.
  BOOST_TEST(f["szm_lgze"] == 0.625, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(f["szm_grey_lvl_var"] == 0.25, boost::test_tools::tolerance(1e-12));
  // NGTDM: voxel 1 sees {2}: s1 = 1; the middle 2 sees {1,2}: |2 − 1.5|; the last sees {2}: 0.
  // p1 = 1/3, p2 = 2/3; busyness = (1/3 · 1 + 2/3 · 0.5) / (2 |1/3 − 4/3|) = 1/3.
  BOOST_TEST(f["ngt_busyness"] == 1.0 / 3, boost::test_tools::tolerance(1e-12));
  // Statistics: mean 5/3, energy 9, skewness of {1,2,2} = −1/√2.
  BOOST_TEST(f["stat_energy"] == 9.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(f["stat_skew"] == -1 / std::sqrt(2.0), boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(constant_region_has_zero_skewness_and_texture) {
  Features f = all_features(block({2, 2, 2}, std::vector<float>(8, 7.0f)), {});
  BOOST_TEST(f["stat_skew"] == 0.0);
  BOOST_TEST(f["cm_contrast_3d_avg"] == 0.0);
  BOOST_TEST(f["szm_grey_lvl_var"] == 0.0);
  BOOST_TEST(f["ngt_busyness"] == 0.0);
  BOOST_TEST(f["szm_z_perc"] == 1.0 / 8);  // one 26-connected zone of 8 voxels
}

BOOST_AUTO_TEST_CASE(bad_regions_throw) {
  const auto img = phantom::image(), msk = phantom::mask();
  BOOST_CHECK_THROW(make_roi(phantom::kShape, img.data(), msk.data(), {4}), std::invalid_argument);
  auto nan = img;
  nan[0] = std::numeric_limits<float>::quiet_NaN();
  BOOST_CHECK_THROW(make_roi(phantom::kShape, nan.data(), msk.data(), {1}), std::invalid_argument);
  // A NaN outside the ROI does not matter (the phantom's excluded voxel).
  auto outside = img;
  outside[12] = std::numeric_limits<float>::quiet_NaN();  // z 0, y 2, x 2 → inside
  BOOST_CHECK_THROW(make_roi(phantom::kShape, outside.data(), msk.data(), {1}),
                    std::invalid_argument);
  outside = img;
  outside[2 * 20 + 2 * 5 + 2] = std::numeric_limits<float>::quiet_NaN();  // the masked-out 9
  BOOST_CHECK_NO_THROW(make_roi(phantom::kShape, outside.data(), msk.data(), {1}));
  // A single voxel has no neighbouring pair: the GLCM is undefined.
  BOOST_CHECK_THROW(all_features(block({1, 1, 1}, {3.0f}), {}), std::invalid_argument);
  DiscretiseOptions tiny;
  tiny.bin_width = 1e-6;  // millions of grey levels
  BOOST_CHECK_THROW(all_features(phantom_roi(), tiny), std::invalid_argument);
}
