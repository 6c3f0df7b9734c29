#include "train/mri_training.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>

#include <torch/torch.h>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/mpi.hpp"
#include "gbmsweep/config.hpp"
#include "models/device_copy.hpp"
#include "models/medicalnet.hpp"
#include "train/device_torch.hpp"
#include "train/network.hpp"
#include "train/reducer.hpp"
#include "train/selection.hpp"

namespace gbmsweep::train {

namespace {

constexpr int kPredictBatch = 4;  // images per no-grad forward (eval-mode BN: any size gives
                                  // the same numbers)

torch::Tensor volumes(const VolumeBatchSet& s, const char* what,
                      const torch::Device& device = torch::kCPU) {
  const auto& sh = s.shape;
  const auto n = static_cast<int64_t>(s.size());
  GBM_CHECK(n > 0, what << " set is empty");
  GBM_CHECK(s.labels.size() == s.ids.size(), what << " set: " << s.ids.size() << " ids but "
                                                  << s.labels.size() << " labels");
  GBM_CHECK(s.data.size() == static_cast<size_t>(n * sh[0] * sh[1] * sh[2] * sh[3]),
            what << " set: data holds " << s.data.size() << " values, expected " << n << "x"
                 << sh[0] << "x" << sh[1] << "x" << sh[2] << "x" << sh[3]);
  // Read-only view: every use below copies (index_select, slices fed to conv). On a GPU the
  // whole set is copied there once, and batches are sliced on the device.
  return torch::from_blob(const_cast<float*>(s.data.data()), {n, sh[0], sh[1], sh[2], sh[3]},
                          torch::kFloat)
      .to(device);
}

torch::Tensor label_tensor(const VolumeBatchSet& s, const torch::Device& device = torch::kCPU) {
  return torch::tensor(s.labels, torch::kFloat).to(device);
}

// For a task's error: which pass, network and device, the batches (CUDA's own first line names
// the bytes it asked for when memory ran out).
std::string describe_prediction_failure(const std::exception& e, const char* pass,
                                        const Network& net, int64_t batch,
                                        const torch::Tensor& x, int64_t samples) {
  std::ostringstream os;
  os << pass << " of " << to_string(net.spec().network) << " on " << net.device()
     << " failed (batches of " << batch << " images of " << x.sizes().slice(1) << ", "
     << samples << " Gumbel draw(s) each): " << error_first_line(e);
  return os.str();
}

// Probabilities [N, S] of all images, on the host; batches are dealt round-robin to the
// reducer's ranks and summed back through it (exact: each entry is written by one rank), so the
// result does not depend on the rank count. Collected on the device and copied back once.
torch::Tensor predict(Network& net, const torch::Tensor& x, const torch::Tensor& gumbel,
                      GradientReducer& reducer) {
  const int rank = reducer.rank(), size = reducer.size();
  const int64_t n = x.size(0), S = net.stochastic() ? gumbel.size(0) : 1;
  auto out = torch::zeros({n, S}, torch::TensorOptions(torch::kFloat).device(x.device()));
  int64_t k = 0;
  // As in train_step: the ranks agree on a failure (out of GPU memory) before the all-reduce.
  std::string failure;
  try {
    for (int64_t b = 0; b < n; b += kPredictBatch, ++k) {
      if (k % size != rank) continue;
      const int64_t e = std::min(n, b + kPredictBatch);
      auto g = net.stochastic() ? gumbel.slice(1, b, e) : torch::Tensor();
      out.slice(0, b, e).copy_(net.probabilities(x.slice(0, b, e), g));
    }
  } catch (const std::exception& e) {
    failure = describe_prediction_failure(e, "validation", net, kPredictBatch, x, S);
  }
  mpi::agree_or_throw(failure, "in validation", reducer.comm());
  reducer.sum({out});
  return out.cpu();
}

Predictions make_predictions(const std::string& name, const VolumeBatchSet& set,
                             const torch::Tensor& probs, bool keep_samples) {
  Predictions p;
  p.name = name;
  p.ids = set.ids;
  p.labels.assign(set.labels.begin(), set.labels.end());
  auto mean = probs.mean(1).contiguous();
  p.scores.assign(mean.data_ptr<float>(), mean.data_ptr<float>() + mean.numel());
  if (keep_samples) {
    auto c = probs.contiguous();
    for (int64_t i = 0; i < c.size(0); ++i)
      p.samples.emplace_back(c[i].data_ptr<float>(), c[i].data_ptr<float>() + c.size(1));
  }
  return p;
}

double bce_of_probabilities(const std::vector<double>& p, const std::vector<double>& y) {
  double s = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    const double q = std::clamp(p[i], 1e-7, 1.0 - 1e-7);
    s -= y[i] > 0.5 ? std::log(q) : std::log(1.0 - q);
  }
  return s / static_cast<double>(p.size());
}

torch::Generator make_generator(std::uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed);
}

}  // namespace

