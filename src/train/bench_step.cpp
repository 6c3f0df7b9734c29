#include "train/bench_step.hpp"

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>
#include <torch/version.h>

#include "common/error.hpp"
#include "gbmsweep/config.hpp"
#include "models/device_copy.hpp"
#include "models/spottune.hpp"
#include "train/network.hpp"

// Peak memory and device names need CUDA's headers: builds whose LibTorch has CUDA (>= 2).
#if GBMSWEEP_HAS_CUDA && TORCH_VERSION_MAJOR >= 2
#define GBM_BENCH_CUDA 1
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDACachingAllocator.h>
#else
#define GBM_BENCH_CUDA 0
#endif

namespace gbmsweep::train {

namespace {

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // KiB on Linux
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

void reset_peak_memory(const Device& device) {
#if GBM_BENCH_CUDA
  if (device.is_cuda())
    c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(device.index));
#else
  (void)device;
#endif
}

void read_peak_memory(const Device& device, BenchTimes& r) {
#if GBM_BENCH_CUDA
  if (!device.is_cuda()) return;
  const auto s =
      c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(device.index));
  r.peak_gpu_allocated_mb = static_cast<double>(s.allocated_bytes[0].peak) / (1 << 20);  // [0]:
  r.peak_gpu_reserved_mb = static_cast<double>(s.reserved_bytes[0].peak) / (1 << 20);  // all pools
#else
  (void)device;
  (void)r;
#endif
}

std::string device_name(const Device& device) {
#if GBM_BENCH_CUDA
  if (device.is_cuda())
    return at::cuda::getDeviceProperties(static_cast<c10::DeviceIndex>(device.index))->name;
#endif
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos)
      return line.substr(line.find(':') + 2);
  return "cpu";
}

// FLOPs, PyTorch's way for convolutions and linear layers (torch.utils.flop_counter): a
// forward pass, plus in the backward pass the input gradient where one is needed and the
// weight gradient where the weight trains, each as many as the forward. Per image:
//   resnet (every layer trains): forward F, weight gradients F, input gradients F - stem
//   (the image needs none): 3F - stem.
//   spottune, BatchNorm frozen (the row-split forward): stem + both branches of every block
//   (2 sum B) + fc forward; backward through the branch each row took: input gradients
//   sum B - B_0 (the stem's output needs none), weight gradients of the fine-tuned rows,
//   counted as half of sum B (an untrained agent picks either branch as often), fc 2 fc; the
//   agent (a ResNet that trains): 3A - A_stem.
//   spottune, BatchNorm training (both branches with autograd): input gradients through both
//   branches 2 (sum B - B_0), weight gradients of every row through the fine-tuned copy sum B.
double train_step_flops_per_image(const Network& net, const std::array<int64_t, 3>& shape) {
  const auto f = models::forward_flops(net.backbone(), shape);
  if (!net.agent()) return 3 * f.total() - f.stem;
  double blocks = 0;
  for (double b : f.blocks) blocks += b;
  const double b0 = f.blocks.empty() ? 0 : f.blocks.front();
  const auto a = models::forward_flops(*net.agent(), shape);
  const double agent = 3 * a.total() - a.stem;
  const double forward = f.stem + 2 * blocks + f.fc;
  const double backward = net.spec().bn == BatchNormMode::Train
                              ? 2 * (blocks - b0) + blocks + 2 * f.fc
                              : (blocks - b0) + 0.5 * blocks + 2 * f.fc;
  return forward + backward + agent;
}

// One call of the sampled evaluation: the agent and stem once per image, then every draw
// through the blocks and fc as if each took its own route (the prefix tree shares the early
// blocks, so this is what the call would cost without it, as the reference computes it).
double eval_flops_per_image(const Network& net, const std::array<int64_t, 3>& shape,
                            int samples) {
  const auto f = models::forward_flops(net.backbone(), shape);
  const double agent = net.agent() ? models::forward_flops(*net.agent(), shape).total() : 0;
  return agent + f.stem + samples * (f.total() - f.stem);
}

// One warm-up call, then `steps` timed calls, then one profiled call when `profile` is set.
BenchTimes time_it(int steps, const std::string& profile, const Device& device,
                   const std::function<void()>& fn_) {
  // A step's wall time includes its GPU work: wait for the device after each call.
  const auto fn = [&] {
    fn_();
    if (device.is_cuda()) torch::cuda::synchronize();
  };
  reset_peak_memory(device);
  fn();
  std::vector<double> wall, cpu;
  for (int i = 0; i < std::max(1, steps); ++i) {
    auto a = std::chrono::steady_clock::now();
    const double c = cpu_seconds();
    fn();
    cpu.push_back(cpu_seconds() - c);
    wall.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count());
  }
  BenchTimes r;
  r.min_s = *std::min_element(wall.begin(), wall.end());
  r.median_s = median(wall);
  r.median_cpu_s = median(cpu);
  r.peak_rss_mb = peak_rss_mb();
  read_peak_memory(device, r);
  r.device_name = device_name(device);
  if (!profile.empty()) {
    torch::autograd::profiler::RecordProfile guard(profile);
    fn();
  }
  return r;
}

NetworkSpec spec_for(const BenchStepOptions& o) {
  NetworkSpec s;
  s.network = o.model;
  s.depth = o.depth;
  if (o.model == MriNetwork::SpotTune) s.bn = o.bn;
  return s;
}

}  // namespace

BenchTimes bench_train_step(const BenchStepOptions& o) {
  torch::set_num_threads(o.threads);
  configure_precision(o.device, o.precision);
  torch::manual_seed(o.seed);
  Network net(spec_for(o));
  net.to(o.device, o.precision);
  net.set_training(true);
  Optimizers opt(net, {});
  auto reducer = make_reducer({}, MPI_COMM_NULL);  // compute only, no MPI
  auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed + 1);
  const auto dev = to_torch(o.device);
  auto x = torch::rand({o.batch, 1, o.shape[0], o.shape[1], o.shape[2]}, gen);
  auto y = torch::tensor(std::vector<float>(o.batch, 0.0f));
  for (int i = 0; i < o.batch; i += 2) y[i] = 1.0f;
  x = x.to(dev);
  y = y.to(dev);
  auto times = time_it(o.steps, o.profile, o.device, [&] {
    MicroBatch mb{x, y, torch::Tensor()};
    if (net.stochastic())
      mb.gumbel = models::to_device_async(
          models::sample_gumbel({o.batch, net.policy_blocks(), 2}, gen), dev);
    train_step(net, opt, {mb}, o.batch, *reducer);
  });
  times.flops_per_call = o.batch * train_step_flops_per_image(net, o.shape);
  return times;
}

BenchTimes bench_eval_samples(const BenchStepOptions& o) {
  torch::set_num_threads(o.threads);
  torch::manual_seed(o.seed);
  BenchStepOptions so = o;
  so.model = MriNetwork::SpotTune;
  configure_precision(o.device, o.precision);
  Network net(spec_for(so));
  net.to(o.device, o.precision);
  net.set_training(false);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed + 1);
  auto x = torch::rand({o.batch, 1, o.shape[0], o.shape[1], o.shape[2]}, gen)
               .to(to_torch(o.device));
  auto times = time_it(o.steps, o.profile, o.device, [&] {
    auto g = models::sample_gumbel({o.samples, o.batch, net.policy_blocks(), 2}, gen);
    net.probabilities(x, g);
  });
  times.flops_per_call = o.batch * eval_flops_per_image(net, o.shape, o.samples);
  return times;
}

}  // namespace gbmsweep::train
