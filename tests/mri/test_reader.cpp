// Every bad-input case of the UPENN-GBM reader: an InputError naming the file and the problem,
// or with skip_bad the patient left out and listed.
#include <boost/test/unit_test.hpp>

#include <zlib.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <stdexcept>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "mri/io.hpp"
#include "synth_fixture.hpp"

using namespace gbmsweep::mri;
namespace stdfs = std::filesystem;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Corrupts the first labelled patient, then checks both behaviours.
void expect_bad(const std::string& name, const std::function<void(mri_test::TinyCohort&, const std::string&)>& corrupt,
                const std::string& file_part, const std::string& problem,
                NonFinite nonfinite = NonFinite::Zero) {
  BOOST_TEST_CONTEXT(name) {
    mri_test::TinyCohort t("reader_" + name, 8);
    const std::string victim = t.labelled.front();
    corrupt(t, victim);
    auto opts = t.options();
    opts.nonfinite = nonfinite;
    try {
      build_or_load_cohort(opts, t.cache());
      BOOST_ERROR("no InputError for " << name);
    } catch (const gbmsweep::InputError& e) {
      BOOST_TEST_INFO("message: " << e.what());
      BOOST_TEST(contains(e.what(), file_part));
      BOOST_TEST(contains(e.what(), problem));
    }
    BOOST_TEST(!stdfs::exists(t.cache()));  // nothing half-written
    for (const auto& entry : stdfs::directory_iterator(t.dir))
      BOOST_TEST(!contains(entry.path().filename().string(), ".tmp."));

    opts.skip_bad = true;
    Cohort c = build_or_load_cohort(opts, t.cache());
    BOOST_REQUIRE(c.skipped().size() == 1u);
    BOOST_TEST(c.skipped()[0].id == victim);
    BOOST_TEST(contains(c.skipped()[0].reason, problem));
    BOOST_TEST(c.size() == int(t.labelled.size()) - 1);
    BOOST_TEST(std::count(c.ids().begin(), c.ids().end(), victim) == 0);
    // Three threads share out single volumes: the same patient is skipped for the same reason.
    opts.threads = 3;
    Cohort three = build_or_load_cohort(opts, t.dir + "/three.h5");
    BOOST_TEST(three.ids() == c.ids(), boost::test_tools::per_element());
    BOOST_REQUIRE(three.skipped().size() == 1u);
    BOOST_TEST(three.skipped()[0].id == victim);
    BOOST_TEST(three.skipped()[0].reason == c.skipped()[0].reason);
  }
}

// Reads one image of a patient, lets `edit` change it, writes it back.
void rewrite(const std::string& path, const std::function<void(Volume&)>& edit, PixelType type) {
  Volume v = read_nifti(path);
  edit(v);
  write_nifti(path, v, type);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mri_reader)

BOOST_AUTO_TEST_CASE(finds_files_by_name_and_builds_availability) {
  mri_test::TinyCohort t("reader_layout", 8);
  BOOST_TEST(t.layout.patients.size() == 8u);
  for (const auto& [id, f] : t.layout.patients) {
    BOOST_TEST(f.images.size() >= 4u);
    BOOST_TEST(!f.segm.empty());
    BOOST_TEST(f.problems.empty());
    // DSC only with DTI in the synthetic cohort; a group is all there or all missing.
    BOOST_TEST(f.images.count("DTI_AD") == f.images.count("DTI_TR"));
    if (f.images.count("DSC_PH")) BOOST_TEST(f.images.count("DTI_FA") == 1u);
  }
  BOOST_TEST(normalise_id("UPENN-GBM-00001") == "UPENN-GBM-00001_11");
  BOOST_TEST(normalise_id("UPENN-GBM-00001_21") == "UPENN-GBM-00001_21");
  BOOST_TEST(mgmt_label("Methylated") == 1);
  BOOST_TEST(mgmt_label("Unmethylated") == 0);
  BOOST_TEST(mgmt_label("Not Available") == -1);
  BOOST_TEST(mgmt_label("methylated?") == -1);
  BOOST_TEST((parse_mgmt("methylated?") == Mgmt::Unknown));
  BOOST_TEST((parse_mgmt("Indeterminate") == Mgmt::NoStatus));
  BOOST_CHECK_THROW(scan_upenn(t.dir + "/nowhere"), gbmsweep::InputError);
}

