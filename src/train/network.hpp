#pragma once
// Internal to train/: the three study-A networks behind one face, their optimisers and one
// training step, shared by the training loop and `gbmsweep bench`.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "common/mri_network.hpp"
#include "models/resnet3d.hpp"
#include "models/spottune.hpp"
#include "train/device_torch.hpp"
#include "train/reducer.hpp"

namespace gbmsweep::train {

// What is needed to rebuild a network from a checkpoint.
struct NetworkSpec {
  MriNetwork network = MriNetwork::SpotTune;
  int depth = 50;
  int agent_depth = 10;
  int64_t width = 64;
  int64_t agent_width = 64;
  int64_t in_channels = 1;
  double tau = 100.0;
  int transfer_trainable_blocks = 0;
  BatchNormMode bn = BatchNormMode::Frozen;  // MriTrainOptions::bn
  InitMode init = InitMode::MedicalNet;      // MriTrainOptions::init
  nlohmann::json to_json() const;
  // Meta as saved (to_json); an unknown network throws InputError naming `where`.
  static NetworkSpec from_json(const nlohmann::json& j, const std::string& where);
};

class Network {
 public:
  // Random initialisation from the global torch generator (seed it first).
  explicit Network(const NetworkSpec& spec);

  // Loads a MedicalNet-layout backbone (import_medicalnet) and applies the variant's
  // freezing: resnet_transfer trains fc (+ the last k blocks), spottune clones the blocks.
  void load_pretrained(const std::string& path);

  // Moves parameters and buffers to `device` (before the optimisers are made). On CUDA the
  // 5-D weights go channels_last_3d (cuDNN's fast layout; inputs follow in train_logits and
  // probabilities) and bf16 turns autocast on around the forward passes. On the CPU nothing
  // changes: the hand-written CPU kernels expect the plain layout.
  void to(const Device& device, Precision precision = Precision::Fp32);
  torch::Device device() const { return device_; }

  // Training mode for what trains with batch statistics (resnet_random, the SpotTune agent);
  // pretrained backbones keep their running statistics (eval-mode BatchNorm) unless
  // spec.bn is Train, which puts the whole network in training mode (reference code).
  void set_training(bool on);

  // Logits [n] for a training step; `gumbel` [n, L, 2] for SpotTune (ignored otherwise).
  torch::Tensor train_logits(const torch::Tensor& x, const torch::Tensor& gumbel);
  // Probabilities [n, S] without autograd; `gumbel` [S, n, L, 2] for SpotTune, S = 1 otherwise.
  torch::Tensor probabilities(const torch::Tensor& x, const torch::Tensor& gumbel);

  int64_t policy_blocks() const;  // L for SpotTune, 0 for the ResNets
  bool stochastic() const { return has_agent(spec_.network); }
  std::vector<torch::Tensor> main_parameters();   // trainable, main optimiser
  std::vector<torch::Tensor> agent_parameters();  // trainable, agent optimiser (SpotTune)
  // Running mean/var of the BatchNorms that are in training mode (they change in a step).
  std::vector<torch::Tensor> training_batchnorm_stats();
  torch::nn::Module& module();
  const NetworkSpec& spec() const { return spec_; }
  // The ResNet (SpotTune: its frozen backbone, whose blocks the fine-tuned ones copy) and
  // SpotTune's agent (nullptr otherwise): for FLOP counts.
  const models::ResNet3DImpl& backbone() const { return spot_ ? *spot_->backbone : *resnet_; }
  const models::ResNet3DImpl* agent() const { return spot_ ? spot_->agent.get() : nullptr; }

  // Checkpoint: {"meta": spec JSON, "state": name -> tensor}, zip format, atomic. Saved from
  // host copies; load() gives a network on the CPU (then to()).
  void save(const std::string& path);
  static Network load(const std::string& path);

 private:
  NetworkSpec spec_;
  models::ResNet3D resnet_{nullptr};
  models::SpotTune3D spot_{nullptr};
  torch::Device device_ = torch::kCPU;
  bool autocast_ = false;  // bf16 on CUDA
  torch::Tensor on_device(const torch::Tensor& x) const;
};

struct StepOptions {
  double lr = 1e-5, agent_lr = 1e-4, weight_decay = 1e-8;
};

class Optimizers {
 public:
  Optimizers(Network& net, const StepOptions& options);
  void zero_grad();
  void step();
  void scale_lr(double factor);
  double lr() const;
  std::vector<torch::Tensor> parameters() const;  // everything that is optimised

 private:
  std::unique_ptr<torch::optim::Adam> main_, agent_;
  std::vector<torch::Tensor> params_;
};

// One micro-batch of a step: inputs, labels and (SpotTune) Gumbel draws.
struct MicroBatch {
  torch::Tensor x, y, gumbel;
};

// What went wrong in a step, for the task's error: "out of memory" (c10::OutOfMemoryError,
// std::bad_alloc, or an allocator's own words) or "failed", the stage, network, device, the
// global batch and this rank's micro-batches, the first line of the cause (CUDA's names the
// bytes it tried to allocate), and for memory what to ask for instead.
std::string describe_step_failure(const std::exception& e, const Network& net,
                                  const std::vector<MicroBatch>& micro, int64_t global_n,
                                  const char* stage);

// One training step over this rank's micro-batches of a global batch of `global_n` images on
// `reducer.size()` ranks: zero grads, forward, BCE-with-logits (sum / global_n), backward
// (gradients accumulate over micro-batches), gradient averaging, both optimiser steps.
// Training-mode BatchNorm running statistics: every micro-batch updates them from the step's
// starting values and the step keeps the average over all micro-batches of all ranks, so the
// result does not depend on how micro-batches are spread over ranks (num_batches_tracked,
// unused with a momentum, counts this rank's micro-batches). Returns this rank's summed loss as
// a double scalar tensor on the network's device: reading it (.item()) waits for the GPU, so
// callers sum it there and read it once per epoch.
// A rank whose forward/backward or optimiser step throws does not leave its peers waiting in a
// collective: the ranks agree first (mpi::agree_or_throw) and all throw, the failed rank with
// describe_step_failure's message.
torch::Tensor train_step(Network& net, Optimizers& opt, const std::vector<MicroBatch>& micro,
                         int64_t global_n, GradientReducer& reducer);

}  // namespace gbmsweep::train
