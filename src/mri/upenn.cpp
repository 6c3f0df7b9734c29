#include "mri/upenn.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "common/error.hpp"

namespace gbmsweep::mri {

namespace stdfs = std::filesystem;
using text::trim;

std::string clinical_version(const std::string& filename) {
  static const std::regex re(R"(^UPENN-GBM_clinical_info_v([0-9A-Za-z._-]+)\.csv$)");
  std::smatch m;
  return std::regex_match(filename, m, re) ? m[1].str() : std::string();
}

int compare_versions(const std::string& a, const std::string& b) {
  auto parts = [](const std::string& v) {
    std::vector<std::string> out(1);
    for (char c : v) {
      if (c == '.')
        out.emplace_back();
      else
        out.back().push_back(c);
    }
    return out;
  };
  const auto pa = parts(a), pb = parts(b);
  auto numeric = [](const std::string& s) {
    return !s.empty() && s.size() < 10 &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
  };
  for (std::size_t i = 0; i < std::max(pa.size(), pb.size()); ++i) {
    const std::string x = i < pa.size() ? pa[i] : "0", y = i < pb.size() ? pb[i] : "0";
    if (numeric(x) && numeric(y)) {
      const long nx = std::stol(x), ny = std::stol(y);
      if (nx != ny) return nx < ny ? -1 : 1;
    } else if (x != y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

bool is_superseded_folder(const std::string& name) {
  if (name.empty()) return false;
  if (name[0] == '.' && name != "." && name != "..") return true;
  std::string n = name;
  for (auto& c : n) c = char(std::tolower(static_cast<unsigned char>(c)));
  static const char* const kNames[] = {"old",      "older",    "previous",   "prev",
                                       "backup",   "backups",  "bak",        "superseded",
                                       "obsolete", "deprecated", "__macosx"};
  return std::any_of(std::begin(kNames), std::end(kNames), [&](const char* k) { return n == k; });
}

UpennLayout scan_upenn(const std::string& dir) {
  std::error_code ec;
  if (!stdfs::is_directory(dir, ec)) throw InputError(dir, "data directory not found");
  static const std::regex image_re(
      R"(^(UPENN-GBM-\d{5}_\d{2})_(T1|T1GD|T2|FLAIR|DTI_AD|DTI_FA|DTI_RD|DTI_TR|DSC_ap-rCBV|)"
      R"(DSC_PH|DSC_PSR|segm|automated_approx_segm)\.nii(\.gz)?$)");
  UpennLayout layout;
  std::map<std::string, std::string> automated;  // id → path, used when no manual segm exists
  std::map<std::string, std::vector<std::string>> tables;  // version → paths
  std::map<std::string, int> superseded;                   // folder → matched files inside
  auto note = [&](PatientFiles& p, const std::string& what, std::string& slot,
                  const std::string& path) {
    if (!slot.empty())
      p.problems.push_back(what + " found twice: " + slot + " and " + path);
    else
      slot = path;
  };
  const auto opts = stdfs::directory_options::follow_directory_symlink;
  for (auto it = stdfs::recursive_directory_iterator(dir, opts, ec);
       it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) throw InputError(dir, "cannot list directory: " + ec.message());
    const std::string name = it->path().filename().string();
    const std::string path = it->path().string();
    if (it->is_directory(ec)) {
      // Superseded copies (e.g. images_structural/<ID>/old/<ID>_T1.nii.gz, an earlier
      // version of the top-level file) are not read at all: counted for the note only.
      if (is_superseded_folder(name)) {
        int n = 0;
        std::error_code ec2;
        for (auto jt = stdfs::recursive_directory_iterator(path, ec2);
             !ec2 && jt != stdfs::recursive_directory_iterator(); jt.increment(ec2)) {
          const std::string f = jt->path().filename().string();
          n += std::regex_match(f, image_re) || !clinical_version(f).empty();
        }
        superseded[path] = n;
        it.disable_recursion_pending();
      }
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    if (const std::string v = clinical_version(name); !v.empty()) {
      tables[v].push_back(path);
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
  if (tables.empty())
    throw InputError(dir, std::string("no ") + kClinicalPrefix +
                              "<version>.csv under this directory");
  // Newest version wins; two files of that version are ambiguous (which one is current?).
  auto newest = tables.begin();
  for (auto t = tables.begin(); t != tables.end(); ++t)
    if (compare_versions(t->first, newest->first) > 0) newest = t;
  if (newest->second.size() > 1)
    throw InputError(newest->second[1], "second clinical table of version " + newest->first +
                                            " (first: " + newest->second[0] + ")");
  layout.clinical_csv = newest->second[0];
  layout.files.push_back(layout.clinical_csv);
  std::string older;
  for (const auto& [v, paths] : tables)
    if (&paths != &newest->second)
      for (const auto& p : paths) older += (older.empty() ? "" : ", ") + p;
  layout.notes.push_back("clinical table " + layout.clinical_csv + " (version " + newest->first +
                         (older.empty() ? ")" : "; older, not used: " + older + ")"));
  for (const auto& [folder, n] : superseded)
    layout.notes.push_back("ignored " + folder + "/ (superseded-copy folder, " +
                           std::to_string(n) + " UPENN-GBM file(s) not read; the top-level "
                           "files are used)");
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
  text::DelimitedReader reader(csv_path, ',');  // BOM, CRLF and quoted fields handled there
  text::Record rec;
  if (!reader.next(rec)) throw InputError(csv_path, "empty file");
  const auto header = rec.fields;
  int id_col = -1, mgmt_col = -1;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (trim(header[i]) == "ID") id_col = int(i);
    if (trim(header[i]) == "MGMT") mgmt_col = int(i);
  }
  if (id_col < 0 || mgmt_col < 0)
    throw InputError(csv_path, "line " + std::to_string(rec.line) + ": header lacks the " +
                                   std::string(id_col < 0 ? "ID" : "MGMT") + " column");
  std::vector<ClinicalRow> rows;
  while (reader.next(rec)) {
    const auto& f = rec.fields;
    if (f.size() != header.size())
      throw InputError(csv_path, "line " + std::to_string(rec.line) + ": " +
                                     std::to_string(f.size()) + " fields, header has " +
                                     std::to_string(header.size()));
    rows.push_back({normalise_id(trim(f[id_col])), trim(f[mgmt_col]), int(rec.line)});
  }
  return rows;
}

std::string normalise_id(const std::string& id) {
  static const std::regex with_scan(R"(^.*_\d{2}$)");
  return std::regex_match(id, with_scan) ? id : id + "_11";
}

Mgmt parse_mgmt(const std::string& value) {
  if (value == "Methylated") return Mgmt::Methylated;
  if (value == "Unmethylated") return Mgmt::Unmethylated;
  if (value == "Indeterminate" || value == "Not Available") return Mgmt::NoStatus;
  return Mgmt::Unknown;
}

int mgmt_label(const std::string& value) {
  switch (parse_mgmt(value)) {
    case Mgmt::Methylated: return 1;
    case Mgmt::Unmethylated: return 0;
    default: return -1;
  }
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
