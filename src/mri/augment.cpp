#include "mri/augment.hpp"

// The transforms here are plain loops in float32 on our own arrays (issue 19, item 5): the ITK
// filters they replace (augment_itk.cpp, kept as the test reference) converted each volume to
// an itk::Image and back and, for the elastic warp, evaluated a generic B-spline transform per
// voxel. The arithmetic follows ITK's exactly (same geometry, same linear interpolation with
// its edge rule), so the output is ITK's to ≤ 1e-5 (tests/mri/test_augment.cpp).
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

#include "common/error.hpp"
#include "mri/augment_spline.hpp"
#include "mri/rng.hpp"

namespace gbmsweep::mri {

namespace {

// The inverse of the p×p matrix that maps cubic B-spline coefficients to the values at the
// knots, (c[u−1] + 4 c[u] + c[u+1]) / 6, with mirrored ends (c[−1] = c[1], c[p] = c[p−2]) as
// scipy's spline prefilter. Row-major.
std::vector<double> interpolation_inverse(int p) {
  std::vector<double> m(std::size_t(p) * p, 0.0), inv(std::size_t(p) * p, 0.0);
  auto mirror = [p](int u) { return u < 0 ? -u : u >= p ? 2 * (p - 1) - u : u; };
  for (int u = 0; u < p; ++u) {
    m[u * p + mirror(u - 1)] += 1.0 / 6;
    m[u * p + u] += 4.0 / 6;
    m[u * p + mirror(u + 1)] += 1.0 / 6;
    inv[u * p + u] = 1.0;
  }
  // Gauss-Jordan; the matrix is strictly diagonally dominant, so no pivoting is needed.
  for (int c = 0; c < p; ++c) {
    const double d = m[c * p + c];
    for (int k = 0; k < p; ++k) m[c * p + k] /= d, inv[c * p + k] /= d;
    for (int r = 0; r < p; ++r) {
      if (r == c) continue;
      const double f = m[r * p + c];
      for (int k = 0; k < p; ++k) m[r * p + k] -= f * m[c * p + k], inv[r * p + k] -= f * inv[c * p + k];
    }
  }
  return inv;
}

std::uint64_t sample_seed(const AugmentOptions& opts, const std::string& id, Augmentation kind) {
  return derive_seed(opts.seed, id + "#" + augmentation_name(kind));
}

// Linear interpolation along one axis at continuous index x of an axis of n voxels, with
// itk::LinearInterpolateImageFunction's edge rule: a point in [−0.5, 0) takes voxel 0's value
// and one in (n−1, n−0.5) voxel n−1's (the caller has checked x ∈ [−0.5, n−0.5), ITK's
// IsInsideBuffer). value = v[i0] + (v[i1] − v[i0]) · w.
struct Lerp {
  int i0, i1;
  float w;
};
inline Lerp lerp_at(double x, int n) {
  if (!(x > 0.0)) return {0, 0, 0.0f};
  const int b = static_cast<int>(x);  // floor, x > 0
  if (b >= n - 1) return {n - 1, n - 1, 0.0f};
  return {b, b + 1, static_cast<float>(x - b)};
}
inline bool inside(double x, int n) { return x >= -0.5 && x < n - 0.5; }

// The cubic B-spline kernel (ITK's BSplineKernelFunction<3>).
inline double bspline3(double x) {
  const double a = std::fabs(x);
  if (a < 1.0) return (4.0 - 6.0 * a * a + 3.0 * a * a * a) / 6.0;
  if (a < 2.0) return (2.0 - a) * (2.0 - a) * (2.0 - a) / 6.0;
  return 0.0;
}

// Per voxel of an axis of n voxels: the first of the 4 spline coefficients that support it and
// their weights. The knots span the axis (voxel 0 ↔ knot 0, voxel n−1 ↔ knot points−1) and
// coefficient c sits on knot c − 1 (itk::BSplineTransform's layout; its support test moves the
// last voxel just inside, which start ≤ points − 2 does here).
struct SplineAxis {
  std::vector<int> start;
  std::vector<std::array<double, 4>> w;
};
SplineAxis spline_axis(int n, int points) {
  SplineAxis s;
  s.start.resize(n);
  s.w.resize(n);
  for (int i = 0; i < n; ++i) {
    const double u = (n > 1 ? double(i) * (points - 1) / double(n - 1) : 0.0) + 1.0;
    const int st = std::clamp(static_cast<int>(std::floor(u - 1.0)), 0, points - 2);
    s.start[i] = st;
    for (int k = 0; k < 4; ++k) s.w[i][k] = bspline3(u - (st + k));
  }
  return s;
}

}  // namespace

namespace detail {

ElasticSpline draw_elastic_spline(const Volume& v, int points, double sigma_vox, std::uint64_t seed) {
  GBM_CHECK(points >= 2, "elastic deformation needs at least 2 control points per axis");
  const int p = points, q = points + 2;  // knots, coefficients per axis
  const auto inv = interpolation_inverse(p);
  ElasticSpline s;
  s.points = p;
  s.coef.assign(3u * q * q * q, 0.0);
  Rng rng(seed);
  for (int a = 0; a < 3; ++a) {  // ITK axis: x = W, y = H, z = D
    // The displacements are drawn at the p×p×p knots (the paper's random grid, s.d. sigma
    // voxels) and the spline is made to pass through them: an ITK B-spline only approximates
    // its coefficients, which would shrink the deformation about 3-fold.
    std::vector<double> grid(std::size_t(p) * p * p);  // [k][j][i], i along x
    for (double& g : grid) g = sigma_vox * v.spacing[2 - a] * rng.normal();
    // Coefficients = inv ⊗ inv ⊗ inv applied to the grid, one axis at a time.
    for (int axis = 0; axis < 3; ++axis) {
      std::vector<double> out(grid.size(), 0.0);
      const int stride = axis == 0 ? 1 : axis == 1 ? p : p * p;
      for (int idx = 0; idx < p * p * p; ++idx) {
        const int u = idx / stride % p, base = idx - u * stride;
        for (int w = 0; w < p; ++w) out[idx] += inv[u * p + w] * grid[base + w * stride];
      }
      grid.swap(out);
    }
    // Coefficient c ↔ knot c − 1; the ones beyond the ends mirror (knot −1 = knot 1).
    auto knot = [p](int c) { return c == 0 ? 1 : c == p + 1 ? p - 2 : c - 1; };
    for (int k = 0; k < q; ++k)
      for (int j = 0; j < q; ++j)
        for (int i = 0; i < q; ++i)
          s.coef[a * q * q * q + (k * q + j) * q + i] = grid[(knot(k) * p + knot(j)) * p + knot(i)];
  }
  return s;
}

}  // namespace detail

const char* augmentation_name(Augmentation a) {
  switch (a) {
    case Augmentation::Flip: return "flip";
    case Augmentation::Rotate: return "rotate";
    case Augmentation::Noise: return "noise";
    case Augmentation::Elastic: return "elastic";
  }
  return "?";
}

Interpolation parse_interpolation(const std::string& name) {
  if (name == "linear") return Interpolation::Linear;
  if (name == "nearest") return Interpolation::Nearest;
  GBM_THROW("unknown interpolation '" << name << "' (linear or nearest)");
}

// Flipping all three axes of a C-order array reverses its buffer.
Volume flip_all_axes(const Volume& v) {
  Volume out;
  out.shape = v.shape;
  out.spacing = v.spacing;
  out.data.assign(v.data.rbegin(), v.data.rend());
  return out;
}

// itk::Euler3DTransform about the centre, rotating ITK's (x, y) = (W, H) plane: an output voxel
// at physical p takes the input at R(θ)(p − c) + c. The map is the same for every slice, so it
// is computed once per in-plane voxel and applied to all D slices.
Volume rotate_axial(const Volume& v, double angle_deg) {
  const int D = v.shape[0], H = v.shape[1], W = v.shape[2];
  const double sy = v.spacing[1], sx = v.spacing[2];
  const double th = angle_deg * M_PI / 180.0, c = std::cos(th), s = std::sin(th);
  const double cy = (H - 1) * sy / 2.0, cx = (W - 1) * sx / 2.0;
  struct Tap {
    std::int32_t o00 = -1, o01 = 0, o10 = 0, o11 = 0;  // slice offsets; o00 < 0: outside
    float wx = 0, wy = 0;
  };
  std::vector<Tap> taps(std::size_t(H) * W);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const double px = x * sx - cx, py = y * sy - cy;
      const double ix = (c * px - s * py + cx) / sx, iy = (s * px + c * py + cy) / sy;
      if (!inside(ix, W) || !inside(iy, H)) continue;
      const Lerp lx = lerp_at(ix, W), ly = lerp_at(iy, H);
      Tap& t = taps[std::size_t(y) * W + x];
      t.o00 = ly.i0 * W + lx.i0, t.o01 = ly.i0 * W + lx.i1;
      t.o10 = ly.i1 * W + lx.i0, t.o11 = ly.i1 * W + lx.i1;
      t.wx = lx.w, t.wy = ly.w;
    }
  Volume out(v.shape, v.spacing);
  const std::size_t slice = std::size_t(H) * W;
  for (int z = 0; z < D; ++z) {
    const float* in = v.data.data() + z * slice;
    float* o = out.data.data() + z * slice;
    for (std::size_t k = 0; k < slice; ++k) {
      const Tap& t = taps[k];
      if (t.o00 < 0) continue;  // 0 outside, as Volume's fill
      const float a = in[t.o00] + (in[t.o01] - in[t.o00]) * t.wx;
      const float b = in[t.o10] + (in[t.o11] - in[t.o10]) * t.wx;
      o[k] = a + (b - a) * t.wy;
    }
  }
  return out;
}

