#include "mri/preflight.hpp"

#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "common/error.hpp"
#include "common/problems.hpp"
#include "common/text.hpp"
#include "models/torch_file.hpp"
#include "mri/io.hpp"
#include "mri/nifti_raw.hpp"
#include "mri/upenn.hpp"

namespace gbmsweep::mri {

namespace {

namespace stdfs = std::filesystem;
using nlohmann::json;

struct Header {
  std::array<int, 3> shape{0, 0, 0};  // D, H, W
  std::array<double, 3> spacing{0, 0, 0};
  std::uint64_t bytes = 0;  // vox_offset + voxel bytes: the uncompressed stream's length
};

// The NIfTI-1/2 header through zlib (plain .nii reads the same); InputError on anything odd.
// parse_nifti_header (nifti_raw.cpp) makes the checks the stream check makes; a cohort also
// needs a 3-D image of sane dimensions.
Header read_header(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw InputError(path, "cannot open file");
  unsigned char hdr[540];
  const int got = gzread(f, hdr, sizeof hdr);
  gzclose(f);
  const NiftiHeader n = parse_nifti_header(hdr, std::size_t(std::max(got, 0)), path);
  const std::int64_t* dim = n.dim;
  if (dim[0] < 3 || dim[0] > 7) throw InputError(path, "bad dim[0] " + std::to_string(dim[0]));
  for (int i = 4; i <= dim[0]; ++i)
    if (dim[i] > 1)
      throw InputError(path, "expected a 3-D image, found " + std::to_string(dim[0]) +
                                 " dimensions (a 4-D series such as <ID>_DSC.nii.gz?)");
  Header h;
  for (int a = 0; a < 3; ++a) {
    if (dim[3 - a] < 1 || dim[3 - a] > 100000) throw InputError(path, "bad dimensions");
    h.shape[a] = int(dim[3 - a]);
    h.spacing[a] = std::abs(n.pixdim[3 - a]);
  }
  h.bytes = std::uint64_t(std::max(n.vox_offset, n.version == 2 ? 544.0 : 352.0)) +
            std::uint64_t(h.shape[0]) * h.shape[1] * h.shape[2] * (n.bitpix / 8);
  return h;
}

// A truncated .gz ends inside its deflate data: its last 4 bytes, read as the gzip trailer's
// ISIZE (length mod 2^32), then disagree with the header's length (1 in 2^32 by chance).
void check_length(const std::string& path, const Header& h) {
  std::ifstream in(path, std::ios::binary);
  unsigned char magic[2] = {0, 0};
  in.read(reinterpret_cast<char*>(magic), 2);
  std::error_code ec;
  const auto size = stdfs::file_size(path, ec);
  if (ec) throw InputError(path, "cannot stat: " + ec.message());
  if (!(magic[0] == 0x1f && magic[1] == 0x8b)) {  // plain .nii
    if (size < h.bytes)
      throw InputError(path, "truncated: " + std::to_string(size) + " bytes, the header needs " +
                                 std::to_string(h.bytes));
    return;
  }
  if (size < 18) throw InputError(path, "truncated gzip file");
  unsigned char tail[4];
  in.seekg(std::streamoff(size - 4));
  in.read(reinterpret_cast<char*>(tail), 4);
  if (!in) throw InputError(path, "cannot read the gzip trailer");
  const std::uint32_t isize = load<std::uint32_t>(tail, false);
  if (isize != std::uint32_t(h.bytes))
    throw InputError(path, "truncated or corrupt: the gzip trailer gives " + std::to_string(isize) +
                               " bytes (mod 2^32), the NIfTI header needs " +
                               std::to_string(h.bytes) + " (gzip -t tells more)");
}

struct FileCheck {
  std::string path, id;
  bool segm = false;
  Header header;
  std::vector<Problem> problems;
};

void check_file(FileCheck& c, bool full) {
  try {
    c.header = read_header(c.path);
    check_length(c.path, c.header);
    if (full) check_nifti_stream(c.path, NonFinite::Zero);
  } catch (const InputError& e) {
    c.problems.push_back({e.path(), 0, e.message()});
  }
}

template <class F>
void parallel_for(std::size_t n, int threads, F f) {
  if (threads <= 0) threads = int(std::max(1u, std::thread::hardware_concurrency()));
  std::atomic<std::size_t> next{0};
  auto run = [&] {
    for (std::size_t i; (i = next++) < n;) f(i);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::min<int>(threads, int(n)); ++t) pool.emplace_back(run);
  run();
  for (auto& t : pool) t.join();
}

// The clinical table, every problem: labelled IDs out (normalised).
std::set<std::string> check_clinical(const std::string& csv, bool report_skippable,
                                     Problems& out) {
  std::set<std::string> labelled;
  try {
    text::DelimitedReader reader(csv, ',');
    text::Record rec;
    if (!reader.next(rec)) {
      out.add(csv, 0, "empty file");
      return labelled;
    }
    const std::size_t width = rec.fields.size();
    int id_col = -1, mgmt_col = -1;
    for (std::size_t i = 0; i < width; ++i) {
      if (text::trim(rec.fields[i]) == "ID") id_col = int(i);
      if (text::trim(rec.fields[i]) == "MGMT") mgmt_col = int(i);
    }
    if (id_col < 0) out.add(csv, rec.line, "header lacks the ID column");
    if (mgmt_col < 0) out.add(csv, rec.line, "header lacks the MGMT column");
    if (id_col < 0 || mgmt_col < 0) return labelled;
    std::map<std::string, std::size_t> first_line;
    while (reader.next(rec)) {
      if (rec.fields.size() != width) {
        out.add(csv, rec.line, std::to_string(rec.fields.size()) + " fields, header has " +
                                   std::to_string(width));
        continue;
      }
      const std::string id = normalise_id(text::trim(rec.fields[id_col]));
      auto [it, fresh] = first_line.emplace(id, rec.line);
      if (!fresh) {
        if (report_skippable)
          out.add(csv, rec.line, "duplicated ID " + id + " (first on line " +
                                     std::to_string(it->second) + ")");
        labelled.erase(id);
        continue;
      }
      if (mgmt_label(text::trim(rec.fields[mgmt_col])) >= 0) labelled.insert(id);
    }
  } catch (const InputError& e) {
    out.add(e);  // e.g. an unterminated quote: the rest of the file cannot be trusted
  }
  return labelled;
}

void check_weights(const std::string& path, Problems& out) {
  try {
    const auto file = torchfile::read_torch_file(path);
    const auto sd = torchfile::state_dict_of(file, path);
    bool conv1 = false;
    for (const auto& [k, t] : sd.tensors)
      conv1 = conv1 || k == "conv1.weight" || k == "module.conv1.weight";
    if (!conv1) out.add(path, 0, "no conv1.weight: not a MedicalNet ResNet state dict");
  } catch (const InputError& e) {
    out.add(e);
  }
}

}  // namespace

void check_mri_inputs(const json& config, Problems& out) {
  check_mri_inputs(config, out, MriCheckOptions{});
}

void check_mri_inputs(const json& config, Problems& out, const MriCheckOptions& opts) {
  if (!config.contains("mri")) return;
  const json data = config.value("data", json::object());
  if (data.contains("medicalnet") && data["medicalnet"].is_string())
    check_weights(data["medicalnet"].get<std::string>(), out);
  if (!data.contains("mri") || !data["mri"].is_string()) {
    out.add("", 0, "data.mri is not set: the UPENN-GBM directory is needed");
    return;
  }
  const std::string dir = data["mri"].get<std::string>();
  UpennLayout layout;
  try {
    layout = scan_upenn(dir);
  } catch (const InputError& e) {
    out.add(e);
    return;
  }
  const auto labelled = check_clinical(layout.clinical_csv, opts.report_skippable, out);

  std::vector<FileCheck> files;
  int usable = 0;
  for (const auto& id : labelled) {
    auto it = layout.patients.find(id);
    if (it == layout.patients.end()) continue;  // no images: not in the cohort, not an error
    const PatientFiles& f = it->second;
    bool ok = f.problems.empty() && !f.segm.empty();
    if (opts.report_skippable)
      for (const auto& p : f.problems) out.add("", 0, id + ": " + p);
    if (f.segm.empty() && opts.report_skippable)
      out.add(dir, 0, id + ": no segmentation (" + id + "_segm.nii.gz or " + id +
                          "_automated_approx_segm.nii.gz)");
    for (int m = 0; m < 4; ++m)
      if (!f.images.count(modality_names()[m])) {
        ok = false;
        if (opts.report_skippable)
          out.add(dir, 0, id + ": structural image " + modality_names()[m] + " missing");
      }
    usable += ok;
    if (!f.segm.empty()) files.push_back({f.segm, id, true, {}, {}});
    for (const auto& [mod, path] : f.images) files.push_back({path, id, false, {}, {}});
  }
  if (usable == 0)
    out.add(dir, 0, "no labelled patient with a segmentation and 4 structural images");

  parallel_for(files.size(), opts.threads,
               [&](std::size_t i) { check_file(files[i], opts.full_streams); });

  // The cohort's geometry: the most common segmentation shape, 1 mm.
  std::map<std::array<int, 3>, int> shapes;
  for (const auto& c : files)
    if (c.segm && c.problems.empty()) ++shapes[c.header.shape];
  std::array<int, 3> shape{0, 0, 0};
  int best = 0;
  for (const auto& [s, n] : shapes)
    if (n > best) best = n, shape = s;
  for (auto& c : files) {
    if (c.problems.empty() && best > 0 && c.header.shape != shape)
      c.problems.push_back({c.path, 0, "dimensions " + to_string(c.header.shape) +
                                           " (D×H×W), the cohort's are " + to_string(shape)});
    if (c.problems.empty())
      for (int a = 0; a < 3; ++a)
        if (std::abs(c.header.spacing[a] - 1.0) > 1e-3) {
          std::ostringstream os;
          os << "spacing " << c.header.spacing[0] << "×" << c.header.spacing[1] << "×"
             << c.header.spacing[2] << " mm, expected 1 mm";
          c.problems.push_back({c.path, 0, os.str()});
          break;
        }
    if (opts.report_skippable)
      for (auto& p : c.problems) out.add(p.file, p.line, c.id + ": " + p.what);
  }
}

}  // namespace gbmsweep::mri
