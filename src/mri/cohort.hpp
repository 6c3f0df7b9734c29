#pragma once
// The preprocessed UPENN-GBM cohort and its HDF5 cache: volumes, labels, IDs, availability per
// modality, the split and a fingerprint of inputs + parameters. Built once (one process,
// serial HDF5, written to a temporary name and renamed) and then read by every rank.
// Torch-free: the training code turns Batch into tensors itself.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mri/io.hpp"
#include "mri/preprocess.hpp"
#include "mri/split.hpp"
#include "mri/volume.hpp"

namespace gbmsweep::mri {

struct CohortOptions {
  std::string data_dir;  // UPENN-GBM layout (DATA.md), searched recursively
  PreprocessOptions preprocess;  // downscale factor (2) and target shape (0 = crop box / factor)
  // Crop box in input voxels (D, H, W). Unset: the union of every patient's tumour bounding
  // box over the cohort ("cohort" mode). The reference code's box is 0:140,39:211,44:208.
  std::optional<Box> crop;
  SplitOptions split;    // test fraction 0.3, 5 folds, seed 42
  bool skip_bad = false;  // leave bad patients out (listed in Cohort::skipped) instead of failing
  // NaN/Inf voxels of the images (structural, DTI, DSC): zero and count (the default, what
  // the SimpleITK-based reference did silently) or reject the patient. Segmentations always
  // reject: a non-finite label cannot be repaired.
  NonFinite nonfinite = NonFinite::Zero;
  // Input geometry: shape 0,0,0 = the most common segmentation shape of the cohort.
  std::array<int, 3> input_shape{0, 0, 0};
  double input_spacing_mm = 1.0;
  // Patients preprocessed in parallel while building, each with single-threaded ITK
  // (0 = one per core). At most this many patients are in memory at once (their volumes wait
  // for the one ordered writer), so peak memory does not grow with the cohort. The cache is
  // the same whatever the count.
  int threads = 0;
  // HDF5 deflate level of the cached volumes: 0-9, or kNoCompression (no filter: the fastest
  // build, about 2 MB per paper-size volume). Default 1 ("fast"): masked volumes are mostly
  // zeros and shrink several-fold at little cost. Not in the fingerprint: it changes the bytes
  // on disk, not the values read back.
  static constexpr int kNoCompression = -1;
  int compression = 1;
  // Tumour mask: "manual_first" (the expert-corrected mask where it exists, else the automated
  // one) or "automated" (the automated mask wherever it exists, as the reference code reads
  // automated_segm/; a patient without one falls back to the manual mask).
  std::string mask = "manual_first";
  // Hold-out candidates: patients having every one of these modalities; empty = every DSC map
  // (paper II.A). The MRI sweep passes all of its inputs' modalities, so that each group's test
  // set holds the same patients (a DSC patient without DTI would otherwise be tested by the
  // DSC models only, and the DSC+DTI ensemble could not be formed).
  std::vector<std::string> test_modalities;
};

struct Skipped {
  std::string id;
  std::string reason;  // "<file>: <problem>"
};

// Non-finite voxels replaced by 0 in one image (NonFinite::Zero).
struct NonFiniteCount {
  std::string id, modality;
  long long voxels = 0;
};

// A read-only view of a cache: metadata in memory, volumes read from the file on demand.
// volume()/load() use the serial HDF5 library: call them from one thread per process.
class Cohort {
 public:
  // Reads a cache as it is (no staleness check).
  static Cohort open(const std::string& cache_path);

  const std::string& path() const { return path_; }
  const std::string& fingerprint() const { return fingerprint_; }
  bool rebuilt() const { return rebuilt_; }  // built by this build_or_load_cohort call

  int size() const { return static_cast<int>(ids_.size()); }
  const std::vector<std::string>& ids() const { return ids_; }
  const std::vector<int>& labels() const { return labels_; }  // 1 = methylated
  bool available(int patient, const std::string& modality) const;
  int count(const std::string& modality) const;  // patients that have it
  const std::vector<Skipped>& skipped() const { return skipped_; }
  int dropped_unlabelled() const { return dropped_; }  // no status or an unknown MGMT value
  const std::vector<NonFiniteCount>& nonfinite() const { return nonfinite_; }
  // What the build chose or ignored: the clinical table used, superseded-copy folders,
  // unknown MGMT values (one line each, also logged).
  const std::vector<std::string>& notes() const { return notes_; }

  // Split: fold(p) is kTestFold for the hold-out set.
  int folds() const { return folds_; }
  int fold(int patient) const { return fold_[patient]; }
  // Patients having every modality in `modalities`, in ID order.
  std::vector<int> test_patients(const std::vector<std::string>& modalities) const;
  std::vector<int> fold_patients(int k, const std::vector<std::string>& modalities) const;
  // Training patients of fold k (every non-test fold but k) having every modality.
  std::vector<int> train_patients(int k, const std::vector<std::string>& modalities) const;

  std::array<int, 3> shape() const { return shape_; }  // D, H, W of every cached volume
  double spacing_mm() const { return spacing_mm_; }    // input spacing × downscale factor
  const Box& crop_box() const { return crop_; }
  Volume volume(int patient, const std::string& modality) const;
  // N×C×D×H×W with C = modalities.size(); every patient must have every modality.
  Batch load(const std::vector<int>& patients, const std::vector<std::string>& modalities) const;

 private:
  friend Cohort build_or_load_cohort(const CohortOptions&, const std::string&);
  std::string path_, fingerprint_;
  bool rebuilt_ = false;
  std::vector<std::string> ids_;
  std::vector<int> labels_, fold_;
  std::vector<std::vector<long long>> rows_;  // [modality][patient] → row, −1 = missing
  std::vector<Skipped> skipped_;
  std::vector<NonFiniteCount> nonfinite_;
  std::vector<std::string> notes_;
  int dropped_ = 0, folds_ = 0;
  std::array<int, 3> shape_{0, 0, 0};
  double spacing_mm_ = 1.0;
  Box crop_;
  std::vector<int> with_all(const std::vector<std::string>& modalities) const;
};

// Fingerprint of the inputs (relative paths, sizes, modification times of the matched files;
// the clinical CSV's content) and of the options that shape the cache.
std::string cohort_fingerprint(const CohortOptions& opts);

// Opens `cache_path` when its fingerprint matches, else (re)builds it. Bad input throws
// InputError naming the file, unless opts.skip_bad.
Cohort build_or_load_cohort(const CohortOptions& opts, const std::string& cache_path);

}  // namespace gbmsweep::mri
