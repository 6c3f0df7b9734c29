// `gbmsweep synth mri`: a synthetic UPENN-GBM cohort in the real layout (src/mri/synth.hpp).
#include <iostream>

#include "cli/commands.hpp"
#include "cli/parse.hpp"
#include "mri/synth.hpp"

namespace gbmsweep::cli {

int cmd_synth_mri(const Args& args) {
  mri::SynthOptions o;
  std::string shape;
  po::options_description opts("synth mri options");
  opts.add_options()
      ("out", po::value(&o.out_dir)->required(), "output directory (UPENN-GBM layout)")
      ("patients", po::value(&o.patients)->default_value(o.patients), "number of patients")
      ("seed", po::value(&o.seed)->default_value(o.seed), "random seed")
      ("shape", po::value(&shape)->default_value("40,48,48"),
       "D,H,W of the 1 mm scans (real UPENN-GBM: 155,240,240)")
      ("signal", po::value(&o.signal)->default_value(o.signal),
       "methylation signal strength (0 = null cohort)")
      ("quirks", po::bool_switch(&o.release_quirks),
       "give the cohort the 2023 TCIA release's quirks (v2.1 + v1.0 tables with BOM/CRLF/quotes, "
       "old/ copies, unknown MGMT value, DSC without DTI, a NaN voxel, the 4-D DSC series)");
  po::variables_map vm;
  if (!parse_command_line("synth mri",
                          "--out DIR [--patients N] [--seed S] [--shape D,H,W] [--signal X] "
                          "[--quirks]",
                          args, opts, {}, vm))
    return 0;
  o.shape = parse_shape(shape, "shape");
  if (o.patients < 1) throw UsageError{"--patients must be >= 1"};
  if (o.signal < 0) throw UsageError{"--signal must be >= 0"};
  if (o.release_quirks && o.patients < 4) throw UsageError{"--quirks needs --patients >= 4"};
  auto s = mri::write_synthetic_cohort(o);
  std::cout << "wrote " << s.patients << " patients to " << o.out_dir << ": " << s.methylated
            << " methylated, " << s.unmethylated << " unmethylated, " << s.unlabelled
            << " without MGMT status (" << s.unknown_mgmt << " unknown value); DTI " << s.dti
            << ", DSC " << s.dsc << "\n";
  return 0;
}

}  // namespace gbmsweep::cli
