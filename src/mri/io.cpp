#include "mri/io.hpp"

#include <itkCastImageFilter.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkMultiThreaderBase.h>
#include <itkNiftiImageIO.h>

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "mri/itk_bridge.hpp"

namespace gbmsweep::mri {

void set_itk_threads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  itk::MultiThreaderBase::SetGlobalDefaultNumberOfThreads(threads);
}

namespace {

template <class T>
T load(const unsigned char* p, bool swap) {
  unsigned char b[sizeof(T)];
  std::memcpy(b, p, sizeof(T));
  if (swap) std::reverse(b, b + sizeof(T));
  T v;
  std::memcpy(&v, b, sizeof(T));
  return v;
}

// The NIfTI library under ITK silently replaces NaN/Inf voxels by 0 and ignores a short read
// (nifti_read_buffer), so truncated files and non-finite voxels never reach us through ITK.
}  // namespace

// This pass reads the raw (gzip) stream itself: header, then every data byte. Returns the
// number of non-finite voxels (only with NonFinite::Zero; Reject throws at the first).
std::int64_t check_nifti_stream(const std::string& path, NonFinite policy) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw InputError(path, "cannot open file");
  struct Closer {
    gzFile f;
    ~Closer() { gzclose(f); }
  } closer{f};
  unsigned char hdr[540];
  const int got = gzread(f, hdr, 348);
  if (got < 348) throw InputError(path, "truncated NIfTI header");
  bool swap = false;
  int version = 1;
  if (load<std::int32_t>(hdr, false) == 348) {
  } else if (load<std::int32_t>(hdr, true) == 348) {
    swap = true;
  } else if (load<std::int32_t>(hdr, false) == 540 || load<std::int32_t>(hdr, true) == 540) {
    version = 2;
    swap = load<std::int32_t>(hdr, false) != 540;
    if (gzread(f, hdr + 348, 540 - 348) < 540 - 348) throw InputError(path, "truncated NIfTI-2 header");
  } else {
    throw InputError(path, "not a NIfTI file (bad header size)");
  }
  std::int64_t dim[8];
  int datatype, bitpix;
  double vox_offset;
  if (version == 1) {
    for (int i = 0; i < 8; ++i) dim[i] = load<std::int16_t>(hdr + 40 + 2 * i, swap);
    datatype = load<std::int16_t>(hdr + 70, swap);
    bitpix = load<std::int16_t>(hdr + 72, swap);
    vox_offset = load<float>(hdr + 108, swap);
  } else {
    datatype = load<std::int16_t>(hdr + 12, swap);
    bitpix = load<std::int16_t>(hdr + 14, swap);
    for (int i = 0; i < 8; ++i) dim[i] = load<std::int64_t>(hdr + 16 + 8 * i, swap);
    vox_offset = double(load<std::int64_t>(hdr + 168, swap));
  }
  std::int64_t nvox = 1;
  for (int i = 1; i <= std::clamp<int>(int(dim[0]), 0, 7); ++i) nvox *= std::max<std::int64_t>(dim[i], 1);
  const int bytes = bitpix / 8;
  if (bytes <= 0) throw InputError(path, "bad bitpix " + std::to_string(bitpix));
  // Skip to the data, then read it all, checking floats (datatype 16 float32, 64 float64).
  const std::int64_t header_bytes = version == 1 ? 348 : 540;
  std::int64_t skip = std::max<std::int64_t>(0, std::int64_t(vox_offset) - header_bytes);
  std::vector<unsigned char> buf(1 << 20);
  while (skip > 0) {
    const int n = gzread(f, buf.data(), unsigned(std::min<std::int64_t>(skip, buf.size())));
    if (n <= 0) throw InputError(path, "truncated before the voxel data");
    skip -= n;
  }
  const std::int64_t total = nvox * bytes;
  std::int64_t done = 0, nonfinite = 0;
  unsigned char carry[8];
  int carried = 0;
  while (done < total) {
    const int n = gzread(f, buf.data(), unsigned(std::min<std::int64_t>(total - done, buf.size())));
    if (n <= 0) {
      int err = 0;
      std::string msg = gzerror(f, &err);
      if (msg.rfind(path + ": ", 0) == 0) msg.erase(0, path.size() + 2);  // zlib repeats the path
      throw InputError(path, "truncated: " + std::to_string(done) + " of " + std::to_string(total) +
                                 " voxel bytes" + (err ? " (" + msg + ")" : ""));
    }
    if (datatype == 16 || datatype == 64) {
      for (int i = 0; i < n; ++i) {
        carry[carried++] = buf[i];
        if (carried < bytes) continue;
        carried = 0;
        const double x = datatype == 16 ? double(load<float>(carry, swap)) : load<double>(carry, swap);
        if (!std::isfinite(x) && policy == NonFinite::Zero) {
          ++nonfinite;
        } else if (!std::isfinite(x)) {
          const std::int64_t v = (done + i) / bytes, nx = std::max<std::int64_t>(dim[1], 1),
                             ny = std::max<std::int64_t>(dim[2], 1);
          throw InputError(path, std::string(std::isnan(x) ? "NaN" : "Inf") +
                                     " voxel at (z, y, x) = (" + std::to_string(v / (nx * ny)) + ", " +
                                     std::to_string(v / nx % ny) + ", " + std::to_string(v % nx) + ")");
        }
      }
    }
    done += n;
  }
  // One read past the voxels makes zlib check the gzip trailer (CRC-32 and length): a file cut
  // in its last bytes, or corrupted inside, fails here rather than passing as complete.
  if (gzread(f, buf.data(), 1) < 0) {
    int err = 0;
    std::string msg = gzerror(f, &err);
    if (msg.rfind(path + ": ", 0) == 0) msg.erase(0, path.size() + 2);
    throw InputError(path, "corrupt gzip stream after the voxel data (" + msg + ")");
  }
  return nonfinite;
}

namespace {

// ITK 5.2's NIfTI IO (its nifti library underneath) is not safe to use from two threads at once,
// even on separate reader objects: concurrent reads corrupted the heap about 1 run in 100 under
// load (see SimpleITK issue 74). Every NIfTI read and write goes through this lock; the gzip
// pass above, the checks and the ITK filters still run in parallel.
std::mutex& nifti_mutex() {
  static std::mutex mu;
  return mu;
}

Volume read_nifti_checked(const std::string& path);

}  // namespace

int itk_threads() { return static_cast<int>(itk::MultiThreaderBase::GetGlobalDefaultNumberOfThreads()); }

NonFinite parse_nonfinite(const std::string& text) {
  if (text == "zero") return NonFinite::Zero;
  if (text == "reject") return NonFinite::Reject;
  throw std::invalid_argument("unknown non-finite voxel policy '" + text +
                              "' (expected zero or reject)");
}

const char* to_string(NonFinite policy) { return policy == NonFinite::Zero ? "zero" : "reject"; }

Volume read_nifti(const std::string& path, NonFinite policy, std::int64_t* nonfinite) {
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