// Under the default NonFinite::Zero policy: a truncated file is never "repaired".
BOOST_AUTO_TEST_CASE(truncated_gzip) {
  expect_bad("truncated", [](mri_test::TinyCohort& t, const std::string& id) {
    const std::string p = t.files(id).images.at("T2");
    stdfs::resize_file(p, stdfs::file_size(p) / 2);
  }, "_T2.nii.gz", "truncated: ");
}

BOOST_AUTO_TEST_CASE(wrong_dimensions) {
  expect_bad("dims", [](mri_test::TinyCohort& t, const std::string& id) {
    write_nifti(t.files(id).images.at("T1"), Volume({16, 20, 19}, {1, 1, 1}, 5.0f));
  }, "_T1.nii.gz", "dimensions 16x20x19");
}

BOOST_AUTO_TEST_CASE(wrong_spacing) {
  expect_bad("spacing", [](mri_test::TinyCohort& t, const std::string& id) {
    rewrite(t.files(id).images.at("FLAIR"), [](Volume& v) { v.spacing[1] = 1.2; }, PixelType::Float32);
  }, "_FLAIR.nii.gz", "spacing");
}

BOOST_AUTO_TEST_CASE(nan_voxel) {
  expect_bad("nan", [](mri_test::TinyCohort& t, const std::string& id) {
    rewrite(t.files(id).images.at("T1GD"),
            [](Volume& v) { v.at(3, 4, 5) = std::numeric_limits<float>::quiet_NaN(); }, PixelType::Float32);
  }, "_T1GD.nii.gz", "NaN voxel at (z, y, x) = (3, 4, 5)", NonFinite::Reject);
}

BOOST_AUTO_TEST_CASE(inf_voxel) {
  expect_bad("inf", [](mri_test::TinyCohort& t, const std::string& id) {
    rewrite(t.files(id).images.at("T2"),
            [](Volume& v) { v.at(1, 1, 1) = std::numeric_limits<float>::infinity(); }, PixelType::Float32);
  }, "_T2.nii.gz", "Inf voxel", NonFinite::Reject);
}

BOOST_AUTO_TEST_CASE(empty_mask) {
  expect_bad("empty_mask", [](mri_test::TinyCohort& t, const std::string& id) {
    rewrite(t.files(id).segm, [](Volume& v) { std::fill(v.data.begin(), v.data.end(), 0.0f); },
            PixelType::UInt8);
  }, "segm.nii.gz", "empty tumour mask");
}

BOOST_AUTO_TEST_CASE(unknown_segmentation_label) {
  expect_bad("seg_label", [](mri_test::TinyCohort& t, const std::string& id) {
    rewrite(t.files(id).segm, [](Volume& v) { v.at(8, 10, 10) = 3.0f; }, PixelType::UInt8);
  }, "segm.nii.gz", "unknown segmentation label 3");
}

BOOST_AUTO_TEST_CASE(unknown_mgmt_value_leaves_the_patient_unlabelled) {
  mri_test::TinyCohort t("reader_mgmt", 8);
  const std::string victim = t.labelled.front();
  std::string text = gbmsweep::fs::read_all(t.layout.clinical_csv);
  auto at = text.find(victim);
  auto m = text.find("ethylated,", at);  // Methylated or Unmethylated on the victim's row
  auto start = text.rfind(',', m);
  text.replace(start + 1, m + 9 - start - 1, "Sometimes");
  gbmsweep::fs::atomic_write(t.layout.clinical_csv, text);
  Cohort c = build_or_load_cohort(t.options(), t.cache());  // not an abort
  BOOST_TEST(c.size() == int(t.labelled.size()) - 1);
  BOOST_TEST(std::count(c.ids().begin(), c.ids().end(), victim) == 0);
  BOOST_TEST(c.skipped().empty());
  const auto& notes = c.notes();
  BOOST_TEST(std::any_of(notes.begin(), notes.end(), [&](const std::string& n) {
    return contains(n, victim) && contains(n, "unknown MGMT value 'Sometimes'") &&
           contains(n, kClinicalCsv);
  }));
}

