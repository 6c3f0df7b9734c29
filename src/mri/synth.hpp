#pragma once
// A synthetic UPENN-GBM cohort in the real names and layout (DATA.md), with a planted
// methylation signal of tunable strength. The generative model is in docs/mri-pipeline.md.
#include <array>
#include <cstdint>
#include <string>

namespace gbmsweep::mri {

struct SynthOptions {
  std::string out_dir;
  int patients = 60;
  std::uint64_t seed = 1;
  std::array<int, 3> shape{40, 48, 48};  // D, H, W of an "original" 1 mm scan (real: 155×240×240)
  // Strength of the methylation signal inside the tumour; 0 = null cohort. Carried fully by
  // the DSC maps, at 0.6 by DTI and at 0.1 by the structural images.
  double signal = 1.0;
  double dti_fraction = 0.87;         // paper: 208 / 240
  double dsc_fraction = 0.79;         // paper: 189 / 240; DSC patients are a subset of DTI ones
  double methylated_fraction = 0.4;   // among labelled patients
  double unlabelled_fraction = 0.05;  // MGMT Indeterminate / Not Available (dropped by readers)
  double manual_segm_fraction = 0.8;  // the rest only have the automated segmentation
  // The quirks of the 2023 TCIA release (DATA.md), kQuirk* patients below; needs >= 4
  // patients. The clinical table gets a UTF-8 BOM, CRLF and quoted fields (one with a comma,
  // a quote and a line break), and an older v1.0 table (every MGMT "Not Available") sits
  // beside it; patients 1 and 2 get `old/` folders (structural, and unstripped twins) holding
  // different same-named images; patient 3 an unknown MGMT value; patient 4 DSC without DTI,
  // a NaN voxel at the centre of its DSC_PH map and the 4-D `<ID>_DSC.nii.gz` series. Quirk
  // patients 1, 2 and 4 are always labelled.
  bool release_quirks = false;
};

inline constexpr const char* kQuirkUnknownMgmt = "Partially methylated";

struct SynthSummary {
  int patients = 0, methylated = 0, unmethylated = 0, unlabelled = 0, dti = 0, dsc = 0;
  int unknown_mgmt = 0;  // counted in unlabelled too
};

SynthSummary write_synthetic_cohort(const SynthOptions& opts);

// The per-modality gain of the methylation signal (1 DSC, 0.6 DTI, 0.1 structural).
double signal_gain(const std::string& modality);

}  // namespace gbmsweep::mri
