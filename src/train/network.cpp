#include "train/network.hpp"

#include <cmath>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/mpi.hpp"
#include "models/medicalnet.hpp"
#include "gbmsweep/config.hpp"
#include "train/foreach_adam.hpp"
#if GBMSWEEP_HAS_CPU_ENGINE
#include "models/cpu/fused_adam.hpp"
#endif

namespace gbmsweep::train {

using models::ResNet3D;
using models::ResNet3DOptions;
using models::SpotTune3D;
using models::SpotTuneOptions;

nlohmann::json NetworkSpec::to_json() const {
  return {{"network", to_string(network)}, {"depth", depth},       {"agent_depth", agent_depth},
          {"width", width},         {"agent_width", agent_width},
          {"in_channels", in_channels}, {"tau", tau},
          {"transfer_trainable_blocks", transfer_trainable_blocks},
          {"bn", to_string(bn)}, {"init", to_string(init)}};
}

NetworkSpec NetworkSpec::from_json(const nlohmann::json& j, const std::string& where) {
  NetworkSpec s;
  s.network = parse_mri_network(j.at("network").get<std::string>(), where);
  s.depth = j.at("depth").get<int>();
  s.agent_depth = j.at("agent_depth").get<int>();
  s.width = j.at("width").get<int64_t>();
  s.agent_width = j.at("agent_width").get<int64_t>();
  s.in_channels = j.at("in_channels").get<int64_t>();
  s.tau = j.at("tau").get<double>();
  s.transfer_trainable_blocks = j.at("transfer_trainable_blocks").get<int>();
  // Checkpoints from before the options hold neither: the defaults.
  s.bn = parse_batchnorm_mode(j.value("bn", std::string("frozen")), where);
  s.init = parse_init_mode(j.value("init", std::string("medicalnet")), where);
  return s;
}

namespace {
// PyTorch's default layer initialisation (reset_parameters of Conv3d and Linear): weights by
// kaiming_uniform_(a = sqrt(5)), i.e. U(±1/sqrt(fan_in)), biases U(±1/sqrt(fan_in)); BatchNorm
// as identity. The paper (II.C) initialises the random ResNet50 "following a uniform
// distribution"; the reference code builds it with PyTorch's defaults.
void init_uniform(torch::nn::Module& m) {
  torch::NoGradGuard no_grad;
  for (auto& mod : m.modules(/*include_self=*/false)) {
    torch::Tensor w, b;
    if (auto* c = mod->as<torch::nn::Conv3d>()) w = c->weight, b = c->bias;
    if (auto* l = mod->as<torch::nn::Linear>()) w = l->weight, b = l->bias;
    if (auto* n = mod->as<torch::nn::BatchNorm3d>()) {
      n->weight.fill_(1.0);
      n->bias.zero_();
    }
    if (!w.defined()) continue;
    const double bound = 1.0 / std::sqrt(static_cast<double>(w[0].numel()));  // 1/sqrt(fan_in)
    w.uniform_(-bound, bound);
    if (b.defined()) b.uniform_(-bound, bound);
  }
}
}  // namespace

Network::Network(const NetworkSpec& spec) : spec_(spec) {
  if (spec.network == MriNetwork::SpotTune) {
    SpotTuneOptions o;
    o.depth = spec.depth;
    o.agent_depth = spec.agent_depth;
    o.in_channels = spec.in_channels;
    o.width = spec.width;
    o.agent_width = spec.agent_width;
    spot_ = SpotTune3D(o);
  } else {  // ResNetRandom, ResNetTransfer
    ResNet3DOptions o;
    o.depth = spec.depth;
    o.in_channels = spec.in_channels;
    o.width = spec.width;
    resnet_ = ResNet3D(o);
    if (spec.network == MriNetwork::ResNetRandom && spec.init == InitMode::Uniform)
      init_uniform(*resnet_);
  }
  if (spec.network == MriNetwork::ResNetTransfer) {
    const int n = static_cast<int>(resnet_->blocks().size());
    GBM_CHECK(spec.transfer_trainable_blocks >= 0 && spec.transfer_trainable_blocks <= n,
              "transfer_trainable_blocks must be in [0, " << n << "]");
    for (auto& p : resnet_->parameters()) p.set_requires_grad(false);
    for (auto& p : resnet_->fc->parameters()) p.set_requires_grad(true);
    auto blocks = resnet_->blocks();
    for (int i = n - spec.transfer_trainable_blocks; i < n; ++i)
      for (auto& p : blocks[i]->parameters()) p.set_requires_grad(true);
  }
}

void Network::load_pretrained(const std::string& path) {
  GBM_CHECK(is_pretrained(spec_.network), "resnet_random takes no pretrained weights");
  ResNet3DOptions o;
  o.depth = spec_.depth;
  o.in_channels = spec_.in_channels;
  o.width = spec_.width;
  if (spot_) {
    ResNet3D pre(o);
    models::import_medicalnet(path, pre);
    spot_->load_backbone(pre);
  } else {
    models::import_medicalnet(path, resnet_);  // requires_grad flags are kept by copy_
  }
}

void Network::to(const Device& device, Precision precision) {
  device_ = to_torch(device);
  autocast_ = device.is_cuda() && precision == Precision::Bf16;
  if (!device.is_cuda()) return;
  module().to(device_);
  torch::NoGradGuard no_grad;
  for (auto& p : module().parameters())
    if (p.dim() == 5) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast3d));
}