BOOST_AUTO_TEST_CASE(nan_and_inf_voxels_are_zeroed_and_counted) {
  mri_test::TinyCohort t("reader_nan_zero", 8);
  const std::string victim = t.labelled.front();
  rewrite(t.files(victim).images.at("T1GD"), [](Volume& v) {
    v.at(3, 4, 5) = std::numeric_limits<float>::quiet_NaN();
    v.at(3, 4, 6) = -std::numeric_limits<float>::infinity();
  }, PixelType::Float32);
  std::int64_t n = 0;
  Volume v = read_nifti(t.files(victim).images.at("T1GD"), NonFinite::Zero, &n);
  BOOST_TEST(n == 2);
  BOOST_TEST(v.at(3, 4, 5) == 0.0f);
  BOOST_TEST(v.at(3, 4, 6) == 0.0f);
  Cohort c = build_or_load_cohort(t.options(), t.cache());  // default: zero
  BOOST_TEST(c.size() == int(t.labelled.size()));
  BOOST_REQUIRE(c.nonfinite().size() == 1u);
  BOOST_TEST(c.nonfinite()[0].id == victim);
  BOOST_TEST(c.nonfinite()[0].modality == "T1GD");
  BOOST_TEST(c.nonfinite()[0].voxels == 2);
  // The policy is part of the cache's fingerprint.
  auto reject = t.options();
  reject.nonfinite = NonFinite::Reject;
  BOOST_TEST(cohort_fingerprint(reject) != c.fingerprint());
  BOOST_TEST((parse_nonfinite("reject") == NonFinite::Reject));
  BOOST_CHECK_THROW(parse_nonfinite("drop"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(duplicated_id) {
  expect_bad("dup_id", [](mri_test::TinyCohort& t, const std::string& id) {
    std::string text = gbmsweep::fs::read_all(t.layout.clinical_csv);
    auto at = text.find(id);
    std::string row = text.substr(at, text.find('\n', at) - at + 1);
    gbmsweep::fs::atomic_write(t.layout.clinical_csv, text + row);
  }, kClinicalCsv, "duplicated ID");
}

BOOST_AUTO_TEST_CASE(duplicated_image_file) {
  expect_bad("dup_file", [](mri_test::TinyCohort& t, const std::string& id) {
    const std::string p = t.files(id).images.at("T1");
    stdfs::create_directories(t.dir + "/data/extra");
    stdfs::copy_file(p, t.dir + "/data/extra/" + stdfs::path(p).filename().string());
  }, "_T1.nii.gz", "found twice");
}

// Issue 19: the one-pass reader gives ITK's volume for every datatype and layout it takes
// (plain, gzip, multi-member gzip), and the same messages on bad files (it hands those on).
BOOST_AUTO_TEST_CASE(one_pass_reader_equals_itk) {
  const std::string dir = mri_test::scratch("one_pass_reader");
  Volume v({5, 7, 9}, {1.0, 1.5, 2.0});
  for (std::size_t i = 0; i < v.size(); ++i) v.data[i] = float(i % 17) * 0.37f - 2.0f;
  for (const char* name : {"f.nii", "f.nii.gz"}) {
    const std::string path = dir + "/" + name;
    write_nifti(path, v);
    const Volume a = read_nifti(path), b = read_nifti_itk(path);
    BOOST_TEST((a.shape == b.shape));
    BOOST_TEST((a.spacing == b.spacing));
    BOOST_TEST((a.data == b.data));
    BOOST_TEST((a.data == v.data));
  }
  Volume labels = v;
  for (float& x : labels.data) x = std::abs(std::round(x));
  write_nifti(dir + "/u8.nii.gz", labels, PixelType::UInt8);
  BOOST_TEST((read_nifti(dir + "/u8.nii.gz").data == read_nifti_itk(dir + "/u8.nii.gz").data));
  // Multi-member gzip (bgzip, pigz --independent, cat a.gz b.gz): every member is read.
  std::ifstream in(dir + "/f.nii", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  const std::string multi = dir + "/multi.nii.gz";
  const std::size_t half = bytes.size() / 2;
  for (int part = 0; part < 2; ++part) {
    gzFile g = gzopen(multi.c_str(), part == 0 ? "wb" : "ab");
    const std::string chunk = part == 0 ? bytes.substr(0, half) : bytes.substr(half);
    gzwrite(g, chunk.data(), unsigned(chunk.size()));
    gzclose(g);
  }
  BOOST_TEST((read_nifti(multi).data == v.data));
  // NaN under Zero: counted and zeroed by both paths.
  Volume nan = v;
  nan.at(2, 3, 4) = std::numeric_limits<float>::quiet_NaN();
  write_nifti(dir + "/nan.nii.gz", nan);
  std::int64_t n1 = 0, n2 = 0;
  const Volume a = read_nifti(dir + "/nan.nii.gz", NonFinite::Zero, &n1);
  const Volume b = read_nifti_itk(dir + "/nan.nii.gz", NonFinite::Zero, &n2);
  BOOST_TEST(n1 == 1);
  BOOST_TEST(n2 == 1);
  BOOST_TEST((a.data == b.data));
  try {
    read_nifti(dir + "/nan.nii.gz", NonFinite::Reject);
    BOOST_FAIL("NaN accepted");
  } catch (const gbmsweep::InputError& e) {
    BOOST_TEST(contains(e.what(), "nan.nii.gz"));
    BOOST_TEST(contains(e.what(), "NaN voxel at (z, y, x) = (2, 3, 4)"));
  }
}

// Issue 19: files written by another tool. nibabel (as the segmentations and DTI maps of the
// release were written by Python tools) stores int16 labels with scl_slope = NaN ("no
// scaling"), float64 maps, and a big-endian variant here: each read as ITK reads it and as
// written (the expected voxel values come from the same formula as in the Python script).
BOOST_AUTO_TEST_CASE(files_written_by_nibabel) {
  const std::string dir = mri_test::scratch("nibabel_files");
  const std::string script = dir + "/write.py";
  {
    std::ofstream py(script);
    py << "import sys, numpy as np, nibabel as nib\n"
          "d = sys.argv[1]\n"
          "i, j, k = np.meshgrid(np.arange(9), np.arange(7), np.arange(5), indexing='ij')\n"
          "seg = ((i + 2 * j + 3 * k) % 5).astype(np.int16)\n"
          "seg[seg == 3] = 4  # the BraTS labels 0, 1, 2, 4\n"
          "aff = np.diag([1.0, 1.5, 2.0, 1.0])\n"
          "img = nib.Nifti1Image(seg, aff)\n"
          "assert np.isnan(img.header['scl_slope'])\n"
          "nib.save(img, d + '/seg_i16.nii.gz')\n"
          "f64 = (i * 0.25 - j * 0.5 + k).astype(np.float64)\n"
          "nib.save(nib.Nifti1Image(f64, aff), d + '/map_f64.nii.gz')\n"
          "be = nib.Nifti1Image(seg, aff, nib.Nifti1Header(endianness='>'))\n"
          "nib.save(be, d + '/seg_be.nii.gz')\n"
          "assert nib.load(d + '/seg_be.nii.gz').header.endianness == '>'\n";
  }
  const std::string cmd = "/usr/bin/python3 " + script + " " + dir;
  BOOST_REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0, cmd << " failed (python3-nibabel?)");
  for (const char* name : {"seg_i16.nii.gz", "map_f64.nii.gz", "seg_be.nii.gz"}) {
    BOOST_TEST_CONTEXT(name) {
      const std::string path = dir + "/" + name;
      const Volume a = read_nifti(path), b = read_nifti_itk(path);
      BOOST_TEST((a.shape == std::array<int, 3>{5, 7, 9}));  // (z, y, x) of nibabel's (9, 7, 5)
      BOOST_TEST((a.shape == b.shape));
      BOOST_TEST((a.spacing == b.spacing));
      BOOST_TEST((a.data == b.data));
      const bool map = std::string(name).find("f64") != std::string::npos;
      for (int z = 0; z < 5; ++z)
        for (int y = 0; y < 7; ++y)
          for (int x = 0; x < 9; ++x) {
            int label = (x + 2 * y + 3 * z) % 5;
            if (label == 3) label = 4;
            const float want = map ? float(x * 0.25 - y * 0.5 + z) : float(label);
            if (a.at(z, y, x) != want) {
              BOOST_ERROR("voxel (" << z << ", " << y << ", " << x << ") = " << a.at(z, y, x)
                                    << ", written " << want);
              return;
            }
          }
    }
  }
}

// Corrupt headers (bench/fuzz fuzz_nifti): an InputError naming the file, never undefined
// behaviour (a NaN vox_offset cast to an integer; the sanitizer build stops on it) or an
// allocation of what the header claims rather than what the file holds (std::bad_alloc).
BOOST_AUTO_TEST_CASE(corrupt_header_fields) {
  const std::string dir = mri_test::scratch("corrupt_header");
  Volume v({4, 5, 6}, {1.0, 1.0, 1.0});
  write_nifti(dir + "/ok.nii", v);
  std::ifstream in(dir + "/ok.nii", std::ios::binary);
  const std::string good((std::istreambuf_iterator<char>(in)), {});
  auto write_gz = [&](const std::string& name, const std::string& bytes) {
    const std::string path = dir + "/" + name;
    gzFile g = gzopen(path.c_str(), "wb");
    gzwrite(g, bytes.data(), unsigned(bytes.size()));
    gzclose(g);
    return path;
  };
  auto expect_input_error = [&](const std::string& path, const std::string& what) {
    for (auto policy : {NonFinite::Reject, NonFinite::Zero}) {
      try {
        read_nifti(path, policy);
        BOOST_FAIL(path + " accepted");
      } catch (const gbmsweep::InputError& e) {
        BOOST_TEST(contains(e.what(), path));
        BOOST_TEST(contains(e.what(), what), e.what());
      }
    }
  };
  // vox_offset (float at byte 108) = NaN.
  std::string nan_offset = good;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(&nan_offset[108], &nan, 4);
  expect_input_error(write_gz("nan_offset.nii.gz", nan_offset), "bad vox_offset");
  // dim[1..3] (int16 at byte 42) = 32767: 2^45 voxels claimed by a file of a few hundred bytes.
  std::string huge = good;
  const std::int16_t big = 32767;
  for (int a = 0; a < 3; ++a) std::memcpy(&huge[42 + 2 * a], &big, 2);
  expect_input_error(write_gz("huge.nii.gz", huge), "truncated");
  // bitpix (int16 at byte 72) = 128 with datatype float32 (bench/fuzz crash 93667c27): the NaN
  // check read 16-byte voxels into an 8-byte buffer.
  std::string wide = good;
  const std::int16_t bitpix = 128;
  std::memcpy(&wide[72], &bitpix, 2);
  expect_input_error(write_gz("wide.nii.gz", wide), "bitpix 128 does not match datatype 16");
}

BOOST_AUTO_TEST_SUITE_END()
