#pragma once
// NIfTI (.nii / .nii.gz) reading and writing through ITK, behind an ITK-free interface.
#include <string>

#include "mri/volume.hpp"

namespace gbmsweep::mri {

// Reads any scalar NIfTI (float, int16, uint8 ...) as float, with the scaling (scl_slope) the
// header asks for. Unreadable or truncated files, NaN/Inf voxels and non-3-D images throw
// InputError naming the file and the reason (the raw stream is checked first: the NIfTI
// library under ITK zeroes non-finite voxels and ignores short reads).
Volume read_nifti(const std::string& path);

enum class PixelType { Float32, UInt8 };
// Writes `v` (spacing included, identity direction, origin 0) as NIfTI; .gz in the name
// compresses. Segmentations go out as UInt8 (values are rounded).
void write_nifti(const std::string& path, const Volume& v, PixelType type = PixelType::Float32);

}  // namespace gbmsweep::mri
