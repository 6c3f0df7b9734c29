// The ITK-free half of the NIfTI reader (mri/io.hpp): the raw-stream check and the one-pass
// libdeflate read. Apart from io.cpp so that it builds without ITK, whose Debian headers accept
// only GCC: the clang fuzz target (bench/fuzz/targets/fuzz_nifti.cpp) links this file.
#include "mri/nifti_raw.hpp"

#include <libdeflate.h>
#include <zlib.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "common/error.hpp"

namespace gbmsweep::mri {

int nifti_header_size(const unsigned char* first4) {
  for (bool swap : {false, true})
    for (int size : {348, 540})
      if (load<std::int32_t>(first4, swap) == size) return size;
  return 0;
}

NiftiHeader parse_nifti_header(const unsigned char* hdr, std::size_t got, const std::string& path) {
  if (got < 348) throw InputError(path, "truncated NIfTI header");
  NiftiHeader h;
  const int size = nifti_header_size(hdr);
  if (size == 0) throw InputError(path, "not a NIfTI file (bad header size)");
  h.version = size == 348 ? 1 : 2;
  h.swap = load<std::int32_t>(hdr, false) != size;
  if (h.version == 2 && got < 540) throw InputError(path, "truncated NIfTI-2 header");
  const bool v2 = h.version == 2;
  for (int i = 0; i < 8; ++i) {
    h.dim[i] = v2 ? load<std::int64_t>(hdr + 16 + 8 * i, h.swap)
                  : load<std::int16_t>(hdr + 40 + 2 * i, h.swap);
    h.pixdim[i] = v2 ? load<double>(hdr + 104 + 8 * i, h.swap) : load<float>(hdr + 76 + 4 * i, h.swap);
  }
  h.datatype = load<std::int16_t>(hdr + (v2 ? 12 : 70), h.swap);
  h.bitpix = load<std::int16_t>(hdr + (v2 ? 14 : 72), h.swap);
  h.vox_offset = v2 ? double(load<std::int64_t>(hdr + 168, h.swap)) : load<float>(hdr + 108, h.swap);
  // Header fields are data: a corrupt one must give an InputError, never an overflowing
  // product or a NaN cast to an integer (undefined behaviour, found by bench/fuzz fuzz_nifti).
  if (!(h.vox_offset >= 0 && h.vox_offset < 1e12)) throw InputError(path, "bad vox_offset");
  if (h.bitpix <= 0 || h.bitpix % 8) throw InputError(path, "bad bitpix " + std::to_string(h.bitpix));
  if ((h.datatype == 16 && h.bitpix != 32) || (h.datatype == 64 && h.bitpix != 64))
    throw InputError(path, "bitpix " + std::to_string(h.bitpix) + " does not match datatype " +
                               std::to_string(h.datatype));
  return h;
}

// The NIfTI library under ITK silently replaces NaN/Inf voxels by 0 and ignores a short read
// (nifti_read_buffer), so truncated files and non-finite voxels never reach us through ITK.
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
  int got = std::max(0, gzread(f, hdr, 348));
  if (got == 348 && nifti_header_size(hdr) == 540) got += std::max(0, gzread(f, hdr + 348, 540 - 348));
  const NiftiHeader h = parse_nifti_header(hdr, std::size_t(got), path);
  const bool swap = h.swap;
  const int datatype = h.datatype;
  const std::int64_t* dim = h.dim;
  std::int64_t nvox = 1;
  for (int i = 1; i <= std::clamp<std::int64_t>(dim[0], 0, 7); ++i)
    if (__builtin_mul_overflow(nvox, std::max<std::int64_t>(dim[i], 1), &nvox) ||
        nvox > (std::int64_t(1) << 48))
      throw InputError(path, "bad dimensions (more than 2^48 voxels)");
  const int bytes = h.bitpix / 8;
  // Skip to the data, then read it all, checking floats (datatype 16 float32, 64 float64).
  std::int64_t skip = std::max<std::int64_t>(0, std::int64_t(h.vox_offset) - h.header_bytes());
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

// One-pass read (issue 19): the whole file is inflated once with libdeflate, checked (header,
// length, NaN/Inf) and converted from the same bytes; ITK never sees it. Anything this path does
// not handle, and every failure, returns nullopt: the caller then takes the zlib check + ITK
// path, which also words the error messages (so they are the same whichever path ran).
struct RawHeader {
  bool swap = false;
  std::array<int, 3> dims{0, 0, 0};  // NIfTI i, j, k
  std::array<double, 3> pixdim{1, 1, 1};
  int datatype = 0, bytes = 0;
  std::int64_t vox_offset = 0, nvox = 0;
};

// NIfTI-1, 3-D, no scaling, mm (or unset) units, a datatype we convert ourselves. A header
// parse_nifti_header refuses is not simple either: the zlib pass then words the error.
std::optional<RawHeader> parse_simple_header(const unsigned char* h, const std::string& path) {
  NiftiHeader n;
  try {
    n = parse_nifti_header(h, 348, path);
  } catch (const InputError&) {
    return std::nullopt;
  }
  RawHeader r;
  r.swap = n.swap;
  if (n.version != 1) return std::nullopt;
  if (std::memcmp(h + 344, "n+1\0", 4) != 0) return std::nullopt;  // not single-file NIfTI-1
  if (n.dim[0] != 3) return std::nullopt;
  r.nvox = 1;
  for (int a = 0; a < 3; ++a) {
    if (n.dim[1 + a] < 1) return std::nullopt;
    r.dims[a] = int(n.dim[1 + a]);  // int16 in NIfTI-1
    r.nvox *= r.dims[a];
    r.pixdim[a] = n.pixdim[1 + a];
    if (!(r.pixdim[a] > 0.0)) return std::nullopt;  // ITK's own rules for odd spacing
  }
  r.datatype = n.datatype;
  switch (r.datatype) {
    case 2: case 256: r.bytes = 1; break;             // uint8, int8
    case 4: case 512: r.bytes = 2; break;             // int16, uint16
    case 8: case 768: case 16: r.bytes = 4; break;    // int32, uint32, float32
    case 64: r.bytes = 8; break;                      // float64
    default: return std::nullopt;
  }
  if (n.bitpix != 8 * r.bytes) return std::nullopt;
  // No scaling. Non-finite scl_slope/scl_inter count as 0, as nifti1_io's FIXED_FLOAT (under
  // ITK) reads them: nibabel writes NaN for "unscaled", so the release's label maps stay here.
  float slope = load<float>(h + 112, r.swap), inter = load<float>(h + 116, r.swap);
  if (!std::isfinite(slope)) slope = 0.0f;
  if (!std::isfinite(inter)) inter = 0.0f;
  if (!(slope == 0.0f || (slope == 1.0f && inter == 0.0f))) return std::nullopt;
  const int units = h[123] & 0x07;
  if (units != 0 && units != 2) return std::nullopt;  // only mm (or unknown = mm)
  const double off = n.vox_offset;
  if (!(off >= 348.0 && off < 1e9) || off != std::floor(off)) return std::nullopt;
  r.vox_offset = std::int64_t(off);
  return r;
}

// Asks for transparent huge pages on a fresh buffer, before its first touch. A cohort build
// page-faults its whole working set in (28,600 faults of 4 KiB for 4 patients at 1 thread,
// 47,000-52,000 at 2), and a fault cost ~5 us on the 2-core VM: a tenth of the build, and
// more of it at 2 threads, whose faults contend in the kernel. With 2 MiB pages on these
// buffers: 7,600 at 1 thread, 6,200 at 2. Only a hint: where THP is "never" nothing changes;
// "madvise" (Debian's default) is where it matters. The same madvise glibc makes under
// GLIBC_TUNABLES=glibc.malloc.hugetlb=1.
void advise_huge_pages(void* p, std::size_t n) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t huge = std::uintptr_t(2) << 20;
  if (n < 2 * huge) return;
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t lo = (a + huge - 1) & ~(huge - 1), hi = (a + n) & ~(huge - 1);
  if (hi > lo) ::madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
#else
  (void)p, (void)n;
#endif
}

