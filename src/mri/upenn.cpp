#include "mri/upenn.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "common/error.hpp"

namespace gbmsweep::mri {

namespace stdfs = std::filesystem;
using text::trim;

UpennLayout scan_upenn(const std::string& dir) {
  std::error_code ec;
  if (!stdfs::is_directory(dir, ec)) throw InputError(dir, "data directory not found");
  static const std::regex image_re(
      R"(^(UPENN-GBM-\d{5}_\d{2})_(T1|T1GD|T2|FLAIR|DTI_AD|DTI_FA|DTI_RD|DTI_TR|DSC_ap-rCBV|DSC_PH|DSC_PSR|segm|automated_approx_segm)\.nii(\.gz)?$)");
  UpennLayout layout;
  std::map<std::string, std::string> automated;  // id → path, used when no manual segm exists
  auto note = [&](PatientFiles& p, const std::string& what, std::string& slot,
                  const std::string& path) {
    if (!slot.empty())
      p.problems.push_back(what + " found twice: " + slot + " and " + path);
    else
      slot = path;
  };
  for (auto it = stdfs::recursive_directory_iterator(dir, stdfs::directory_options::follow_directory_symlink, ec);
       it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) throw InputError(dir, "cannot list directory: " + ec.message());
    if (!it->is_regular_file()) continue;
    const std::string name = it->path().filename().string();
    const std::string path = it->path().string();
    if (name == kClinicalCsv) {
      if (!layout.clinical_csv.empty())
        throw InputError(path, std::string("second ") + kClinicalCsv + " (first: " +
                                   layout.clinical_csv + ")");
      layout.clinical_csv = path;
      layout.files.push_back(path);
      continue;
    }
    std::smatch m;
    if (!std::regex_match(name, m, image_re)) continue;
    const std::string id = m[1], kind = m[2];
    if (id.size() < 3 || id.compare(id.size() - 3, 3, "_11") != 0) continue;  // follow-ups
    layout.files.push_back(path);
    PatientFiles& p = layout.patients[id];
    if (kind == "segm") {
      note(p, name, p.segm, path);
    } else if (kind == "automated_approx_segm") {
      note(p, name, automated[id], path);
    } else {
      note(p, name, p.images[kind], path);
    }
  }
  if (layout.clinical_csv.empty())
    throw InputError(dir, std::string("no ") + kClinicalCsv + " under this directory");
  for (auto& [id, path] : automated) {
    PatientFiles& p = layout.patients[id];
    p.automated_path = path;
    if (p.segm.empty()) {
      p.segm = path;
      p.automated_segm = true;
    }
  }
  std::sort(layout.files.begin(), layout.files.end());
  return layout;
}

std::vector<ClinicalRow> read_clinical(const std::string& csv_path) {
  std::ifstream in(csv_path);
  if (!in) throw InputError(csv_path, "cannot open file");
  std::string line;
  if (!std::getline(in, line)) throw InputError(csv_path, "empty file");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  auto header = text::split(line, ',');
  if (!header.empty() && header[0].rfind("\xEF\xBB\xBF", 0) == 0) header[0].erase(0, 3);  // BOM
  int id_col = -1, mgmt_col = -1;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (trim(header[i]) == "ID") id_col = int(i);
    if (trim(header[i]) == "MGMT") mgmt_col = int(i);
  }
  if (id_col < 0 || mgmt_col < 0)
    throw InputError(csv_path, "line 1: header lacks the " +
                                   std::string(id_col < 0 ? "ID" : "MGMT") + " column");
  std::vector<ClinicalRow> rows;
  int n = 1;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    auto f = text::split(line, ',');
    if (f.size() != header.size())
      throw InputError(csv_path, "line " + std::to_string(n) + ": " + std::to_string(f.size()) +
                                     " fields, header has " + std::to_string(header.size()));
    rows.push_back({normalise_id(trim(f[id_col])), trim(f[mgmt_col]), n});
  }
  return rows;
}

std::string normalise_id(const std::string& id) {
  static const std::regex with_scan(R"(^.*_\d{2}$)");
  return std::regex_match(id, with_scan) ? id : id + "_11";
}

int mgmt_label(const std::string& value) {
  if (value == "Methylated") return 1;
  if (value == "Unmethylated") return 0;
  if (value == "Indeterminate" || value == "Not Available") return -1;
  throw std::invalid_argument("unknown MGMT value '" + value +
                              "' (expected Methylated, Unmethylated, Indeterminate or Not Available)");
}

void check_dimensions(const std::array<int, 3>& shape, const std::string& path,
                      const std::array<int, 3>& expected) {
  if (shape != expected)
    throw InputError(path, "dimensions " + to_string(shape) + " (D×H×W), expected " +
                               to_string(expected));
}

void check_image(const Volume& v, const std::string& path, const Geometry& g) {
  if (g.shape != std::array<int, 3>{0, 0, 0}) check_dimensions(v.shape, path, g.shape);
  for (int a = 0; a < 3; ++a)
    if (std::abs(v.spacing[a] - g.spacing_mm) > g.tolerance_mm) {
      std::ostringstream os;
      os << "spacing " << v.spacing[0] << "×" << v.spacing[1] << "×" << v.spacing[2]
         << " mm, expected " << g.spacing_mm << " mm";
      throw InputError(path, os.str());
    }
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v.data[i])) {
      const int x = int(i % v.shape[2]), y = int(i / v.shape[2] % v.shape[1]),
                z = int(i / (std::size_t(v.shape[2]) * v.shape[1]));
      throw InputError(path, std::string(std::isnan(v.data[i]) ? "NaN" : "Inf") +
                                 " voxel at (z, y, x) = (" + std::to_string(z) + ", " +
                                 std::to_string(y) + ", " + std::to_string(x) + ")");
    }
}

void check_segmentation(const Volume& v, const std::string& path, const Geometry& g) {
  check_image(v, path, g);
  bool any = false;
  for (float x : v.data) {
    if (x != 0.0f && x != 1.0f && x != 2.0f && x != 4.0f) {
      std::ostringstream os;
      os << "unknown segmentation label " << x << " (BraTS labels are 0, 1, 2, 4)";
      throw InputError(path, os.str());
    }
    any = any || x > 0.0f;
  }
  if (!any) throw InputError(path, "empty tumour mask (no voxel > 0)");
}

}  // namespace gbmsweep::mri
