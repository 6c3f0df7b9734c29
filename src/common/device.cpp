#include "common/device.hpp"

#include "common/error.hpp"

namespace gbmsweep {

DeviceKind parse_device_kind(const std::string& s, const std::string& where) {
  if (s == "auto") return DeviceKind::Auto;
  if (s == "cpu") return DeviceKind::Cpu;
  if (s == "cuda") return DeviceKind::Cuda;
  throw InputError(where, "device '" + s + "' is not one of auto, cpu, cuda");
}

Precision parse_precision(const std::string& s, const std::string& where) {
  if (s == "fp32") return Precision::Fp32;
  if (s == "tf32") return Precision::Tf32;
  if (s == "bf16") return Precision::Bf16;
  throw InputError(where, "precision '" + s + "' is not one of fp32, tf32, bf16");
}

Reducer parse_reducer(const std::string& s, const std::string& where) {
  if (s == "auto") return Reducer::Auto;
  if (s == "mpi") return Reducer::Mpi;
  if (s == "nccl") return Reducer::Nccl;
  throw InputError(where, "reducer '" + s + "' is not one of auto, mpi, nccl");
}

const char* to_string(DeviceKind k) {
  switch (k) {
    case DeviceKind::Auto: return "auto";
    case DeviceKind::Cpu: return "cpu";
    case DeviceKind::Cuda: return "cuda";
  }
  return "?";
}

const char* to_string(Precision p) {
  switch (p) {
    case Precision::Fp32: return "fp32";
    case Precision::Tf32: return "tf32";
    case Precision::Bf16: return "bf16";
  }
  return "?";
}

const char* to_string(Reducer r) {
  switch (r) {
    case Reducer::Auto: return "auto";
    case Reducer::Mpi: return "mpi";
    case Reducer::Nccl: return "nccl";
  }
  return "?";
}

std::string to_string(const Device& d) {
  if (!d.is_cuda()) return "cpu";
  return d.index < 0 ? "cuda" : "cuda:" + std::to_string(d.index);
}

DeviceKind resolve_device_kind(DeviceKind asked, bool torch_has_cuda, int visible_gpus,
                               const std::string& where) {
  switch (asked) {
    case DeviceKind::Cpu:
      return DeviceKind::Cpu;
    case DeviceKind::Auto:
      return torch_has_cuda && visible_gpus > 0 ? DeviceKind::Cuda : DeviceKind::Cpu;
    case DeviceKind::Cuda:
      if (!torch_has_cuda)
        throw InputError(where, "device cuda asked for, but gbmsweep was built without CUDA "
                                "(its LibTorch has no CUDA; see docs/real-data.md)");
      if (visible_gpus <= 0)
        throw InputError(where, "device cuda asked for, but no GPU is visible "
                                "(CUDA_VISIBLE_DEVICES, driver)");
      return DeviceKind::Cuda;
  }
  return DeviceKind::Cpu;
}

Reducer resolve_reducer(Reducer asked, const Device& device, bool has_nccl, int ranks) {
  if (asked != Reducer::Auto) return asked;
  return has_nccl && device.is_cuda() && ranks > 1 ? Reducer::Nccl : Reducer::Mpi;
}

}  // namespace gbmsweep
