#include "mri/cohort.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <thread>

#include <zlib.h>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/h5.hpp"
#include "common/hash.hpp"
#include "common/log.hpp"
#include "mri/io.hpp"
#include "mri/upenn.hpp"

namespace gbmsweep::mri {

namespace stdfs = std::filesystem;

namespace {

constexpr const char* kFormat = "gbmsweep-mri-cohort/1";
constexpr int kModalities = 11;

std::string options_json(const CohortOptions& o) {
  nlohmann::json j;
  j["downscale"] = o.preprocess.downscale;
  j["target_shape"] = o.preprocess.target_shape;
  j["crop"] = o.crop ? to_string(*o.crop) : "cohort";
  j["test_fraction"] = o.split.test_fraction;
  j["folds"] = o.split.folds;
  j["seed"] = o.split.seed;
  j["skip_bad"] = o.skip_bad;
  j["nonfinite"] = to_string(o.nonfinite);
  j["input_shape"] = o.input_shape;
  j["input_spacing_mm"] = o.input_spacing_mm;
  if (o.mask != "manual_first") j["mask"] = o.mask;  // absent: caches from before the option
  if (!o.test_modalities.empty()) j["test_modalities"] = o.test_modalities;
  return j.dump();
}

std::string fingerprint_of(const CohortOptions& o, const UpennLayout& layout) {
  Sha256 h;
  h.update(kFormat).update("\n").update(options_json(o)).update("\n");
  for (const auto& f : layout.files) {
    std::error_code ec;
    const auto size = stdfs::file_size(f, ec);
    const auto mtime = stdfs::last_write_time(f, ec).time_since_epoch().count();
    h.update(stdfs::relative(f, o.data_dir).string()).update("\t");
    h.update(std::to_string(size) + "\t" + std::to_string(mtime) + "\n");
  }
  h.update(fs::read_all(layout.clinical_csv));
  return h.hex();
}

// Row `row` of a [rows, D, H, W] float dataset.
void read_row(hid_t ds, long long row, const std::array<int, 3>& shape, float* out) {
  h5::read_slab(ds, {hsize_t(row), 0, 0, 0},
                {1, hsize_t(shape[0]), hsize_t(shape[1]), hsize_t(shape[2])}, out);
}

// The cohort writer: one chunked, compressed [rows, D, H, W] dataset per modality.
class VolumeWriter {
 public:
  VolumeWriter(hid_t file, const std::array<int, 3>& shape, int compression)
      : group_(h5::ensure_group(file, "volumes")) {
    const hsize_t d = hsize_t(shape[0]), h = hsize_t(shape[1]), w = hsize_t(shape[2]);
    for (const auto& m : modality_names())  // one volume per chunk; masked ones are mostly zeros
      datasets_.push_back(h5::create_chunked<float>(group_, m, {0, d, h, w}, {1, d, h, w},
                                                    compression));
  }
  // Appends a volume; returns its row.
  long long append(int modality, const Volume& v) {
    return static_cast<long long>(h5::append(datasets_[modality].get(), v.data.data(), 1));
  }
  // Appends a volume already deflated by deflate_volume (the chunk's stored bytes).
  long long append_deflated(int modality, const std::vector<unsigned char>& bytes) {
    return static_cast<long long>(h5::append_chunk_bytes(datasets_[modality].get(), bytes.data(), bytes.size()));
  }
  void finish() { datasets_.clear(); }

