#pragma once
// The IBSI 1 digital phantom (reference manual §5.1; theibsi/data_sets, ibsi_1_digital_phantom):
// 5 × 4 × 4 (x, y, z) voxels of 2 mm, intensities 1..6 in the ROI (2 and 5 absent) and one
// voxel of 9 outside it. Stored here [z][y][x], as mri::Volume orders voxels.
#include <array>
#include <vector>

namespace phantom {

inline const std::array<int, 3> kShape{4, 4, 5};  // D, H, W

inline std::vector<float> image() {
  return {1, 4, 4, 1, 1,  1, 4, 6, 1, 1,  4, 1, 6, 4, 1,  4, 4, 6, 4, 1,   // z = 0
          1, 4, 4, 1, 1,  1, 1, 6, 1, 1,  1, 1, 3, 1, 1,  4, 4, 6, 1, 1,   // z = 1
          1, 4, 4, 1, 1,  1, 1, 1, 1, 1,  1, 1, 9, 1, 1,  1, 1, 6, 1, 1,   // z = 2
          1, 4, 4, 1, 1,  1, 1, 1, 1, 1,  1, 1, 1, 1, 1,  1, 1, 6, 1, 1};  // z = 3
}

inline std::vector<float> mask() {
  return {1, 1, 1, 1, 1,  1, 1, 1, 1, 1,  1, 1, 1, 1, 1,  1, 1, 1, 1, 1,
          1, 1, 1, 1, 1,  1, 1, 1, 1, 1,  0, 1, 1, 1, 1,  1, 1, 1, 1, 1,
          1, 1, 1, 0, 0,  1, 1, 1, 1, 1,  1, 1, 0, 1, 1,  1, 1, 1, 1, 1,
          1, 1, 1, 0, 0,  1, 1, 1, 1, 1,  1, 1, 1, 1, 1,  1, 1, 1, 1, 1};
}

// IBSI reference values of the digital phantom ("dig. phantom" rows; 3D, averaged and merged
// for the GLCM), as published: value and the half-unit of its last published digit.
struct Reference {
  const char* name;
  double value;
  double tolerance;
};

inline const std::vector<Reference>& references() {
  static const std::vector<Reference> r = {
      {"stat_mean", 2.15, 0.005}, {"stat_var", 3.05, 0.005}, {"stat_skew", 1.08, 0.005},
      {"stat_kurt", -0.355, 0.0005}, {"stat_min", 1, 0}, {"stat_max", 6, 0},
      {"stat_energy", 567, 0.5}, {"stat_rms", 2.77, 0.005},
      {"cm_joint_max_3d_avg", 0.503, 5e-4}, {"cm_joint_max_3d_mrg", 0.509, 5e-4},
      {"cm_joint_avg_3d_avg", 2.14, 5e-3}, {"cm_joint_avg_3d_mrg", 2.15, 5e-3},
      {"cm_joint_var_3d_avg", 3.1, 5e-2}, {"cm_joint_var_3d_mrg", 3.13, 5e-3},
      {"cm_joint_entr_3d_avg", 2.4, 5e-2}, {"cm_joint_entr_3d_mrg", 2.57, 5e-3},
      {"cm_diff_avg_3d_avg", 1.43, 5e-3}, {"cm_diff_avg_3d_mrg", 1.38, 5e-3},
      {"cm_diff_var_3d_avg", 3.06, 5e-3}, {"cm_diff_var_3d_mrg", 3.21, 5e-3},
      {"cm_diff_entr_3d_avg", 1.56, 5e-3}, {"cm_diff_entr_3d_mrg", 1.64, 5e-3},
      {"cm_sum_avg_3d_avg", 4.29, 5e-3}, {"cm_sum_avg_3d_mrg", 4.3, 5e-2},
      {"cm_sum_var_3d_avg", 7.07, 5e-3}, {"cm_sum_var_3d_mrg", 7.41, 5e-3},
      {"cm_sum_entr_3d_avg", 1.92, 5e-3}, {"cm_sum_entr_3d_mrg", 2.11, 5e-3},
      {"cm_energy_3d_avg", 0.303, 5e-4}, {"cm_energy_3d_mrg", 0.291, 5e-4},
      {"cm_contrast_3d_avg", 5.32, 5e-3}, {"cm_contrast_3d_mrg", 5.12, 5e-3},
      {"cm_dissimilarity_3d_avg", 1.43, 5e-3}, {"cm_dissimilarity_3d_mrg", 1.38, 5e-3},
      {"cm_inv_diff_3d_avg", 0.677, 5e-4}, {"cm_inv_diff_3d_mrg", 0.688, 5e-4},
      {"cm_inv_diff_norm_3d_avg", 0.851, 5e-4}, {"cm_inv_diff_norm_3d_mrg", 0.856, 5e-4},
      {"cm_inv_diff_mom_3d_avg", 0.618, 5e-4}, {"cm_inv_diff_mom_3d_mrg", 0.631, 5e-4},
      {"cm_inv_diff_mom_norm_3d_avg", 0.898, 5e-4}, {"cm_inv_diff_mom_norm_3d_mrg", 0.902, 5e-4},
      {"cm_inv_var_3d_avg", 0.0604, 5e-5}, {"cm_inv_var_3d_mrg", 0.0574, 5e-5},
      {"cm_corr_3d_avg", 0.157, 5e-4}, {"cm_corr_3d_mrg", 0.183, 5e-4},
      {"cm_auto_corr_3d_avg", 5.06, 5e-3}, {"cm_auto_corr_3d_mrg", 5.19, 5e-3},
      {"cm_clust_tend_3d_avg", 7.07, 5e-3}, {"cm_clust_tend_3d_mrg", 7.41, 5e-3},
      {"cm_clust_shade_3d_avg", 16.6, 5e-2}, {"cm_clust_shade_3d_mrg", 17.4, 5e-2},
      {"cm_clust_prom_3d_avg", 145, 0.5}, {"cm_clust_prom_3d_mrg", 147, 0.5},
      {"cm_info_corr1_3d_avg", -0.157, 5e-4}, {"cm_info_corr1_3d_mrg", -0.0288, 5e-5},
      {"cm_info_corr2_3d_avg", 0.52, 5e-3}, {"cm_info_corr2_3d_mrg", 0.269, 5e-4},
      {"szm_sze", 0.255, 5e-4}, {"szm_lze", 550, 0.5}, {"szm_lgze", 0.253, 5e-4},
      {"szm_hgze", 15.6, 5e-2}, {"szm_szlge", 0.0256, 5e-5}, {"szm_szhge", 2.76, 5e-3},
      {"szm_lzlge", 503, 0.5}, {"szm_lzhge", 1490, 5}, {"szm_glnu", 1.4, 5e-2},
      {"szm_glnu_norm", 0.28, 5e-3}, {"szm_zsnu", 1, 5e-1}, {"szm_zsnu_norm", 0.2, 5e-2},
      {"szm_z_perc", 0.0676, 5e-5}, {"szm_grey_lvl_var", 2.64, 5e-3}, {"szm_zs_var", 331, 0.5},
      {"szm_zs_entr", 2.32, 5e-3},
      {"ngt_coarseness", 0.0296, 5e-5}, {"ngt_contrast", 0.584, 5e-4},
      {"ngt_busyness", 6.54, 5e-3}, {"ngt_complexity", 13.5, 5e-2}, {"ngt_strength", 0.763, 5e-4},
  };
  return r;
}

}  // namespace phantom
