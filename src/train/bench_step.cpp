#include "train/bench_step.hpp"

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include "common/error.hpp"
#include "models/device_copy.hpp"
#include "models/spottune.hpp"
#include "train/network.hpp"

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

// One warm-up call, then `steps` timed calls, then one profiled call when `profile` is set.
BenchTimes time_it(int steps, const std::string& profile, const Device& device,
                   const std::function<void()>& fn_) {
  // A step's wall time includes its GPU work: wait for the device after each call.
  const auto fn = [&] {
    fn_();
    if (device.is_cuda()) torch::cuda::synchronize();
  };
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
  return time_it(o.steps, o.profile, o.device, [&] {
    MicroBatch mb{x, y, torch::Tensor()};
    if (net.stochastic())
      mb.gumbel = models::to_device_async(
          models::sample_gumbel({o.batch, net.policy_blocks(), 2}, gen), dev);
    train_step(net, opt, {mb}, o.batch, *reducer);
  });
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
  return time_it(o.steps, o.profile, o.device, [&] {
    auto g = models::sample_gumbel({o.samples, o.batch, net.policy_blocks(), 2}, gen);
    net.probabilities(x, g);
  });
}

}  // namespace gbmsweep::train
