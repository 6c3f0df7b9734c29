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

// Starts from pretrained backbone weights (MedicalNet or the cohort pretraining task).
inline bool is_pretrained(MriNetwork n) { return n != MriNetwork::ResNetRandom; }
// Has SpotTune's policy agent (agent depth, lr, Gumbel temperature, evaluation samples).
inline bool has_agent(MriNetwork n) { return n == MriNetwork::SpotTune; }

}  // namespace gbmsweep
