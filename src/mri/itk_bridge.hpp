#pragma once
// Private to src/mri: conversions between Volume and itk::Image<float, 3>. ITK's index order
// is (x, y, z) = (W, H, D); its buffer is x fastest, which is Volume's C order, so the data
// copies straight across.
#include <itkImage.h>

#include <algorithm>

#include "mri/volume.hpp"

namespace gbmsweep::mri::itkb {

using Image = itk::Image<float, 3>;

inline Image::Pointer to_itk(const Volume& v) {
  auto img = Image::New();
  Image::SizeType size;
  Image::SpacingType spacing;
  for (int a = 0; a < 3; ++a) {
    size[a] = static_cast<itk::SizeValueType>(v.shape[2 - a]);
    spacing[a] = v.spacing[2 - a];
  }
  img->SetRegions(Image::RegionType(size));
  img->SetSpacing(spacing);
  img->Allocate();
  std::copy(v.data.begin(), v.data.end(), img->GetBufferPointer());
  return img;
}

inline Volume from_itk(const Image* img) {
  auto size = img->GetLargestPossibleRegion().GetSize();
  auto spacing = img->GetSpacing();
  Volume v({int(size[2]), int(size[1]), int(size[0])}, {spacing[2], spacing[1], spacing[0]});
  const float* p = img->GetBufferPointer();
  std::copy(p, p + v.size(), v.data.begin());
  return v;
}

}  // namespace gbmsweep::mri::itkb
