#include "mri/synth.hpp"

#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <sstream>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "mri/io.hpp"
#include "mri/rng.hpp"
#include "mri/upenn.hpp"
#include "mri/volume.hpp"

namespace gbmsweep::mri {

namespace {

// Relative intensities of (brain, oedema, enhancing, necrotic core) per modality, and the
// modality's scale, loosely after the contrasts of each map.
struct Contrast {
  double tissue[4];
  double scale;
};
const Contrast& contrast_of(int m) {
  static const Contrast table[11] = {
      {{1.0, 0.8, 0.9, 0.5}, 800},      // T1
      {{1.0, 0.8, 1.8, 0.4}, 900},      // T1GD
      {{1.0, 1.6, 1.3, 1.9}, 700},      // T2
      {{1.0, 1.7, 1.3, 1.1}, 600},      // FLAIR
      {{1.0, 1.3, 1.1, 1.5}, 1.5e-3},   // DTI_AD
      {{1.0, 0.6, 0.5, 0.3}, 0.4},      // DTI_FA
      {{1.0, 1.4, 1.2, 1.6}, 8e-4},     // DTI_RD
      {{1.0, 1.35, 1.15, 1.55}, 3e-3},  // DTI_TR
      {{1.0, 0.9, 2.0, 0.3}, 40},       // DSC_ap-rCBV
      {{1.0, 0.9, 1.8, 0.4}, 30},       // DSC_PH
      {{1.0, 1.0, 0.8, 1.1}, 0.9},      // DSC_PSR
  };
  return table[m];
}

std::string folder_of(Group g) {
  switch (g) {
    case Group::Structural: return "images_structural";
    case Group::DTI: return "images_DTI";
    case Group::DSC: return "images_DSC";
  }
  return "";
}

struct Patient {
  std::string id;
  std::string mgmt;
  bool dti = false, dsc = false, manual_segm = true;
};

// One patient's anatomy: a tissue index per voxel (−1 background, 0 brain, 1 oedema,
// 2 enhancing, 3 necrotic core) and the matching BraTS segmentation (0, 2, 4, 1).
struct Anatomy {
  std::vector<signed char> tissue;
  Volume segm;
};

Anatomy make_anatomy(const std::array<int, 3>& shape, Rng& rng) {
  Anatomy a{std::vector<signed char>(std::size_t(shape[0]) * shape[1] * shape[2], -1), Volume(shape)};
  double brain_r[3], c[3], r[3];
  for (int k = 0; k < 3; ++k) {
    brain_r[k] = shape[k] * rng.uniform(0.40, 0.46);
    // Tumour centre within the inner half of the brain; oedema radii 12–22 % of the axis.
    c[k] = (shape[k] - 1) / 2.0 + rng.uniform(-0.25, 0.25) * brain_r[k];
    r[k] = shape[k] * rng.uniform(0.12, 0.22);
  }
  const double enh = rng.uniform(0.55, 0.7), nec = rng.uniform(0.25, 0.4);
  for (int z = 0; z < shape[0]; ++z)
    for (int y = 0; y < shape[1]; ++y)
      for (int x = 0; x < shape[2]; ++x) {
        const double p[3] = {double(z), double(y), double(x)};
        double db = 0, dt = 0;
        for (int k = 0; k < 3; ++k) {
          db += std::pow((p[k] - (shape[k] - 1) / 2.0) / brain_r[k], 2);
          dt += std::pow((p[k] - c[k]) / r[k], 2);
        }
        db = std::sqrt(db);
        dt = std::sqrt(dt);
        const std::size_t i = a.segm.index(z, y, x);
        if (dt <= nec) a.tissue[i] = 3, a.segm.data[i] = 1;
        else if (dt <= enh) a.tissue[i] = 2, a.segm.data[i] = 4;
        else if (dt <= 1.0) a.tissue[i] = 1, a.segm.data[i] = 2;
        else if (db <= 1.0) a.tissue[i] = 0;
      }
  return a;
}

Volume make_image(const Anatomy& a, const std::array<int, 3>& shape, int m, bool methylated,
                  double signal, Rng& rng) {
  const Contrast& ct = contrast_of(m);
  const double g = signal * (methylated ? signal_gain(modality_names()[m]) : 0.0);
  double tissue[4];
  for (int t = 0; t < 4; ++t) tissue[t] = ct.tissue[t] * (1.0 + 0.08 * rng.normal());
  // The planted signal: brighter enhancing rim, darker core, and a periodic texture (period
  // 8 voxels, random phase) inside the core + rim. Patient jitter above keeps it noisy.
  tissue[2] *= 1.0 + 0.35 * g;
  tissue[3] *= 1.0 - 0.25 * g;
  const double period = 8.0;
  double phase[3], bias[3];
  for (int k = 0; k < 3; ++k) phase[k] = rng.uniform(0, 2 * M_PI), bias[k] = rng.uniform(0, 2 * M_PI);
  Volume v(shape);
  for (int z = 0; z < shape[0]; ++z)
    for (int y = 0; y < shape[1]; ++y)
      for (int x = 0; x < shape[2]; ++x) {
        const std::size_t i = v.index(z, y, x);
        const int t = a.tissue[i];
        if (t < 0) continue;
        double val = tissue[t];
        // A smooth bias field (±5 %) as scanners have.
        val *= 1.0 + 0.05 * std::sin(2 * M_PI * z / shape[0] + bias[0]) *
                         std::sin(2 * M_PI * y / shape[1] + bias[1]);
        if (t >= 2 && g > 0)
          val *= 1.0 + 0.3 * g * std::sin(2 * M_PI * z / period + phase[0]) *
                           std::sin(2 * M_PI * y / period + phase[1]) *
                           std::sin(2 * M_PI * x / period + phase[2]);
        val *= 1.0 + 0.05 * rng.normal();
        v.data[i] = static_cast<float>(std::max(0.0, val) * ct.scale);
      }
  return v;
}

// A small 4-D NIfTI-1 (float32, gzip) written by hand: ITK here is built for 3-D images only.
// Stands for the release's `<ID>_DSC.nii.gz` perfusion series, which readers must not take
// for a map.
void write_nifti_4d(const std::string& path, const std::array<int, 3>& shape, int frames) {
  unsigned char hdr[352] = {};
  auto put16 = [&](int at, std::int16_t v) { std::memcpy(hdr + at, &v, 2); };
  auto putf = [&](int at, float v) { std::memcpy(hdr + at, &v, 4); };
  const std::int32_t size = 348;
  std::memcpy(hdr, &size, 4);
  const std::int16_t dims[5] = {4, std::int16_t(shape[2]), std::int16_t(shape[1]),
                                std::int16_t(shape[0]), std::int16_t(frames)};
  for (int i = 0; i < 5; ++i) put16(40 + 2 * i, dims[i]);
  put16(70, 16);  // float32
  put16(72, 32);
  for (int i = 0; i < 5; ++i) putf(76 + 4 * i, 1.0f);
  putf(108, 352.0f);  // vox_offset
  putf(112, 1.0f);    // scl_slope
  hdr[123] = 10;      // mm, s
  std::memcpy(hdr + 344, "n+1", 4);
  std::vector<float> data(std::size_t(shape[0]) * shape[1] * shape[2] * frames, 1.0f);
  gzFile f = gzopen(path.c_str(), "wb");
  GBM_CHECK(f, "cannot write " << path);
  const bool ok = gzwrite(f, hdr, sizeof hdr) == int(sizeof hdr) &&
                  gzwrite(f, data.data(), unsigned(data.size() * 4)) == int(data.size() * 4);
  GBM_CHECK(gzclose(f) == Z_OK && ok, "cannot write " << path);
}

// The clinical table as a spreadsheet export: a BOM and CRLF line ends (the line break
// inside a quoted field too).
std::string quirky_csv(const std::string& plain) {
  std::string out = "\xEF\xBB\xBF";
  for (char c : plain) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

}  // namespace

double signal_gain(const std::string& modality) {
  switch (group_of(modality)) {
    case Group::DSC: return 1.0;
    case Group::DTI: return 0.6;
    case Group::Structural: return 0.1;
  }
  return 0.0;
}

SynthSummary write_synthetic_cohort(const SynthOptions& o) {
  GBM_CHECK(o.patients > 0 && o.patients <= 99999, "patients must be in 1..99999, got " << o.patients);
  for (int k = 0; k < 3; ++k)
    GBM_CHECK(o.shape[k] >= 8, "synthetic volumes need at least 8 voxels per axis, got "
                                   << to_string(o.shape));
  GBM_CHECK(o.signal >= 0, "signal must be >= 0, got " << o.signal);
  GBM_CHECK(!o.release_quirks || o.patients >= 4,
            "the release quirks need at least 4 patients, got " << o.patients);
  fs::make_dirs(o.out_dir);
  SynthSummary sum;
  std::ostringstream csv, csv_v1;
  const char* header =
      "ID,Gender,Age_at_scan_years,Survival_from_surgery_days_UPDATED,Survival_Status,"
      "Survival_Censor,IDH1,MGMT,KPS,GTR_over90percent,PsP_TP_score\n";
  csv << header;
  csv_v1 << header;
  for (int n = 1; n <= o.patients; ++n) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "UPENN-GBM-%05d_11", n);
    Patient p;
    p.id = buf;
    Rng rng(derive_seed(o.seed, p.id));
    p.dti = rng.bernoulli(o.dti_fraction);
    p.dsc = p.dti && rng.bernoulli(o.dti_fraction > 0 ? o.dsc_fraction / o.dti_fraction : 0);
    p.manual_segm = rng.bernoulli(o.manual_segm_fraction);
    bool labelled = !rng.bernoulli(o.unlabelled_fraction);
    const bool methylated = rng.bernoulli(o.methylated_fraction);
    p.mgmt = !labelled ? (rng.bernoulli(0.5) ? "Indeterminate" : "Not Available")
                       : methylated ? "Methylated" : "Unmethylated";
    const bool quirk = o.release_quirks && n <= 4;
    if (quirk && n != 3) {  // overrides after the draws: the other patients stay as they were
      labelled = true;
      p.mgmt = methylated ? "Methylated" : "Unmethylated";
    }
    if (quirk && n == 3) {
      labelled = false;
      p.mgmt = kQuirkUnknownMgmt;
      ++sum.unknown_mgmt;
    }
    if (quirk && n == 4) p.dti = false, p.dsc = true;
    ++sum.patients;
    sum.dti += p.dti;
    sum.dsc += p.dsc;
    (labelled ? (methylated ? sum.methylated : sum.unmethylated) : sum.unlabelled)++;
    // Quirks: every other ID quoted, as spreadsheet exports do, and one field with a comma,
    // a quote and a line break.
    const std::string idh =
        quirk && n == 2 ? "\"NOS, see \"\"notes\"\"\nsecond line\"" : "Wildtype";
    csv << (o.release_quirks && n % 2 == 0 ? "\"" + p.id + "\"" : p.id) << ","
        << (rng.bernoulli(0.6) ? "M" : "F") << "," << int(rng.uniform(30, 85)) << ","
        << int(rng.uniform(30, 1500)) << ",1,1," << idh << "," << p.mgmt << ",NA,NA,NA\n";
    csv_v1 << p.id << ",NA,NA,NA,NA,NA,NA,Not Available,NA,NA,NA\n";

