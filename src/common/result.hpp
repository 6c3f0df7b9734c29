#pragma once
// What a task returns. The store persists it; analysis reads it back. No LibTorch here.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace gbmsweep {

using json = nlohmann::json;

// One set of per-sample predictions, e.g. "val", "test" or "oof" (out-of-fold).
struct Predictions {
  std::string name;
  std::vector<std::string> ids;  // sample IDs (patients, cell lines, cultures)
  std::vector<double> labels;    // observed labels or targets
  std::vector<double> scores;    // probability (classification) or prediction (regression)
  // Optional stochastic draws behind `scores`: samples[i] holds sample i's draws
  // (e.g. 100 Gumbel samples of SpotTune). Empty when the model is deterministic.
  std::vector<std::vector<float>> samples;
};

// A per-epoch (or per-step) curve, e.g. "train_loss", "val_auc".
struct Curve {
  std::string name;
  std::vector<double> values;
};

struct TaskResult {
  json metrics = json::object();  // flat name -> number (or string) summary
  std::vector<Curve> curves;
  std::vector<Predictions> predictions;
  // Large outputs written by the task under its artifact directory:
  // name -> path relative to the store directory.
  std::map<std::string, std::string> artifacts;
  json extra = json::object();  // anything else small and structured (e.g. gene importance top-k)
};

}  // namespace gbmsweep
