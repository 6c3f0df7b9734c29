#pragma once
// The MRI paper's radiomics comparator (§II.D): six IBSI features from four structural
// images and three tumour regions (BraTS labels 1 necrotic core, 2 oedema, 4 enhancing; core =
// 1 + 4). Each is computed from its own feature family only, on the image as registered (no
// resampling).
#include <map>
#include <string>
#include <vector>

#include "radiomics/features.hpp"

namespace gbmsweep::radiomics {

struct PaperFeature {
  std::string column;    // "T1_core_stat_skew": modality, region, IBSI feature name
  std::string modality;  // UPENN-GBM name: T1, T1GD, T2, FLAIR
  std::string region;    // core, oedema, necrotic, enhancing
  std::vector<int> labels;
  std::string feature;  // IBSI name
};

// T1 core skewness; T1 oedema energy; FLAIR necrotic-core GLCM contrast (3D averaged); T1GD
// enhancing GLSZM grey level variance; T2 oedema GLSZM low grey level zone emphasis; T2 core
// NGTDM busyness.
const std::vector<PaperFeature>& paper_features();
std::vector<std::string> paper_modalities();  // T1, T1GD, T2, FLAIR

// One IBSI feature of one image in the voxels of `labels`, computing only its family
// (stat_, cm_, szm_, ngt_). Throws std::invalid_argument for an empty region, NaN voxels, or
// an unknown feature name.
double feature_value(const std::string& feature, const std::array<int, 3>& shape,
                     const float* image, const float* segm, const std::vector<int>& labels,
                     const DiscretiseOptions& opts);

// The six features of one patient in paper_features() order. images: modality → voxels,
// all of `shape` like the segmentation. Errors name the feature ("FLAIR necrotic: ...").
std::vector<double> paper_feature_values(const std::map<std::string, const float*>& images,
                                         const float* segm, const std::array<int, 3>& shape,
                                         const DiscretiseOptions& opts);

}  // namespace gbmsweep::radiomics
