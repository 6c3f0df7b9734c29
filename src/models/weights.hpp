#pragma once
// `gbmsweep weights`: a MedicalNet checkpoint checked against the network it is meant for,
// behind a torch-free interface (the CLI does not compile LibTorch headers).
#include <string>
#include <vector>

namespace gbmsweep::models {

struct WeightsCheck {
  std::string format;                   // "legacy" or "zip"
  int loaded = 0;                       // tensors copied into the network
  std::vector<std::string> dropped;     // conv_seg.* (MedicalNet's segmentation head)
  std::vector<std::string> missing;     // backbone keys the file lacks (should be none)
  std::vector<std::string> unexpected;  // file keys the network does not have
  std::vector<std::string> classifier;  // fc.*: new, never in MedicalNet files
  std::vector<std::string> ignored;     // root entries besides 'state_dict' (epoch, ...)
  bool inflated = false;                // conv1 repeated over input channels
};

// Builds ResNet3D(depth, width, channels) and imports `path` into it (import_medicalnet).
// InputError naming the file for truncated, foreign or mismatched (shape) files.
WeightsCheck check_medicalnet_weights(const std::string& path, int depth, int width = 64,
                                      int channels = 1);

}  // namespace gbmsweep::models
