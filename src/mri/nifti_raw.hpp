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

// The NaN check reads float32/float64 voxels of bitpix/8 bytes: a bitpix that disagrees with a
// float datatype (16, 64) is corrupt (fuzz_nifti: bitpix 128 with datatype 16 overran the
// check's carry buffer). Shared by check_nifti_stream and the preflight's header check.
inline void check_float_bitpix(const std::string& path, int datatype, int bitpix) {
  if ((datatype == 16 && bitpix != 32) || (datatype == 64 && bitpix != 64))
    throw InputError(path, "bitpix " + std::to_string(bitpix) + " does not match datatype " +
                               std::to_string(datatype));
}

// One pass over a gzip or plain NIfTI-1 3-D file of a datatype converted here, inflated with
// libdeflate: the volume, or nullopt for anything else and every failure (read_nifti then
// takes check_nifti_stream + ITK, which words the error). Never allocates more than the
// file's bytes can inflate to.
std::optional<Volume> read_nifti_fast(const std::string& path, NonFinite policy,
                                      std::int64_t* nonfinite);

}  // namespace gbmsweep::mri
