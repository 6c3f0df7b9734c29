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

}  // namespace gbmsweep
