// `gbmsweep radiomics`: IBSI features of one image inside a segmentation's labels, printed as
// IBSI feature name → value (docs/radiomics.md). Bad input exits 2 naming the files.
#include <iomanip>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "cli/commands.hpp"
#include "cli/parse.hpp"
#include "common/error.hpp"
#include "mri/io.hpp"
#include "radiomics/features.hpp"

namespace gbmsweep::cli {

int cmd_radiomics(const Args& args) {
  std::string image_path, mask_path, origin = "roi";
  std::vector<int> labels;
  double bin_width = 0;
  int bins = 0;
  bool json = false;
  po::options_description opts("radiomics options");
  opts.add_options()("image", po::value(&image_path)->required(),
                     "image (NIfTI), used at its own resolution")(
      "mask", po::value(&mask_path)->required(), "segmentation (NIfTI) of the same size")(
      "label", po::value(&labels)->multitoken(),
      "mask labels of the region (default: all non-zero)")(
      "bin-width", po::value(&bin_width), "fixed bin width (default 1, IBSI's phantom setting)")(
      "bins", po::value(&bins), "fixed bin number instead of a bin width")(
      "bin-origin", po::value(&origin)->default_value(origin),
      "fixed bin width from the ROI minimum (roi, IBSI) or from 0 (zero, pyradiomics)")(
      "json", po::bool_switch(&json), "print a JSON object");
  po::variables_map vm;
  if (!parse_command_line("radiomics",
                          "--image IMG.nii.gz --mask MASK.nii.gz [--label L ...] "
                          "[--bin-width W | --bins N] [--json]",
                          args, opts, {}, vm))
    return 0;
  radiomics::DiscretiseOptions d;
  if (vm.count("bin-width") && vm.count("bins"))
    throw UsageError{"give --bin-width or --bins, not both"};
  if (vm.count("bins")) {
    if (bins < 1) throw UsageError{"--bins must be >= 1"};
    d.method = radiomics::Discretisation::FixedBinNumber;
    d.bins = bins;
  } else if (vm.count("bin-width")) {
    if (!(bin_width > 0)) throw UsageError{"--bin-width must be > 0"};
    d.bin_width = bin_width;
  }
  if (origin != "roi" && origin != "zero") throw UsageError{"--bin-origin must be roi or zero"};
  d.origin_zero = origin == "zero";

  const mri::Volume image = mri::read_nifti(image_path);  // InputError: NaN, truncated, not 3-D
  const mri::Volume mask = mri::read_nifti(mask_path);
  if (image.shape != mask.shape)
    throw InputError(mask_path, "size " + mri::to_string(mask.shape) + " differs from the image " +
                                    image_path + " (" + mri::to_string(image.shape) + ")");
  radiomics::Features f;
  try {
    f = radiomics::all_features(
        radiomics::make_roi(image.shape, image.data.data(), mask.data.data(), labels), d);
  } catch (const std::invalid_argument& e) {
    throw InputError(mask_path, std::string(e.what()) + " (image " + image_path + ")");
  }
  if (json) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [name, v] : f) j[name] = v;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << std::setprecision(std::numeric_limits<double>::max_digits10);
    for (const auto& [name, v] : f) std::cout << name << " " << v << "\n";
  }
  return 0;
}

}  // namespace gbmsweep::cli
