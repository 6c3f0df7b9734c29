// The UPENN-GBM clinical table (mri/upenn: read_clinical, the ID and MGMT parsers) and the
// file-name rules of the scan (clinical_version, compare_versions, is_superseded_folder): any
// bytes give rows or an InputError naming the file and line, never a crash.
#include "common/error.hpp"
#include "mri/upenn.hpp"
#include "scratch.hpp"

namespace m = gbmsweep::mri;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = fuzz::write_scratch("UPENN-GBM_clinical_info_v2.1.csv", data, size);
  try {
    for (const auto& row : m::read_clinical(path)) {
      if (row.line < 2) __builtin_trap();  // line 1 is the header
      (void)m::mgmt_label(row.mgmt);
      (void)m::normalise_id(row.id);
    }
  } catch (const gbmsweep::InputError&) {
  }
  // The first line as a file or folder name.
  std::string name(reinterpret_cast<const char*>(data), size);
  name = name.substr(0, name.find('\n'));
  const std::string v = m::clinical_version(name);
  (void)m::compare_versions(v, "2.1");
  (void)m::compare_versions(v, v);
  (void)m::is_superseded_folder(name);
  (void)m::normalise_id(name);
  (void)m::parse_mgmt(name);
  return 0;
}
