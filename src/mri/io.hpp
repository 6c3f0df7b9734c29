#pragma once
// NIfTI (.nii / .nii.gz) reading and writing through ITK, behind an ITK-free interface.
#include <cstdint>
#include <string>

#include "mri/volume.hpp"

namespace gbmsweep::mri {

// What to do with NaN/Inf voxels of an image. Zero: set them to 0 and count them (what
// SimpleITK-based code, the reference's included, does silently: the NIfTI library zeroes
// them); Reject: an InputError naming the first one.
enum class NonFinite { Zero, Reject };
// "zero" | "reject" → NonFinite; std::invalid_argument naming the value otherwise.
NonFinite parse_nonfinite(const std::string& text);
const char* to_string(NonFinite policy);

// Reads any scalar NIfTI (float, int16, uint8 ...) as float, with the scaling (scl_slope) the
// header asks for. Unreadable or truncated files and non-3-D images throw InputError naming
// the file and the reason (the raw stream is checked first: the NIfTI library under ITK
// zeroes non-finite voxels and ignores short reads); NaN/Inf voxels per `policy`, their count
// in `*nonfinite` when given.
// Gzip or plain NIfTI-1 3-D files of the usual datatypes (u)int8/16/32, float32/64, without
// scaling, are inflated once (libdeflate) and checked and converted from those bytes; other
// files, and every failure (so that the messages stay the same), go through read_nifti_itk.
Volume read_nifti(const std::string& path, NonFinite policy = NonFinite::Reject,
                  std::int64_t* nonfinite = nullptr);
// The two-pass path alone: check_nifti_stream, then ITK's NIfTI reader.
Volume read_nifti_itk(const std::string& path, NonFinite policy = NonFinite::Reject,
                      std::int64_t* nonfinite = nullptr);

// The raw-stream pass of read_nifti alone (no ITK): header, then every voxel byte through
// zlib (gzip CRC included), NaN/Inf per `policy`. Returns the non-finite count (Zero).
std::int64_t check_nifti_stream(const std::string& path, NonFinite policy);

// While alive, large buffers (up to 1 GiB) come from glibc's heap instead of fresh mmaps
// (measured: half of a cohort build's time went to page faults), and every thread allocates
// from the main arena (glibc gives other threads arenas of at most 64 MiB heaps, so a worker's
// 36 MiB volume buffers were mmapped and faulted in afresh each time: 2 threads ran slower than
// 1). Process-wide, so held only around a cohort build (build_or_load_cohort, the MRI bench),
// never for a whole run.
// ITK builds its object-factory list and global thread pool lazily on first use, and that is
// not thread-safe: call this (once is enough; later calls return at once) on one thread before
// starting threads that may use ITK.
void prepare_itk_for_threads();

class LargeBuffersOnHeap {
 public:
  LargeBuffersOnHeap();
  ~LargeBuffersOnHeap();
  LargeBuffersOnHeap(const LargeBuffersOnHeap&) = delete;
  LargeBuffersOnHeap& operator=(const LargeBuffersOnHeap&) = delete;
};

enum class PixelType { Float32, UInt8 };
// Writes `v` (spacing included, identity direction, origin 0) as NIfTI; .gz in the name
// compresses. Segmentations go out as UInt8 (values are rounded).
void write_nifti(const std::string& path, const Volume& v, PixelType type = PixelType::Float32);

}  // namespace gbmsweep::mri
