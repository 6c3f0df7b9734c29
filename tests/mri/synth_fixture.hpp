#pragma once
// A tiny synthetic UPENN-GBM cohort per test (16×20×20 voxels), and where its files are.
#include <string>
#include <vector>

#include "helpers.hpp"
#include "mri/cohort.hpp"
#include "mri/synth.hpp"
#include "mri/upenn.hpp"

namespace mri_test {

struct TinyCohort {
  std::string dir;
  gbmsweep::mri::UpennLayout layout;
  std::vector<std::string> labelled;  // IDs with Methylated / Unmethylated, in ID order

  TinyCohort(const std::string& name, int patients, bool quirks = false) : dir(scratch(name)) {
    gbmsweep::mri::SynthOptions o;
    o.out_dir = dir + "/data";
    o.patients = patients;
    o.seed = 17;
    o.shape = {16, 20, 20};
    o.release_quirks = quirks;
    gbmsweep::mri::write_synthetic_cohort(o);
    rescan();
    for (const auto& r : gbmsweep::mri::read_clinical(layout.clinical_csv))
      if (gbmsweep::mri::mgmt_label(r.mgmt) >= 0) labelled.push_back(r.id);
  }
  void rescan() { layout = gbmsweep::mri::scan_upenn(dir + "/data"); }
  const gbmsweep::mri::PatientFiles& files(const std::string& id) const { return layout.patients.at(id); }
  gbmsweep::mri::CohortOptions options() const {
    gbmsweep::mri::CohortOptions o;
    o.data_dir = dir + "/data";
    o.preprocess.target_shape = {10, 12, 12};
    o.split.folds = 3;
    o.threads = 1;
    return o;
  }
  std::string cache() const { return dir + "/cohort.h5"; }
};

}  // namespace mri_test