Volume add_noise(const Volume& v, double variance, std::uint64_t seed) {
  Rng rng(seed);
  const double sd = std::sqrt(variance);
  Volume out = v;
  for (float& x : out.data)
    x = static_cast<float>(std::clamp(double(x) + sd * rng.normal(), 0.0, 1.0));
  return out;
}

// The warp of itk::BSplineTransform + ResampleImageFilter, evaluated separably: the spline is
// a tensor product, so for each slice the coefficients are contracted along z once, for each
// row along y once, and each voxel costs 4 multiply-adds per axis of displacement.
Volume elastic(const Volume& v, int points, double sigma_vox, std::uint64_t seed,
               Interpolation interpolation) {
  const detail::ElasticSpline spline = detail::draw_elastic_spline(v, points, sigma_vox, seed);
  const int D = v.shape[0], H = v.shape[1], W = v.shape[2], q = points + 2;
  const SplineAxis ax = spline_axis(W, points), ay = spline_axis(H, points), az = spline_axis(D, points);
  const double inv_s[3] = {1.0 / v.spacing[2], 1.0 / v.spacing[1], 1.0 / v.spacing[0]};
  const std::size_t q3 = std::size_t(q) * q * q;
  Volume out(v.shape, v.spacing);
  std::vector<double> tz(3u * q * q), ty(3u * q);  // [a][j][i], [a][i]
  for (int z = 0; z < D; ++z) {
    for (int a = 0; a < 3; ++a)
      for (int ji = 0; ji < q * q; ++ji) {
        double acc = 0.0;
        for (int k = 0; k < 4; ++k) acc += az.w[z][k] * spline.coef[a * q3 + (az.start[z] + k) * q * q + ji];
        tz[a * q * q + ji] = acc;
      }
    for (int y = 0; y < H; ++y) {
      for (int a = 0; a < 3; ++a)
        for (int i = 0; i < q; ++i) {
          double acc = 0.0;
          for (int k = 0; k < 4; ++k) acc += ay.w[y][k] * tz[a * q * q + (ay.start[y] + k) * q + i];
          ty[a * q + i] = acc;
        }
      float* o = out.data.data() + v.index(z, y, 0);
      for (int x = 0; x < W; ++x) {
        double d[3];
        for (int a = 0; a < 3; ++a) {
          const double* t = ty.data() + a * q + ax.start[x];
          d[a] = ax.w[x][0] * t[0] + ax.w[x][1] * t[1] + ax.w[x][2] * t[2] + ax.w[x][3] * t[3];
        }
        const double ix = x + d[0] * inv_s[0], iy = y + d[1] * inv_s[1], iz = z + d[2] * inv_s[2];
        if (!inside(ix, W) || !inside(iy, H) || !inside(iz, D)) continue;
        if (interpolation == Interpolation::Nearest) {  // ITK's rule: round half up
          o[x] = v.at(int(std::floor(iz + 0.5)), int(std::floor(iy + 0.5)), int(std::floor(ix + 0.5)));
          continue;
        }
        const Lerp lx = lerp_at(ix, W), ly = lerp_at(iy, H), lz = lerp_at(iz, D);
        auto row = [&](int zz, int yy) {
          const float* r = v.data.data() + v.index(zz, yy, 0);
          return r[lx.i0] + (r[lx.i1] - r[lx.i0]) * lx.w;
        };
        const float y0 = row(lz.i0, ly.i0) + (row(lz.i0, ly.i1) - row(lz.i0, ly.i0)) * ly.w;
        const float y1 = row(lz.i1, ly.i0) + (row(lz.i1, ly.i1) - row(lz.i1, ly.i0)) * ly.w;
        o[x] = y0 + (y1 - y0) * lz.w;
      }
    }
  }
  return out;
}