// A byte buffer left uninitialised (std::vector would zero it first: perf showed the zeroing of
// file and inflate buffers at a tenth of a cohort build, and it costs memory bandwidth that a
// second thread needs).
struct Bytes {
  std::unique_ptr<unsigned char[]> p;
  std::size_t n = 0;
  explicit Bytes(std::size_t size = 0) : p(size ? new unsigned char[size] : nullptr), n(size) {
    advise_huge_pages(p.get(), n);
  }
  unsigned char* data() { return p.get(); }
  const unsigned char* data() const { return p.get(); }
  std::size_t size() const { return n; }
  unsigned char operator[](std::size_t i) const { return p[i]; }
};

Bytes slurp(const std::string& path) {
  Bytes out;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return out;
  if (std::fseek(f, 0, SEEK_END) == 0) {
    const long n = std::ftell(f);
    if (n > 0 && std::fseek(f, 0, SEEK_SET) == 0) {
      out = Bytes(std::size_t(n));
      if (std::fread(out.data(), 1, out.size(), f) != out.size()) out = Bytes();
    }
  }
  std::fclose(f);
  return out;
}

// The first `n` bytes of a gzip stream (zlib, stops as soon as they are out).
bool gunzip_prefix(const Bytes& in, unsigned char* out, unsigned n) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return false;
  z.next_in = const_cast<unsigned char*>(in.data());
  z.avail_in = unsigned(std::min<std::size_t>(in.size(), 1u << 30));
  z.next_out = out;
  z.avail_out = n;
  int rc = Z_OK;
  while (z.avail_out > 0 && rc == Z_OK) rc = inflate(&z, Z_NO_FLUSH);
  inflateEnd(&z);
  return z.avail_out == 0;
}

