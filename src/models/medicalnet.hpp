#pragma once
// MedicalNet weight import. MedicalNet ships legacy (pre-1.6) `torch.save` files holding
// `{'state_dict': OrderedDict}` saved from DataParallel (keys prefixed `module.`) with a
// segmentation head `conv_seg.*`. Both the legacy and the zip format are read as published
// (models/torch_file.hpp, without LibTorch's unpickler), no re-save needed.
#include <string>
#include <vector>

#include "models/resnet3d.hpp"

namespace gbmsweep::models {

struct ImportReport {
  std::string format;                   // "legacy" or "zip"
  std::vector<std::string> ignored;     // root entries besides 'state_dict' (epoch, optimizer)
  std::vector<std::string> loaded;      // model keys filled from the file
  std::vector<std::string> missing;     // model keys the file lacks (fc.* is expected here)
  std::vector<std::string> unexpected;  // file keys the model does not have (after stripping)
  std::vector<std::string> dropped;     // conv_seg.* keys, dropped on purpose
  bool inflated = false;                // conv1 repeated over input channels
};

// Reads `path` (torch.save of a dict, either format, optionally under 'state_dict'), strips
// `module.`, drops `conv_seg.*`, copies matching tensors into `model` (parameters and
// buffers). A 1-channel conv1 is inflated to the model's channel count. Shape mismatches are
// errors (InputError naming the file); missing and unexpected keys are logged as warnings and
// returned, never ignored silently.
ImportReport import_medicalnet(const std::string& path, ResNet3D& model);

// Weight inflation: repeat a [O, 1, k, k, k] kernel over `channels` input channels, / channels.
torch::Tensor inflate_conv1(const torch::Tensor& weight, int64_t channels);

// Saves every parameter and buffer of `model` whose name does not start with `skip_prefix`
// ("" = none) as a `name -> tensor` dict (MedicalNet layout for a ResNet3D: module.-free keys),
// zip format, written atomically.
void save_state_dict(const std::string& path, torch::nn::Module& model,
                     const std::string& skip_prefix = "");
// Loads a dict written by save_state_dict (or any `name -> tensor` dict) into `model`; every
// key must match (InputError naming the file otherwise).
void load_state_dict(const std::string& path, torch::nn::Module& model);

}  // namespace gbmsweep::models
