#include "models/medicalnet.hpp"

#include <map>
#include <sstream>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/log.hpp"

namespace gbmsweep::models {

namespace {

// Reads a torch.save'd dict of tensors (possibly {'state_dict': {...}}) as name -> tensor.
std::map<std::string, torch::Tensor> read_tensor_dict(const std::string& path) {
  const std::string bytes = fs::read_all(path);
  c10::IValue root;
  try {
    root = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
  } catch (const c10::Error& e) {
    // Legacy (pre-1.6) pickles fail here, and so does a one-entry dict such as MedicalNet's
    // {'state_dict': sd} (pickled with SETITEM, which LibTorch 1.13 does not implement).
    throw InputError(path, std::string("cannot read as a zip-format PyTorch file; re-save it "
                                       "as a flat dict (docs/models.md): ") +
                               e.what_without_backtrace());
  }
  if (!root.isGenericDict()) throw InputError(path, "expected a dict of tensors");
  auto dict = root.toGenericDict();
  for (const auto& kv : dict) {
    if (kv.key().isString() && kv.key().toStringRef() == "state_dict") {
      if (!kv.value().isGenericDict()) throw InputError(path, "'state_dict' is not a dict");
      dict = kv.value().toGenericDict();
      break;
    }
  }
  std::map<std::string, torch::Tensor> out;
  for (const auto& kv : dict) {
    if (!kv.key().isString()) throw InputError(path, "a state-dict key is not a string");
    if (!kv.value().isTensor())
      throw InputError(path, "value of '" + kv.key().toStringRef() + "' is not a tensor");
    out[kv.key().toStringRef()] = kv.value().toTensor();
  }
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::ostringstream os;
  for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  return os.str();
}

// name -> tensor for every parameter and buffer of a module.
std::map<std::string, torch::Tensor> model_state(torch::nn::Module& m) {
  std::map<std::string, torch::Tensor> out;
  for (auto& p : m.named_parameters()) out[p.key()] = p.value();
  for (auto& b : m.named_buffers()) out[b.key()] = b.value();
  return out;
}

}  // namespace

torch::Tensor inflate_conv1(const torch::Tensor& weight, int64_t channels) {
  GBM_CHECK(weight.dim() == 5 && weight.size(1) == 1, "inflate_conv1: expected [O, 1, k, k, k]");
  return weight.repeat({1, channels, 1, 1, 1}) / static_cast<double>(channels);
}

ImportReport import_medicalnet(const std::string& path, ResNet3D& model) {
  auto file = read_tensor_dict(path);
  auto state = model_state(*model);
  ImportReport report;
  std::map<std::string, torch::Tensor> stripped;
  for (auto& [key, t] : file) {
    std::string k = key.rfind("module.", 0) == 0 ? key.substr(7) : key;
    if (k.rfind("conv_seg.", 0) == 0) {
      report.dropped.push_back(k);
      continue;
    }
    stripped[k] = t;
  }
  torch::NoGradGuard no_grad;
  for (auto& [k, t] : stripped) {
    auto it = state.find(k);
    if (it == state.end()) {
      report.unexpected.push_back(k);
      continue;
    }
    torch::Tensor src = t;
    if (k == "conv1.weight" && t.dim() == 5 && t.size(1) == 1 && it->second.size(1) > 1) {
      src = inflate_conv1(t, it->second.size(1));
      report.inflated = true;
    }
    if (src.sizes() != it->second.sizes()) {
      std::ostringstream os;
      os << "shape of '" << k << "' is " << src.sizes() << ", the model needs "
         << it->second.sizes() << " (wrong depth or width?)";
      throw InputError(path, os.str());
    }
    it->second.copy_(src.to(it->second.dtype()));
    report.loaded.push_back(k);
  }
  for (auto& [k, t] : state)
    if (!stripped.count(k)) report.missing.push_back(k);
  std::vector<std::string> missing_backbone;
  for (auto& k : report.missing)
    if (k.rfind("fc.", 0) != 0) missing_backbone.push_back(k);
  if (!missing_backbone.empty())
    GBM_LOG(Warn, path << ": " << missing_backbone.size()
                       << " backbone keys missing (left at their initial values): "
                       << join(missing_backbone));
  if (!report.unexpected.empty())
    GBM_LOG(Warn, path << ": " << report.unexpected.size()
                       << " unexpected keys ignored: " << join(report.unexpected));
  GBM_LOG(Info, path << ": loaded " << report.loaded.size() << " tensors, dropped "
                     << report.dropped.size() << " conv_seg keys"
                     << (report.inflated ? ", conv1 inflated" : ""));
  return report;
}

void save_state_dict(const std::string& path, torch::nn::Module& model,
                     const std::string& skip_prefix) {
  c10::Dict<std::string, torch::Tensor> dict;
  for (auto& [k, t] : model_state(model))
    if (skip_prefix.empty() || k.rfind(skip_prefix, 0) != 0) dict.insert(k, t.detach().clone());
  auto bytes = torch::pickle_save(c10::IValue(dict));
  fs::atomic_write(path, std::string(bytes.begin(), bytes.end()));
}

void load_state_dict(const std::string& path, torch::nn::Module& model) {
  auto file = read_tensor_dict(path);
  auto state = model_state(model);
  torch::NoGradGuard no_grad;
  for (auto& [k, t] : state) {
    auto it = file.find(k);
    if (it == file.end()) throw InputError(path, "missing tensor '" + k + "'");
    if (it->second.sizes() != t.sizes()) throw InputError(path, "wrong shape for '" + k + "'");
    t.copy_(it->second);
  }
  if (file.size() != state.size())
    throw InputError(path, "has " + std::to_string(file.size()) + " tensors, the model " +
                               std::to_string(state.size()));
}

}  // namespace gbmsweep::models
