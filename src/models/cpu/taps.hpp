#pragma once
// Tap-by-tap geometry of a stride-1, 3x3x3 convolution with padding = dilation: for each of the
// 27 taps, the box of output voxels whose input voxel (output + offset) lies inside the volume.
// On SpotTune's small layer3/layer4 volumes most taps reach only a few voxels, and the
// evaluation blocks (packed_block) and the training backward (dilated_conv) multiply only those.
#include <algorithm>
#include <array>
#include <cstdint>

namespace gbmsweep::models::taps {

constexpr int kTaps = 27;
constexpr int kCentre = 13;  // offset 0 on every axis: reaches every voxel

struct Box {
  std::array<int64_t, 3> out{}, in{}, len{};  // start in the output, in the input; extent
  bool empty() const { return len[0] <= 0 || len[1] <= 0 || len[2] <= 0; }
  int64_t voxels() const { return empty() ? 0 : len[0] * len[1] * len[2]; }
};

// Tap t = (kd * 3 + kh) * 3 + kw, the weight's [kd][kh][kw] order.
inline Box tap_box(int t, int64_t dilation, const std::array<int64_t, 3>& size) {
  const std::array<int, 3> k = {t / 9, t / 3 % 3, t % 3};
  Box b;
  for (int d = 0; d < 3; ++d) {
    const int64_t off = (k[d] - 1) * dilation;
    b.out[d] = std::max<int64_t>(0, -off);
    b.len[d] = std::min(size[d], size[d] - off) - b.out[d];
    b.in[d] = b.out[d] + off;
  }
  return b;
}

// Tap t's mirror (offset -offset(t)): the input gradient of a tap convolution reads through it.
constexpr int mirror(int t) { return kTaps - 1 - t; }

// Fraction of the (output voxel, tap) pairs that read inside the volume.
inline double valid_fraction(int64_t dilation, const std::array<int64_t, 3>& size) {
  int64_t valid = 0;
  for (int t = 0; t < kTaps; ++t) valid += tap_box(t, dilation, size).voxels();
  return static_cast<double>(valid) / static_cast<double>(kTaps * size[0] * size[1] * size[2]);
}

// Row-major c[m, n] = op(a) op(b) + beta c through oneDNN's sgemm (deterministic for a fixed
// thread count); a failure status becomes an Error.
void sgemm(char ta, char tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// Tap t's weights as a GEMM operand: the matrix at data + t * tap_stride with leading dimension
// ld, [k, n] ('N') or stored [n, k] (transposed, 'T').
struct TapWeights {
  const float* data = nullptr;
  int64_t tap_stride = 0, ld = 0;
  bool transposed = false;
  bool mirrored = false;  // tap t reads the weights of mirror(t)
};

// The tap-by-tap convolution on channels-last data: y[batch * voxels, n] = sum over taps t of
// x at the input box of t (x: [batch, D, H, W, k]) times tap t's weights, placed at its output
// box. The centre tap is one GEMM over every voxel (writing y); every other tap gathers the rows
// it reaches, one GEMM, and adds into its box, in tap order.
void conv_channels_last(const float* x, float* y, int64_t batch, const std::array<int64_t, 3>& size,
                        int64_t k, int64_t n, int64_t dilation, const TapWeights& w);

}  // namespace gbmsweep::models::taps
