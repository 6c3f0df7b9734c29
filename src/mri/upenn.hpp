#pragma once
// The UPENN-GBM layout (DATA.md): files found by name anywhere under the data directory, the
// clinical CSV, and the checks each volume must pass before preprocessing.
#include <array>
#include <map>
#include <string>
#include <vector>

#include "mri/volume.hpp"

namespace gbmsweep::mri {

// The clinical table is `UPENN-GBM_clinical_info_v<version>.csv`; the newest version found
// is used (TCIA ships v2.1 today; v1.0 was the first release). The synthetic cohort writes
// kClinicalCsv.
inline constexpr const char* kClinicalPrefix = "UPENN-GBM_clinical_info_v";
inline constexpr const char* kClinicalCsv = "UPENN-GBM_clinical_info_v2.1.csv";

// "2.1" for "UPENN-GBM_clinical_info_v2.1.csv"; "" when `filename` is not a clinical table.
std::string clinical_version(const std::string& filename);
// Compares dotted versions numerically, part by part ("2.1" > "1.0", "10" > "9", "2.1" >
// "2"); a non-numeric part compares as text. <0, 0 or >0 like strcmp.
int compare_versions(const std::string& a, const std::string& b);

// Folders whose files are superseded copies, skipped with a note wherever they sit below the
// data directory (case-insensitive): `old` (00260 and 00509 in the 2023 release), `older`,
// `previous`, `prev`, `backup(s)`, `bak`, `superseded`, `obsolete`, `deprecated`; also hidden
// folders (`.name`, e.g. `.ipynb_checkpoints`) and `__MACOSX` (zip resource forks).
bool is_superseded_folder(const std::string& name);

struct PatientFiles {
  std::map<std::string, std::string> images;  // modality → path
  std::string segm;                           // manual segmentation, else the automated one
  bool automated_segm = false;
  std::vector<std::string> problems;  // e.g. one file name found twice (a patient-level error)
  std::string automated_path;  // the automated segmentation, also where a manual one exists
};

struct UpennLayout {
  std::string clinical_csv;                      // path of the newest version
  std::map<std::string, PatientFiles> patients;  // by scan ID, "UPENN-GBM-00001_11"
  std::vector<std::string> files;                // every matched file, sorted (fingerprint)
  // What the scan chose or left out, for the log and the cohort summary: the clinical table
  // used (and the older ones), superseded-copy folders with their matched files.
  std::vector<std::string> notes;
};

// Walks `dir` recursively. Only baseline scans (`_11`) are kept; `*_unstripped.nii.gz` twins,
// the 4-D `<ID>_DSC.nii.gz` series and other files do not match the names and are not read;
// superseded-copy folders (is_superseded_folder) are skipped with a note. Throws InputError
// when the directory or the clinical CSV is missing, or the newest version is found twice.
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

// The MGMT column: Methylated, Unmethylated, Indeterminate / Not Available (no status), and
// anything else (Unknown: the patient is left unlabelled with a warning naming the value).
enum class Mgmt { Methylated, Unmethylated, NoStatus, Unknown };
Mgmt parse_mgmt(const std::string& value);
// MGMT → 1 (Methylated), 0 (Unmethylated), −1 (no status or an unknown value: unlabelled).
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
// InputError naming `path` for wrong dimensions or spacing, or NaN/Inf voxels (read_nifti
// with NonFinite::Zero has already replaced them by 0).
void check_image(const Volume& v, const std::string& path, const Geometry& g);
// check_image plus BraTS labels only (0, 1, 2, 4) and a non-empty tumour.
void check_segmentation(const Volume& v, const std::string& path, const Geometry& g);

}  // namespace gbmsweep::mri
