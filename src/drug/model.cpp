#include "drug/model.hpp"

#include <algorithm>
#include <sstream>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "drug/experiment.hpp"
#include "drug/mlp.hpp"

namespace gbmsweep::drug {

DeepInit parse_deep_init(const std::string& name) {
  if (name == "glorot") return DeepInit::Glorot;
  if (name == "uniform") return DeepInit::Uniform;
  throw InputError("", "unknown drug.model.deep_init '" + name + "' (glorot or uniform)");
}

TestScaling parse_test_scaling(const std::string& name) {
  if (name == "train") return TestScaling::TrainFit;
  if (name == "test") return TestScaling::TestFit;
  throw InputError("", "unknown drug.train.test_scaling '" + name + "' (train or test)");
}

DrugMlpImpl::DrugMlpImpl(std::int64_t inputs_, MlpOptions options_)
    : inputs(inputs_), options(std::move(options_)) {
  GBM_CHECK(!options.hidden.empty(), "the drug MLP needs at least one hidden layer");
  GBM_CHECK(options.hidden.size() == options.dropout.size(),
            options.hidden.size() << " hidden layers but " << options.dropout.size()
                                  << " dropout rates");
  GBM_CHECK(inputs > 0, "the drug MLP needs at least one input gene");
  reset();
}

void DrugMlpImpl::reset() {
  hidden.clear();
  dropout.clear();
  std::int64_t in = inputs;
  for (std::size_t i = 0; i < options.hidden.size(); ++i) {
    auto lin = register_module("fc" + std::to_string(i + 1),
                               torch::nn::Linear(in, options.hidden[i]));
    torch::NoGradGuard no_grad;
    // Keras: the first layer RandomUniform(±init_range), the others glorot_uniform or, as
    // the reference notebooks do, RandomUniform too; zero bias.
    if (i == 0 || options.deep_init == DeepInit::Uniform)
      lin->weight.uniform_(-options.init_range, options.init_range);
    else
      torch::nn::init::xavier_uniform_(lin->weight);
    lin->bias.zero_();
    hidden.push_back(lin);
    dropout.push_back(register_module("drop" + std::to_string(i + 1),
                                      torch::nn::Dropout(options.dropout[i])));
    in = options.hidden[i];
  }
  out = register_module("out", torch::nn::Linear(in, 1));
  torch::NoGradGuard no_grad;
  if (options.deep_init == DeepInit::Uniform)
    out->weight.uniform_(-options.init_range, options.init_range);
  else
    torch::nn::init::xavier_uniform_(out->weight);
  out->bias.zero_();
}

std::pair<torch::Tensor, torch::Tensor> DrugMlpImpl::forward_with_activity(torch::Tensor x) {
  torch::Tensor a1 = torch::sigmoid(hidden[0]->forward(x));
  torch::Tensor h = dropout[0]->forward(a1);
  for (std::size_t i = 1; i < hidden.size(); ++i)
    h = dropout[i]->forward(torch::softplus(hidden[i]->forward(h)));
  return {torch::softplus(out->forward(h)).squeeze(1), a1};
}

namespace {
torch::Tensor to_tensor(const Cohort& c) {
  return torch::from_blob(const_cast<float*>(c.x.data()),
                          {static_cast<std::int64_t>(c.n()), static_cast<std::int64_t>(c.p())},
                          torch::kFloat32)
      .clone();
}
}  // namespace

DrugModel::DrugModel(std::int64_t inputs, const MlpOptions& options, std::uint64_t seed)
    : impl_(std::make_unique<Impl>()) {
  torch::manual_seed(seed);
  impl_->net = DrugMlp(inputs, options);
}
DrugModel::~DrugModel() = default;
DrugModel::DrugModel(DrugModel&&) noexcept = default;
DrugModel& DrugModel::operator=(DrugModel&&) noexcept = default;

void DrugModel::load_first_layer(const Layer1& layer) {
  auto& fc1 = impl_->net->hidden[0];
  GBM_CHECK(layer.inputs == fc1->weight.size(1) && layer.units == fc1->weight.size(0),
            "transferred first layer is " << layer.units << "×" << layer.inputs
                                          << ", model expects " << fc1->weight.size(0) << "×"
                                          << fc1->weight.size(1));
  torch::NoGradGuard no_grad;
  fc1->weight.copy_(torch::from_blob(const_cast<float*>(layer.weight.data()),
                                     {layer.units, layer.inputs}, torch::kFloat32));
  fc1->bias.copy_(torch::from_blob(const_cast<float*>(layer.bias.data()), {layer.units},
                                   torch::kFloat32));
}

Layer1 DrugModel::first_layer() const {
  auto& fc1 = impl_->net->hidden[0];
  Layer1 l;
  l.units = fc1->weight.size(0);
  l.inputs = fc1->weight.size(1);
  auto w = fc1->weight.detach().contiguous();
  auto b = fc1->bias.detach().contiguous();
  l.weight.assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
  l.bias.assign(b.data_ptr<float>(), b.data_ptr<float>() + b.numel());
  return l;
}

std::vector<double> DrugModel::fit(const Cohort& c, const std::vector<double>& y,
                                   const TrainOptions& o, std::uint64_t seed) {
  GBM_CHECK(c.n() == y.size() && c.n() > 0, "fit needs as many targets as samples (> 0)");
  GBM_CHECK(static_cast<std::int64_t>(c.p()) == impl_->net->inputs,
            "model has " << impl_->net->inputs << " inputs, data " << c.p() << " genes");
  GBM_CHECK(o.batch > 0 && o.epochs > 0, "batch and epochs must be positive");
  torch::manual_seed(seed);  // dropout masks
  auto& net = impl_->net;
  net->train();
  const auto& mo = net->options;
  torch::Tensor X = to_tensor(c);
  torch::Tensor Y = torch::tensor(std::vector<float>(y.begin(), y.end()));
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(o.lr).eps(1e-7));
  const std::int64_t n = static_cast<std::int64_t>(c.n());
  std::vector<std::int64_t> perm(n);
  for (std::int64_t i = 0; i < n; ++i) perm[i] = i;
  SplitMix64 rng(seed);
  std::vector<double> curve;
  for (int e = 0; e < o.epochs; ++e) {
    if (o.cancelled()) throw Error("training cancelled", __FILE__, __LINE__);
    for (std::int64_t i = n; i > 1; --i) std::swap(perm[i - 1], perm[rng.below(i)]);
    torch::Tensor idx = torch::tensor(perm, torch::kLong);
    double total = 0;
    for (std::int64_t s = 0; s < n; s += o.batch) {
      auto b = idx.slice(0, s, std::min(n, s + o.batch));
      auto [pred, act] = net->forward_with_activity(X.index_select(0, b));
      // Keras adds the kernel L2 once per step and the activity L1 averaged over the batch.
      auto loss = torch::mse_loss(pred, Y.index_select(0, b)) +
                  mo.l2 * net->hidden[0]->weight.pow(2).sum() +
                  mo.l1_activity * act.abs().sum(1).mean();
      opt.zero_grad();
      loss.backward();
      opt.step();
      total += loss.item<double>() * b.size(0);
    }
    curve.push_back(total / n);
  }
  net->eval();
  return curve;
}

