#pragma once
// The MRI part of the preflight (`gbmsweep check`, and `run` before its first task): opens
// every MRI input a sweep needs and reports every problem found, not only the first.
#include <nlohmann/json_fwd.hpp>

namespace gbmsweep {
class Problems;
}

namespace gbmsweep::mri {

struct MriCheckOptions {
  // false (default): NIfTI headers plus the gzip trailer's length (a truncated file's last
  // bytes are compressed data, so its trailer disagrees with the header); seconds for the
  // real cohort's ~7,000 files. true: every voxel decompressed (CRC-32 checked, NaN/Inf
  // counted): ~250 GB of zlib output for the real cohort, tens of minutes on a node.
  bool full_streams = false;
  int threads = 0;  // files checked in parallel (0 = one per core)
  // false: leave out what `mri.skip_bad = true` would skip in the run (per-patient problems),
  // so that a run's preflight fails only on what would stop the run.
  bool report_skippable = true;
};

// `config` is the validated sweep (Plan::config): data.mri, data.medicalnet, mri.*. Without
// an `mri` table nothing is checked. Adds to `out`:
// - the data directory or clinical table missing, the table's header without ID or MGMT, a
//   row with the wrong field count, a duplicated ID (file:line);
// - per labelled patient: no segmentation, a structural image missing, a file found twice;
// - per NIfTI file the cohort reads (labelled patients only): unreadable or not NIfTI, not
//   3-D, a shape other than the cohort's (the most common segmentation shape), spacing other
//   than 1 mm, truncated (gzip trailer, or the whole stream with full_streams);
// - data.medicalnet: unreadable, truncated or foreign, or not a dict of tensors.
// Unknown MGMT values and NaN/Inf voxels (under mri nonfinite = "zero") are not problems:
// the cohort summary notes them.
void check_mri_inputs(const nlohmann::json& config, Problems& out);
void check_mri_inputs(const nlohmann::json& config, Problems& out, const MriCheckOptions& opts);

}  // namespace gbmsweep::mri