namespace {

// One augmented copy of sample n of `batch`, written to `out` (one sample: C×D×H×W floats).
void augment_into(const Batch& batch, int n, Augmentation kind, const AugmentOptions& opts, float* out) {
  const std::uint64_t seed = sample_seed(opts, batch.ids[n], kind);
  // Geometric draws are shared by the channels; the noise is drawn per channel.
  const double angle = Rng(seed).uniform(-opts.max_angle_deg, opts.max_angle_deg);
  for (int c = 0; c < batch.shape[1]; ++c) {
    Volume v = batch.channel(n, c);
    switch (kind) {
      case Augmentation::Flip: v = flip_all_axes(v); break;
      case Augmentation::Rotate: v = rotate_axial(v, angle); break;
      case Augmentation::Noise:
        v = add_noise(v, opts.noise_variance, derive_seed(seed, "channel" + std::to_string(c)));
        break;
      case Augmentation::Elastic:
        v = elastic(v, opts.elastic_points, opts.elastic_sigma, seed, opts.elastic_interpolation);
        break;
    }
    std::copy(v.data.begin(), v.data.end(), out + c * v.data.size());
  }
}

}  // namespace

Batch augment_sample(const Batch& batch, int n, Augmentation kind, const AugmentOptions& opts) {
  Batch out;
  out.ids = {batch.ids[n] + "#" + augmentation_name(kind)};
  out.labels = {batch.labels[n]};
  out.shape = batch.shape;
  out.shape[0] = 1;
  out.data.resize(out.sample_size());
  augment_into(batch, n, kind, opts, out.data.data());
  return out;
}