torch::Tensor Network::on_device(const torch::Tensor& x) const {
  if (device_.is_cpu()) return x;
  auto y = x.to(device_);
  return y.dim() == 5 ? y.contiguous(torch::MemoryFormat::ChannelsLast3d) : y;
}

void Network::set_training(bool on) {
  if (spec_.bn == BatchNormMode::Train) {
    module().torch::nn::Module::train(on);  // every BatchNorm, frozen copies too (model.train())
  } else if (spot_) {
    spot_->train(on);
  } else if (spec_.network == MriNetwork::ResNetRandom) {
    resnet_->train(on);
  } else {
    resnet_->eval();  // transfer: pretrained statistics, and fc has no BatchNorm
  }
}

torch::Tensor Network::train_logits(const torch::Tensor& x_in, const torch::Tensor& gumbel) {
  auto x = on_device(x_in);
  AutocastScope autocast(autocast_);
  if (spot_) {
    auto policy = models::SpotTune3DImpl::gumbel_policy(spot_->agent_logits(x),
                                                       gumbel.to(device_), spec_.tau);
    // Training-mode BatchNorm needs the whole batch through both branches (the reference
    // formulation): the row-split forward would normalise each branch's rows on their own.
    if (spec_.bn == BatchNormMode::Train) return spot_->forward_naive(x, policy).to(torch::kFloat);
    return spot_->forward(x, policy).to(torch::kFloat);
  }
  return resnet_->forward(x).squeeze(1).to(torch::kFloat);
}

torch::Tensor Network::probabilities(const torch::Tensor& x_in, const torch::Tensor& gumbel) {
  torch::NoGradGuard no_grad;
  auto x = on_device(x_in);
  AutocastScope autocast(autocast_);
  if (spot_) return spot_->sample_probabilities(x, gumbel.to(device_)).to(torch::kFloat);
  return torch::sigmoid(resnet_->forward(x)).to(torch::kFloat);  // [n, 1]
}

int64_t Network::policy_blocks() const { return spot_ ? spot_->num_blocks() : 0; }

std::vector<torch::Tensor> Network::main_parameters() {
  if (spot_) return spot_->main_parameters();
  std::vector<torch::Tensor> out;
  for (auto& p : resnet_->parameters())
    if (p.requires_grad()) out.push_back(p);
  return out;
}

std::vector<torch::Tensor> Network::agent_parameters() {
  return spot_ ? spot_->agent_parameters() : std::vector<torch::Tensor>{};
}

std::vector<torch::Tensor> Network::training_batchnorm_stats() {
  std::vector<torch::Tensor> out;
  for (auto& m : module().modules())
    if (auto* bn = m->as<torch::nn::BatchNorm3d>(); bn && bn->is_training()) {
      out.push_back(bn->running_mean);
      out.push_back(bn->running_var);
    }
  return out;
}

torch::nn::Module& Network::module() {
  if (spot_) return *spot_;
  return *resnet_;
}

void Network::save(const std::string& path) {
  c10::Dict<std::string, torch::Tensor> state;
  // Host copies in the plain layout (a CUDA network's weights are channels_last_3d).
  const auto host = [](const torch::Tensor& t) { return t.detach().cpu().contiguous().clone(); };
  for (auto& p : module().named_parameters()) state.insert(p.key(), host(p.value()));
  for (auto& b : module().named_buffers()) state.insert(b.key(), host(b.value()));
  c10::impl::GenericDict root(c10::StringType::get(), c10::AnyType::get());
  root.insert("meta", spec_.to_json().dump());
  root.insert("state", state);
  auto bytes = torch::pickle_save(c10::IValue(root));
  fs::atomic_write(path, std::string(bytes.begin(), bytes.end()));
}

