#pragma once
// Internal to mri/io: the ITK-free NIfTI readers (nifti_raw.cpp). check_nifti_stream is public
// in io.hpp; read_nifti_fast is read_nifti's first try.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "mri/io.hpp"

namespace gbmsweep::mri {

// A NIfTI header field of type T at `p`, byte-swapped when the file's endianness is not ours
// (used by the readers here and by the preflight's header checks, mri/preflight.cpp).
template <class T>
T load(const unsigned char* p, bool swap) {
  unsigned char b[sizeof(T)];
  std::memcpy(b, p, sizeof(T));
  if (swap) std::reverse(b, b + sizeof(T));
  T v;
  std::memcpy(&v, b, sizeof(T));
  return v;
}

// The fields of a NIfTI-1 or NIfTI-2 header that every reader here needs, in file order
// (dim[1] = i, the fastest axis).
struct NiftiHeader {
  int version = 1;  // 1 or 2
  bool swap = false;
  std::int64_t dim[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  double pixdim[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int datatype = 0, bitpix = 0;
  double vox_offset = 0;
  std::int64_t header_bytes() const { return version == 1 ? 348 : 540; }
};

// The header's size from its first 4 bytes (sizeof_hdr, either byte order): 348 (NIfTI-1),
// 540 (NIfTI-2), 0 for neither.
int nifti_header_size(const unsigned char* first4);

// Parses a header of which `got` bytes were read, with the checks every reader makes: the
// size (348 or 540) and that enough was read, vox_offset finite and in range, bitpix a
// positive multiple of 8 and, for float32/float64 (datatype 16, 64), their own width (the
// NaN check reads voxels of bitpix/8 bytes: fuzz_nifti's bitpix 128 with datatype 16 overran
// its buffer). InputError naming `path` otherwise. The one header parser of the stream check
// and the preflight; the one-pass reader (read_nifti_fast) reads the same fields.
NiftiHeader parse_nifti_header(const unsigned char* hdr, std::size_t got, const std::string& path);

// One pass over a gzip or plain NIfTI-1 3-D file of a datatype converted here, inflated with
// libdeflate: the volume, or nullopt for anything else and every failure (read_nifti then
// takes check_nifti_stream + ITK, which words the error). Never allocates more than the
// file's bytes can inflate to.
std::optional<Volume> read_nifti_fast(const std::string& path, NonFinite policy,
                                      std::int64_t* nonfinite);

}  // namespace gbmsweep::mri
