#pragma once
// Training and evaluation of the study-A networks (ResNet3D random / transfer, SpotTune3D).
// Torch-free interface: plain data in, plain data (gbmsweep::Curve / Predictions) out, so the
// task glue does not need <torch/torch.h>.
#include <mpi.h>

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/device.hpp"
#include "common/mri_network.hpp"
#include "common/result.hpp"

namespace gbmsweep::train {

// A set of preprocessed volumes with binary labels (MGMT: methylated = 1).
struct VolumeBatchSet {
  std::vector<std::string> ids;
  std::vector<float> labels;
  std::array<int64_t, 4> shape{1, 0, 0, 0};  // C, D, H, W of one sample
  std::vector<float> data;                   // N * C * D * H * W, sample-major
  size_t size() const { return ids.size(); }
};

// Defaults are the paper's values (METHODS.md, study A).
struct MriTrainOptions {
  MriNetwork network = MriNetwork::SpotTune;
  int depth = 50;                    // backbone depth (10, 18, 34, 50)
  int agent_depth = 10;              // SpotTune agent
  int64_t width = 64;                // backbone width (MedicalNet: 64; tests use less)
  int64_t agent_width = 64;
  int epochs = 90;
  int batch = 12;                    // global batch, split over the ranks of the task
  double lr = 1e-5;                  // main network (Adam)
  double agent_lr = 1e-4;            // SpotTune agent (Adam)
  double weight_decay = 1e-8;
  double tau = 100.0;                // Gumbel-softmax temperature
  int plateau_patience = 20;         // ReduceLROnPlateau on the validation loss
  double plateau_factor = 0.1;
  std::string selection = "paper";   // "paper" (criterion M) | "reference" (see selection.hpp)
  int transfer_trainable_blocks = 0; // resnet_transfer: also train the last k residual blocks
  double threshold = 0.5;            // on the sigmoid, for SEN/SPE
  int val_samples = 100;             // SpotTune: Gumbel samples averaged for validation
  std::uint64_t seed = 0;            // init, shuffling and Gumbel draws: same seed, same run
  int threads = 1;                   // torch intra-op threads on this rank
  Reducer reducer = Reducer::Auto;   // gradient averaging (common/device.hpp, resolve_reducer)
  // BatchNorm statistics groups: each global batch is cut into this many micro-batches, and a
  // training-mode BatchNorm normalises with one micro-batch's statistics. A g-rank run gives
  // micro_batches / g micro-batches to each rank (gradients accumulate), so the same
  // micro_batches gives the same training on any rank count dividing it. 0 = the rank count.
  int micro_batches = 0;
  // BatchNorm of the pretrained networks (spottune, resnet_transfer): Frozen keeps
  // MedicalNet's running statistics (eval mode); Train normalises with batch statistics and
  // updates them, as the reference code's model.train() does. resnet_random always trains.
  BatchNormMode bn = BatchNormMode::Frozen;
  // resnet_random's initialisation: MedicalNet (Kaiming normal, fan_out) or Uniform
  // (PyTorch's default U(±1/sqrt(fan_in)) for every conv and linear layer; paper II.C).
  InitMode init = InitMode::MedicalNet;
  // Where to train (TaskContext::device) and in which arithmetic (see common/device.hpp). The
  // training and validation sets go to the device once; batches are sliced there.
  Device device;
  Precision precision = Precision::Fp32;
};

struct MriTrainResult {
  // Per epoch: train_loss, val_loss, val_auc, val_sen, val_spe, val_m, lr.
  std::vector<Curve> curves;
  int best_epoch = -1;               // 0-based
  std::map<std::string, double> best;  // val metrics of the selected epoch
  Predictions val;                   // validation predictions of the selected epoch
};

// Trains one network on `train`, selects the epoch on `val`, and writes the selected model to
// `checkpoint_path` atomically (rank 0 of `comm`; "" = no file). Every rank of `comm` must call
// it with the same data; all ranks return the same result. `pretrained_path` (MedicalNet
// layout, see import_medicalnet) is required for spottune and resnet_transfer.
MriTrainResult train_mri_model(const MriTrainOptions& options, const VolumeBatchSet& train,
                               const VolumeBatchSet& val, const std::string& pretrained_path,
                               const std::string& checkpoint_path, MPI_Comm comm);

struct MriEvalOptions {
  int samples = 100;        // SpotTune: Gumbel samples per image, probabilities averaged
  std::uint64_t seed = 42;  // Gumbel seed
  int batch = 4;            // images per forward pass
  int threads = 1;
  Device device;
  Precision precision = Precision::Fp32;
};

// Hold-out predictions (name "test") of a checkpoint written by train_mri_model. For SpotTune,
// Predictions::samples holds each image's per-sample probabilities. No MPI needed.
Predictions evaluate_mri_model(const MriEvalOptions& options, const std::string& checkpoint_path,
                               const VolumeBatchSet& test);

struct PretrainOptions {
  int depth = 50;
  int64_t width = 64;
  int epochs = 5;
  int batch = 4;
  double lr = 1e-3;
  std::uint64_t seed = 0;
  int threads = 1;
  Device device;
};

// Source-task pretraining for when no MedicalNet weights are given (the synthetic demo):
// trains a ResNet3D with batch statistics on `source` (BCE) and writes its stem and blocks as a
// MedicalNet-layout dict (no `module.`, no fc) to `out_path`, atomically. Returns the
// per-epoch training loss.
Curve pretrain_mri_backbone(const PretrainOptions& options, const VolumeBatchSet& source,
                            const std::string& out_path);

}  // namespace gbmsweep::train