// Inflates every gzip member of `in` into exactly `size` bytes at `out` (the size comes from the
// NIfTI header: the gzip trailer's length is mod 2^32). Bytes after the last member that do not
// start another member are ignored, as zlib's gzread does. False on any error or length mismatch.
bool gunzip_all(const Bytes& in, unsigned char* out, std::size_t size) {
  struct Free {
    void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
  };
  std::unique_ptr<libdeflate_decompressor, Free> d(libdeflate_alloc_decompressor());
  if (!d) return false;
  std::size_t in_pos = 0, out_pos = 0;
  while (in.size() - in_pos >= 18 && in[in_pos] == 0x1f && in[in_pos + 1] == 0x8b) {
    std::size_t used = 0, produced = 0;
    const auto rc = libdeflate_gzip_decompress_ex(d.get(), in.data() + in_pos, in.size() - in_pos,
                                                  out + out_pos, size - out_pos, &used, &produced);
    if (rc != LIBDEFLATE_SUCCESS) return false;
    in_pos += used;
    out_pos += produced;
    if (used == 0) return false;
  }
  return out_pos == size && in_pos > 0;
}

template <class T>
void convert(const unsigned char* p, std::int64_t n, bool swap, float* out) {
  for (std::int64_t i = 0; i < n; ++i) out[i] = float(load<T>(p + i * sizeof(T), swap));
}

}  // namespace

