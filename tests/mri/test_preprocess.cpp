// Preprocessing geometry on phantoms with known tumour boxes.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>

#include "common/error.hpp"
#include "helpers.hpp"
#include "mri/preprocess.hpp"

using namespace gbmsweep::mri;
using mri_test::box_phantom;

BOOST_AUTO_TEST_SUITE(mri_preprocess)

BOOST_AUTO_TEST_CASE(tumour_box_is_the_bounding_box_of_the_mask) {
  Box truth{{3, 5, 2}, {7, 12, 9}};
  Volume segm = box_phantom({10, 16, 12}, truth, 2.0f);
  segm.at(5, 8, 4) = 4.0f;  // labels other than 1 count too
  BOOST_TEST(tumour_box(segm) == truth);
  BOOST_TEST(tumour_box(Volume({4, 4, 4})).empty());
  // The cohort box is the union of the patients' boxes.
  Box other{{1, 6, 3}, {5, 14, 8}};
  Box u = union_box(truth, other);
  BOOST_TEST((u.lo == std::array<int, 3>{1, 5, 2}));
  BOOST_TEST((u.hi == std::array<int, 3>{7, 14, 9}));
  BOOST_TEST(union_box(Box{}, truth) == truth);
}

BOOST_AUTO_TEST_CASE(box_text_round_trip) {
  Box b{{0, 39, 44}, {140, 211, 208}};  // the reference code's box
  BOOST_TEST(to_string(b) == "0:140,39:211,44:208");
  BOOST_TEST(parse_box(to_string(b)) == b);
  BOOST_CHECK_THROW(parse_box("0:10,5:3,1:2"), std::invalid_argument);
  BOOST_CHECK_THROW(parse_box("0:10,5:8"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(crop_takes_exactly_the_box) {
  Volume v({6, 7, 8});
  for (std::size_t i = 0; i < v.size(); ++i) v.data[i] = float(i);
  Box b{{1, 2, 3}, {4, 6, 8}};
  Volume c = crop(v, b);
  BOOST_TEST((c.shape == std::array<int, 3>{3, 4, 5}));
  BOOST_TEST(c.at(0, 0, 0) == v.at(1, 2, 3));
  BOOST_TEST(c.at(2, 3, 4) == v.at(3, 5, 7));
  BOOST_CHECK_THROW(crop(v, Box{{0, 0, 0}, {7, 7, 8}}), gbmsweep::Error);
}

BOOST_AUTO_TEST_CASE(downscale_shape_spacing_and_constants) {
  BOOST_TEST((downscaled_shape({140, 172, 164}, 2) == std::array<int, 3>{70, 86, 82}));
  Volume v({20, 17, 12}, {1, 1, 1}, 3.5f);
  Volume d = downscale(v, 2);
  BOOST_TEST((d.shape == std::array<int, 3>{10, 9, 6}));  // round(8.5) = 9
  BOOST_TEST((d.spacing == std::array<double, 3>{2, 2, 2}));
  for (float x : d.data) BOOST_TEST(x == 3.5f, boost::test_tools::tolerance(1e-4f));
}

BOOST_AUTO_TEST_CASE(downscale_keeps_objects_in_place) {
  // A slab at z 9..10 of 20 (centre 9.5 mm) lands at centre 9.5 mm in the 2 mm grid too:
  // output voxel k sits at 0.5 + 2k mm, so the mass centre is at k = 4.5.
  Volume v = box_phantom({20, 8, 8}, Box{{9, 0, 0}, {11, 8, 8}}, 1.0f);
  Volume d = downscale(v, 2);
  double m = 0, mz = 0;
  for (int z = 0; z < d.shape[0]; ++z) {
    m += d.at(z, 2, 2);
    mz += z * d.at(z, 2, 2);
  }
  BOOST_TEST(mz / m == 4.5, boost::test_tools::tolerance(1e-3));
  BOOST_TEST(m > 0.5);
}

BOOST_AUTO_TEST_CASE(minmax_and_padding) {
  Volume v({2, 2, 2});
  v.data = {-1, 0, 1, 3, 3, 3, 3, 3};
  minmax_inplace(v);
  BOOST_TEST(v.data[0] == 0.0f);
  BOOST_TEST(v.data[3] == 1.0f);
  BOOST_TEST(v.data[1] == 0.25f);
  Volume flat({2, 2, 2}, {1, 1, 1}, 7.0f);
  minmax_inplace(flat);
  BOOST_TEST(mri_test::sum(flat) == 0.0);

  Volume ones({3, 4, 5}, {1, 1, 1}, 1.0f);
  Volume p = pad_centred(ones, {7, 8, 6});  // padded by 4, 4, 1: (2, 2), (2, 2), (0, 1)
  BOOST_TEST(tumour_box(p) == (Box{{2, 2, 0}, {5, 6, 5}}));
  Volume c = pad_centred(p, {3, 4, 5});  // centre-cropping undoes it
  BOOST_TEST(mri_test::sum(c) == 60.0);
}

BOOST_AUTO_TEST_CASE(preprocess_phantom_end_to_end) {
  // A 40×48×48 "scan" with a tumour in a known box; intensities vary so min-max matters.
  const std::array<int, 3> shape{40, 48, 48};
  const Box tumour{{10, 12, 16}, {26, 32, 36}};  // 16 × 20 × 20
  Volume segm = box_phantom(shape, tumour, 1.0f);
  Volume image(shape);
  for (int z = 0; z < 40; ++z)
    for (int y = 0; y < 48; ++y)
      for (int x = 0; x < 48; ++x) image.at(z, y, x) = 100.0f + z + 2.0f * x;
  PreprocessOptions opts;
  opts.downscale = 2;
  opts.target_shape = {12, 14, 16};
  BOOST_TEST((output_shape(tumour, opts) == std::array<int, 3>{12, 14, 16}));
  Volume out = preprocess(image, segm, tumour, opts);
  BOOST_TEST((out.shape == std::array<int, 3>{12, 14, 16}));
  auto [lo, hi] = std::minmax_element(out.data.begin(), out.data.end());
  BOOST_TEST(*lo == 0.0f);
  BOOST_TEST(*hi == 1.0f);
  // The 8×10×10 downscaled tumour sits centred: margins (2, 2), (2, 2), (3, 3).
  BOOST_TEST(tumour_box(out) == (Box{{2, 2, 3}, {10, 12, 13}}));
  // Masking: nothing outside the tumour survives, even with a larger crop box.
  Box bigger{{4, 4, 4}, {36, 44, 44}};
  Volume wide = preprocess(image, segm, bigger, PreprocessOptions{2, {0, 0, 0}});
  BOOST_TEST((wide.shape == std::array<int, 3>{16, 20, 20}));
  Box seen = tumour_box(wide);
  BOOST_TEST(seen.lo[0] >= 2);   // tumour starts at (10 − 4) / 2 = 3 in the output, ±1 blur
  BOOST_TEST(seen.hi[0] <= 12);  // and ends at (26 − 4) / 2 = 11
}

namespace {
// A seeded random volume with a smooth part and noise, values up to ~1000 (T1's scale).
Volume random_volume(std::array<int, 3> shape, unsigned seed) {
  Volume v(shape);
  unsigned x = seed * 2654435761u + 1u;
  for (int z = 0; z < shape[0]; ++z)
    for (int y = 0; y < shape[1]; ++y)
      for (int w = 0; w < shape[2]; ++w) {
        x = x * 1664525u + 1013904223u;
        v.at(z, y, w) = 500.0f + 300.0f * std::sin(0.7f * z + 0.3f * y - 0.5f * w) +
                        float(x >> 8) / float(1u << 24) * 200.0f;
      }
  return v;
}

double max_abs_diff(const Volume& a, const Volume& b) {
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    m = std::max(m, double(std::abs(a.data[i] - b.data[i])));
  return m;
}
}  // namespace

// Issue 19: the separable downscale is ITK's filter pair up to float rounding, odd sizes and
// factors other than 2 included (the latter put coarse samples outside the grid: 0 in both).
BOOST_AUTO_TEST_CASE(separable_downscale_matches_itk) {
  const std::array<int, 3> shapes[] = {{13, 17, 11}, {14, 9, 21}, {7, 8, 5}, {1, 6, 3}};
  unsigned seed = 1;
  for (const auto& shape : shapes)
    for (int factor : {2, 3, 4}) {
      const Volume v = random_volume(shape, seed++);
      const Volume a = downscale(v, factor), b = downscale_itk(v, factor);
      BOOST_TEST_CONTEXT(to_string(shape) << " factor " << factor) {
        BOOST_REQUIRE((a.shape == b.shape));
        BOOST_TEST((a.spacing == b.spacing));
        BOOST_TEST(max_abs_diff(a, b) <= 1e-3);  // values ~1000: relative 1e-6
      }
    }
}

BOOST_AUTO_TEST_CASE(separable_preprocess_matches_itk_within_1e5) {
  const std::array<int, 3> shape{23, 31, 27};
  const Volume image = random_volume(shape, 7);
  Volume segm(shape);
  for (int z = 4; z < 19; ++z)
    for (int y = 6; y < 25; ++y)
      for (int x = 3; x < 22; ++x)
        if ((z - 11) * (z - 11) + (y - 15) * (y - 15) + (x - 12) * (x - 12) < 70)
          segm.at(z, y, x) = 2;
  for (const Box& box : {Box{{3, 5, 2}, {20, 26, 23}}, Box{{4, 6, 3}, {19, 25, 22}}})
    for (int factor : {1, 2, 3}) {
      PreprocessOptions o;
      o.downscale = factor;
      o.target_shape = {12, 14, 13};
      const Volume a = preprocess(image, segm, box, o), b = preprocess_itk(image, segm, box, o);
      BOOST_TEST_CONTEXT(to_string(box) << " factor " << factor) {
        BOOST_REQUIRE((a.shape == b.shape));
        BOOST_TEST(max_abs_diff(a, b) <= 1e-5);
      }
    }
  BOOST_TEST(max_abs_diff(masked_crop(image, segm, Box{{3, 5, 2}, {20, 26, 23}}),
                          crop(apply_mask(image, segm), Box{{3, 5, 2}, {20, 26, 23}})) == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()
