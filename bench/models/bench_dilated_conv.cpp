// bench_dilated_conv: milliseconds per call of the dilated 3x3x3 convolution pieces at the
// SpotTune layer3/layer4 shapes (volume 5x6x6), oneDNN (through ATen) vs tap-wise; the forward
// (fw_dnnl, unchanged) for scale.
//   bench_dilated_conv [threads] [reps]
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include "models/cpu/dilated_conv.hpp"

using namespace gbmsweep::models;

namespace {

// Median milliseconds of `reps` calls (after one warm-up).
double median_ms(const std::function<void()>& f, int reps) {
  f();
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                    .count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  const int reps = argc > 2 ? std::atoi(argv[2]) : 5;
  torch::set_num_threads(threads);
  torch::NoGradGuard no_grad;
  struct Shape {
    int64_t batch, cin, cout, dil;
  };
  std::printf("threads %d; ms per call, volume 5x6x6\n", threads);
  std::printf("%5s %5s %5s %3s | %8s %8s | %8s %8s | %8s\n", "batch", "cin", "cout", "dil",
              "gw_dnnl", "gw_tap", "gx_dnnl", "gx_tap", "fw_dnnl");
  for (const Shape s : {Shape{1, 128, 256, 2}, Shape{2, 128, 256, 2}, Shape{1, 256, 256, 2},
                        Shape{2, 256, 256, 2}, Shape{1, 256, 512, 4}, Shape{2, 256, 512, 4},
                        Shape{1, 512, 512, 4}, Shape{2, 512, 512, 4}}) {
    auto x = torch::randn({s.batch, s.cin, 5, 6, 6});
    auto w = torch::randn({s.cout, s.cin, 3, 3, 3});
    auto g = torch::randn({s.batch, s.cout, 5, 6, 6});
    const std::vector<int64_t> d(3, s.dil), one(3, 1), zero(3, 0);
    auto aten = [&](std::array<bool, 3> mask) {
      return [&, mask] {
        at::convolution_backward(g, x, w, c10::nullopt, one, d, d, false, zero, 1, mask);
      };
    };
    std::printf("%5ld %5ld %5ld %3ld | %8.2f %8.2f | %8.2f %8.2f | %8.2f\n", s.batch, s.cin,
                s.cout, s.dil, median_ms(aten({false, true, false}), reps),
                median_ms([&] { dilated_conv3d_grad_weight(x, g, s.dil); }, reps),
                median_ms(aten({true, false, false}), reps),
                median_ms([&] { dilated_conv3d_grad_input(g, w, s.dil); }, reps),
                median_ms([&] { at::mkldnn_convolution(x, w, c10::nullopt, d, one, d, 1); }, reps));
  }
}
