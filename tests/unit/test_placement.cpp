// Placement's decisions with the counts injected: no MPI, no GPU.
#include <boost/test/unit_test.hpp>

#include "common/device.hpp"
#include "common/error.hpp"
#include "sched/placement.hpp"

using gbmsweep::sched::choose_gpu;
using gbmsweep::sched::launcher_local_rank;

BOOST_AUTO_TEST_CASE(gpu_is_local_rank_modulo_visible_gpus) {
  // A worker node (no coordinator): 4 ranks on 4 GPUs, 8 ranks on 4, 3 ranks on 2.
  for (int r = 0; r < 4; ++r) BOOST_TEST(choose_gpu(r, 4, false) == r);
  for (int r = 0; r < 8; ++r) BOOST_TEST(choose_gpu(r, 4, false) == r % 4);
  BOOST_TEST(choose_gpu(2, 2, false) == 0);
  // A single rank (runs its tasks itself) on a 1-GPU machine.
  BOOST_TEST(choose_gpu(0, 1, false) == 0);
}

BOOST_AUTO_TEST_CASE(coordinator_node_gives_one_worker_per_gpu) {
  // 4 GPUs, 5 ranks: rank 0 coordinates (no GPU), ranks 1..4 get GPUs 0..3.
  BOOST_TEST(choose_gpu(0, 4, true) == -1);
  for (int r = 1; r <= 4; ++r) BOOST_TEST(choose_gpu(r, 4, true) == r - 1);
  BOOST_TEST(choose_gpu(5, 4, true) == 0);  // oversubscribed: wraps around
}

BOOST_AUTO_TEST_CASE(no_visible_gpu_means_cpu) {
  BOOST_TEST(choose_gpu(0, 0, false) == -1);
  BOOST_TEST(choose_gpu(3, 0, true) == -1);
  BOOST_TEST(choose_gpu(-1, 2, false) == -1);
}

BOOST_AUTO_TEST_CASE(launcher_local_rank_prefers_open_mpi_then_slurm) {
  BOOST_TEST(launcher_local_rank("3", "0") == 3);  // mpirun inside an allocation
  BOOST_TEST(launcher_local_rank(nullptr, "2") == 2);  // srun
  BOOST_TEST(launcher_local_rank("", "1") == 1);
  BOOST_TEST(launcher_local_rank(nullptr, nullptr) == -1);
  BOOST_TEST(launcher_local_rank("x", nullptr) == -1);
  BOOST_TEST(launcher_local_rank("-1", "4") == 4);
}

BOOST_AUTO_TEST_CASE(device_and_precision_strings_become_enums_once) {
  using namespace gbmsweep;
  BOOST_TEST((parse_device_kind("auto", "x") == DeviceKind::Auto));
  BOOST_TEST((parse_device_kind("cpu", "x") == DeviceKind::Cpu));
  BOOST_TEST((parse_device_kind("cuda", "x") == DeviceKind::Cuda));
  BOOST_CHECK_THROW(parse_device_kind("gpu", "x"), InputError);
  BOOST_TEST((parse_precision("bf16", "x") == Precision::Bf16));
  BOOST_CHECK_THROW(parse_precision("fp16", "x"), InputError);
  BOOST_TEST(to_string(Device{DeviceKind::Cuda, 1}) == "cuda:1");
  BOOST_TEST(to_string(Device{}) == "cpu");
}

BOOST_AUTO_TEST_CASE(device_resolution) {
  using namespace gbmsweep;
  BOOST_TEST((resolve_device_kind(DeviceKind::Auto, false, 0, "x") == DeviceKind::Cpu));
  BOOST_TEST((resolve_device_kind(DeviceKind::Auto, true, 0, "x") == DeviceKind::Cpu));
  BOOST_TEST((resolve_device_kind(DeviceKind::Auto, true, 2, "x") == DeviceKind::Cuda));
  BOOST_TEST((resolve_device_kind(DeviceKind::Cpu, true, 2, "x") == DeviceKind::Cpu));
  BOOST_TEST((resolve_device_kind(DeviceKind::Cuda, true, 1, "x") == DeviceKind::Cuda));
  try {
    resolve_device_kind(DeviceKind::Cuda, false, 0, "--device");
    BOOST_FAIL("no error");
  } catch (const InputError& e) {
    BOOST_TEST(std::string(e.what()).find("built without CUDA") != std::string::npos);
  }
  BOOST_CHECK_THROW(resolve_device_kind(DeviceKind::Cuda, true, 0, "x"), InputError);
}
