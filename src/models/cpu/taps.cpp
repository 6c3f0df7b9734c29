#include "models/cpu/taps.hpp"

#include <dnnl.h>

#include <cstring>
#include <vector>

#include "common/error.hpp"
#include "models/cpu/workers.hpp"

namespace gbmsweep::models::taps {

void sgemm(char ta, char tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  const auto st = dnnl_sgemm(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
  GBM_CHECK(st == dnnl_success, "dnnl_sgemm failed (status " << static_cast<int>(st) << ")");
}

void conv_channels_last(const float* x, float* y, int64_t batch, const std::array<int64_t, 3>& size,
                        int64_t k, int64_t n, int64_t dilation, const TapWeights& w) {
  const int64_t D = size[0], H = size[1], W = size[2];
  if (batch * D * H * W == 0) return;
  const char tb = w.transposed ? 'T' : 'N';
  const auto weights = [&](int t) { return w.data + (w.mirrored ? mirror(t) : t) * w.tap_stride; };
  sgemm('N', tb, batch * D * H * W, n, k, x, k, weights(kCentre), w.ld, 0.0f, y, n);
  std::vector<float> a, c;
  for (int t = 0; t < kTaps; ++t) {
    const Box b = tap_box(t, dilation, size);
    if (t == kCentre || b.empty()) continue;
    const int64_t run = b.len[2], lines = b.len[0] * b.len[1], m = batch * lines * run;
    a.resize(static_cast<size_t>(m * k));
    c.resize(static_cast<size_t>(m * n));
    // Box row r = (image, d, h, w) in order; one W-run of `run` voxels per line.
    const auto voxel = [&](int64_t li, const std::array<int64_t, 3>& start) {
      const int64_t img = li / lines, dh = li % lines;
      const int64_t d = start[0] + dh / b.len[1], h = start[1] + dh % b.len[1];
      return ((img * D + d) * H + h) * W + start[2];
    };
    parallel_range(batch * lines, [&](int64_t begin, int64_t end) {
      for (int64_t li = begin; li < end; ++li)
        std::memcpy(a.data() + li * run * k, x + voxel(li, b.in) * k, sizeof(float) * run * k);
    });
    sgemm('N', tb, m, n, k, a.data(), k, weights(t), w.ld, 0.0f, c.data(), n);
    parallel_range(batch * lines, [&](int64_t begin, int64_t end) {
      for (int64_t li = begin; li < end; ++li) {
        float* to = y + voxel(li, b.out) * n;
        const float* from = c.data() + li * run * n;
        for (int64_t i = 0; i < run * n; ++i) to[i] += from[i];
      }
    });
  }
}

}  // namespace gbmsweep::models::taps
