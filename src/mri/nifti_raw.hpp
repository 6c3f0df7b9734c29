#pragma once
// Internal to mri/io: the ITK-free NIfTI readers (nifti_raw.cpp). check_nifti_stream is public
// in io.hpp; read_nifti_fast is read_nifti's first try.
#include <cstdint>
#include <optional>
#include <string>

#include "mri/io.hpp"

namespace gbmsweep::mri {

// One pass over a gzip or plain NIfTI-1 3-D file of a datatype converted here, inflated with
// libdeflate: the volume, or nullopt for anything else and every failure (read_nifti then
// takes check_nifti_stream + ITK, which words the error). Never allocates more than the
// file's bytes can inflate to.
std::optional<Volume> read_nifti_fast(const std::string& path, NonFinite policy,
                                      std::int64_t* nonfinite);

}  // namespace gbmsweep::mri
