#include "models/medicalnet.hpp"

#include <map>
#include <sstream>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/log.hpp"
#include "models/torch_file.hpp"
#include "models/weights.hpp"

namespace gbmsweep::models {

namespace {

torch::ScalarType scalar_type(torchfile::DType t) {
  using torchfile::DType;
  switch (t) {
    case DType::Float32: return torch::kFloat32;
    case DType::Float64: return torch::kFloat64;
    case DType::Float16: return torch::kFloat16;
    case DType::BFloat16: return torch::kBFloat16;
    case DType::Int64: return torch::kInt64;
    case DType::Int32: return torch::kInt32;
    case DType::Int16: return torch::kInt16;
    case DType::Int8: return torch::kInt8;
    case DType::UInt8: return torch::kUInt8;
    case DType::Bool: return torch::kBool;
  }
  return torch::kFloat32;
}

struct TensorDict {
  std::string format;
  std::vector<std::string> ignored;
  std::map<std::string, torch::Tensor> tensors;
};

// Reads a torch.save'd dict of tensors (possibly {'state_dict': {...}, ...}) as name -> tensor.
// Parsing and every bounds check happen in torchfile; here only the copies into tensors.
TensorDict read_tensor_dict(const std::string& path) {
  const torchfile::TorchFile file = torchfile::read_torch_file(path);
  const torchfile::StateDict sd = torchfile::state_dict_of(file, path);
  TensorDict out;
  out.format = file.format;
  out.ignored = sd.ignored;
  std::map<const torchfile::Storage*, torch::Tensor> base;  // one copy per storage
  for (const auto& [name, ref] : sd.tensors) {
    torch::Tensor& b = base[ref.storage.get()];
    if (!b.defined())
      b = torch::from_blob(const_cast<char*>(ref.storage->bytes.data()), {ref.storage->numel},
                           torch::TensorOptions().dtype(scalar_type(ref.storage->dtype)))
              .clone();
    if (!out.tensors.emplace(name, b.as_strided(ref.size, ref.stride, ref.offset).clone()).second)
      throw InputError(path, "key '" + name + "' appears twice");
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
  auto read = read_tensor_dict(path);
  auto& file = read.tensors;
  auto state = model_state(*model);
  ImportReport report;
  report.format = read.format;
  report.ignored = read.ignored;
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
  GBM_LOG(Info, path << " (" << report.format << " format): loaded " << report.loaded.size()
                     << " tensors, dropped "
                     << report.dropped.size() << " conv_seg keys"
                     << (report.inflated ? ", conv1 inflated" : ""));
  return report;
}

WeightsCheck check_medicalnet_weights(const std::string& path, int depth, int width,
                                      int channels) {
  ResNet3DOptions o;
  o.depth = depth;
  o.width = width;
  o.in_channels = channels;
  ResNet3D net(o);
  const ImportReport r = import_medicalnet(path, net);
  WeightsCheck c;
  c.format = r.format;
  c.loaded = int(r.loaded.size());
  c.dropped = r.dropped;
  c.unexpected = r.unexpected;
  c.ignored = r.ignored;
  c.inflated = r.inflated;
  for (const auto& k : r.missing) (k.rfind("fc.", 0) == 0 ? c.classifier : c.missing).push_back(k);
  return c;
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
  auto file = read_tensor_dict(path).tensors;
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
