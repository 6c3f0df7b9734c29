#pragma once
// The drug-response MLP behind a LibTorch-free interface, so that task glue and tests of the
// data code do not include torch. The LibTorch module itself is in drug/mlp.hpp.
//
//   genes -> hidden[0] sigmoid (L2 on the kernel, L1 on the activity, uniform ±init_range)
//         -> dropout[0] -> hidden[1] softplus -> dropout[1] ... -> 1 softplus
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "drug/prep.hpp"

namespace gbmsweep::drug {

// Initialisation of the layers after the first: Glorot uniform, or U(±init_range) as the
// reference code does (two-step-TL Experiment1/4/5.ipynb: kernel_initializer=RandomUniform,
// Keras' default range ±0.05, on every Dense layer).
enum class DeepInit { Glorot, Uniform };
DeepInit parse_deep_init(const std::string& name);  // "glorot" | "uniform"

// Defaults are the paper's (Ju et al. 2025, after the Keras reference code).
struct MlpOptions {
  std::vector<std::int64_t> hidden{1000, 100};  // units per hidden layer
  std::vector<double> dropout{0.3, 0.1};        // after each hidden layer
  double l2 = 1e-4;                             // on the first layer's weights
  double l1_activity = 1e-4;                    // on the first layer's output (per sample)
  double init_range = 0.05;                     // first layer: U(-r, r)
  DeepInit deep_init = DeepInit::Glorot;        // the others
};

// How a test fold's inputs are scaled: with the scaler fitted on the training part (ours, no
// test information used), or re-fitted on the test fold itself as the reference code does
// (two-step-TL Experiment1/4/5.ipynb: exp_test = Scaler.fit_transform(exp_test)).
enum class TestScaling { TrainFit, TestFit };
TestScaling parse_test_scaling(const std::string& name);  // "train" | "test"

struct TrainOptions {
  double lr = 1e-3;  // Adam (epsilon 1e-7 as in Keras)
  int batch = 32;
  int epochs = 50;
  TestScaling test_scaling = TestScaling::TrainFit;
  std::function<bool()> cancelled = [] { return false; };  // polled between epochs
};

// The first layer, as transferred between steps, with the genes it was trained on.
struct Layer1 {
  std::int64_t inputs = 0, units = 0;
  std::vector<float> weight;  // units × inputs, row-major
  std::vector<float> bias;    // units
  std::vector<std::string> genes;
};

class DrugModel {
 public:
  // A freshly initialised model for `inputs` genes; initialisation is a function of `seed`.
  DrugModel(std::int64_t inputs, const MlpOptions& options, std::uint64_t seed);
  ~DrugModel();
  DrugModel(DrugModel&&) noexcept;
  DrugModel& operator=(DrugModel&&) noexcept;

  // Transfer: copy the first layer's weights and bias; the other layers keep their fresh
  // initialisation, and nothing is frozen.
  void load_first_layer(const Layer1& layer);
  Layer1 first_layer() const;

  // Trains on scaled inputs and targets; returns the mean training loss per epoch.
  std::vector<double> fit(const Cohort& x, const std::vector<double>& y,
                          const TrainOptions& options, std::uint64_t seed);
  std::vector<double> predict(const Cohort& x) const;

  // Per gene: the sum over hidden units of |first-layer weight|.
  std::vector<double> importance() const;

  // Writes the model (all layers, the gene list and the options) atomically to `path`.
  void save(const std::string& path, const std::vector<std::string>& genes) const;

  // Every parameter by name ("fc1.weight", "fc2.bias", "out.weight", ...), flattened.
  std::map<std::string, std::vector<float>> parameters() const;
  std::vector<std::int64_t> hidden_shape() const;  // units per hidden layer

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// The first layer and gene list of a model file written by DrugModel::save.
Layer1 load_first_layer(const std::string& path);

}  // namespace gbmsweep::drug
