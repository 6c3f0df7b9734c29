#include "mri/io.hpp"

#include <itkCastImageFilter.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkMultiThreaderBase.h>
#include <itkNiftiImageIO.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "mri/itk_bridge.hpp"
#include "mri/nifti_raw.hpp"

namespace gbmsweep::mri {

void set_itk_threads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  itk::MultiThreaderBase::SetGlobalDefaultNumberOfThreads(threads);
}

// check_nifti_stream and read_nifti_fast: nifti_raw.cpp (no ITK).

namespace {

// ITK 5.2's NIfTI IO (its nifti library underneath) is not safe to use from two threads at once,
// even on separate reader objects: concurrent reads corrupted the heap about 1 run in 100 under
// load (see SimpleITK issue 74). Every NIfTI read and write goes through this lock; the gzip
// pass (nifti_raw.cpp), the checks and the ITK filters still run in parallel.
std::mutex& nifti_mutex() {
  static std::mutex mu;
  return mu;
}

Volume read_nifti_checked(const std::string& path);

}  // namespace

void prepare_itk_for_threads() {
  static std::once_flag once;
  std::call_once(once, [] {
    itk::ObjectFactoryBase::GetRegisteredFactories();  // builds the factory list
    itk::MultiThreaderBase::New();                     // and the global thread pool
    std::lock_guard<std::mutex> lock(nifti_mutex());
    itk::NiftiImageIO::New();
    itk::ImageFileReader<itkb::Image>::New();
  });
}

int itk_threads() { return static_cast<int>(itk::MultiThreaderBase::GetGlobalDefaultNumberOfThreads()); }

NonFinite parse_nonfinite(const std::string& text) {
  if (text == "zero") return NonFinite::Zero;
  if (text == "reject") return NonFinite::Reject;
  throw std::invalid_argument("unknown non-finite voxel policy '" + text +
                              "' (expected zero or reject)");
}

const char* to_string(NonFinite policy) { return policy == NonFinite::Zero ? "zero" : "reject"; }


Volume read_nifti(const std::string& path, NonFinite policy, std::int64_t* nonfinite) {
  if (auto v = read_nifti_fast(path, policy, nonfinite)) return std::move(*v);
  return read_nifti_itk(path, policy, nonfinite);
}

Volume read_nifti_itk(const std::string& path, NonFinite policy, std::int64_t* nonfinite) {
  const std::int64_t bad = check_nifti_stream(path, policy);
  if (nonfinite) *nonfinite = bad;
  Volume v = read_nifti_checked(path);
  // ITK's NIfTI library zeroes them already; done here too, so the policy does not rest on it
  // (and covers values that only become non-finite through scl_slope).
  if (policy == NonFinite::Zero)
    for (float& x : v.data)
      if (!std::isfinite(x)) x = 0.0f;
  return v;
}

namespace {
// The ITK read proper (after the stream check).
Volume read_nifti_checked(const std::string& path) {
  std::lock_guard<std::mutex> lock(nifti_mutex());
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
}  // namespace

void write_nifti(const std::string& path, const Volume& v, PixelType type) {
  auto img = itkb::to_itk(v);
  std::lock_guard<std::mutex> lock(nifti_mutex());
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
