#pragma once
// Volumes as plain arrays: the image type the rest of gbmsweep sees. No ITK in this header
// (ITK headers are heavy and pull a serial HDF5 include path); the ITK code converts at the
// edge, in the .cpp files of this folder.
#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace gbmsweep::mri {

// A 3-D scalar volume in C order [z][y][x] = D×H×W. This is ITK's buffer order (x fastest), so
// the NIfTI dims (i, j, k) of a file are (W, H, D) here, as numpy/nibabel shows them reversed.
struct Volume {
  std::array<int, 3> shape{0, 0, 0};             // D, H, W
  std::array<double, 3> spacing{1.0, 1.0, 1.0};  // mm, D, H, W order
  std::vector<float> data;

  Volume() = default;
  explicit Volume(std::array<int, 3> shape, std::array<double, 3> spacing = {1.0, 1.0, 1.0},
                  float fill = 0.0f);
  std::size_t size() const { return std::size_t(shape[0]) * shape[1] * shape[2]; }
  std::size_t index(int z, int y, int x) const {
    return (std::size_t(z) * shape[1] + std::size_t(y)) * shape[2] + std::size_t(x);
  }
  float& at(int z, int y, int x) { return data[index(z, y, x)]; }
  float at(int z, int y, int x) const { return data[index(z, y, x)]; }
};

// A voxel box [lo, hi) in D, H, W order.
struct Box {
  std::array<int, 3> lo{0, 0, 0};
  std::array<int, 3> hi{0, 0, 0};
  std::array<int, 3> size() const { return {hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]}; }
  bool empty() const { return hi[0] <= lo[0] || hi[1] <= lo[1] || hi[2] <= lo[2]; }
  bool operator==(const Box& o) const { return lo == o.lo && hi == o.hi; }
};
Box union_box(const Box& a, const Box& b);  // an empty box is the identity
std::string to_string(const Box& b);         // "z0:z1,y0:y1,x0:x1"
Box parse_box(const std::string& text);      // inverse of to_string; throws std::invalid_argument
std::string to_string(const std::array<int, 3>& shape);  // "DxHxW"

// N samples × C channels × D×H×W floats, C order: what the training code turns into a tensor.
struct Batch {
  std::vector<std::string> ids;  // per sample; augmented copies carry a suffix ("...#flip")
  std::vector<int> labels;       // per sample: 1 = methylated, 0 = unmethylated
  std::array<int, 5> shape{0, 0, 0, 0, 0};  // N, C, D, H, W
  std::vector<float> data;

  std::size_t sample_size() const { return std::size_t(shape[1]) * shape[2] * shape[3] * shape[4]; }
  Volume channel(int n, int c) const;            // a copy of one channel of one sample
  void set_channel(int n, int c, const Volume& v);  // v must have shape D, H, W
};

// The 11 UPENN-GBM modalities in the paper's order, and their groups.
enum class Group { Structural, DTI, DSC };
const std::vector<std::string>& modality_names();
int modality_index(const std::string& name);  // -1 when unknown
Group group_of(const std::string& modality);  // throws std::invalid_argument when unknown
const char* group_name(Group g);               // "Struct", "DTI", "DSC"

// ITK's global default thread count for the filters of this folder (0 = ITK's own default,
// the number of cores). A sweep rank sets it to cores per rank (STACK.md trap 5).
void set_itk_threads(int threads);
int itk_threads();  // the current global default

}  // namespace gbmsweep::mri
