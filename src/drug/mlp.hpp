#pragma once
// The LibTorch module of the drug MLP (Cloneable, so a trained model can be cloned).
#include <torch/torch.h>

#include "drug/model.hpp"

namespace gbmsweep::drug {

class DrugMlpImpl : public torch::nn::Cloneable<DrugMlpImpl> {
 public:
  DrugMlpImpl(std::int64_t inputs, MlpOptions options);
  void reset() override;
  // Output (batch) and the first layer's activations (batch × hidden[0]).
  std::pair<torch::Tensor, torch::Tensor> forward_with_activity(torch::Tensor x);
  torch::Tensor forward(torch::Tensor x) { return forward_with_activity(x).first; }

  std::int64_t inputs;
  MlpOptions options;
  std::vector<torch::nn::Linear> hidden;  // hidden[0] is the transferred first layer
  std::vector<torch::nn::Dropout> dropout;
  torch::nn::Linear out{nullptr};
};
TORCH_MODULE(DrugMlp);

struct DrugModel::Impl {
  DrugMlp net{nullptr};
};

}  // namespace gbmsweep::drug
