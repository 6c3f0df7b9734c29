// The NIfTI reader's own code (mri/nifti_raw: the one-pass libdeflate read, the zlib stream
// check that runs before ITK's reader) and the preflight's header checks (mri/preflight: header,
// gzip trailer length): any bytes give a volume or an InputError naming the file, never a
// crash, a hang or an allocation the file cannot back (a header may claim 2^45 voxels).
// ITK's reader itself is left out: Debian's ITK headers do not compile with clang, and it only
// ever sees files whose whole stream check_nifti_stream has read.
// The preflight's checks are file-local functions: its source is included to reach them.
#include "../../../src/mri/preflight.cpp"  // NOLINT(bugprone-suspicious-include)
#include "mri/nifti_raw.hpp"
#include "scratch.hpp"

namespace m = gbmsweep::mri;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = fuzz::write_scratch("image.nii.gz", data, size);
  for (auto policy : {m::NonFinite::Reject, m::NonFinite::Zero}) {
    std::int64_t bad = -1;
    if (auto v = m::read_nifti_fast(path, policy, &bad)) {
      // What came back is what the header said: one float per voxel, finite after Zero.
      if (v->data.size() != std::size_t(v->shape[0]) * v->shape[1] * v->shape[2]) __builtin_trap();
      if (bad < 0) __builtin_trap();
      for (float x : v->data)
        if (!std::isfinite(x)) __builtin_trap();
    }
  }
  try {
    m::check_nifti_stream(path, m::NonFinite::Zero);
  } catch (const gbmsweep::InputError&) {
  }
  try {
    const m::Header h = m::read_header(path);
    m::check_length(path, h);
  } catch (const gbmsweep::InputError&) {
  }
  return 0;
}
