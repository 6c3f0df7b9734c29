// bench_mri: volumes per second for preprocessing (mask, crop, downscale, min-max, pad) and for
// each augmentation, at 1 and 2 threads, at a CPU size and at the paper size. The *_itk rows
// are the ITK filters the augmentations replaced (augment_itk.hpp; elastic_itk as it ran, with
// the field 8× finer than the knots); augment_set is augment_training_set on 8 samples with
// the paper's four copies each, counted in copies per second.
//   bench_mri [--threads 1,2] [--sizes cpu,paper] [--steps a,b] [--seconds S] [--nifti]
// --nifti also times reading a .nii.gz of the input size (written to $TMPDIR).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "mri/augment.hpp"
#include "mri/augment_itk.hpp"
#include "mri/io.hpp"
#include "mri/preprocess.hpp"
#include "mri/rng.hpp"

using namespace gbmsweep::mri;

namespace {

struct Size {
  std::string name;
  std::array<int, 3> input;  // a 1 mm scan
  Box tumour;                // the crop box (largest tumour over the cohort)
  std::array<int, 3> target;
};

// Runs `f` until `seconds` have passed (at least 3 times); returns calls per second.
double rate(const std::function<void()>& f, double seconds) {
  using clock = std::chrono::steady_clock;
  f();  // warm-up
  int n = 0;
  auto t0 = clock::now();
  double elapsed = 0;
  do {
    f();
    ++n;
    elapsed = std::chrono::duration<double>(clock::now() - t0).count();
  } while (elapsed < seconds || n < 3);
  return n / elapsed;
}

Volume phantom_scan(const std::array<int, 3>& shape, Rng& rng) {
  Volume v(shape);
  for (float& x : v.data) x = float(500.0 + 50.0 * rng.normal());
  return v;
}

Volume phantom_segm(const std::array<int, 3>& shape, const Box& b) {
  Volume s(shape);
  for (int z = b.lo[0]; z < b.hi[0]; ++z)
    for (int y = b.lo[1]; y < b.hi[1]; ++y)
      for (int x = b.lo[2]; x < b.hi[2]; ++x) s.at(z, y, x) = 1.0f;
  return s;
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');) out.push_back(item);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const LargeBuffersOnHeap heap;  // as during a cohort build (io.hpp)
  std::vector<std::string> threads = {"1", "2"}, sizes = {"cpu", "paper"}, steps;
  double seconds = 2.0;
  bool nifti = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc) threads = split_list(argv[++i]);
    else if (a == "--sizes" && i + 1 < argc) sizes = split_list(argv[++i]);
    else if (a == "--steps" && i + 1 < argc) steps = split_list(argv[++i]);
    else if (a == "--seconds" && i + 1 < argc) seconds = std::atof(argv[++i]);
    else if (a == "--nifti") nifti = true;
    else {
      std::cerr << "usage: bench_mri [--threads 1,2] [--sizes cpu,paper] [--steps a,b] [--seconds S] [--nifti]\n";
      return 2;
    }
  }
  const std::vector<Size> all = {
      // What `gbmsweep synth mri` writes by default, preprocessed for a CPU sweep.
      {"cpu", {40, 48, 48}, Box{{8, 10, 10}, {32, 38, 38}}, {16, 20, 20}},
      // The paper: 155×240×240 → 140×172×164 (reference box) → 70×86×82 → 70×86×86.
      {"paper", {155, 240, 240}, Box{{0, 39, 44}, {140, 211, 208}}, {70, 86, 86}},
  };
  std::printf("%-6s %-8s %-12s %14s\n", "size", "threads", "step", "volumes/s");
  for (const auto& size_name : sizes)
    for (const auto& s : all) {
      if (s.name != size_name) continue;
      Rng rng(1);
      Volume scan = phantom_scan(s.input, rng);
      Volume segm = phantom_segm(s.input, s.tumour);
      PreprocessOptions popts{2, s.target};
      Volume pre = preprocess(scan, segm, s.tumour, popts);
      Batch set;  // 8 single-channel samples of the preprocessed volume
      set.shape = {8, 1, pre.shape[0], pre.shape[1], pre.shape[2]};
      for (int i = 0; i < 8; ++i) {
        set.ids.push_back("S" + std::to_string(i));
        set.labels.push_back(i % 2);
        set.data.insert(set.data.end(), pre.data.begin(), pre.data.end());
      }
      std::string path;
      if (nifti) {
        path = (std::filesystem::temp_directory_path() / ("bench_mri_" + s.name + ".nii.gz")).string();
        write_nifti(path, scan);
      }
      for (const auto& t : threads) {
        set_itk_threads(std::atoi(t.c_str()));
        // A step runs only when --steps is absent or names it.
        auto wanted = [&](const char* step) {
          return steps.empty() || std::find(steps.begin(), steps.end(), step) != steps.end();
        };
        auto report = [&](const char* step, const std::function<double()>& measure) {
          if (!wanted(step)) return;
          std::printf("%-6s %-8s %-12s %14.2f\n", s.name.c_str(), t.c_str(), step, measure());
          std::fflush(stdout);
        };
        if (nifti) report("read_nifti", [&] { return rate([&] { read_nifti(path); }, seconds); });
        report("preprocess", [&] { return rate([&] { preprocess(scan, segm, s.tumour, popts); }, seconds); });
        report("flip", [&] { return rate([&] { flip_all_axes(pre); }, seconds); });
        report("rotate", [&] { return rate([&] { rotate_axial(pre, 37.0); }, seconds); });
        report("noise", [&] { return rate([&] { add_noise(pre, 0.01, 3); }, seconds); });
        report("elastic", [&] { return rate([&] { elastic(pre, 3, 5.0, 3); }, seconds); });
        report("rotate_itk", [&] { return rate([&] { itk_reference::rotate_axial(pre, 37.0); }, seconds); });
        report("elastic_itk", [&] { return rate([&] { itk_reference::elastic(pre, 3, 5.0, 3, 8); }, seconds); });
        AugmentOptions ao;
        ao.threads = std::atoi(t.c_str());
        ao.balance = false;
        report("augment_set", [&] { return 4 * 8 * rate([&] { augment_training_set(set, ao); }, seconds); });
      }
      if (nifti) std::filesystem::remove(path);
    }
  return 0;
}
