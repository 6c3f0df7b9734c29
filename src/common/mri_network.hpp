#pragma once
// The study-A network variants as a type. The sweep's mri.networks strings, a task's "network"
// parameter and a checkpoint's meta become an MriNetwork here (parse_mri_network), once where
// they enter; everything after compares enums. to_string gives the sweep spelling back for task
// names, keys and logs, so plans stay byte-identical. Torch-free: the planner uses it too.
#include <string>
#include <vector>

namespace gbmsweep {

enum class MriNetwork {
  SpotTune,        // "spottune": pretrained backbone + fine-tuned twin, per-block policy agent
  ResNetRandom,    // "resnet_random": ResNet3D from a random initialisation, all trainable
  ResNetTransfer,  // "resnet_transfer": pretrained ResNet3D, fc (+ last k blocks) trainable
};

// "spottune" | "resnet_random" | "resnet_transfer"; anything else throws InputError naming
// `where` (a sweep file:line:column, a task name, a checkpoint) and the accepted values.
MriNetwork parse_mri_network(const std::string& s, const std::string& where);
const char* to_string(MriNetwork n);
// Every variant's spelling, in declaration order (the sweep schema's allowed values and default).
const std::vector<std::string>& mri_network_names();

// mri.train.bn: the BatchNorms of the pretrained networks. Frozen ("frozen", the default):
// MedicalNet's running statistics (eval mode; SpotTune's row-split forward). Train ("train"):
// batch statistics that adapt to the cohort, the reference code's model.train() (SpotTune runs
// both branches of every block with autograd).
enum class BatchNormMode { Frozen, Train };
BatchNormMode parse_batchnorm_mode(const std::string& s, const std::string& where);
const char* to_string(BatchNormMode m);

// mri.train.init: resnet_random's initialisation. MedicalNet ("medicalnet", the default):
// Kaiming normal (fan_out); Uniform ("uniform"): PyTorch's default U(+-1/sqrt(fan_in)), paper
// II.C.
enum class InitMode { MedicalNet, Uniform };
InitMode parse_init_mode(const std::string& s, const std::string& where);
const char* to_string(InitMode m);

// Starts from pretrained backbone weights (MedicalNet or the cohort pretraining task).
inline bool is_pretrained(MriNetwork n) { return n != MriNetwork::ResNetRandom; }
// Has SpotTune's policy agent (agent depth, lr, Gumbel temperature, evaluation samples).
inline bool has_agent(MriNetwork n) { return n == MriNetwork::SpotTune; }

}  // namespace gbmsweep
