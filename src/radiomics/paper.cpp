#include "radiomics/paper.hpp"

#include <stdexcept>

namespace gbmsweep::radiomics {

const std::vector<PaperFeature>& paper_features() {
  static const std::vector<PaperFeature> f = {
      {"T1_core_stat_skew", "T1", "core", {1, 4}, "stat_skew"},
      {"T1_oedema_stat_energy", "T1", "oedema", {2}, "stat_energy"},
      {"FLAIR_necrotic_cm_contrast_3d_avg", "FLAIR", "necrotic", {1}, "cm_contrast_3d_avg"},
      {"T1GD_enhancing_szm_grey_lvl_var", "T1GD", "enhancing", {4}, "szm_grey_lvl_var"},
      {"T2_oedema_szm_lgze", "T2", "oedema", {2}, "szm_lgze"},
      {"T2_core_ngt_busyness", "T2", "core", {1, 4}, "ngt_busyness"},
  };
  return f;
}

std::vector<std::string> paper_modalities() { return {"T1", "T1GD", "T2", "FLAIR"}; }

double feature_value(const std::string& feature, const std::array<int, 3>& shape,
                     const float* image, const float* segm, const std::vector<int>& labels,
                     const DiscretiseOptions& opts) {
  const Roi roi = make_roi(shape, image, segm, labels);
  Features f;
  if (feature.rfind("stat_", 0) == 0) {
    f = first_order(roi);
  } else {
    const Discretised d = discretise(roi, opts);
    if (feature.rfind("cm_", 0) == 0)
      f = glcm(d);
    else if (feature.rfind("szm_", 0) == 0)
      f = glszm(d);
    else if (feature.rfind("ngt_", 0) == 0)
      f = ngtdm(d);
  }
  auto it = f.find(feature);
  if (it == f.end()) throw std::invalid_argument("unknown radiomics feature '" + feature + "'");
  return it->second;
}

std::vector<double> paper_feature_values(const std::map<std::string, const float*>& images,
                                         const float* segm, const std::array<int, 3>& shape,
                                         const DiscretiseOptions& opts) {
  std::vector<double> out;
  for (const auto& pf : paper_features()) {
    auto it = images.find(pf.modality);
    if (it == images.end()) throw std::invalid_argument("no " + pf.modality + " image");
    try {
      out.push_back(feature_value(pf.feature, shape, it->second, segm, pf.labels, opts));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(pf.modality + " " + pf.region + " (" + pf.feature +
                                  "): " + e.what());
    }
  }
  return out;
}

}  // namespace gbmsweep::radiomics
