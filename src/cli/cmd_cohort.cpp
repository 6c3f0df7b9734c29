// `gbmsweep cohort`: builds (or checks) the preprocessed MRI cohort cache and summarises it.
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "cli/commands.hpp"
#include "cli/parse.hpp"
#include "mri/cohort.hpp"

namespace gbmsweep::cli {

int cmd_cohort(const Args& args) {
  mri::CohortOptions o;
  std::string cache, shape, crop, nonfinite = "zero", compression = "fast";
  bool json = false;
  po::options_description opts("cohort options");
  opts.add_options()
      ("data", po::value(&o.data_dir)->required(), "UPENN-GBM directory (searched recursively)")
      ("cache", po::value(&cache)->required(), "HDF5 cohort cache to build or check")
      ("shape", po::value(&shape), "target D,H,W after padding (default: crop box / downscale; paper 70,86,86)")
      ("downscale", po::value(&o.preprocess.downscale)->default_value(o.preprocess.downscale),
       "integer downscale factor")
      ("crop", po::value(&crop), "crop box z0:z1,y0:y1,x0:x1 (default: union of the tumour boxes)")
      ("holdout", po::value(&o.split.test_fraction)->default_value(o.split.test_fraction),
       "fraction of the DSC patients held out for testing, per class")
      ("folds", po::value(&o.split.folds)->default_value(o.split.folds), "cross-validation folds")
      ("seed", po::value(&o.split.seed)->default_value(o.split.seed), "split seed")
      ("threads", po::value(&o.threads)->default_value(0), "patients preprocessed in parallel (0 = one per core)")
      ("skip-bad", po::bool_switch(&o.skip_bad), "leave bad patients out and list them")
      ("nonfinite", po::value(&nonfinite)->default_value(nonfinite),
       "NaN/Inf image voxels: zero (set to 0 and count) or reject (the patient is bad)")
      ("compression", po::value(&compression)->default_value(compression),
       "HDF5 deflate of the cached volumes: none, fast (= 1) or a level 0-9")
      ("json", po::bool_switch(&json), "print the summary as JSON");
  po::variables_map vm;
  if (!parse_command_line("cohort", "--data DIR --cache FILE [--shape D,H,W] [--seed S] [--json] [--skip-bad]",
                          args, opts, {}, vm))
    return 0;
  if (!shape.empty()) o.preprocess.target_shape = parse_shape(shape, "shape");
  if (!crop.empty()) {
    try {
      o.crop = mri::parse_box(crop);
    } catch (const std::invalid_argument& e) {
      throw UsageError{std::string("--crop: ") + e.what()};
    }
  }
  try {
    o.nonfinite = mri::parse_nonfinite(nonfinite);
  } catch (const std::invalid_argument& e) {
    throw UsageError{std::string("--nonfinite: ") + e.what()};
  }
  if (compression == "none") {
    o.compression = mri::CohortOptions::kNoCompression;
  } else if (compression == "fast") {
    o.compression = 1;
  } else if (compression.size() == 1 && compression[0] >= '0' && compression[0] <= '9') {
    o.compression = compression[0] - '0';
  } else {
    throw UsageError{"--compression: expected none, fast or a level 0-9, got '" + compression +
                     "'"};
  }
  if (o.preprocess.downscale < 1) throw UsageError{"--downscale must be >= 1"};
  if (o.split.folds < 2) throw UsageError{"--folds must be >= 2"};
  if (!(o.split.test_fraction >= 0 && o.split.test_fraction < 1)) throw UsageError{"--holdout must be in [0, 1)"};

  const mri::Cohort c = mri::build_or_load_cohort(o, cache);
  int methylated = 0;
  for (int l : c.labels()) methylated += l;
  std::vector<int> fold_sizes(c.folds(), 0);
  int test = 0;
  for (int p = 0; p < c.size(); ++p) (c.fold(p) == mri::kTestFold ? test : fold_sizes[c.fold(p)])++;
  if (json) {
    nlohmann::json j;
    j["patients"] = c.size();
    j["labels"] = {{"methylated", methylated}, {"unmethylated", c.size() - methylated}};
    j["modalities"] = nlohmann::json::object();
    for (const auto& m : mri::modality_names()) j["modalities"][m] = c.count(m);
    j["test"] = test;
    j["folds"] = fold_sizes;
    j["skipped"] = nlohmann::json::array();
    for (const auto& s : c.skipped()) j["skipped"].push_back({{"id", s.id}, {"reason", s.reason}});
    j["dropped_unlabelled"] = c.dropped_unlabelled();
    j["nonfinite"] = nlohmann::json::array();
    for (const auto& n : c.nonfinite())
      j["nonfinite"].push_back({{"id", n.id}, {"modality", n.modality}, {"voxels", n.voxels}});
    j["notes"] = c.notes();
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << (c.rebuilt() ? "built " : "up to date: ") << cache << "\n"
            << "  patients " << c.size() << " (" << methylated << " methylated, "
            << c.size() - methylated << " unmethylated; " << c.dropped_unlabelled()
            << " without MGMT status dropped)\n"
            << "  volumes " << mri::to_string(c.shape()) << " from crop box "
            << mri::to_string(c.crop_box()) << "\n  modalities";
  for (const auto& m : mri::modality_names()) std::cout << " " << m << "=" << c.count(m);
  std::cout << "\n  test " << test << ", folds";
  for (int n : fold_sizes) std::cout << " " << n;
  std::cout << "\n  skipped " << c.skipped().size() << "\n";
  for (const auto& s : c.skipped()) std::cout << "    " << s.id << ": " << s.reason << "\n";
  std::cout << "  non-finite voxels set to 0: " << c.nonfinite().size() << " image(s)\n";
  for (const auto& n : c.nonfinite())
    std::cout << "    " << n.id << " " << n.modality << ": " << n.voxels << " voxel(s)\n";
  for (const auto& n : c.notes()) std::cout << "  note: " << n << "\n";
  return 0;
}

}  // namespace gbmsweep::cli