MriTrainResult train_mri_model(const MriTrainOptions& o, const VolumeBatchSet& train,
                               const VolumeBatchSet& val, const std::string& pretrained_path,
                               const std::string& checkpoint_path, MPI_Comm comm) {
  torch::set_num_threads(std::max(1, o.threads));
  const int rank = mpi::rank(comm), g = mpi::size(comm);
  const int m = o.micro_batches > 0 ? o.micro_batches : g;
  GBM_CHECK(m % g == 0, "micro_batches (" << m << ") must be a multiple of the rank count " << g);
  GBM_CHECK(o.batch >= 1 && o.epochs >= 1, "batch and epochs must be positive");
  GBM_CHECK(train.shape == val.shape, "training and validation volumes differ in shape");
  configure_precision(o.device, o.precision);
  const torch::Device dev = to_torch(o.device);
  auto X = volumes(train, "training", dev), Xv = volumes(val, "validation", dev);
  auto Y = label_tensor(train, dev);

  torch::manual_seed(o.seed);
  NetworkSpec spec;
  spec.network = o.network;
  spec.depth = o.depth;
  spec.agent_depth = o.agent_depth;
  spec.width = o.width;
  spec.agent_width = o.agent_width;
  spec.in_channels = train.shape[0];
  spec.tau = o.tau;
  spec.transfer_trainable_blocks = o.transfer_trainable_blocks;
  spec.bn = o.bn;
  spec.init = o.init;
  Network net(spec);
  if (!is_pretrained(o.network)) {
    if (!pretrained_path.empty()) GBM_LOG(Info, "resnet_random: ignoring " << pretrained_path);
  } else {
    GBM_CHECK(!pretrained_path.empty(), to_string(o.network) << " needs pretrained backbone weights");
    net.load_pretrained(pretrained_path);
  }
  net.to(o.device, o.precision);  // initialised on the CPU either way: the same start
  Optimizers opt(net, {o.lr, o.agent_lr, o.weight_decay});
  ReducerOptions ro;
  ro.backend = resolve_reducer(o.reducer, o.device, GBMSWEEP_HAS_NCCL, g);
  if (g > 1 && rank == 0)
    GBM_LOG(Debug, g << " ranks, gradient reducer " << to_string(ro.backend) << " (asked: "
                     << to_string(o.reducer) << ")");
  ro.cuda_device = o.device.is_cuda() ? o.device.index : -1;
  auto reducer = make_reducer(ro, comm);

  // Every rank draws the same shuffles and Gumbel noise for the global batch.
  std::mt19937_64 shuffle_rng(o.seed ^ 0x9E3779B97F4A7C15ull);
  auto gumbel_gen = make_generator(o.seed + 1);
  const int64_t L = net.policy_blocks();
  torch::Tensor val_gumbel;  // fixed across epochs: epochs are compared on the same draws
  if (net.stochastic()) {
    auto gen = make_generator(o.seed + 2);
    // Drawn on the CPU generator on every device: the same draws, then moved.
    val_gumbel = models::sample_gumbel({std::max(1, o.val_samples),
                                        static_cast<int64_t>(val.size()), L, 2}, gen)
                     .to(dev);
  }
  std::vector<double> val_labels(val.labels.begin(), val.labels.end());

  MriTrainResult result;
  Curve c_train{"train_loss", {}}, c_vloss{"val_loss", {}}, c_auc{"val_auc", {}},
      c_sen{"val_sen", {}}, c_spe{"val_spe", {}}, c_m{"val_m", {}}, c_lr{"lr", {}};
  std::vector<EpochRecord> records;
  double plateau_best = std::numeric_limits<double>::infinity();
  int bad_epochs = 0;
  const auto n = static_cast<int64_t>(train.size());
  std::vector<int64_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);

  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    net.set_training(true);
    std::shuffle(perm.begin(), perm.end(), shuffle_rng);
    // The epoch's loss stays on the device until the epoch ends; the batch indices and Gumbel
    // draws (made on the host, as on every device) go there without a wait (models/device_copy).
    auto epoch_loss = torch::zeros({}, torch::TensorOptions(torch::kDouble).device(dev));
    for (int64_t start = 0; start < n; start += o.batch) {
      const int64_t nb = std::min<int64_t>(o.batch, n - start);
      auto idx = models::indices_on(
          std::vector<int64_t>(perm.begin() + start, perm.begin() + start + nb), dev);
      auto xb = X.index_select(0, idx), yb = Y.index_select(0, idx);
      torch::Tensor gb;
      if (net.stochastic())
        gb = models::to_device_async(models::sample_gumbel({nb, L, 2}, gumbel_gen), dev);
      std::vector<MicroBatch> micro;
      for (int k = rank * (m / g); k < (rank + 1) * (m / g); ++k) {
        const int64_t lo = k * nb / m, hi = (k + 1) * nb / m;
        if (hi <= lo) continue;
        micro.push_back({xb.slice(0, lo, hi), yb.slice(0, lo, hi),
                         gb.defined() ? gb.slice(0, lo, hi) : torch::Tensor()});
      }
      epoch_loss.add_(train_step(net, opt, micro, nb, *reducer));
    }
    reducer->sum({epoch_loss});
    const double loss_sum = epoch_loss.item<double>();  // the epoch's one wait for the GPU

    net.set_training(false);
    auto probs = predict(net, Xv, val_gumbel, *reducer);
    Predictions vp = make_predictions("val", val, probs, net.stochastic());
    EpochRecord rec;
    rec.val = binary_metrics(val_labels, vp.scores, o.threshold);
    rec.val_loss = bce_of_probabilities(vp.scores, val_labels);
    records.push_back(rec);
    c_train.values.push_back(loss_sum / static_cast<double>(n));
    c_vloss.values.push_back(rec.val_loss);
    c_auc.values.push_back(rec.val.auc);
    c_sen.values.push_back(rec.val.sen);
    c_spe.values.push_back(rec.val.spe);
    c_m.values.push_back(rec.val.m);
    c_lr.values.push_back(opt.lr());
    GBM_LOG(Debug, to_string(o.network) << " epoch " << epoch << ": train loss " << c_train.values.back()
                             << ", val loss " << rec.val_loss << ", val AUC " << rec.val.auc
                             << ", M " << rec.val.m);

    // ReduceLROnPlateau (mode min, relative threshold 1e-4, as PyTorch's defaults).
    if (rec.val_loss < plateau_best * (1.0 - 1e-4)) {
      plateau_best = rec.val_loss;
      bad_epochs = 0;
    } else if (++bad_epochs > o.plateau_patience) {
      opt.scale_lr(o.plateau_factor);
      bad_epochs = 0;
    }

    if (select_epoch(records, o.selection) == epoch) {
      result.best_epoch = epoch;
      result.val = std::move(vp);
      result.best = {{"epoch", epoch},         {"val_auc", rec.val.auc},
                     {"val_sen", rec.val.sen}, {"val_spe", rec.val.spe},
                     {"val_m", rec.val.m},     {"val_loss", rec.val_loss}};
      if (rank == 0 && !checkpoint_path.empty()) net.save(checkpoint_path);
    }
  }
  // Other ranks may read the checkpoint once this returns.
  GBM_MPI_CHECK(MPI_Barrier(comm));
  result.curves = {c_train, c_vloss, c_auc, c_sen, c_spe, c_m, c_lr};
  return result;
}

