// Data-parallel training on g ranks (1 or 2) equals 1-rank training on the same global batch
// cut into the same micro-batches, and every rank ends with identical parameters.
#define BOOST_TEST_MODULE gbmsweep data-parallel training
#include <boost/test/unit_test.hpp>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "../mpi/mpi_fixture.hpp"
#include "common/error.hpp"
#include "common/mpi.hpp"
#include "gbmsweep/config.hpp"
#include "models/spottune.hpp"
#include "synthetic.hpp"
#include "train/mri_training.hpp"
#include "train/network.hpp"
#include "train/reducer.hpp"

BOOST_TEST_GLOBAL_FIXTURE(MpiGlobalFixture);

using namespace gbmsweep::train;

namespace {

constexpr int kMicro = 2;  // micro-batches per global batch

// Flat copy of all parameters and buffers.
torch::Tensor flat_state(Network& net) {
  std::vector<torch::Tensor> v;
  for (auto& p : net.module().parameters()) v.push_back(p.detach().flatten());
  for (auto& b : net.module().buffers())
    if (b.scalar_type() == torch::kFloat) v.push_back(b.flatten());
  return torch::cat(v).cpu();
}

// Trains `steps` steps of global batch 4 on `comm`; rank r takes micro-batches
// [r * kMicro / g, (r + 1) * kMicro / g). Inputs go to the network's device; `backend` picks
// the reducer (small buckets: several all-reduces).
void run(Network& net, MPI_Comm comm, int steps, const std::string& backend = "mpi") {
  const int g = gbmsweep::mpi::size(comm), r = gbmsweep::mpi::rank(comm);
  Optimizers opt(net, {1e-2, 1e-2, 1e-8});
  auto reducer = make_reducer({gbmsweep::parse_reducer(backend, "test"), 4096}, comm);
  auto data = tiny_volumes(4 * steps, 21);
  auto X = torch::from_blob(data.data.data(), {4 * steps, 1, 16, 16, 16}).to(net.device());
  auto Y = torch::tensor(data.labels).to(net.device());
  auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
  net.set_training(true);
  for (int s = 0; s < steps; ++s) {
    auto xb = X.slice(0, 4 * s, 4 * s + 4), yb = Y.slice(0, 4 * s, 4 * s + 4);
    torch::Tensor gb;
    if (net.stochastic())
      gb = gbmsweep::models::sample_gumbel({4, net.policy_blocks(), 2}, gen).to(net.device());
    std::vector<MicroBatch> micro;
    for (int k = r * kMicro / g; k < (r + 1) * kMicro / g; ++k)
      micro.push_back({xb.slice(0, 2 * k, 2 * k + 2), yb.slice(0, 2 * k, 2 * k + 2),
                       gb.defined() ? gb.slice(0, 2 * k, 2 * k + 2) : torch::Tensor()});
    train_step(net, opt, micro, 4, *reducer);
  }
}

// Where a CUDA case puts this rank: its own GPU when there are enough, else GPU 0.
gbmsweep::Device cuda_for_rank() {
  const int gpus = static_cast<int>(torch::cuda::device_count());
  return {gbmsweep::DeviceKind::Cuda, gbmsweep::mpi::rank(MPI_COMM_WORLD) % std::max(1, gpus)};
}

NetworkSpec spec(const std::string& network) {
  NetworkSpec s;
  s.network = gbmsweep::parse_mri_network(network, "test");
  s.depth = 10;
  s.width = 4;
  s.agent_width = 4;
  return s;
}

void check_identical_across_ranks(const torch::Tensor& state) {
  auto lo = state.clone(), hi = state.clone();
  GBM_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, lo.data_ptr<float>(), static_cast<int>(lo.numel()),
                              MPI_FLOAT, MPI_MIN, MPI_COMM_WORLD));
  GBM_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, hi.data_ptr<float>(), static_cast<int>(hi.numel()),
                              MPI_FLOAT, MPI_MAX, MPI_COMM_WORLD));
  BOOST_TEST(torch::equal(lo, hi));
}

}  // namespace

BOOST_AUTO_TEST_CASE(g_rank_steps_equal_one_rank_steps) {
  torch::set_num_threads(1);
  for (const char* network : {"spottune", "resnet_random"}) {
    BOOST_TEST_CONTEXT(network) {
      torch::manual_seed(9);
      Network ref(spec(network));
      torch::manual_seed(9);
      Network dp(spec(network));
      run(ref, MPI_COMM_SELF, 3);
      run(dp, MPI_COMM_WORLD, 3);
      auto a = flat_state(ref), b = flat_state(dp);  // parameters and running statistics
      const float diff = (a - b).abs().max().item<float>();
      BOOST_TEST(diff < 1e-5f, "max parameter/statistics difference " << diff);
      check_identical_across_ranks(flat_state(dp));
      // Training did something.
      torch::manual_seed(9);
      Network init(spec(network));
      BOOST_TEST((flat_state(init) - a).abs().max().item<float>() > 1e-3f);
    }
  }
}