std::vector<double> DrugModel::predict(const Cohort& c) const {
  auto& net = impl_->net;
  GBM_CHECK(static_cast<std::int64_t>(c.p()) == net->inputs,
            "model has " << net->inputs << " inputs, data " << c.p() << " genes");
  if (c.n() == 0) return {};
  torch::NoGradGuard no_grad;
  const bool was_training = net->is_training();
  net->eval();
  auto p = net->forward(to_tensor(c)).to(torch::kDouble).contiguous();
  if (was_training) net->train();
  return {p.data_ptr<double>(), p.data_ptr<double>() + p.numel()};
}

std::map<std::string, std::vector<float>> DrugModel::parameters() const {
  std::map<std::string, std::vector<float>> out;
  for (const auto& kv : impl_->net->named_parameters()) {
    auto t = kv.value().detach().contiguous();
    out[kv.key()] = std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
  }
  return out;
}

std::vector<std::int64_t> DrugModel::hidden_shape() const {
  std::vector<std::int64_t> out;
  for (const auto& h : impl_->net->hidden) out.push_back(h->weight.size(0));
  return out;
}

std::vector<double> DrugModel::importance() const {
  auto s = impl_->net->hidden[0]->weight.detach().abs().sum(0).to(torch::kDouble).contiguous();
  return {s.data_ptr<double>(), s.data_ptr<double>() + s.numel()};
}

void DrugModel::save(const std::string& path, const std::vector<std::string>& genes) const {
  GBM_CHECK(static_cast<std::int64_t>(genes.size()) == impl_->net->inputs,
            "model has " << impl_->net->inputs << " inputs, " << genes.size() << " gene names");
  torch::serialize::OutputArchive archive, model;
  impl_->net->save(model);
  archive.write("model", model);
  archive.write("genes", c10::IValue(c10::List<std::string>(genes)));
  archive.write("hidden", c10::IValue(impl_->net->options.hidden));
  std::ostringstream os;
  archive.save_to(os);
  fs::atomic_write(path, os.str());
}

Layer1 load_first_layer(const std::string& path) {
  torch::serialize::InputArchive archive, model, fc1;
  torch::Tensor w, b;
  c10::IValue genes;
  try {
    archive.load_from(path);
    archive.read("model", model);
    model.read("fc1", fc1);
    fc1.read("weight", w);
    fc1.read("bias", b);
    archive.read("genes", genes);
  } catch (const c10::Error& e) {
    throw InputError(path, std::string("not a gbmsweep drug model: ") + e.what_without_backtrace());
  }
  if (!genes.isList() || w.dim() != 2 || b.dim() != 1 || b.size(0) != w.size(0))
    throw InputError(path, "not a gbmsweep drug model: malformed first layer or gene list");
  Layer1 l;
  l.units = w.size(0);
  l.inputs = w.size(1);
  w = w.contiguous();
  b = b.contiguous();
  l.weight.assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
  l.bias.assign(b.data_ptr<float>(), b.data_ptr<float>() + b.numel());
  for (const auto& g : genes.toListRef()) l.genes.push_back(g.toStringRef());
  if (static_cast<std::int64_t>(l.genes.size()) != l.inputs)
    throw InputError(path, "gene list does not match the first layer");
  return l;
}

}  // namespace gbmsweep::drug

namespace gbmsweep::drug {
void set_torch_threads(int threads) { torch::set_num_threads(std::max(1, threads)); }
}  // namespace gbmsweep::drug
