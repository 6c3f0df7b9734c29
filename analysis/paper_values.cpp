#include "analysis/paper_values.hpp"

#include "common/error.hpp"

namespace gbmsweep::analysis {

namespace {

// E. Schmitz, Y. Guo, J. Wang, "Adaptive Fine-tuning based Transfer Learning for the
// Identification of MGMT Promoter Methylation Status" (version typeset January 11, 2024):
// Tables 1 (SpotTune), 2 (random init), 3 (transferred, fc only) and 4 (Friedman / Nemenyi),
// hold-out test set of 57 patients (24 methylated). Copied from the text in ../shared/seeds/
// (003_…) and /work/shared/docs/METHODS.md, digit for digit.
PublishedStudy mgmt_paper() {
  PublishedStudy s;
  s.name = "mgmt_paper";
  s.citation =
      "Schmitz, Guo & Wang, Adaptive Fine-tuning based Transfer Learning for the Identification "
      "of MGMT Promoter Methylation Status (2024), Tables 1-4; hold-out test set of 57 patients "
      "(24 methylated)";
  s.test_patients = 57;
  s.test_methylated = 24;
  s.metrics = {
      {"spottune", "DSC", 0.6124, 0.5842, 0.5000, 0.6061},
      {"spottune", "DTI", 0.6654, 0.6008, 0.7500, 0.6364},
      {"spottune", "Struct", 0.5707, 0.5346, 0.5833, 0.4848},
      {"spottune", "DSC+DTI", 0.6604, 0.6179, 0.6667, 0.6061},
      {"spottune", "DSC+Struct", 0.6073, 0.5962, 0.5417, 0.5455},
      {"spottune", "DTI+Struct", 0.6376, 0.5289, 0.5833, 0.6364},
      {"spottune", "DSC+DTI+Struct", 0.6389, 0.5779, 0.6667, 0.5758},
      {"resnet_random", "DSC", 0.5051, 0.4872, 0.3750, 0.5758},
      {"resnet_random", "DTI", 0.6023, 0.5159, 0.3750, 0.6364},
      {"resnet_random", "Struct", 0.6061, 0.5334, 0.4167, 0.6061},
      {"resnet_random", "DSC+DTI", 0.5707, 0.5127, 0.3333, 0.6364},
      {"resnet_random", "DSC+Struct", 0.5669, 0.5271, 0.3750, 0.6667},
      {"resnet_random", "DTI+Struct", 0.5997, 0.5187, 0.4167, 0.6667},
      {"resnet_random", "DSC+DTI+Struct", 0.5783, 0.5018, 0.4583, 0.6364},
      {"resnet_transfer", "DSC", 0.5303, 0.4421, 0.5000, 0.6970},
      {"resnet_transfer", "DTI", 0.5947, 0.5445, 0.5833, 0.4848},
      {"resnet_transfer", "Struct", 0.4722, 0.4250, 0.5417, 0.4242},
      {"resnet_transfer", "DSC+DTI", 0.5808, 0.4992, 0.5417, 0.5455},
      {"resnet_transfer", "DSC+Struct", 0.5051, 0.4296, 0.5000, 0.5455},
      {"resnet_transfer", "DTI+Struct", 0.5732, 0.4869, 0.6250, 0.6061},
      {"resnet_transfer", "DSC+DTI+Struct", 0.5682, 0.4788, 0.5000, 0.6061},
  };
  // Friedman p; Nemenyi p for SpotTune-Random, Random-Transfer, SpotTune-Transfer.
  s.friedman = {
      {"DSC", 0.108, 0.177, 0.147, 0.9},
      {"DTI", 0.128, 0.121, 0.339, 0.822},
      {"Struct", 0.0970, 0.0982, 0.249, 0.876},
      {"DSC+DTI", 0.0131, 0.0103, 0.147, 0.554},
      {"DSC+Struct", 0.0222, 0.0503, 0.0395, 0.9},
      {"DTI+Struct", 0.00606, 0.00567, 0.0635, 0.661},
      {"DSC+DTI+Struct", 0.0180, 0.0181, 0.0982, 0.768},
      {"Best overall", 0.0636, 0.0181, 0.0982, 0.0768},
  };
  s.best_overall = {
      {"spottune", "DSC+DTI"}, {"resnet_random", "Struct"}, {"resnet_transfer", "DTI"}};
  return s;
}

}  // namespace

const PublishedStudy* published_study(const std::string& name) {
  static const PublishedStudy paper = mgmt_paper();
  if (name == "none") return nullptr;
  if (name == paper.name) return &paper;
  GBM_THROW("unknown published study '" << name << "' (none or mgmt_paper)");
}

}  // namespace gbmsweep::analysis