 private:
  h5::Handle group_;
  std::vector<h5::Handle> datasets_;
};

// A volume as HDF5's deflate filter stores it at `level` (H5Zdeflate.c: compress2 into a
// compressBound buffer), so that the workers compress in parallel and the ordered commit only
// writes: byte-identical to letting HDF5 compress. (Compressing in the commit took a quarter of
// a one-thread build and all of it was serial.)
std::vector<unsigned char> deflate_volume(const Volume& v, int level, const std::string& what) {
  const auto* src = reinterpret_cast<const Bytef*>(v.data.data());
  const uLong n = uLong(v.data.size() * sizeof(float));
  uLongf size = compressBound(n);
  std::vector<unsigned char> out(size);
  const int rc = compress2(out.data(), &size, src, n, level);
  GBM_CHECK(rc == Z_OK, what << ": zlib compress2 failed (" << rc << ")");
  out.resize(size);
  return out;
}

// Runs work(i) for i in [0, n) on `workers` threads and commit(i, result) strictly in the order
// of i (serially, on one thread at a time), so the output does not depend on the thread count.
// A worker that finishes early parks its result and takes the next item instead of waiting for
// its turn; at most 2 × workers items are started ahead of the oldest uncommitted one, which
// bounds the results held. The first exception from work or commit stops the others and is
// rethrown. ITK's lazy initialisation (object factories, thread pool) is not thread-safe: this
// runs prepare_itk_for_threads() first. (NIfTI IO itself is serialised in io.cpp.)
template <class Work, class Commit>
void parallel_ordered(std::size_t n, int workers, Work work, Commit commit) {
  if (workers <= 1 || n <= 1) {
    for (std::size_t i = 0; i < n; ++i) commit(i, work(i));
    return;
  }
  prepare_itk_for_threads();
  using Result = decltype(work(std::size_t(0)));
  const std::size_t window = 2 * std::size_t(workers);
  std::mutex mu;
  std::condition_variable cv;
  std::size_t next = 0, turn = 0;
  std::map<std::size_t, Result> parked;
  bool committing = false;
  std::exception_ptr error;
  auto fail = [&] {
    std::lock_guard<std::mutex> lk(mu);
    if (!error) error = std::current_exception();
    cv.notify_all();
  };
  auto run = [&] {
    for (;;) {
      std::size_t i;
      {
        std::unique_lock<std::mutex> lk(mu);
        cv.wait(lk, [&] { return error || next >= n || next < turn + window; });
        if (error || next >= n) return;
        i = next++;
      }
      try {
        Result result = work(i);
        std::unique_lock<std::mutex> lk(mu);
        if (error) return;
        parked.emplace(i, std::move(result));
        if (committing) continue;  // the committing thread will find it
        committing = true;
        for (auto it = parked.find(turn); !error && it != parked.end(); it = parked.find(turn)) {
          Result r = std::move(it->second);
          parked.erase(it);
          const std::size_t k = turn;
          lk.unlock();
          commit(k, std::move(r));
          lk.lock();
          ++turn;
          cv.notify_all();
        }
        committing = false;
      } catch (...) {
        fail();
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w) pool.emplace_back(run);
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

// ITK runs single-threaded inside each worker while patients are processed in parallel; the
// previous setting comes back afterwards.
class ItkThreadsScope {
 public:
  explicit ItkThreadsScope(int threads) : saved_(itk_threads()) { set_itk_threads(threads); }
  ~ItkThreadsScope() { set_itk_threads(saved_); }

 private:
  int saved_;
};

struct Candidate {
  std::string id;
  int label = 0;
  const PatientFiles* files = nullptr;
  std::array<int, 3> shape{0, 0, 0};
  Box box;
  bool ok = true;
};

// The segmentation a patient's volumes are masked with (CohortOptions::mask).
const std::string& mask_of(const PatientFiles& f, const std::string& mask) {
  return mask == "automated" && !f.automated_path.empty() ? f.automated_path : f.segm;
}

// Builds the cache at `cache_path` (temporary name, then rename).
void build(const CohortOptions& o, const UpennLayout& layout, const std::string& fingerprint,
           const std::string& cache_path) {
  GBM_CHECK(o.mask == "manual_first" || o.mask == "automated",
            "unknown mask policy '" << o.mask << "' (manual_first or automated)");
  for (const auto& m : o.test_modalities)
    GBM_CHECK(modality_index(m) >= 0, "unknown modality '" << m << "' in test_modalities");
  const std::string& csv = layout.clinical_csv;
  std::vector<Skipped> skipped;
  std::vector<std::string> notes = layout.notes;
  for (const auto& n : notes) GBM_LOG(Info, "cohort: " << n);
  auto bad = [&](const std::string& id, const InputError& e) {
    if (!o.skip_bad) throw e;
    GBM_LOG(Warn, "cohort: skipping " << id << ": " << e.what());
    skipped.push_back({id, e.what()});
  };

  // Labels from the clinical table, for the patients that have images.
  auto rows = read_clinical(csv);
  std::map<std::string, std::vector<int>> lines_of;
  for (const auto& r : rows) lines_of[r.id].push_back(r.line);
  std::map<std::string, Candidate> by_id;  // sorted by ID
  int dropped = 0;
  for (const auto& r : rows) {
    auto files = layout.patients.find(r.id);
    if (files == layout.patients.end() || by_id.count(r.id)) continue;
    const auto& lines = lines_of[r.id];
    if (lines.size() > 1) {
      if (lines.front() == r.line)
        bad(r.id, InputError(csv, "line " + std::to_string(lines[1]) + ": duplicated ID " + r.id +
                                      " (first on line " + std::to_string(lines[0]) + ")"));
      continue;
    }
    if (parse_mgmt(r.mgmt) == Mgmt::Unknown) {
      // Not an abort: the table is the curators', and one odd value should not stop a study.
      notes.push_back(csv + ":" + std::to_string(r.line) + ": " + r.id + ": unknown MGMT value '" +
                      r.mgmt + "' (expected Methylated, Unmethylated, Indeterminate or Not "
                      "Available); left unlabelled");
      GBM_LOG(Warn, "cohort: " << notes.back());
    }
    const int label = mgmt_label(r.mgmt);
    if (label < 0) {
      ++dropped;
      continue;
    }
    const PatientFiles& f = files->second;
    if (!f.problems.empty()) {
      bad(r.id, InputError("", f.problems.front()));
      continue;
    }
    if (f.segm.empty()) {
      bad(r.id, InputError(o.data_dir, r.id + ": no segmentation (" + r.id + "_segm.nii.gz)"));
      continue;
    }
    std::string missing;
    for (int m = 0; m < 4; ++m)
      if (!f.images.count(modality_names()[m])) missing += (missing.empty() ? "" : ", ") + modality_names()[m];
    if (!missing.empty()) {
      bad(r.id, InputError(o.data_dir, r.id + ": missing structural image(s) " + missing));
      continue;
    }
    Candidate c;
    c.id = r.id;
    c.label = label;
    c.files = &f;
    by_id[r.id] = c;
  }

  std::vector<Candidate*> order;  // by ID
  for (auto& [id, c] : by_id) order.push_back(&c);
  const int workers =
      o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  ItkThreadsScope itk_scope(workers > 1 ? 1 : itk_threads());

  // Pass 1: segmentations → geometry and tumour boxes.
  Geometry geom{{0, 0, 0}, o.input_spacing_mm};
  std::map<std::array<int, 3>, int> shapes;
  struct SegInfo {
    std::array<int, 3> shape{0, 0, 0};
    Box box;
    std::optional<InputError> error;
  };
  parallel_ordered(
      order.size(), workers,
      [&](std::size_t i) {
        SegInfo r;
        const std::string& path = mask_of(*order[i]->files, o.mask);
        try {
          Volume seg = read_nifti(path);
          check_segmentation(seg, path, geom);
          r.shape = seg.shape;
          r.box = tumour_box(seg);
        } catch (const InputError& e) {
          r.error = e;
        }
        return r;
      },
      [&](std::size_t i, SegInfo r) {
        Candidate& c = *order[i];
        if (r.error) {
          bad(c.id, *r.error);
          c.ok = false;
          return;
        }
        c.shape = r.shape;
        c.box = r.box;
        ++shapes[c.shape];
      });
  geom.shape = o.input_shape;
  if (geom.shape == std::array<int, 3>{0, 0, 0}) {
    int best = 0;
    for (const auto& [s, n] : shapes)
      if (n > best) best = n, geom.shape = s;
  }
  Box box;
  for (auto& [id, c] : by_id) {
    if (!c.ok) continue;
    try {
      check_dimensions(c.shape, mask_of(*c.files, o.mask), geom.shape);
      box = union_box(box, c.box);
    } catch (const InputError& e) {
      bad(id, e);
      c.ok = false;
    }
  }
  if (box.empty()) throw InputError(o.data_dir, "no usable labelled patient");
  if (o.crop) box = *o.crop;
  for (int a = 0; a < 3; ++a)
    if (box.hi[a] > geom.shape[a])
      throw InputError("", "crop box " + to_string(box) + " exceeds the input shape " +
                               to_string(geom.shape));
  const auto shape = output_shape(box, o.preprocess);
  GBM_LOG(Info, "cohort: " << by_id.size() << " labelled patients, input " << to_string(geom.shape)
                           << ", crop " << to_string(box) << ", output " << to_string(shape));

  // Pass 2: every image checked, preprocessed and appended to the temporary cache.
  std::string parent = stdfs::path(cache_path).parent_path().string();
  if (!parent.empty()) fs::make_dirs(parent);
  const std::string tmp = cache_path + ".tmp." + std::to_string(::getpid());
  // A failed build leaves no temporary file behind (the old cache, if any, stays in place).
  struct RemoveOnError {
    const std::string& path;
    bool armed = true;
    ~RemoveOnError() {
      if (armed) std::remove(path.c_str());
    }
  } guard{tmp};
  std::vector<std::vector<long long>> rows_of(kModalities);
  std::vector<std::string> ids;
  std::vector<int> labels;
  {
    h5::Handle file = h5::create_file(tmp);
    VolumeWriter writer(file, shape, o.compression);
    // The work items are single volumes, (patient, modality) in patient, then modality order:
    // per patient, the 4 synthetic patients of the benchmark (11, 11, 8 and 4 volumes) left one
    // of 2 threads idle for a fifth of the build. A patient's mask is read once, by whichever
    // item comes first, and freed by the last. A patient's volumes are still committed together,
    // at its last item's turn, so a patient with one bad file is skipped whole, as before.
    struct Item {
      std::size_t patient;
      int modality;
      bool last;  // the patient's last volume
    };
    struct Mask {
      std::once_flag once;
      std::shared_ptr<const Volume> volume;
      std::optional<InputError> error;
      std::atomic<int> users{0};
    };
    std::vector<Item> items;
    std::vector<Mask> masks(order.size());
    for (std::size_t p = 0; p < order.size(); ++p) {
      if (!order[p]->ok) continue;
      for (int m = 0; m < kModalities; ++m)
        if (order[p]->files->images.count(modality_names()[m])) {
          items.push_back({p, m, false});
          ++masks[p].users;
        }
      if (masks[p].users > 0) items.back().last = true;
    }
    struct Prepared {
      int modality = -1;
      Volume volume;                       // preprocessed, when not compressed
      std::vector<unsigned char> deflated;  // or the HDF5 chunk's stored bytes
      std::int64_t nonfinite = 0;          // voxels zeroed
      std::optional<InputError> error;
    };
    std::vector<NonFiniteCount> nonfinite;
    std::vector<Prepared> patient;  // the volumes of the patient being committed
    std::size_t done = 0;
    parallel_ordered(
        items.size(), workers,
        [&](std::size_t i) {
          const Item& item = items[i];
          const Candidate& c = *order[item.patient];
          Mask& mask = masks[item.patient];
          Prepared r;
          r.modality = item.modality;
          std::call_once(mask.once, [&] {
            try {
              mask.volume = std::make_shared<const Volume>(read_nifti(mask_of(*c.files, o.mask)));
            } catch (const InputError& e) {
              mask.error = e;
            }
          });
          try {
            if (mask.error) throw *mask.error;
            const std::string& path = c.files->images.at(modality_names()[item.modality]);
            Volume img = read_nifti(path, o.nonfinite, &r.nonfinite);
            check_image(img, path, geom);
            Volume pre = preprocess(img, *mask.volume, box, o.preprocess);
            if (o.compression < 0)  // CohortOptions::kNoCompression
              r.volume = std::move(pre);
            else
              r.deflated = deflate_volume(pre, o.compression, path);
          } catch (const InputError& e) {
            r.error = e;
          }
          if (--mask.users == 0) mask.volume.reset();  // every item of the patient is done with it
          return r;
        },
        [&](std::size_t i, Prepared r) {
          patient.push_back(std::move(r));
          if (!items[i].last) return;
          Candidate& c = *order[items[i].patient];
          std::vector<Prepared> volumes;
          volumes.swap(patient);
          for (const auto& v : volumes)
            if (v.error) {  // the first bad file in modality order, as a serial read finds it
              bad(c.id, *v.error);
              c.ok = false;
              return;
            }
          for (const auto& v : volumes)
            if (v.nonfinite > 0) {
              const std::string& m = modality_names()[v.modality];
              nonfinite.push_back({c.id, m, v.nonfinite});
              GBM_LOG(Warn, "cohort: " << c.files->images.at(m) << ": " << v.nonfinite
                                       << " NaN/Inf voxel(s) set to 0 (mri nonfinite = zero)");
            }
          std::vector<long long> my_rows(kModalities, -1);
          for (const auto& v : volumes)
            my_rows[v.modality] = o.compression < 0 ? writer.append(v.modality, v.volume)
                                                    : writer.append_deflated(v.modality, v.deflated);
          ids.push_back(c.id);
          labels.push_back(c.label);
          for (int m = 0; m < kModalities; ++m) rows_of[m].push_back(my_rows[m]);
          if (++done % 20 == 0) GBM_LOG(Info, "cohort: " << done << " patients preprocessed");
        });
    writer.finish();
    if (ids.empty()) throw InputError(o.data_dir, "no usable labelled patient");

    // The split: test set from the patients with every DSC map, or every test_modalities one.
    std::vector<int> needed = {8, 9, 10};
    if (!o.test_modalities.empty()) needed.clear();
    for (const auto& m : o.test_modalities) needed.push_back(modality_index(m));
    std::vector<bool> eligible;
    for (std::size_t p = 0; p < ids.size(); ++p)
      eligible.push_back(std::all_of(needed.begin(), needed.end(),
                                     [&](int m) { return rows_of[m][p] >= 0; }));
    const auto fold = make_split(labels, eligible, o.split);

    auto to_ll = [](const std::vector<int>& v) { return std::vector<long long>(v.begin(), v.end()); };
    h5::write(file, "ids", ids);
    h5::write(file, "labels", to_ll(labels));
    h5::write(file, "fold", to_ll(fold));
    h5::Handle rows_group = h5::ensure_group(file, "rows");
    for (int m = 0; m < kModalities; ++m) h5::write(rows_group, modality_names()[m], rows_of[m]);
    std::vector<std::string> sk_ids, sk_reasons;
    for (const auto& s : skipped) sk_ids.push_back(s.id), sk_reasons.push_back(s.reason);
    h5::write(file, "skipped_ids", sk_ids);
    h5::write(file, "skipped_reasons", sk_reasons);
    std::vector<std::string> nf_ids, nf_mods;
    std::vector<long long> nf_voxels;
    for (const auto& n : nonfinite)
      nf_ids.push_back(n.id), nf_mods.push_back(n.modality), nf_voxels.push_back(n.voxels);
    h5::write(file, "nonfinite_ids", nf_ids);
    h5::write(file, "nonfinite_modalities", nf_mods);
    h5::write(file, "nonfinite_voxels", nf_voxels);
    h5::write(file, "notes", notes);
    h5::write(file, "shape", std::vector<long long>(shape.begin(), shape.end()));
    h5::set_attr(file, "format", std::string(kFormat));
    h5::set_attr(file, "fingerprint", fingerprint);
    h5::set_attr(file, "options", options_json(o));
    h5::set_attr(file, "crop_box", to_string(box));
    h5::set_attr(file, "spacing_mm", o.input_spacing_mm * o.preprocess.downscale);
    h5::set_attr(file, "folds", double(o.split.folds));
    h5::set_attr(file, "dropped_unlabelled", double(dropped));
  }
  GBM_CHECK(std::rename(tmp.c_str(), cache_path.c_str()) == 0,
            "cannot rename " << tmp << " to " << cache_path);
  guard.armed = false;
}

}  // namespace

Cohort Cohort::open(const std::string& cache_path) {
  Cohort c;
  c.path_ = cache_path;
  h5::Handle file = h5::open_file(cache_path, false);
  GBM_CHECK(h5::has_attr(file, "format") && h5::get_attr_string(file, "format") == kFormat,
            cache_path << " is not a " << kFormat << " cache");
  c.fingerprint_ = h5::get_attr_string(file, "fingerprint");
  c.ids_ = h5::read_strings(file, "ids");
  for (auto v : h5::read_ints(file, "labels")) c.labels_.push_back(int(v));
  for (auto v : h5::read_ints(file, "fold")) c.fold_.push_back(int(v));
  h5::Handle rows = h5::open_group(file, "rows");
  for (const auto& m : modality_names()) c.rows_.push_back(h5::read_ints(rows, m));
  auto ids = h5::read_strings(file, "skipped_ids");
  auto reasons = h5::read_strings(file, "skipped_reasons");
  for (std::size_t i = 0; i < ids.size(); ++i) c.skipped_.push_back({ids[i], reasons[i]});
  // Caches written before these datasets existed have none (their fingerprint no longer
  // matches, so they are rebuilt; open() still reads them for `cohort` on an old cache).
  if (h5::exists(file, "nonfinite_ids")) {
    auto nf_ids = h5::read_strings(file, "nonfinite_ids");
    auto nf_mods = h5::read_strings(file, "nonfinite_modalities");
    auto nf_voxels = h5::read_ints(file, "nonfinite_voxels");
    for (std::size_t i = 0; i < nf_ids.size(); ++i)
      c.nonfinite_.push_back({nf_ids[i], nf_mods.at(i), nf_voxels.at(i)});
    c.notes_ = h5::read_strings(file, "notes");
  }
  auto shape = h5::read_ints(file, "shape");
  for (int a = 0; a < 3; ++a) c.shape_[a] = int(shape.at(a));
  c.crop_ = parse_box(h5::get_attr_string(file, "crop_box"));
  c.folds_ = int(h5::get_attr_double(file, "folds"));
  c.spacing_mm_ = h5::get_attr_double(file, "spacing_mm");
  c.dropped_ = int(h5::get_attr_double(file, "dropped_unlabelled"));
  return c;
}

bool Cohort::available(int patient, const std::string& modality) const {
  int m = modality_index(modality);
  GBM_CHECK(m >= 0, "unknown modality '" << modality << "'");
  return rows_[m].at(patient) >= 0;
}

int Cohort::count(const std::string& modality) const {
  int n = 0;
  for (int p = 0; p < size(); ++p) n += available(p, modality);
  return n;
}

std::vector<int> Cohort::with_all(const std::vector<std::string>& modalities) const {
  std::vector<int> out;
  for (int p = 0; p < size(); ++p)
    if (std::all_of(modalities.begin(), modalities.end(),
                    [&](const std::string& m) { return available(p, m); }))
      out.push_back(p);
  return out;
}

std::vector<int> Cohort::test_patients(const std::vector<std::string>& modalities) const {
  return fold_patients(kTestFold, modalities);
}

std::vector<int> Cohort::fold_patients(int k, const std::vector<std::string>& modalities) const {
  std::vector<int> out;
  for (int p : with_all(modalities))
    if (fold_[p] == k) out.push_back(p);
  return out;
}

std::vector<int> Cohort::train_patients(int k, const std::vector<std::string>& modalities) const {
  std::vector<int> out;
  for (int p : with_all(modalities))
    if (fold_[p] != kTestFold && fold_[p] != k) out.push_back(p);
  return out;
}

Volume Cohort::volume(int patient, const std::string& modality) const {
  Batch b = load({patient}, {modality});
  Volume v(shape_, {spacing_mm_, spacing_mm_, spacing_mm_});
  v.data = std::move(b.data);
  return v;
}

Batch Cohort::load(const std::vector<int>& patients, const std::vector<std::string>& modalities) const {
  Batch b;
  b.shape = {int(patients.size()), int(modalities.size()), shape_[0], shape_[1], shape_[2]};
  b.data.resize(patients.size() * b.sample_size());
  h5::Handle file = h5::open_file(path_, false);
  h5::Handle group = h5::open_group(file, "volumes");
  for (std::size_t c = 0; c < modalities.size(); ++c) {
    const int m = modality_index(modalities[c]);
    GBM_CHECK(m >= 0, "unknown modality '" << modalities[c] << "'");
    h5::Handle ds = h5::open_dataset(group, modalities[c]);
    for (std::size_t n = 0; n < patients.size(); ++n) {
      const long long row = rows_[m].at(patients[n]);
      GBM_CHECK(row >= 0, ids_[patients[n]] << " has no " << modalities[c] << " volume");
      float* out = b.data.data() + n * b.sample_size() + c * std::size_t(shape_[0]) * shape_[1] * shape_[2];
      read_row(ds, row, shape_, out);
    }
  }
  for (int p : patients) {
    b.ids.push_back(ids_[p]);
    b.labels.push_back(labels_[p]);
  }
  return b;
}

std::string cohort_fingerprint(const CohortOptions& opts) {
  return fingerprint_of(opts, scan_upenn(opts.data_dir));
}

Cohort build_or_load_cohort(const CohortOptions& opts, const std::string& cache_path) {
  const UpennLayout layout = scan_upenn(opts.data_dir);
  const std::string fp = fingerprint_of(opts, layout);
  if (fs::exists(cache_path)) {
    try {
      Cohort c = Cohort::open(cache_path);
      if (c.fingerprint() == fp) return c;
      GBM_LOG(Info, "cohort: " << cache_path << " is stale (inputs or parameters changed); rebuilding");
    } catch (const std::exception& e) {
      GBM_LOG(Warn, "cohort: cannot use " << cache_path << " (" << e.what() << "); rebuilding");
    }
  }
  {
    const LargeBuffersOnHeap heap;  // only while the cohort is built
    build(opts, layout, fp, cache_path);
  }
  Cohort c = Cohort::open(cache_path);
  c.rebuilt_ = true;
  return c;
}

}  // namespace gbmsweep::mri
