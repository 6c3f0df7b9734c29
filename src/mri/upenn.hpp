#pragma once
// The UPENN-GBM layout (DATA.md): files found by name anywhere under the data directory, the
// clinical CSV, and the checks each volume must pass before preprocessing.
#include <array>
#include <map>
#include <string>
#include <vector>

#include "mri/volume.hpp"

namespace gbmsweep::mri {

inline constexpr const char* kClinicalCsv = "UPENN-GBM_clinical_info_v1.0.csv";

struct PatientFiles {
  std::map<std::string, std::string> images;  // modality → path
  std::string segm;                           // manual segmentation, else the automated one
  bool automated_segm = false;
  std::vector<std::string> problems;  // e.g. one file name found twice (a patient-level error)
  std::string automated_path;  // the automated segmentation, also where a manual one exists
};

struct UpennLayout {
  std::string clinical_csv;                      // path
  std::map<std::string, PatientFiles> patients;  // by scan ID, "UPENN-GBM-00001_11"
  std::vector<std::string> files;                // every matched file, sorted (fingerprint)
};

// Walks `dir` recursively. Only baseline scans (`_11`) are kept. Throws InputError when the
// directory or the clinical CSV is missing, or the CSV is found twice.
UpennLayout scan_upenn(const std::string& dir);

struct ClinicalRow {
  std::string id;    // normalised scan ID
  std::string mgmt;  // as written
  int line = 0;      // 1-based line in the CSV
};
// Reads the ID and MGMT columns (by header name). Throws InputError naming file and line for
// missing columns or ragged rows.
std::vector<ClinicalRow> read_clinical(const std::string& csv_path);

// "UPENN-GBM-00001" → "UPENN-GBM-00001_11"; IDs with a scan suffix are kept as they are.
std::string normalise_id(const std::string& id);

// MGMT → 1 (Methylated), 0 (Unmethylated), −1 (Indeterminate / Not Available: dropped).
// Throws std::invalid_argument for any other value.
int mgmt_label(const std::string& value);

// Geometry every volume of the cohort must have.
struct Geometry {
  std::array<int, 3> shape{0, 0, 0};  // D, H, W; 0, 0, 0 = not checked
  double spacing_mm = 1.0;
  double tolerance_mm = 1e-3;
};
// InputError naming `path` when `shape` differs from `expected`.
void check_dimensions(const std::array<int, 3>& shape, const std::string& path,
                      const std::array<int, 3>& expected);
// InputError naming `path` for wrong dimensions or spacing, or NaN/Inf voxels.
void check_image(const Volume& v, const std::string& path, const Geometry& g);
// check_image plus BraTS labels only (0, 1, 2, 4) and a non-empty tumour.
void check_segmentation(const Volume& v, const std::string& path, const Geometry& g);

}  // namespace gbmsweep::mri