Predictions evaluate_mri_model(const MriEvalOptions& o, const std::string& checkpoint_path,
                               const VolumeBatchSet& test) {
  torch::set_num_threads(std::max(1, o.threads));
  configure_precision(o.device, o.precision);
  Network net = Network::load(checkpoint_path);
  net.to(o.device, o.precision);
  net.set_training(false);
  GBM_CHECK(test.shape[0] == net.spec().in_channels,
            "test volumes have " << test.shape[0] << " channels, the model "
                                 << net.spec().in_channels);
  auto X = volumes(test, "test", net.device());
  const int64_t n = X.size(0);
  torch::Tensor gumbel;
  if (net.stochastic()) {
    auto gen = make_generator(o.seed);
    gumbel = models::sample_gumbel({std::max(1, o.samples), n, net.policy_blocks(), 2}, gen)
                 .to(net.device());
  }
  auto probs = torch::zeros({n, net.stochastic() ? gumbel.size(0) : 1},
                            torch::TensorOptions(torch::kFloat).device(net.device()));
  const int64_t bs = std::max(1, o.batch);
  try {
    for (int64_t b = 0; b < n; b += bs) {
      const int64_t e = std::min(n, b + bs);
      auto g = net.stochastic() ? gumbel.slice(1, b, e) : torch::Tensor();
      probs.slice(0, b, e).copy_(net.probabilities(X.slice(0, b, e), g));
    }
  } catch (const std::exception& e) {
    GBM_THROW(describe_prediction_failure(e, "evaluation", net, bs, X, probs.size(1)));
  }
  return make_predictions("test", test, probs.cpu(), net.stochastic());
}

