#include "models/cpu/minimal_filter.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "models/cpu/taps.hpp"
#include "models/cpu/workers.hpp"

namespace gbmsweep::models::minimal_filter {

namespace {

// The filter transforms ("kinds"): each product multiplies G[kind] . (g0, g1, g2) by a
// combination of the inputs. Kinds 0-2 serve L = 1 and 2, kinds 3-6 serve L = 3.
constexpr int kKinds = 7;
constexpr double kG[kKinds][3] = {
    {0, 1, 0}, {0, -1, 1}, {1, -1, 0},                             // g1, g2 - g1, g0 - g1
    {1, 0.5, -1}, {1, 1.5, 1}, {1, -1.5, 1}, {1, -0.5, -1}};       // L = 3
// Per axis length L: the kinds of its products, B (product r combines inputs j) and A (output i
// combines products r). Checked against the direct sums in test_minimal_filter.
struct Algorithm {
  int products;
  int kind[4];
  double b[4][3];
  double a[3][4];
};
constexpr Algorithm kAlgorithms[4] = {
    {0, {}, {}, {}},
    {1, {0}, {{1}}, {{1}}},
    {3, {0, 1, 2}, {{1, 1}, {0, 1}, {1, 0}}, {{1, 1, 0}, {1, 0, 1}}},
    {4,
     {3, 4, 5, 6},
     {{-1, 0.5, 1}, {1, 1.5, 1}, {1, -1.5, 1}, {-1, -0.5, 1}},  // G's rows reversed
     {{-0.5, 1.0 / 6, -1.0 / 6, 0.5}, {-0.25, 0.25, 0.25, -0.25}, {0.5, 1.0 / 6, -1.0 / 6, -0.5}}},
};

Plan::Axis make_axis(int64_t size, int64_t dilation) {
  Plan::Axis axis;
  axis.size = size;
  axis.count.assign(kKinds, 0);
  axis.out.resize(static_cast<size_t>(size));
  for (int64_t a = 0; a < std::min(dilation, size); ++a) {
    const int64_t len = (size - a + dilation - 1) / dilation;  // sublattice a, a + d, ...
    const Algorithm& alg = kAlgorithms[len];
    const int64_t first = axis.points();
    for (int r = 0; r < alg.products; ++r) {
      axis.kind.push_back(alg.kind[r]);
      axis.rank.push_back(axis.count[alg.kind[r]]++);
      std::vector<Plan::Term> in;
      for (int64_t j = 0; j < len; ++j)
        if (alg.b[r][j] != 0) in.push_back({a + dilation * j, static_cast<float>(alg.b[r][j])});
      axis.in.push_back(std::move(in));
    }
    for (int64_t i = 0; i < len; ++i)
      for (int r = 0; r < alg.products; ++r)
        if (alg.a[i][r] != 0)
          axis.out[a + dilation * i].push_back({first + r, static_cast<float>(alg.a[i][r])});
  }
  return axis;
}

struct Src {
  const float* p;
  float c;
};

// out[i] = sum over terms t of s[t].c * s[t].p[i]: the transforms' only arithmetic, over the
// channels of one voxel or point. Cloned per instruction set; the loops are memory-bound.
__attribute__((target_clones("avx512f", "avx2", "default"))) void combine(
    float* __restrict out, const Src* s, int terms, int64_t len) {
  switch (terms) {
    case 1:
      for (int64_t i = 0; i < len; ++i) out[i] = s[0].c * s[0].p[i];
      break;
    case 2:
      for (int64_t i = 0; i < len; ++i) out[i] = s[0].c * s[0].p[i] + s[1].c * s[1].p[i];
      break;
    case 3:
      for (int64_t i = 0; i < len; ++i)
        out[i] = s[0].c * s[0].p[i] + s[1].c * s[1].p[i] + s[2].c * s[2].p[i];
      break;
    case 4:
      for (int64_t i = 0; i < len; ++i)
        out[i] = s[0].c * s[0].p[i] + s[1].c * s[1].p[i] + s[2].c * s[2].p[i] +
                 s[3].c * s[3].p[i];
      break;
    default:
      GBM_THROW("minimal_filter: " << terms << " terms in one combination");
  }
}

// out = sum over terms of coef * (base + index * stride)[0, len).
void combine_terms(float* out, const std::vector<Plan::Term>& terms, const float* base,
                   int64_t stride, int64_t len) {
  Src s[4];
  const int n = static_cast<int>(terms.size());
  for (int t = 0; t < n; ++t) s[t] = {base + terms[t].index * stride, terms[t].coef};
  combine(out, s, n, len);
}

}  // namespace

bool applicable(int64_t dilation, const std::array<int64_t, 3>& size) {
  if (dilation < 1) return false;
  return std::all_of(size.begin(), size.end(),
                     [&](int64_t s) { return s >= 1 && s <= 3 * dilation; });
}

Plan::Plan(const float* weight, int64_t cout, int64_t cin, int64_t dilation,
           const std::array<int64_t, 3>& size)
    : cout_(cout), cin_(cin) {
  GBM_CHECK(applicable(dilation, size), "minimal_filter: a sublattice longer than 3 (dilation "
                                            << dilation << ", size " << size[0] << "x" << size[1]
                                            << "x" << size[2] << ")");
  for (int i = 0; i < 3; ++i) axes_[i] = make_axis(size[i], dilation);
  group_of_.assign(kKinds * kKinds * kKinds, -1);
  for (int kd = 0; kd < kKinds; ++kd)
    for (int kh = 0; kh < kKinds; ++kh)
      for (int kw = 0; kw < kKinds; ++kw) {
        const int64_t rows = axes_[0].count[kd] * axes_[1].count[kh] * axes_[2].count[kw];
        if (rows == 0) continue;
        group_of_[(kd * kKinds + kh) * kKinds + kw] = static_cast<int>(groups_.size());
        groups_.push_back({{kd, kh, kw}, rows, rows_per_image_});
        rows_per_image_ += rows;
      }
  // u[g] = sum over taps of G[kd][i] G[kh][j] G[kw][k] w[:, :, i, j, k]: one GEMM of the
  // [groups, 27] coefficients with the weight read as [cout * cin, 27].
  const int64_t ng = static_cast<int64_t>(groups_.size());
  std::vector<float> coef(static_cast<size_t>(ng * taps::kTaps));
  for (int64_t g = 0; g < ng; ++g)
    for (int t = 0; t < taps::kTaps; ++t) {
      const auto& k = groups_[g].kind;
      coef[g * taps::kTaps + t] =
          static_cast<float>(kG[k[0]][t / 9] * kG[k[1]][t / 3 % 3] * kG[k[2]][t % 3]);
    }
  u_.reset(new float[static_cast<size_t>(ng * cout * cin)]);
  taps::sgemm('N', 'T', ng, cout * cin, taps::kTaps, coef.data(), taps::kTaps, weight,
              taps::kTaps, 0.0f, u_.get(), cout * cin);
}

int64_t Plan::products_per_row() const {
  return axes_[0].points() * axes_[1].points() * axes_[2].points();
}

int64_t Plan::row(int64_t batch, int64_t n, int64_t pd, int64_t ph, int64_t pw) const {
  const Axis &ad = axes_[0], &ah = axes_[1], &aw = axes_[2];
  const int kd = ad.kind[pd], kh = ah.kind[ph], kw = aw.kind[pw];
  const Group& g = groups_[group_of_[(kd * kKinds + kh) * kKinds + kw]];
  return batch * g.offset +
         ((n * ad.count[kd] + ad.rank[pd]) * ah.count[kh] + ah.rank[ph]) * aw.count[kw] +
         aw.rank[pw];
}

void Plan::conv_channels_last(const float* x, float* y, int64_t batch) const {
  if (batch == 0) return;
  const Axis &ad = axes_[0], &ah = axes_[1], &aw = axes_[2];
  const int64_t D = ad.size, H = ah.size, W = aw.size;
  const int64_t PD = ad.points(), PH = ah.points(), PW = aw.points();
  // The products' inputs and outputs, grouped by kind triple; per thread, reused across calls
  // (fresh large allocations cost page faults on every call).
  thread_local std::vector<float> v, m;
  v.resize(static_cast<size_t>(batch * rows_per_image_ * cin_));
  m.resize(static_cast<size_t>(batch * rows_per_image_ * cout_));
  float* V = v.data();
  float* M = m.data();

  // Input transform, one axis at a time (W, H, then D into the grouped rows), per image.
  parallel_range(batch, [&](int64_t begin, int64_t end) {
    std::vector<float> xw(static_cast<size_t>(D * H * PW * cin_));
    std::vector<float> xh(static_cast<size_t>(D * PH * PW * cin_));
    for (int64_t n = begin; n < end; ++n) {
      const float* xn = x + n * D * H * W * cin_;
      for (int64_t dh = 0; dh < D * H; ++dh)
        for (int64_t pw = 0; pw < PW; ++pw)
          combine_terms(xw.data() + (dh * PW + pw) * cin_, aw.in[pw], xn + dh * W * cin_, cin_,
                        cin_);
      for (int64_t d = 0; d < D; ++d)
        for (int64_t ph = 0; ph < PH; ++ph)
          for (int64_t pw = 0; pw < PW; ++pw)
            combine_terms(xh.data() + ((d * PH + ph) * PW + pw) * cin_, ah.in[ph],
                          xw.data() + (d * H * PW + pw) * cin_, PW * cin_, cin_);
      for (int64_t pd = 0; pd < PD; ++pd)
        for (int64_t ph = 0; ph < PH; ++ph)
          for (int64_t pw = 0; pw < PW; ++pw)
            combine_terms(V + row(batch, n, pd, ph, pw) * cin_, ad.in[pd],
                          xh.data() + (ph * PW + pw) * cin_, PH * PW * cin_, cin_);
    }
  });

  // The products: one GEMM per kind triple, M[rows, cout] = V[rows, cin] u[g]^T.
  for (size_t g = 0; g < groups_.size(); ++g) {
    const Group& gr = groups_[g];
    taps::sgemm('N', 'T', batch * gr.rows, cout_, cin_, V + batch * gr.offset * cin_, cin_,
                u_.get() + static_cast<int64_t>(g) * cout_ * cin_, cin_, 0.0f,
                M + batch * gr.offset * cout_, cout_);
  }

  // Output transform: D (from the grouped rows), H, then W into y, per image.
  parallel_range(batch, [&](int64_t begin, int64_t end) {
    std::vector<float> zd(static_cast<size_t>(D * PH * PW * cout_));
    std::vector<float> zh(static_cast<size_t>(D * H * PW * cout_));
    Src s[4];
    for (int64_t n = begin; n < end; ++n) {
      for (int64_t d = 0; d < D; ++d) {
        const auto& terms = ad.out[d];
        for (int64_t ph = 0; ph < PH; ++ph)
          for (int64_t pw = 0; pw < PW; ++pw) {
            for (size_t t = 0; t < terms.size(); ++t)
              s[t] = {M + row(batch, n, terms[t].index, ph, pw) * cout_, terms[t].coef};
            combine(zd.data() + ((d * PH + ph) * PW + pw) * cout_, s,
                    static_cast<int>(terms.size()), cout_);
          }
      }
      for (int64_t d = 0; d < D; ++d)
        for (int64_t h = 0; h < H; ++h)
          for (int64_t pw = 0; pw < PW; ++pw)
            combine_terms(zh.data() + ((d * H + h) * PW + pw) * cout_, ah.out[h],
                          zd.data() + (d * PH * PW + pw) * cout_, PW * cout_, cout_);
      float* yn = y + n * D * H * W * cout_;
      for (int64_t dh = 0; dh < D * H; ++dh)
        for (int64_t w = 0; w < W; ++w)
          combine_terms(yn + (dh * W + w) * cout_, aw.out[w], zh.data() + dh * PW * cout_, cout_,
                        cout_);
    }
  });
}

}  // namespace gbmsweep::models::minimal_filter
