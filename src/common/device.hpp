#pragma once
// Where a task computes and in which arithmetic: the sweep key / CLI strings become these enums
// here, once (parse_*), and nothing else compares the strings. Torch-free on purpose: the
// scheduler and the task glue carry a Device without compiling LibTorch's headers;
// train/device_torch.hpp turns it into a torch::Device.
#include <string>

namespace gbmsweep {

// What was asked for. Auto: CUDA when the LibTorch in use has it and a GPU is visible.
enum class DeviceKind { Auto, Cpu, Cuda };

// fp32: IEEE float everywhere (TF32 off on CUDA). tf32: TF32 tensor cores for convolutions and
// matrix products on CUDA (the same as fp32 on a CPU, which has none). bf16: autocast to
// bfloat16 on CUDA with fp32 master weights and optimiser state (refused on a CPU).
enum class Precision { Fp32, Tf32, Bf16 };

// How a data-parallel task averages gradients (train::make_reducer). Mpi: MPI_Allreduce on host
// buckets (CUDA buckets go through host memory). Nccl: in place in device memory, one GPU per
// rank (needs a build with NCCL). Auto: Nccl when the build has NCCL and a task of several
// ranks trains on CUDA, else Mpi (resolve_reducer). Numerically the same average (summation order aside), so,
// like the device, it is left out of task keys unless asked for explicitly.
enum class Reducer { Auto, Mpi, Nccl };

// A resolved device: kind is Cpu or Cuda (never Auto); index is the CUDA ordinal (-1 on CPU).
struct Device {
  DeviceKind kind = DeviceKind::Cpu;
  int index = -1;
  bool is_cuda() const { return kind == DeviceKind::Cuda; }
  bool operator==(const Device& o) const { return kind == o.kind && index == o.index; }
};

// "auto" | "cpu" | "cuda" and "fp32" | "tf32" | "bf16"; anything else throws InputError
// naming `where` (a file, or "--device") and the accepted values.
DeviceKind parse_device_kind(const std::string& s, const std::string& where);
Precision parse_precision(const std::string& s, const std::string& where);
Reducer parse_reducer(const std::string& s, const std::string& where);  // "auto" | "mpi" | "nccl"
const char* to_string(DeviceKind k);
const char* to_string(Precision p);
const char* to_string(Reducer r);
std::string to_string(const Device& d);  // "cpu", "cuda:1"

// The run-wide decision, made once before any task runs. `torch_has_cuda`: the LibTorch in use
// was built with CUDA; `visible_gpus`: devices its runtime sees. Cuda without CUDA throws
// InputError ("... built without CUDA ..."), Cuda with no visible GPU too; Auto picks Cuda
// when both hold, else Cpu. Returns Cpu or Cuda.
DeviceKind resolve_device_kind(DeviceKind asked, bool torch_has_cuda, int visible_gpus,
                               const std::string& where);

// Auto becomes Nccl when `has_nccl` (the build has the NCCL reducer), `device` is CUDA and the
// task has `ranks` > 1, else Mpi (a one-rank task reduces nothing: no communicator to set up).
// Mpi and Nccl are returned as asked (Nccl without NCCL fails in make_reducer).
Reducer resolve_reducer(Reducer asked, const Device& device, bool has_nccl, int ranks);

}  // namespace gbmsweep
