#include "common/mri_network.hpp"

#include "common/error.hpp"

namespace gbmsweep {

namespace {
constexpr MriNetwork kAll[] = {MriNetwork::SpotTune, MriNetwork::ResNetRandom,
                               MriNetwork::ResNetTransfer};
}

const char* to_string(MriNetwork n) {
  switch (n) {
    case MriNetwork::SpotTune: return "spottune";
    case MriNetwork::ResNetRandom: return "resnet_random";
    case MriNetwork::ResNetTransfer: return "resnet_transfer";
  }
  return "?";
}

const std::vector<std::string>& mri_network_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (MriNetwork n : kAll) v.emplace_back(to_string(n));
    return v;
  }();
  return names;
}

MriNetwork parse_mri_network(const std::string& s, const std::string& where) {
  for (MriNetwork n : kAll)
    if (s == to_string(n)) return n;
  std::string allowed;
  for (const auto& name : mri_network_names()) allowed += (allowed.empty() ? "" : ", ") + name;
  throw InputError(where, "network '" + s + "' is not one of " + allowed);
}

const char* to_string(BatchNormMode m) { return m == BatchNormMode::Train ? "train" : "frozen"; }

BatchNormMode parse_batchnorm_mode(const std::string& s, const std::string& where) {
  for (BatchNormMode m : {BatchNormMode::Frozen, BatchNormMode::Train})
    if (s == to_string(m)) return m;
  throw InputError(where, "BatchNorm mode '" + s + "' is not one of frozen, train");
}

const char* to_string(InitMode m) { return m == InitMode::Uniform ? "uniform" : "medicalnet"; }

InitMode parse_init_mode(const std::string& s, const std::string& where) {
  for (InitMode m : {InitMode::MedicalNet, InitMode::Uniform})
    if (s == to_string(m)) return m;
  throw InputError(where, "initialisation '" + s + "' is not one of medicalnet, uniform");
}

}  // namespace gbmsweep