BOOST_AUTO_TEST_CASE(train_mri_model_is_rank_count_independent) {
  MriTrainOptions o;
  o.network = gbmsweep::MriNetwork::ResNetRandom;
  o.depth = 10;
  o.width = 4;
  o.epochs = 2;
  o.batch = 4;
  o.lr = 1e-2;
  o.micro_batches = 2;
  o.seed = 4;
  auto train = tiny_volumes(8, 31), val = tiny_volumes(6, 32);
  auto one = train_mri_model(o, train, val, "", "", MPI_COMM_SELF);
  auto all = train_mri_model(o, train, val, "", "", MPI_COMM_WORLD);
  for (size_t c = 0; c < one.curves.size(); ++c)
    for (size_t i = 0; i < one.curves[c].values.size(); ++i)
      BOOST_TEST(std::abs(one.curves[c].values[i] - all.curves[c].values[i]) < 1e-4,
                 one.curves[c].name << "[" << i << "]");
  BOOST_TEST(one.best_epoch == all.best_epoch);
}

// The MPI reducer on CUDA tensors (buckets staged through host memory): g ranks equal one, on
// the GPU. All ranks may share GPU 0 (MPI does not care). Skipped visibly without CUDA.
BOOST_AUTO_TEST_CASE(mpi_reducer_on_cuda_tensors) {
  if (!torch::cuda::is_available()) {
    BOOST_TEST_MESSAGE("skipped: torch::cuda::is_available() is false (CPU LibTorch or no GPU)");
    return;
  }
  at::globalContext().setAllowTF32CuDNN(false);  // fp32: g-rank and 1-rank sums agree closely
  for (const char* network : {"spottune", "resnet_random"}) {
    BOOST_TEST_CONTEXT(network) {
      torch::manual_seed(9);
      Network ref(spec(network));
      ref.to(cuda_for_rank());
      torch::manual_seed(9);
      Network dp(spec(network));
      dp.to(cuda_for_rank());
      run(ref, MPI_COMM_SELF, 3);
      run(dp, MPI_COMM_WORLD, 3);
      const float diff = (flat_state(ref) - flat_state(dp)).abs().max().item<float>();
      BOOST_TEST(diff < 1e-4f, "max parameter/statistics difference " << diff);
      check_identical_across_ranks(flat_state(dp));
    }
  }
}

#if GBMSWEEP_HAS_NCCL
// The NCCL reducer (device buckets, ncclAvg in place). With a GPU per rank: g ranks equal one
// (at 1 rank: the communicator is made and training runs through it). With fewer GPUs than
// ranks it must refuse, naming the shared GPU, before NCCL is asked (NCCL rejects or hangs).
BOOST_AUTO_TEST_CASE(nccl_reducer_on_cuda) {
  if (!torch::cuda::is_available()) {
    BOOST_TEST_MESSAGE("skipped: torch::cuda::is_available() is false (CPU LibTorch or no GPU)");
    return;
  }
  const int ranks = gbmsweep::mpi::size(MPI_COMM_WORLD);
  if (static_cast<int>(torch::cuda::device_count()) < ranks) {
    try {
      make_reducer({gbmsweep::Reducer::Nccl}, MPI_COMM_WORLD);
      BOOST_FAIL("two ranks on one GPU were accepted by the NCCL reducer");
    } catch (const gbmsweep::Error& e) {
      BOOST_TEST(std::string(e.what()).find("share the GPU") != std::string::npos, e.what());
    }
    return;
  }
  at::globalContext().setAllowTF32CuDNN(false);
  torch::manual_seed(9);
  Network ref(spec("resnet_random"));
  ref.to(cuda_for_rank());
  torch::manual_seed(9);
  Network dp(spec("resnet_random"));
  dp.to(cuda_for_rank());
  run(ref, MPI_COMM_SELF, 3);
  run(dp, MPI_COMM_WORLD, 3, "nccl");
  const float diff = (flat_state(ref) - flat_state(dp)).abs().max().item<float>();
  BOOST_TEST(diff < 1e-4f, "max parameter/statistics difference " << diff);
  check_identical_across_ranks(flat_state(dp));
}
#endif

