// Augmentation invariants: flip twice = identity, rotation keeps mass, noise statistics,
// seeded reproducibility, class balance.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "helpers.hpp"
#include "mri/augment.hpp"
#include "mri/augment_itk.hpp"
#include "mri/rng.hpp"

using namespace gbmsweep::mri;
namespace tt = boost::test_tools;

namespace {
// A smooth, asymmetric blob well inside the volume (rotations keep it inside).
Volume blob(std::array<int, 3> shape) {
  Volume v(shape);
  for (int z = 0; z < shape[0]; ++z)
    for (int y = 0; y < shape[1]; ++y)
      for (int x = 0; x < shape[2]; ++x) {
        const double dz = z - shape[0] / 2.0, dy = y - shape[1] / 2.0 - 1.5, dx = x - shape[2] / 2.0 + 1.0;
        v.at(z, y, x) = float(std::exp(-(dz * dz / 18 + dy * dy / 10 + dx * dx / 6)));
      }
  return v;
}

Batch toy_batch(int n_neg, int n_pos, int channels, std::array<int, 3> shape) {
  Batch b;
  b.shape = {n_neg + n_pos, channels, shape[0], shape[1], shape[2]};
  b.data.resize(std::size_t(b.shape[0]) * b.sample_size());
  for (int i = 0; i < b.shape[0]; ++i) {
    b.ids.push_back("P" + std::to_string(i));
    b.labels.push_back(i < n_neg ? 0 : 1);
    Volume v = blob(shape);
    for (float& x : v.data) x *= 0.5f + 0.05f * i;
    for (int c = 0; c < channels; ++c) b.set_channel(i, c, v);
  }
  return b;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(mri_augment)

BOOST_AUTO_TEST_CASE(flip_twice_is_identity_and_flips_every_axis) {
  Volume v = blob({9, 12, 14});
  v.at(1, 2, 3) = 7.0f;
  Volume f = flip_all_axes(v);
  BOOST_TEST(f.at(9 - 1 - 1, 12 - 1 - 2, 14 - 1 - 3) == 7.0f);
  Volume ff = flip_all_axes(f);
  BOOST_TEST(ff.data == v.data, tt::per_element());
}

BOOST_AUTO_TEST_CASE(rotation_preserves_mass_and_zero_angle_is_identity) {
  Volume v = blob({16, 24, 24});
  const double mass = mri_test::sum(v);
  for (double angle : {-150.0, -37.0, 90.0, 180.0}) {
    Volume r = rotate_axial(v, angle);
    BOOST_TEST(mri_test::sum(r) == mass, tt::tolerance(0.02));
  }
  Volume r0 = rotate_axial(v, 0.0);
  for (std::size_t i = 0; i < v.size(); ++i) BOOST_TEST(r0.data[i] == v.data[i], tt::tolerance(1e-4f));
  // 180° in the axial plane maps (z, y, x) → (z, H−1−y, W−1−x) on this even grid.
  Volume r180 = rotate_axial(v, 180.0);
  BOOST_TEST(r180.at(8, 3, 5) == v.at(8, 20, 18), tt::tolerance(1e-3f));
}

BOOST_AUTO_TEST_CASE(noise_mean_and_variance) {
  Volume half({32, 32, 32}, {1, 1, 1}, 0.5f);
  Volume n = add_noise(half, 0.01, 7);
  double mean = mri_test::sum(n) / n.size(), var = 0;
  for (float x : n.data) var += (x - mean) * (x - mean);
  var /= n.size() - 1;
  BOOST_TEST(mean == 0.5, tt::tolerance(0.01));
  BOOST_TEST(var == 0.01, tt::tolerance(0.05));
  // Clipped to [0, 1]; the same seed gives the same noise, another seed another.
  Volume zeros({8, 8, 8});
  Volume nz = add_noise(zeros, 0.01, 7);
  BOOST_TEST(*std::min_element(nz.data.begin(), nz.data.end()) == 0.0f);
  BOOST_TEST(*std::max_element(nz.data.begin(), nz.data.end()) <= 1.0f);
  BOOST_TEST(add_noise(half, 0.01, 7).data == n.data, tt::per_element());
  BOOST_TEST(add_noise(half, 0.01, 8).data != n.data);
}

BOOST_AUTO_TEST_CASE(elastic_is_seeded_and_bounded) {
  Volume v = blob({16, 20, 20});
  Volume a = elastic(v, 3, 5.0, 11), b = elastic(v, 3, 5.0, 11), c = elastic(v, 3, 5.0, 12);
  BOOST_TEST(a.data == b.data, tt::per_element());
  BOOST_TEST(a.data != c.data);
  BOOST_TEST(a.data != v.data);
  BOOST_TEST(*std::max_element(a.data.begin(), a.data.end()) <= 1.0f + 1e-6f);
  BOOST_TEST(*std::min_element(a.data.begin(), a.data.end()) >= 0.0f);
  Volume still = elastic(v, 3, 0.0, 11);  // no displacement: identity
  for (std::size_t i = 0; i < v.size(); ++i) BOOST_TEST(still.data[i] == v.data[i], tt::tolerance(1e-4f));
}

// The float32 loops against the ITK filters they replaced (augment_itk.hpp), on an asymmetric
// blob plus seeded noise, at anisotropic spacing and odd and even sizes: every voxel to ≤ 1e-5.
BOOST_AUTO_TEST_CASE(fast_transforms_equal_the_itk_filters) {
  Rng rng(5);
  for (auto shape : {std::array<int, 3>{16, 24, 24}, std::array<int, 3>{11, 20, 17}}) {
    Volume v = blob(shape);
    for (float& x : v.data) x = std::clamp(x + float(0.05 * rng.normal()), 0.0f, 1.0f);
    v.spacing = {2.0, 1.5, 1.0};
    auto worst = [](const Volume& a, const Volume& b) {
      BOOST_REQUIRE(a.shape == b.shape);
      double w = 0;
      for (std::size_t i = 0; i < a.size(); ++i) w = std::max(w, double(std::abs(a.data[i] - b.data[i])));
      return w;
    };
    BOOST_TEST(flip_all_axes(v).data == itk_reference::flip_all_axes(v).data, tt::per_element());
    for (double angle : {-179.0, -90.0, -37.5, 0.0, 12.0, 90.0, 180.0})
      BOOST_TEST(worst(rotate_axial(v, angle), itk_reference::rotate_axial(v, angle)) <= 1e-5,
                 "rotate " << angle << " deg, shape " << to_string(shape));
    for (std::uint64_t seed : {1u, 11u, 12u, 99u})
      for (int points : {2, 3, 5})
        BOOST_TEST(worst(elastic(v, points, 5.0, seed), itk_reference::elastic(v, points, 5.0, seed, 0)) <= 1e-5,
                   "elastic seed " << seed << ", " << points << " points, shape " << to_string(shape));
    // Nearest: the same voxel as ITK's rounding, so equal except where a position falls within
    // rounding error of a half-voxel (none in these draws, or a handful at most).
    for (std::uint64_t seed : {3u, 4u}) {
      const Volume a = elastic(v, 3, 5.0, seed, Interpolation::Nearest);
      const Volume b = itk_reference::elastic(v, 3, 5.0, seed, 0, true);
      std::size_t differ = 0;
      for (std::size_t i = 0; i < a.size(); ++i) differ += a.data[i] != b.data[i];
      BOOST_TEST(differ <= 2u, "nearest elastic seed " << seed << ": " << differ << " voxels differ");
      BOOST_TEST(a.data != elastic(v, 3, 5.0, seed).data);  // not the linear warp
    }
  }
  // ITK's old default sampled the spline on a grid 8× finer than the knots: positions within
  // a quarter voxel of the exact warp, which is now what training sees. On a ramp I = x + 1
  // (0 only outside) the difference of values is the difference of x positions.
  Volume ramp({40, 48, 48});
  for (int z = 0; z < 40; ++z)
    for (int y = 0; y < 48; ++y)
      for (int x = 0; x < 48; ++x) ramp.at(z, y, x) = float(x + 1);
  Volume exact = elastic(ramp, 3, 5.0, 11), coarse = itk_reference::elastic(ramp, 3, 5.0, 11, 8);
  double worst = 0;
  for (std::size_t i = 0; i < ramp.size(); ++i)
    if (coarse.data[i] > 0 && exact.data[i] > 0)  // both sampled inside the image
      worst = std::max(worst, double(std::abs(exact.data[i] - coarse.data[i])));
  BOOST_TEST_MESSAGE("old coarse field vs exact elastic warp: worst difference " << worst << " voxel");
  BOOST_TEST(worst > 0.0);
  BOOST_TEST(worst < 0.25);
}

BOOST_AUTO_TEST_CASE(elastic_displacement_has_the_requested_size) {
  // On a ramp I = x, the warped value minus the ramp is the x displacement. At the centre
  // knot it is the drawn N(0, sigma²) value itself, so its RMS over seeds is about sigma.
  Volume ramp({33, 33, 33});
  for (int z = 0; z < 33; ++z)
    for (int y = 0; y < 33; ++y)
      for (int x = 0; x < 33; ++x) ramp.at(z, y, x) = float(x);
  double sq = 0;
  const int seeds = 40;
  for (int s = 1; s <= seeds; ++s) {
    const double d = elastic(ramp, 3, 5.0, s).at(16, 16, 16) - 16.0;
    sq += d * d;
  }
  const double rms = std::sqrt(sq / seeds);
  BOOST_TEST_MESSAGE("RMS displacement at the centre knot: " << rms);
  BOOST_TEST(rms > 3.8);
  BOOST_TEST(rms < 6.2);
}

BOOST_AUTO_TEST_CASE(paper_mode_adds_four_copies_then_balances) {
  Batch train = toy_batch(4, 2, 2, {8, 10, 10});
  AugmentOptions opts;
  opts.balance = false;
  Batch all = augment_training_set(train, opts);
  BOOST_TEST(all.shape[0] == 30);  // 6 originals + 4 copies each
  BOOST_TEST(std::count(all.ids.begin(), all.ids.end(), "P0#elastic") == 1);
  opts.balance = true;
  Batch bal = augment_training_set(train, opts);
  BOOST_TEST(bal.shape[0] == 20);  // 10 positives kept, 20 negatives pruned to 10
  BOOST_TEST(std::count(bal.labels.begin(), bal.labels.end(), 1) == 10);
  BOOST_TEST(std::count(bal.labels.begin(), bal.labels.end(), 0) == 10);
  BOOST_TEST(bal.data.size() == std::size_t(20) * bal.sample_size());
  std::set<std::string> unique(bal.ids.begin(), bal.ids.end());
  BOOST_TEST(unique.size() == 20u);
  // Seeded: the same seed gives the same set, another seed another pruning or draws.
  Batch again = augment_training_set(train, opts);
  BOOST_TEST(again.ids == bal.ids, tt::per_element());
  BOOST_TEST(again.data == bal.data, tt::per_element());
  opts.seed = 43;
  Batch other = augment_training_set(train, opts);
  BOOST_TEST((other.ids != bal.ids || other.data != bal.data));
}

BOOST_AUTO_TEST_CASE(channels_share_geometry_but_not_noise) {
  Batch train = toy_batch(1, 1, 2, {8, 10, 10});  // both channels identical
  AugmentOptions opts;
  for (Augmentation kind : {Augmentation::Flip, Augmentation::Rotate, Augmentation::Elastic}) {
    Batch a = augment_sample(train, 1, kind, opts);
    BOOST_TEST(a.channel(0, 0).data == a.channel(0, 1).data, tt::per_element());
    BOOST_TEST(a.labels[0] == 1);
  }
  Batch n = augment_sample(train, 1, Augmentation::Noise, opts);
  BOOST_TEST(n.channel(0, 0).data != n.channel(0, 1).data);
}

BOOST_AUTO_TEST_CASE(training_set_is_the_same_at_any_thread_count) {
  Batch train = toy_batch(3, 4, 2, {8, 12, 12});
  AugmentOptions o;
  o.threads = 1;
  Batch one = augment_training_set(train, o);
  for (int threads : {2, 3, 64}) {
    o.threads = threads;
    Batch many = augment_training_set(train, o);
    BOOST_TEST(many.ids == one.ids, tt::per_element());
    BOOST_TEST(many.labels == one.labels, tt::per_element());
    BOOST_TEST(many.data == one.data, tt::per_element());
  }
}

BOOST_AUTO_TEST_SUITE_END()
