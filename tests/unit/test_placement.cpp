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

namespace {
// describe_gpu_layout of parallel per-rank columns, as the tests write them.
gbmsweep::sched::GpuLayoutReport layout(const std::vector<int>& node,
                                        const std::vector<std::string>& host,
                                        const std::vector<int>& gpu,
                                        const std::vector<int>& visible) {
  std::vector<gbmsweep::sched::RankGpu> ranks;
  for (std::size_t r = 0; r < node.size(); ++r)
    ranks.push_back({node[r], host[r], gpu[r], visible[r]});
  return gbmsweep::sched::describe_gpu_layout(ranks);
}

bool any_has(const std::vector<std::string>& lines, const std::string& needle) {
  for (const auto& l : lines)
    if (l.find(needle) != std::string::npos) return true;
  return false;
}
}  // namespace

BOOST_AUTO_TEST_CASE(gpu_layout_of_the_slurm_generators_job_has_no_warning) {
  using gbmsweep::sched::choose_gpu;
  // `jobs slurm --nodes 2 --gpus-per-node 2`: 5 ranks, 3 on node 0 (with the coordinator), 2 on
  // node 1; the GPUs as placement chooses them.
  std::vector<int> node = {0, 0, 0, 1, 1}, local = {0, 1, 2, 0, 1}, gpu, visible(5, 2);
  std::vector<std::string> host = {"g0", "g0", "g0", "g1", "g1"};
  for (std::size_t r = 0; r < node.size(); ++r)
    gpu.push_back(choose_gpu(local[r], 2, node[r] == 0));
  auto report = layout(node, host, gpu, visible);
  BOOST_TEST(report.warnings.empty());
  BOOST_TEST(report.info.size() == 2u);
  BOOST_TEST(report.info[0] == "g0: 2 worker rank(s), 2 GPU(s): cuda:0 <- rank 1; cuda:1 <- rank 2");
  BOOST_TEST(report.info[1] == "g1: 2 worker rank(s), 2 GPU(s): cuda:0 <- rank 3; cuda:1 <- rank 4");
}

BOOST_AUTO_TEST_CASE(gpu_layout_warns_about_shared_and_idle_gpus) {
  // The old script's layout: --ntasks-per-node=4 with 4 GPUs, 2 nodes. Node 0 has the
  // coordinator and 3 workers (cuda:3 idle); node 1 is fine.
  std::vector<int> node = {0, 0, 0, 0, 1, 1, 1, 1}, gpu = {-1, 0, 1, 2, 0, 1, 2, 3};
  std::vector<int> visible(8, 4);
  std::vector<std::string> host = {"a", "a", "a", "a", "b", "b", "b", "b"};
  auto report = layout(node, host, gpu, visible);
  BOOST_TEST(report.warnings.size() == 1u);
  BOOST_TEST(any_has(report.warnings, "a: cuda:3 has no worker rank (3 workers for 4 GPUs)"));
  BOOST_TEST(report.shared_node_workers == 0);  // idle is not shared: NCCL groups still fit
  // Six workers for four GPUs on one node: two GPUs shared, named with their ranks.
  node = {0, 0, 0, 0, 0, 0, 0};
  gpu = {-1, 0, 1, 2, 3, 0, 1};
  visible.assign(7, 4);
  host.assign(7, "c");
  report = layout(node, host, gpu, visible);
  BOOST_TEST(report.warnings.size() == 2u);
  BOOST_TEST(any_has(report.warnings, "c: ranks 1 5 share cuda:0 (6 workers for 4 GPUs)"));
  BOOST_TEST(any_has(report.warnings, "c: ranks 2 6 share cuda:1"));
  BOOST_TEST(report.shared_node_workers == 6);
  // Two GPUs idle on a node with one worker.
  report = layout({0, 0}, {"d", "d"}, {-1, 0}, {3, 3});
  BOOST_TEST(any_has(report.warnings, "d: cuda:1, cuda:2 have no worker rank"));
  // No GPU anywhere: nothing to say.
  report = layout({0, 0, 1}, {"e", "e", "f"}, {-1, -1, -1}, {0, 0, 0});
  BOOST_TEST(report.info.empty());
  BOOST_TEST(report.warnings.empty());
  // One rank alone computes, and counts as a worker.
  report = layout({0}, {"h"}, {0}, {1});
  BOOST_TEST(report.warnings.empty());
  BOOST_TEST(report.info.at(0) == "h: 1 worker rank(s), 1 GPU(s): cuda:0 <- rank 0");
}