std::optional<Volume> read_nifti_fast(const std::string& path, NonFinite policy,
                                      std::int64_t* nonfinite) {
  Bytes file = slurp(path);
  if (file.size() < 348) return std::nullopt;
  const bool gz = file[0] == 0x1f && file[1] == 0x8b;
  unsigned char hdr[348];
  if (gz) {
    if (!gunzip_prefix(file, hdr, 348)) return std::nullopt;
  } else {
    std::memcpy(hdr, file.data(), 348);
  }
  const auto h = parse_simple_header(hdr, path);
  if (!h) return std::nullopt;
  Volume v;  // data allocated below: the float32 path hands its inflate buffer over instead
  v.shape = {h->dims[2], h->dims[1], h->dims[0]};
  v.spacing = {h->pixdim[2], h->pixdim[1], h->pixdim[0]};
  const std::size_t data_bytes = std::size_t(h->nvox) * h->bytes;
  const std::size_t total = std::size_t(h->vox_offset) + data_bytes;
  // A header may claim far more voxels than the file holds (2^45 bytes in 30): never allocate
  // more than the compressed bytes can inflate to, DEFLATE's ratio being at most 1032:1
  // (it was a std::bad_alloc naming no file). The zlib pass then reports the file as truncated.
  if (gz && total / 1032 > file.size()) return std::nullopt;
  const bool direct = h->datatype == 16 && !h->swap && h->vox_offset % 4 == 0;
  Bytes raw;
  std::vector<float> direct_buf;
  const unsigned char* voxels = nullptr;
  if (gz) {
    unsigned char* dst;
    if (direct) {  // float32 inflated straight into the volume's buffer, header in front
      // (Measured: inflating into an uninitialised buffer and copying out costs more, in page
      // faults and peak memory, than the zeroing and the shift below.)
      direct_buf.reserve(total / 4);
      advise_huge_pages(direct_buf.data(), total);
      direct_buf.resize(total / 4);
      dst = reinterpret_cast<unsigned char*>(direct_buf.data());
    } else {
      raw = Bytes(total);
      dst = raw.data();
    }
    if (!gunzip_all(file, dst, total)) return std::nullopt;
    file = Bytes();  // the compressed bytes are no longer needed
    voxels = dst + h->vox_offset;
  } else {
    if (file.size() < total) return std::nullopt;
    voxels = file.data() + h->vox_offset;
  }
  if (direct && gz) {
    direct_buf.erase(direct_buf.begin(), direct_buf.begin() + h->vox_offset / 4);
    v.data = std::move(direct_buf);
  } else {
    v.data.reserve(std::size_t(h->nvox));
    advise_huge_pages(v.data.data(), std::size_t(h->nvox) * sizeof(float));
    v.data.resize(std::size_t(h->nvox));
    float* o = v.data.data();
    switch (h->datatype) {
      case 2: convert<std::uint8_t>(voxels, h->nvox, h->swap, o); break;
      case 256: convert<std::int8_t>(voxels, h->nvox, h->swap, o); break;
      case 4: convert<std::int16_t>(voxels, h->nvox, h->swap, o); break;
      case 512: convert<std::uint16_t>(voxels, h->nvox, h->swap, o); break;
      case 8: convert<std::int32_t>(voxels, h->nvox, h->swap, o); break;
      case 768: convert<std::uint32_t>(voxels, h->nvox, h->swap, o); break;
      case 16: convert<float>(voxels, h->nvox, h->swap, o); break;
      case 64: convert<double>(voxels, h->nvox, h->swap, o); break;
    }
  }
  // NaN/Inf: float64 values out of float range become Inf here, as through ITK's cast.
  std::int64_t bad = 0;
  if (h->datatype == 16 || h->datatype == 64) {
    for (float& x : v.data)
      if (!std::isfinite(x)) {
        if (policy == NonFinite::Reject) return std::nullopt;  // the zlib pass words the error
        x = 0.0f;
        ++bad;
      }
  }
  if (nonfinite) *nonfinite = bad;
  return v;
}

// A paper-size volume (36 MB) is above glibc's largest automatic mmap threshold (32 MB), so
// every buffer of every file was a fresh mmap, page-faulted in and unmapped again: half of a
// cohort build's time in perf. Within the scope, buffers up to 1 GiB come from the heap and
// are reused; after it, glibc's initial thresholds (128 KiB) are set again and the freed heap
// goes back to the system, so a worker that trains after building the cohort does not keep it.
LargeBuffersOnHeap::LargeBuffersOnHeap() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_ARENA_MAX, 1);  // threads started from here on share the main arena
#endif
}

LargeBuffersOnHeap::~LargeBuffersOnHeap() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  mallopt(M_TRIM_THRESHOLD, 128 * 1024);
  // Back to glibc's default (0: 8 per core), or to what MALLOC_ARENA_MAX asked for.
  const char* env = std::getenv("MALLOC_ARENA_MAX");
  mallopt(M_ARENA_MAX, env ? std::atoi(env) : 0);
  malloc_trim(0);
#endif
}

}  // namespace gbmsweep::mri