Batch augment_training_set(const Batch& train, const AugmentOptions& opts) {
  const int n = train.shape[0];
  GBM_CHECK(int(train.ids.size()) == n && int(train.labels.size()) == n,
            "batch of " << n << " samples has " << train.ids.size() << " ids and "
                        << train.labels.size() << " labels");
  // Entries in sample order: original i at i·(per + 1), then its copies. A copy has its
  // original's label, so the balancing below is decided before any copy is made, and the
  // copies it drops are never computed.
  const std::size_t per = opts.copies.size(), entries = std::size_t(n) * (per + 1);
  auto label_of = [&](std::size_t k) { return train.labels[k / (per + 1)]; };
  std::vector<bool> keep(entries, true);
  if (opts.balance) {
    std::vector<std::size_t> pos, neg;
    for (std::size_t k = 0; k < entries; ++k) (label_of(k) == 1 ? pos : neg).push_back(k);
    auto& major = pos.size() > neg.size() ? pos : neg;
    const std::size_t target = std::min(pos.size(), neg.size());
    Rng rng(derive_seed(opts.seed, "balance"));
    // Partial Fisher-Yates: the first (size − target) entries after shuffling are dropped.
    for (std::size_t i = 0; i + target < major.size(); ++i) {
      std::size_t j = i + rng.below(major.size() - i);
      std::swap(major[i], major[j]);
      keep[major[i]] = false;
    }
  }
  Batch out;
  out.shape = train.shape;
  std::vector<std::size_t> kept;  // entry of each output sample
  for (std::size_t k = 0; k < entries; ++k) {
    if (!keep[k]) continue;
    kept.push_back(k);
    const std::size_t i = k / (per + 1), c = k % (per + 1);
    out.ids.push_back(c == 0 ? train.ids[i] : train.ids[i] + "#" + augmentation_name(opts.copies[c - 1]));
    out.labels.push_back(train.labels[i]);
  }
  out.shape[0] = static_cast<int>(kept.size());
  const std::size_t size = train.sample_size();
  out.data.resize(kept.size() * size);
  // Originals and copies written in place on opts.threads threads. Each copy draws from its
  // own (seed, ID, kind) stream, so the result does not depend on the thread count; memory is
  // the output's plus one volume per thread.
  std::atomic<std::size_t> next{0};
  std::exception_ptr failed;
  std::mutex failed_mutex;
  auto work = [&] {
    for (std::size_t j; (j = next.fetch_add(1)) < kept.size();) {
      try {
        const std::size_t i = kept[j] / (per + 1), c = kept[j] % (per + 1);
        float* dst = out.data.data() + j * size;
        if (c == 0)
          std::copy_n(train.data.begin() + static_cast<std::ptrdiff_t>(i * size), size, dst);
        else
          augment_into(train, int(i), opts.copies[c - 1], opts, dst);
      } catch (...) {
        std::lock_guard<std::mutex> lock(failed_mutex);
        if (!failed) failed = std::current_exception();
        next = kept.size();
      }
    }
  };
  const int threads = std::clamp(opts.threads, 1, std::max(1, int(kept.size())));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (failed) std::rethrow_exception(failed);
  return out;
}

}  // namespace gbmsweep::mri
