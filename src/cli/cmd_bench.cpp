// `gbmsweep bench <benchmark> ...`: micro-benchmarks that print one JSON line each.
#include <iostream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/parse.hpp"
#include "common/device.hpp"
#include "train/bench_step.hpp"
#include "train/device.hpp"

namespace gbmsweep::cli {

namespace {

std::array<int64_t, 3> parse_shape(const std::string& s) {
  std::array<int64_t, 3> out{};
  std::istringstream is(s);
  std::string part;
  int i = 0;
  while (std::getline(is, part, ',')) {
    if (i == 3) throw UsageError{"--shape takes D,H,W, got '" + s + "'"};
    try {
      out[i++] = std::stoll(part);
    } catch (const std::exception&) {
      throw UsageError{"--shape takes D,H,W, got '" + s + "'"};
    }
  }
  if (i != 3 || out[0] < 8 || out[1] < 8 || out[2] < 8)
    throw UsageError{"--shape takes D,H,W with each >= 8, got '" + s + "'"};
  return out;
}

// Options shared by the network benchmarks; returns false after --help.
bool parse_step_options(const std::string& name, const Args& args, bool eval,
                        train::BenchStepOptions& o) {
  po::options_description opts("options");
  std::string shape = "24,28,28", device = "cpu", precision = "fp32", model = "spottune",
              bn = "frozen";
  auto add = opts.add_options();
  if (!eval) add("model", po::value(&model)->default_value(model), "spottune | resnet");
  if (!eval)
    add("bn", po::value(&bn)->default_value(bn),
        "SpotTune's BatchNorm: frozen | train (mri.train.bn; train: both branches with autograd, "
        "as the reference code and the paper sweep)");
  add("depth", po::value(&o.depth)->default_value(o.depth), "10 | 18 | 34 | 50");
  add("batch", po::value(&o.batch)->default_value(o.batch), "images per step");
  add("shape", po::value(&shape)->default_value(shape), "input D,H,W");
  add("threads", po::value(&o.threads)->default_value(o.threads), "torch intra-op threads");
  add("steps", po::value(&o.steps)->default_value(o.steps), "timed repetitions after a warm-up");
  if (eval) add("samples", po::value(&o.samples)->default_value(o.samples), "Gumbel samples per image");
  add("profile", po::value(&o.profile), "also profile one more call into this chrome-trace JSON");
  add("device", po::value(&device)->default_value(device), "cpu | cuda | auto");
  add("precision", po::value(&precision)->default_value(precision), "fp32 | tf32 | bf16");
  po::variables_map vm;
  if (!parse_command_line("bench " + name, "[options]", args, opts, {}, vm)) return false;
  // The bench's own vocabulary: "resnet" is resnet_random (every layer trains).
  if (model != "spottune" && model != "resnet")
    throw UsageError{"--model must be spottune or resnet"};
  o.model = model == "spottune" ? MriNetwork::SpotTune : MriNetwork::ResNetRandom;
  o.bn = parse_batchnorm_mode(bn, "--bn");
  if (o.depth != 10 && o.depth != 18 && o.depth != 34 && o.depth != 50)
    throw UsageError{"--depth must be 10, 18, 34 or 50"};
  if (o.batch < 1 || o.threads < 1 || o.steps < 1 || o.samples < 1)
    throw UsageError{"--batch, --threads, --steps and --samples must be positive"};
  o.shape = parse_shape(shape);
  const auto torch = train::torch_info();
  const DeviceKind kind = resolve_device_kind(parse_device_kind(device, "--device"), torch.cuda,
                                              torch.gpus, "--device");
  o.device = Device{kind, kind == DeviceKind::Cuda ? 0 : -1};
  o.precision = parse_precision(precision, "--precision");
  if (!o.device.is_cuda() && o.precision == Precision::Bf16)
    throw UsageError{"--precision bf16 needs --device cuda"};
  return true;
}

void print(const train::BenchStepOptions& o, const train::BenchTimes& t, bool eval) {
  const bool resnet = !eval && o.model == MriNetwork::ResNetRandom;
  nlohmann::json j = {{"model", resnet ? "resnet" : "spottune"},
                      {"depth", o.depth},
                      {"batch", o.batch},
                      {"shape", o.shape},
                      {"threads", o.threads},
                      {"device", to_string(o.device)},
                      {"precision", to_string(o.precision)}};
  if (eval) j["samples"] = o.samples;
  if (!eval && !resnet) j["bn"] = to_string(o.bn);
  j["median_s"] = t.median_s;
  j["min_s"] = t.min_s;
  j["peak_rss_mb"] = t.peak_rss_mb;
  j["median_cpu_s"] = t.median_cpu_s;  // extra: CPU time, for shared machines
  // Issue 15 item 9's units; eval-samples: one call = `samples` draws of `batch` images.
  j["ms_per_step"] = 1e3 * t.median_s;
  j["volumes_per_s"] = t.median_s > 0 ? static_cast<double>(o.batch) / t.median_s : 0.0;
  // FLOPs counted from the layer shapes (train/bench_step.cpp: PyTorch's convention).
  j["gflop_per_call"] = t.flops_per_call / 1e9;
  j["tflops"] = t.median_s > 0 ? t.flops_per_call / t.median_s / 1e12 : 0.0;
  if (t.peak_gpu_allocated_mb >= 0) {
    j["peak_gpu_allocated_mb"] = t.peak_gpu_allocated_mb;
    j["peak_gpu_reserved_mb"] = t.peak_gpu_reserved_mb;
  }
  j["device_name"] = t.device_name;
  std::cout << j.dump() << std::endl;
}

int bench_train_step(const Args& args) {
  train::BenchStepOptions o;
  if (!parse_step_options("train-step", args, false, o)) return 0;
  print(o, train::bench_train_step(o), false);
  return 0;
}

int bench_eval_samples(const Args& args) {
  train::BenchStepOptions o;
  if (!parse_step_options("eval-samples", args, true, o)) return 0;
  print(o, train::bench_eval_samples(o), true);
  return 0;
}

}  // namespace

int cmd_bench(const Args& args) {
  static const std::map<std::string, std::pair<int (*)(const Args&), const char*>> benchmarks = {
      {"train-step", {bench_train_step, "one SpotTune/ResNet training step"}},
      {"eval-samples", {bench_eval_samples, "SpotTune evaluation of N Gumbel samples per image"}},
  };
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << "usage: gbmsweep bench <benchmark> [options]\n\nbenchmarks:\n";
    for (const auto& [name, b] : benchmarks) std::cout << "  " << name << "  " << b.second << "\n";
    if (args.empty()) throw UsageError{"missing benchmark name"};
    return 0;
  }
  auto it = benchmarks.find(args[0]);
  if (it == benchmarks.end()) throw UsageError{"unknown benchmark '" + args[0] + "'"};
  return it->second.first(Args(args.begin() + 1, args.end()));
}

}  // namespace gbmsweep::cli
