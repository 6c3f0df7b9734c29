#pragma once
// Minimal filtering (Winograd's bilinear algorithms) for the dilated 3x3x3 convolutions of
// SpotTune's small layer3/layer4 volumes in evaluation.
//
// A stride-1 3x3x3 convolution with dilation d and padding d never mixes voxels whose
// coordinates differ modulo d: along each axis the volume splits into d sublattices (polyphase
// components), and on each the convolution is an undilated 3-tap one with zero padding. On
// these volumes every sublattice is 1, 2 or 3 voxels long, and a 3-tap filter over a zero-padded
// axis of length L is a bilinear map of rank 1, 3 and 4 (direct: 1, 4 and 7 products):
//   L = 1: y0 = g1 x0.
//   L = 2: m0 = g1 (x0 + x1), m1 = (g2 - g1) x1, m2 = (g0 - g1) x0; y0 = m0 + m1, y1 = m0 + m2.
//   L = 3: four products (g0 + s g1 -+ t g2)(-+t x0 + s x1 + x2) with s = 1/2, t = 1 and
//          s = 3/2, t = 1 (a family with s'^2 = s^2 + 2t; this member keeps the rounding error
//          growth, sum |a| |b| |c| over the products, near its minimum of about 10).
// In 3D the products are per point of the three axes' algorithms: layer3 (dilation 2, 5x6x6)
// needs 7 x 8 x 8 = 448 matrix products per voxel row instead of the 11 x 14 x 14 = 2156 (voxel,
// tap) pairs that read inside the volume; layer4 (dilation 4) 6 x 8 x 8 = 384 instead of 700.
// The points of the same filter transform (the same "kind" on each axis) share one transformed
// weight matrix, so the products run as one GEMM per kind triple over all rows that use it.
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace gbmsweep::models::minimal_filter {

// Whether every sublattice of every axis is at most 3 voxels long (size <= 3 * dilation).
bool applicable(int64_t dilation, const std::array<int64_t, 3>& size);

// The transformed weights of one convolution, for one volume size, and the transforms' plan.
class Plan {
 public:
  // weight: [cout, cin, 3, 3, 3] contiguous. Requires applicable(dilation, size).
  Plan(const float* weight, int64_t cout, int64_t cin, int64_t dilation,
       const std::array<int64_t, 3>& size);

  // y[batch, D, H, W, cout] = the convolution of x[batch, D, H, W, cin] (channels last, no
  // bias). Safe to call from several threads at once.
  void conv_channels_last(const float* x, float* y, int64_t batch) const;

  // Matrix products per voxel row (for the cost comparison in the docs and tests).
  int64_t products_per_row() const;

  struct Term {
    int64_t index;  // a position on the axis, or a point of the axis' algorithms
    float coef;
  };
  struct Axis {
    int64_t size = 0;
    std::vector<int> kind;            // per point: which filter transform it applies
    std::vector<int64_t> rank;        // per point: its index among the points of its kind
    std::vector<int64_t> count;       // per kind: how many points
    std::vector<std::vector<Term>> in;   // per point: the input positions it combines
    std::vector<std::vector<Term>> out;  // per position: the points its output combines
    int64_t points() const { return static_cast<int64_t>(kind.size()); }
  };

 private:
  struct Group {  // one kind triple: a GEMM over batch * rows rows
    std::array<int, 3> kind;
    int64_t rows = 0;    // per image
    int64_t offset = 0;  // rows per image before this group
  };
  // Row of point (pd, ph, pw) of image n in the grouped product layout.
  int64_t row(int64_t batch, int64_t n, int64_t pd, int64_t ph, int64_t pw) const;

  int64_t cout_, cin_;
  std::array<Axis, 3> axes_;
  std::vector<Group> groups_;
  std::vector<int> group_of_;  // [kind d][kind h][kind w] -> group
  int64_t rows_per_image_ = 0;
  std::unique_ptr<float[]> u_;  // per group [cout, cin]; not zero-filled (the GEMM writes it)
};

}  // namespace gbmsweep::models::minimal_filter