Curve pretrain_mri_backbone(const PretrainOptions& o, const VolumeBatchSet& source,
                            const std::string& out_path) {
  torch::set_num_threads(std::max(1, o.threads));
  configure_precision(o.device, Precision::Fp32);
  const torch::Device dev = to_torch(o.device);
  auto X = volumes(source, "pretraining", dev);
  auto Y = label_tensor(source, dev);
  torch::manual_seed(o.seed);
  models::ResNet3DOptions ro;
  ro.depth = o.depth;
  ro.width = o.width;
  ro.in_channels = source.shape[0];
  models::ResNet3D net(ro);
  net->to(dev);
  net->train();
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(o.lr));
  std::mt19937_64 rng(o.seed ^ 0x9E3779B97F4A7C15ull);
  const auto n = static_cast<int64_t>(source.size());
  std::vector<int64_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  Curve curve{"pretrain_loss", {}};
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    std::shuffle(perm.begin(), perm.end(), rng);
    auto sum = torch::zeros({}, torch::TensorOptions(torch::kDouble).device(dev));
    for (int64_t start = 0; start < n; start += o.batch) {
      const int64_t nb = std::min<int64_t>(o.batch, n - start);
      auto idx = models::indices_on(
          std::vector<int64_t>(perm.begin() + start, perm.begin() + start + nb), dev);
      adam.zero_grad();
      auto loss = torch::binary_cross_entropy_with_logits(
          net->forward(X.index_select(0, idx)).squeeze(1), Y.index_select(0, idx), {}, {},
          torch::Reduction::Sum);
      (loss / static_cast<double>(nb)).backward();
      adam.step();
      sum.add_(loss.detach().to(torch::kDouble));
    }
    curve.values.push_back(sum.item<double>() / static_cast<double>(n));
  }
  net->to(torch::kCPU);  // the weights file holds host tensors
  models::save_state_dict(out_path, *net, "fc.");
  return curve;
}

}  // namespace gbmsweep::train
