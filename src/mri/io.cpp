#include "mri/io.hpp"

#include <itkCastImageFilter.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkMultiThreaderBase.h>
#include <itkNiftiImageIO.h>

#include <algorithm>
#include <cmath>
#include <thread>

#include "common/error.hpp"
#include "mri/itk_bridge.hpp"

namespace gbmsweep::mri {

void set_itk_threads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  itk::MultiThreaderBase::SetGlobalDefaultNumberOfThreads(threads);
}

Volume read_nifti(const std::string& path) {
  // The NIfTI IO is set explicitly: no dependence on ITK's factory registration, and a file
  // with a wrong extension is still reported by that IO with its reason.
  auto io = itk::NiftiImageIO::New();
  try {
    io->SetFileName(path);
    io->ReadImageInformation();
  } catch (const itk::ExceptionObject& e) {
    throw InputError(path, std::string("cannot read NIfTI header: ") + e.GetDescription());
  }
  if (io->GetNumberOfDimensions() != 3)
    throw InputError(path, "expected a 3-D image, found " +
                               std::to_string(io->GetNumberOfDimensions()) + " dimensions");
  if (io->GetNumberOfComponents() != 1)
    throw InputError(path, "expected a scalar image, found " +
                               std::to_string(io->GetNumberOfComponents()) + " components");
  auto reader = itk::ImageFileReader<itkb::Image>::New();
  reader->SetImageIO(io);
  reader->SetFileName(path);
  try {
    reader->Update();
  } catch (const itk::ExceptionObject& e) {
    throw InputError(path, std::string("cannot read NIfTI data: ") + e.GetDescription());
  }
  return itkb::from_itk(reader->GetOutput());
}

void write_nifti(const std::string& path, const Volume& v, PixelType type) {
  auto img = itkb::to_itk(v);
  try {
    if (type == PixelType::Float32) {
      auto writer = itk::ImageFileWriter<itkb::Image>::New();
      writer->SetImageIO(itk::NiftiImageIO::New());
      writer->SetFileName(path);
      writer->SetInput(img);
      writer->Update();
    } else {
      using Label = itk::Image<unsigned char, 3>;
      float* p = img->GetBufferPointer();
      for (std::size_t i = 0; i < v.size(); ++i) p[i] = std::round(p[i]);
      auto cast = itk::CastImageFilter<itkb::Image, Label>::New();
      cast->SetInput(img);
      auto writer = itk::ImageFileWriter<Label>::New();
      writer->SetImageIO(itk::NiftiImageIO::New());
      writer->SetFileName(path);
      writer->SetInput(cast->GetOutput());
      writer->Update();
    }
  } catch (const itk::ExceptionObject& e) {
    GBM_THROW("cannot write NIfTI " << path << ": " << e.GetDescription());
  }
}

}  // namespace gbmsweep::mri
