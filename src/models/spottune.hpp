#pragma once
// SpotTune3D (Guo et al. 2019, as used by Schmitz et al. for MGMT): per image and per residual
// block l, x_l = I_l * Fhat_l(x_{l-1}) + (1 - I_l) * F_l(x_{l-1}), where F is the frozen
// pretrained block, Fhat its fine-tuned clone, and I the straight-through Gumbel-softmax
// decision of a small agent ResNet that reads the same image.
//
// Cost model (see docs/models.md): the frozen copy and the stem build no weight gradients; an
// image runs the branch it selected with autograd and the other branch without a graph, because
// the straight-through gradient dL/dI_l = <dL/dx_l, F_branch(x_{l-1})> needs both outputs'
// values but never a backward pass through the branch that was not taken. All backbone
// BatchNorms (stem, F, Fhat) use their pretrained running statistics (eval mode), so an image's
// output does not depend on which other images share its branch.
#include <torch/torch.h>

#include <vector>

#include "models/resnet3d.hpp"

namespace gbmsweep::models {

struct SpotTuneOptions {
  int depth = 50;             // backbone (MedicalNet layout)
  int agent_depth = 10;       // the policy network
  int64_t in_channels = 1;
  int64_t width = 64;         // backbone width (MedicalNet: 64)
  int64_t agent_width = 64;   // agent width
};

class SpotTune3DImpl : public torch::nn::Cloneable<SpotTune3DImpl> {
 public:
  explicit SpotTune3DImpl(const SpotTuneOptions& options);
  void reset() override;
  // Backbone BatchNorms stay in eval mode whatever `on` is; the agent follows `on`.
  void train(bool on = true) override;

  // Loads pretrained weights into the frozen copy and the stem, and makes the fine-tuned
  // blocks clones of the pretrained blocks. The classifier `backbone.fc` is left as is.
  void load_backbone(const ResNet3D& pretrained);

  int64_t num_blocks() const;
  torch::Tensor agent_logits(const torch::Tensor& x);  // [N, L, 2]; index 1 = fine-tuned

  // Straight-through Gumbel-softmax: the forward value is exactly one-hot(argmax(logits + g));
  // the gradient is that of softmax((logits + g) / tau).
  static torch::Tensor gumbel_policy(const torch::Tensor& logits, const torch::Tensor& gumbel,
                                     double tau);

  // Training forward (efficient): policy [N, L, 2] from gumbel_policy; returns logits [N].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& policy);
  // The same function computed as written in the paper: both branches for every image.
  torch::Tensor forward_naive(const torch::Tensor& x, const torch::Tensor& policy);

  // Evaluation without autograd: probabilities [N, S] for S Gumbel draws gumbel [S, N, L, 2].
  // Stem and agent run once per image; samples that took the same route so far share the
  // activations (a prefix tree), and only the selected branch runs.
  torch::Tensor sample_probabilities(const torch::Tensor& x, const torch::Tensor& gumbel);

  std::vector<torch::Tensor> main_parameters();   // fine-tuned blocks + classifier
  std::vector<torch::Tensor> agent_parameters();

  const SpotTuneOptions& options() const { return options_; }

  ResNet3D backbone{nullptr};              // stem + frozen blocks F + classifier fc
  torch::nn::ModuleList tuned{nullptr};    // fine-tuned blocks Fhat
  ResNet3D agent{nullptr};

 private:
  void freeze_backbone();
  SpotTuneOptions options_;
};
TORCH_MODULE(SpotTune3D);

// Gumbel(0, 1) noise of the given shape from a seeded CPU generator.
torch::Tensor sample_gumbel(torch::IntArrayRef shape, torch::Generator& gen);

}  // namespace gbmsweep::models