// Issue 15 item 7: a rank whose part of a step throws (out of GPU memory on a real machine;
// here the last rank's micro-batch has 2 channels for a 1-channel network, so its first
// convolution throws) does not leave its peers waiting in the gradient all-reduce: every rank
// throws gbmsweep::Error, the failed one with its batch and cause, the others naming it, and
// the communicator still works afterwards. At 1 rank the step simply throws.
BOOST_AUTO_TEST_CASE(a_failing_rank_does_not_leave_its_peers_waiting) {
  torch::set_num_threads(1);
  const int g = gbmsweep::mpi::size(MPI_COMM_WORLD), r = gbmsweep::mpi::rank(MPI_COMM_WORLD);
  torch::manual_seed(9);
  Network net(spec("resnet_random"));
  net.set_training(true);
  Optimizers opt(net, {1e-2, 1e-2, 1e-8});
  auto reducer = make_reducer({gbmsweep::Reducer::Mpi, 4096}, MPI_COMM_WORLD);
  const bool bad = r == g - 1;
  auto x = torch::rand({2, bad ? 2 : 1, 16, 16, 16});
  auto y = torch::tensor(std::vector<float>{1.0f, 0.0f});
  std::string what;
  try {
    train_step(net, opt, {{x, y, torch::Tensor()}}, 2 * g, *reducer);
    BOOST_FAIL("the step went through");
  } catch (const gbmsweep::Error& e) {
    what = e.what();
  }
  if (bad) {
    BOOST_TEST(what.find("failed in the forward/backward pass of a resnet_random training step "
                         "on cpu: a batch of " + std::to_string(2 * g) + " images, 2 of them on "
                         "this rank in 1 micro-batch(es) of [2, 2, 16, 16, 16]") !=
                   std::string::npos,
               what);
    BOOST_TEST(what.find("channels") != std::string::npos, what);  // conv3d's own words
  } else {
    BOOST_TEST(what.find("rank " + std::to_string(g - 1) + " of this task's " +
                         std::to_string(g) + " failed in a training step's forward/backward "
                         "pass") != std::string::npos,
               what);
  }
  int one = 1, sum = 0;  // nobody is stuck in a collective: a fresh one completes
  GBM_MPI_CHECK(MPI_Allreduce(&one, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD));
  BOOST_TEST(sum == g);
}

// A rank that cannot pack what it reduces (out of GPU memory for a bucket on a real machine;
// here the last rank hands sum an integer tensor, then average an undefined one) does not leave
// its peers in the all-reduce: every rank throws, the others naming it, and the reducer and the
// communicator still work afterwards. At 1 rank the reducer does nothing and nothing can hang.
BOOST_AUTO_TEST_CASE(a_rank_that_cannot_pack_a_bucket_does_not_leave_its_peers_waiting) {
  const int g = gbmsweep::mpi::size(MPI_COMM_WORLD), r = gbmsweep::mpi::rank(MPI_COMM_WORLD);
  auto reducer = make_reducer({gbmsweep::Reducer::Mpi, 16}, MPI_COMM_WORLD);
  const bool bad = r == g - 1;
  const auto expect_all_throw = [&](const std::function<void()>& call, const std::string& own,
                                    const std::string& theirs) {
    std::string what;
    try {
      call();
      BOOST_FAIL("no rank threw");
    } catch (const gbmsweep::Error& e) {
      what = e.what();
    }
    BOOST_TEST(what.find(bad ? own
                             : "rank " + std::to_string(g - 1) + " of this task's " +
                                   std::to_string(g) + " failed " + theirs) != std::string::npos,
               what);
  };
  if (g > 1) {
    expect_all_throw(
        [&] {
          reducer->sum({torch::ones({3}), bad ? torch::ones({2}, torch::kLong)
                                              : torch::ones({2}, torch::kDouble)});
        },
        "reducer: sum takes float or double tensors, got Long", "packing a bucket to all-reduce");
    expect_all_throw([&] { reducer->average({torch::ones({3}), bad ? torch::Tensor()
                                                                   : torch::ones({2})}); },
                     "reducer: average was given an undefined tensor",
                     "packing a bucket to all-reduce");
  }
  auto x = torch::full({5}, static_cast<float>(r + 1));  // the reducer still sums
  reducer->sum({x});
  BOOST_TEST(torch::equal(x, torch::full({5}, static_cast<float>(g * (g + 1) / 2))));
  int one = 1, sum = 0;
  GBM_MPI_CHECK(MPI_Allreduce(&one, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD));
  BOOST_TEST(sum == g);
}

// The reducer's sum (the epoch's loss in double, the validation probabilities in float): every
// rank ends with the sum over ranks, each dtype in its own bucket; integer tensors are refused.
BOOST_AUTO_TEST_CASE(reducer_sums_float_and_double_tensors) {
  const int g = gbmsweep::mpi::size(MPI_COMM_WORLD), r = gbmsweep::mpi::rank(MPI_COMM_WORLD);
  auto reducer = make_reducer({gbmsweep::Reducer::Mpi, 16}, MPI_COMM_WORLD);  // 4-float buckets
  auto loss = torch::full({}, 0.1 * (r + 1), torch::kDouble);
  auto probs = torch::full({3, 2}, static_cast<float>(r + 1));
  reducer->sum({loss, probs});
  double want = 0;
  for (int k = 0; k < g; ++k) want += 0.1 * (k + 1);
  BOOST_TEST(loss.item<double>() == want);  // summed in double (at most one addition: exact)
  BOOST_TEST(torch::equal(probs, torch::full({3, 2}, static_cast<float>(g * (g + 1) / 2))));
  if (g > 1) {
    BOOST_CHECK_THROW(reducer->sum({torch::ones({2}, torch::kLong)}), gbmsweep::Error);
  }
}