    Anatomy a = make_anatomy(o.shape, rng);
    const std::string segm_dir = p.manual_segm ? "images_segm" : "automated_segm";
    const std::string segm_name = p.id + (p.manual_segm ? "_segm" : "_automated_approx_segm");
    fs::make_dirs(o.out_dir + "/" + segm_dir);
    write_nifti(o.out_dir + "/" + segm_dir + "/" + segm_name + ".nii.gz", a.segm, PixelType::UInt8);
    for (int m = 0; m < 11; ++m) {
      const std::string& mod = modality_names()[m];
      const Group g = group_of(mod);
      // Drawn even when not written, so that a patient's images do not depend on availability.
      Volume img = make_image(a, o.shape, m, methylated && labelled, o.signal, rng);
      if ((g == Group::DTI && !p.dti) || (g == Group::DSC && !p.dsc)) continue;
      const std::string dir = o.out_dir + "/" + folder_of(g) + "/" + p.id;
      fs::make_dirs(dir);
      if (quirk && n == 4 && mod == "DSC_PH")
        img.at(o.shape[0] / 2, o.shape[1] / 2, o.shape[2] / 2) =
            std::numeric_limits<float>::quiet_NaN();
      write_nifti(dir + "/" + p.id + "_" + mod + ".nii.gz", img);
      if (quirk && n <= 2 && g == Group::Structural) {
        // An earlier, different version in old/, and the unstripped twins (both levels).
        Rng old_rng(derive_seed(o.seed, p.id + "/old/" + mod));
        Volume old = make_image(a, o.shape, m, !(methylated && labelled), o.signal, old_rng);
        const std::string un = o.out_dir + "/images_structural_unstripped/" + p.id;
        fs::make_dirs(dir + "/old");
        fs::make_dirs(un + "/old");
        write_nifti(dir + "/old/" + p.id + "_" + mod + ".nii.gz", old);
        write_nifti(un + "/" + p.id + "_" + mod + "_unstripped.nii.gz", img);
        write_nifti(un + "/old/" + p.id + "_" + mod + "_unstripped.nii.gz", old);
      }
    }
    if (quirk && n == 4)
      write_nifti_4d(o.out_dir + "/images_DSC/" + p.id + "/" + p.id + "_DSC.nii.gz", o.shape, 3);
  }
  if (o.release_quirks) {
    fs::atomic_write(o.out_dir + "/" + kClinicalCsv, quirky_csv(csv.str()));
    fs::atomic_write(o.out_dir + "/" + kClinicalPrefix + "1.0.csv", csv_v1.str());
  } else {
    fs::atomic_write(o.out_dir + "/" + kClinicalCsv, csv.str());
  }
  return sum;
}

}  // namespace gbmsweep::mri