Network Network::load(const std::string& path) {
  const std::string bytes = fs::read_all(path);
  c10::impl::GenericDict root(c10::StringType::get(), c10::AnyType::get());
  try {
    auto v = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
    if (!v.isGenericDict()) throw InputError(path, "not a gbmsweep checkpoint");
    root = v.toGenericDict();
  } catch (const c10::Error& e) {
    throw InputError(path, std::string("cannot read checkpoint: ") + e.what_without_backtrace());
  }
  if (!root.contains("meta") || !root.contains("state"))
    throw InputError(path, "not a gbmsweep checkpoint (no 'meta'/'state')");
  NetworkSpec spec;
  try {
    spec = NetworkSpec::from_json(nlohmann::json::parse(root.at("meta").toStringRef()), path);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path, std::string("bad checkpoint metadata: ") + e.what());
  }
  Network net(spec);
  auto state = root.at("state").toGenericDict();
  torch::NoGradGuard no_grad;
  auto copy = [&](const std::string& k, torch::Tensor& t) {
    if (!state.contains(k)) throw InputError(path, "checkpoint lacks '" + k + "'");
    auto src = state.at(k).toTensor();
    if (src.sizes() != t.sizes()) throw InputError(path, "wrong shape for '" + k + "'");
    t.copy_(src);
  };
  for (auto& p : net.module().named_parameters()) copy(p.key(), p.value());
  for (auto& b : net.module().named_buffers()) copy(b.key(), b.value());
  return net;
}

namespace {

// The one optimiser dispatch, all with torch's Adam arithmetic: the CPU engine's FusedAdam
// (AVX-512, one pass per parameter) for CPU parameters, ForeachAdam (multi-tensor kernels) for
// CUDA ones, torch's own Adam for CPU parameters in a build without the CPU engine.
std::unique_ptr<torch::optim::Adam> make_adam(const std::vector<torch::Tensor>& params,
                                              double lr, double weight_decay) {
  auto options = torch::optim::AdamOptions(lr).weight_decay(weight_decay);
  if (params.front().is_cuda()) return std::make_unique<ForeachAdam>(params, options);
#if GBMSWEEP_HAS_CPU_ENGINE
  if (params.front().is_cpu()) return std::make_unique<FusedAdam>(params, options);
#endif
  return std::make_unique<torch::optim::Adam>(params, options);
}

}  // namespace

Optimizers::Optimizers(Network& net, const StepOptions& o) {
  auto main = net.main_parameters();
  GBM_CHECK(!main.empty(), "network has no trainable parameters");
  main_ = make_adam(main, o.lr, o.weight_decay);
  params_ = main;
  auto agent = net.agent_parameters();
  if (!agent.empty()) {
    agent_ = make_adam(agent, o.agent_lr, o.weight_decay);
    params_.insert(params_.end(), agent.begin(), agent.end());
  }
}

void Optimizers::zero_grad() {
  // Undefined, not zeros: the backward pass only allocates what it reaches.
  for (auto& p : params_)
    if (p.grad().defined()) p.mutable_grad().reset();
}

void Optimizers::step() {
  main_->step();
  if (agent_) agent_->step();
}

void Optimizers::scale_lr(double factor) {
  for (auto* opt : {main_.get(), agent_.get()}) {
    if (!opt) continue;
    for (auto& g : opt->param_groups()) {
      auto& o = static_cast<torch::optim::AdamOptions&>(g.options());
      o.lr(o.lr() * factor);
    }
  }
}

double Optimizers::lr() const {
  return static_cast<const torch::optim::AdamOptions&>(main_->param_groups().front().options())
      .lr();
}

std::vector<torch::Tensor> Optimizers::parameters() const { return params_; }

namespace {

bool is_out_of_memory(const std::exception& e) {
  if (dynamic_cast<const c10::OutOfMemoryError*>(&e) || dynamic_cast<const std::bad_alloc*>(&e))
    return true;
  const std::string what = e.what();  // the CPU allocator's own words in LibTorch 1.13
  return what.find("out of memory") != std::string::npos ||
         what.find("not enough memory") != std::string::npos;
}

}  // namespace

