#pragma once
// Micro-benchmarks behind `gbmsweep bench` (torch-free interface).
#include <array>
#include <cstdint>
#include <string>

#include "common/device.hpp"
#include "common/mri_network.hpp"

namespace gbmsweep::train {

struct BenchStepOptions {
  // SpotTune, or ResNetRandom (all trainable; `--model resnet`). The eval benchmark: SpotTune.
  MriNetwork model = MriNetwork::SpotTune;
  int depth = 50;
  int batch = 2;
  std::array<int64_t, 3> shape{24, 28, 28};  // D, H, W
  int threads = 1;
  int steps = 5;      // timed steps, after one warm-up step
  int samples = 100;  // eval benchmark: Gumbel samples per image
  std::uint64_t seed = 0;
  // Non-empty: one more call after the timed ones under the autograd profiler, written to this
  // file as a chrome://tracing JSON (op names, shapes, durations).
  std::string profile;
  // SpotTune's BatchNorm, as mri.train.bn: Frozen (the row-split forward) or Train (both
  // branches with autograd: the reference code and sweeps/mgmt_paper.toml).
  BatchNormMode bn = BatchNormMode::Frozen;
  Device device;                        // resolved (gbmsweep bench --device)
  Precision precision = Precision::Fp32;
};

struct BenchTimes {
  double median_s = 0, min_s = 0, peak_rss_mb = 0;
  // Process CPU time (all threads) per call: robust on a machine shared with other jobs.
  double median_cpu_s = 0;
  // FLOPs of one call, counted from the layer shapes (bench_step.cpp says how), for TFLOP/s.
  double flops_per_call = 0;
  // CUDA: peak bytes of LibTorch's caching allocator over the warm-up and timed calls
  // (allocated: tensors; reserved: what it holds from the driver), in MiB; -1 on the CPU.
  double peak_gpu_allocated_mb = -1, peak_gpu_reserved_mb = -1;
  std::string device_name;  // the GPU's name, or the CPU's model name
};

// One full training step (agent, policy, main network, loss, backward, both optimiser steps)
// at full MedicalNet width, random weights and labels.
BenchTimes bench_train_step(const BenchStepOptions& options);
// SpotTune evaluation of `samples` Gumbel draws per image (prefix-shared, no autograd).
BenchTimes bench_eval_samples(const BenchStepOptions& options);

}  // namespace gbmsweep::train