std::string describe_step_failure(const std::exception& e, const Network& net,
                                  const std::vector<MicroBatch>& micro, int64_t global_n,
                                  const char* stage) {
  const bool oom = is_out_of_memory(e);
  std::ostringstream os;
  os << (oom ? "out of memory" : "failed") << " in the " << stage << " of a "
     << to_string(net.spec().network) << " training step on " << net.device()
     << ": a batch of " << global_n << " images";
  int64_t rows = 0;
  for (const auto& mb : micro) rows += mb.x.defined() ? mb.x.size(0) : 0;
  if (!micro.empty() && micro.front().x.defined())
    os << ", " << rows << " of them on this rank in " << micro.size() << " micro-batch(es) of "
       << micro.front().x.sizes();
  os << ": " << error_first_line(e);
  if (oom)
    os << ". Ask for less: mri.train.micro_batches (the batch in parts, gradients "
          "accumulated), mri.train.precision = \"bf16\", the batch split over more ranks "
          "(run.ranks_per_task), or a smaller mri.train.batch";
  return os.str();
}

torch::Tensor train_step(Network& net, Optimizers& opt, const std::vector<MicroBatch>& micro,
                         int64_t global_n, GradientReducer& reducer) {
  opt.zero_grad();
  // Summed on the device in double (the same additions as summing loss.item() on the host):
  // no wait for the GPU inside a step.
  auto loss_sum = torch::zeros({}, torch::TensorOptions(torch::kDouble).device(net.device()));
  // Scaled so that the reducer's average over ranks gives sum(loss) / global_n.
  const double scale = static_cast<double>(reducer.size()) / static_cast<double>(global_n);
  auto stats = net.training_batchnorm_stats();
  std::vector<torch::Tensor> start, acc;
  for (auto& t : stats) {
    start.push_back(t.clone());
    acc.push_back(torch::zeros_like(t));
  }
  auto count = torch::zeros({1}, stats.empty() ? torch::TensorOptions() : stats[0].options());
  // A rank that fails here (out of GPU memory, most likely) would never reach the collectives
  // below; its peers would wait there for ever. So the ranks agree first, and all throw.
  std::string failure;
  try {
    for (const auto& mb : micro) {
      if (mb.x.size(0) == 0) continue;
      {
        torch::NoGradGuard no_grad;
        for (size_t i = 0; i < stats.size(); ++i) stats[i].copy_(start[i]);
      }
      auto logits = net.train_logits(mb.x, mb.gumbel);
      auto loss = torch::binary_cross_entropy_with_logits(
          logits, mb.y, {}, {}, torch::Reduction::Sum);
      (loss * scale).backward();
      loss_sum.add_(loss.detach().to(torch::kDouble));
      torch::NoGradGuard no_grad;
      for (size_t i = 0; i < stats.size(); ++i) acc[i].add_(stats[i]);
      count += 1;
    }
  } catch (const std::exception& e) {
    failure = describe_step_failure(e, net, micro, global_n, "forward/backward pass");
  }
  mpi::agree_or_throw(failure, "in a training step's forward/backward pass", reducer.comm());
  if (!stats.empty()) {
    torch::NoGradGuard no_grad;
    acc.push_back(count);
    reducer.average(acc);  // sums and counts, both divided by the rank count
    // The mean over micro-batches, divided on the device (a count of 0, only possible when no
    // rank had a row, keeps the step's starting values).
    const auto n = acc.back();
    for (size_t i = 0; i < stats.size(); ++i)
      stats[i].copy_(torch::where(n > 0, acc[i] / n, start[i]));
  }
  reducer.average_gradients(opt.parameters());
  // The first step allocates Adam's moments (twice the trainable weights): agree on that too,
  // or a rank that failed there would leave its peers waiting in the next step.
  try {
    // A fine-tuned block that no image chose has no gradient; the paper's formulation gives it
    // an exact zero, and Adam still moves it (moments, weight decay): do the same.
    for (auto& p : opt.parameters())
      if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    opt.step();
  } catch (const std::exception& e) {
    failure = describe_step_failure(e, net, micro, global_n, "optimiser step");
  }
  mpi::agree_or_throw(failure, "in a training step's optimiser step", reducer.comm());
  return loss_sum;
}

}  // namespace gbmsweep::train
