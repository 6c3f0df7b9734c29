#include "models/spottune.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <utility>

#include "common/error.hpp"
#include "gbmsweep/config.hpp"
#include "models/device_copy.hpp"
#if GBMSWEEP_HAS_CPU_ENGINE
#include "models/cpu/packed_block.hpp"
#include "models/cpu/workers.hpp"
#endif

namespace gbmsweep::models {

namespace {

// The CPU engine's blocked layout (models/cpu/packed_block.hpp); unreachable without it.
torch::Tensor to_blocked_if_engine(const torch::Tensor& x) {
#if GBMSWEEP_HAS_CPU_ENGINE
  return to_blocked(x);
#else
  return x;
#endif
}
torch::Tensor blocked_mean_if_engine(const torch::Tensor& x) {
#if GBMSWEEP_HAS_CPU_ENGINE
  return blocked_mean(x);
#else
  return x;
#endif
}

// Rows `idx` of x through `block`, or an empty result when idx is empty.
torch::Tensor run_rows(ResBlock& block, const torch::Tensor& x, const torch::Tensor& idx) {
  return block->forward(x.index_select(0, idx));
}

// The activations of one prefix-tree level, row k = node k: the blocks' output chunks in node
// order, kept apart. The next level gathers its input rows straight from them, which saves
// concatenating every level (about 5 % of an evaluation at 35x43x43).
class LevelRows {
 public:
  void add(torch::Tensor t) {
    starts_.push_back(size_);
    size_ += t.size(0);
    parts_.push_back(std::move(t));
  }
  // rows[0..count) as one tensor; a chunk itself (no copy) when the rows are exactly that chunk.
  torch::Tensor gather(const int64_t* rows, size_t count) const {
    const auto part = [&](int64_t row) {
      return static_cast<size_t>(std::upper_bound(starts_.begin(), starts_.end(), row) -
                                 starts_.begin()) - 1;
    };
    const size_t first = part(rows[0]);
    bool whole = rows[0] == starts_[first] &&
                 static_cast<int64_t>(count) == parts_[first].size(0);
    for (size_t i = 1; whole && i < count; ++i) whole = rows[i] == rows[0] + static_cast<int64_t>(i);
    if (whole) return parts_[first];
    std::vector<torch::Tensor> picked;
    picked.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      const size_t k = part(rows[i]);
      picked.push_back(parts_[k][rows[i] - starts_[k]]);
    }
    return torch::stack(picked);
  }
  const std::vector<torch::Tensor>& parts() const { return parts_; }
  bool on_cpu() const { return parts_.empty() || parts_.front().is_cpu(); }

 private:
  std::vector<torch::Tensor> parts_;
  std::vector<int64_t> starts_;
  int64_t size_ = 0;
};

// One level's block evaluations: rows of `in` through a branch's block, at most kEvalChunk rows
// per job. Chunks keep the working set small (measured 10-25 % faster per row than 64-row
// batches at 35x43x43) and the memory bounded whatever the number of routes.
constexpr size_t kEvalChunk = 16;

template <class Block>
struct EvalJob {
  const Block* block;
  const int64_t* rows;
  size_t count;
};

// `rows` cut into `count` jobs whose sizes differ by at most one row.
template <class Block>
void add_jobs(const Block& block, const std::vector<int64_t>& rows, size_t count,
              std::vector<EvalJob<Block>>& jobs) {
  for (size_t j = 0, begin = 0; j < count; ++j) {
    const size_t end = rows.size() * (j + 1) / count;
    jobs.push_back({&block, rows.data() + begin, end - begin});
    begin = end;
  }
}

// Runs the jobs and appends their outputs to `out` in job order. With T > 1 threads and at
// least T jobs, the jobs are shared out dynamically and each runs on one thread (oneDNN and
// ATen run single-threaded inside the workers' parallel region). Splitting each chunk's small
// 5x6x6 convolutions over the threads instead cost 20.5-21.4 s of CPU for 12.2-14.7 s of wall
// time at 35x43x43 and 2 threads; jobs side by side, 16.7-18.7 s of CPU for 8.8-9.9 s.
// A job's arithmetic is the same whichever thread runs it: results do not depend on the
// scheduling.
template <class Block>
void run_jobs(const std::vector<EvalJob<Block>>& jobs, const LevelRows& in, LevelRows& out) {
  const auto run = [&](const EvalJob<Block>& j) {
    return j.block->forward(in.gather(j.rows, j.count));
  };
  // Side by side only on the CPU (the CPU engine's workers); a GPU runs the jobs in order.
  const int64_t threads = in.on_cpu() ? at::get_num_threads() : 1;
  if (threads < 2 || jobs.size() < static_cast<size_t>(threads)) {
    for (const auto& j : jobs) out.add(run(j));
    return;
  }
#if GBMSWEEP_HAS_CPU_ENGINE
  std::vector<torch::Tensor> results(jobs.size());
  std::atomic<size_t> next{0};
  run_workers(static_cast<int>(threads), [&](int) {
    torch::NoGradGuard no_grad;  // grad mode is thread-local: the workers start with it on
    for (size_t k = next++; k < jobs.size(); k = next++) results[k] = run(jobs[k]);
  });
  for (auto& r : results) out.add(std::move(r));
#else
  for (const auto& j : jobs) out.add(run(j));  // ATen threads inside each convolution
#endif
}

// One prefix-tree level: rows1 through the fine-tuned block, rows0 through the frozen one, each
// folded (and, for PackedResBlock, packed) once: the weights are fixed for the call. The level
// is cut into about a multiple of T jobs of equal size (at most kEvalChunk rows), so that T
// threads finish it together.
template <class Block>
void run_level(const ResBlockImpl& tuned, const std::vector<int64_t>& rows1,
               const ResBlockImpl& frozen, const std::vector<int64_t>& rows0, const LevelRows& in,
               LevelRows& out) {
  const auto ceil_div = [](size_t a, size_t b) { return (a + b - 1) / b; };
  const auto threads = static_cast<size_t>(std::max(1, at::get_num_threads()));
  const size_t total = rows1.size() + rows0.size();
  if (total == 0) return;
  const size_t job_rows = ceil_div(total, threads * ceil_div(total, threads * kEvalChunk));
  std::vector<Block> blocks;
  blocks.reserve(2);  // jobs point into it
  std::vector<EvalJob<Block>> jobs;
  for (const auto& [block, rows] : {std::pair{&tuned, &rows1}, std::pair{&frozen, &rows0}}) {
    if (rows->empty()) continue;
    blocks.emplace_back(FoldedResBlock(*block));
    add_jobs(blocks.back(), *rows, ceil_div(rows->size(), job_rows), jobs);
  }
  run_jobs(jobs, in, out);
}

}  // namespace

SpotTune3DImpl::SpotTune3DImpl(const SpotTuneOptions& options) : options_(options) { reset(); }

void SpotTune3DImpl::reset() {
  ResNet3DOptions bo;
  bo.depth = options_.depth;
  bo.in_channels = options_.in_channels;
  bo.width = options_.width;
  bo.num_outputs = 1;
  backbone = register_module("backbone", ResNet3D(bo));
  tuned = torch::nn::ModuleList();
  for (auto& b : backbone->blocks()) tuned->push_back(b->clone());
  tuned = register_module("tuned", tuned);
  ResNet3DOptions ao;
  ao.depth = options_.agent_depth;
  ao.in_channels = options_.in_channels;
  ao.width = options_.agent_width;
  ao.num_outputs = 2 * static_cast<int64_t>(tuned->size());
  agent = register_module("agent", ResNet3D(ao));
  freeze_backbone();
}

void SpotTune3DImpl::freeze_backbone() {
  for (auto& p : backbone->backbone_parameters()) p.set_requires_grad(false);
}

void SpotTune3DImpl::train(bool on) {
  torch::nn::Module::train(on);
  backbone->eval();
  tuned->eval();
}

void SpotTune3DImpl::load_backbone(const ResNet3D& pretrained) {
  GBM_CHECK(pretrained->options().depth == options_.depth &&
                pretrained->options().width == options_.width &&
                pretrained->options().in_channels == options_.in_channels,
            "SpotTune: pretrained backbone has a different depth, width or channel count");
  const auto src = pretrained->blocks();
  auto dst = backbone->blocks();
  torch::NoGradGuard no_grad;
  copy_state(*backbone->conv1, *pretrained->conv1);
  copy_state(*backbone->bn1, *pretrained->bn1);
  for (size_t i = 0; i < src.size(); ++i) {
    copy_state(*dst[i], *src[i]);
    copy_state(*tuned->ptr<ResBlockImpl>(i), *src[i]);  // the fine-tuned clone
  }
  freeze_backbone();
}

int64_t SpotTune3DImpl::num_blocks() const { return static_cast<int64_t>(tuned->size()); }

torch::Tensor SpotTune3DImpl::agent_logits(const torch::Tensor& x) {
  return agent->forward(x).view({x.size(0), num_blocks(), 2});
}

torch::Tensor SpotTune3DImpl::gumbel_policy(const torch::Tensor& logits,
                                            const torch::Tensor& gumbel, double tau) {
  auto y = logits + gumbel;
  auto soft = torch::softmax(y / tau, -1);
  auto hard = torch::one_hot(y.argmax(-1), 2).to(soft.dtype());
  // hard + (soft - soft.detach()): the value is exactly `hard`, the gradient that of `soft`.
  return hard + (soft - soft.detach());
}

torch::Tensor SpotTune3DImpl::forward(const torch::Tensor& x, const torch::Tensor& policy) {
  const int64_t n = x.size(0), L = num_blocks();
  GBM_CHECK(policy.size(0) == n && policy.size(1) == L && policy.size(2) == 2,
            "SpotTune: policy must be [N, " << L << ", 2]");
  torch::Tensor h;
  {
    torch::NoGradGuard no_grad;  // shared frozen stem: nothing to differentiate
    h = backbone->stem(x);
  }
  auto frozen = backbone->blocks();
  // The routing decisions on the host: they pick which rows run where. On a GPU this copy is
  // the step's one wait for the device (the row indices below go back without one).
  auto hard = policy.detach().select(2, 1).gt(0.5).to(torch::kCPU).contiguous();  // [N, L]
  auto acc = hard.accessor<bool, 2>();
  for (int64_t l = 0; l < L; ++l) {
    std::vector<int64_t> fine, keep;
    for (int64_t i = 0; i < n; ++i) (acc[i][l] ? fine : keep).push_back(i);
    auto tuned_l = tuned->ptr<ResBlockImpl>(l);
    ResBlock tuned_block(tuned_l);
    ResBlock& frozen_block = frozen[l];
    // Selected branch with autograd, the other one for its value only.
    std::vector<torch::Tensor> y1, y0;
    if (!fine.empty()) {
      auto idx = indices_on(fine, x.device());
      y1.push_back(run_rows(tuned_block, h, idx));
      torch::NoGradGuard no_grad;
      y0.push_back(run_rows(frozen_block, h, idx));
    }
    if (!keep.empty()) {
      auto idx = indices_on(keep, x.device());
      y0.push_back(run_rows(frozen_block, h, idx));
      torch::NoGradGuard no_grad;
      y1.push_back(run_rows(tuned_block, h, idx));
    }
    std::vector<int64_t> order = fine;
    order.insert(order.end(), keep.begin(), keep.end());
    auto Y1 = torch::cat(y1, 0), Y0 = torch::cat(y0, 0);
    // Both Y1 and Y0 hold the `fine` rows first, then the `keep` rows.
    bool identity = true;
    for (int64_t i = 0; i < n; ++i) identity = identity && order[i] == i;
    if (!identity) {
      std::vector<int64_t> inverse(static_cast<size_t>(n));  // inverse[order[j]] = j
      for (int64_t j = 0; j < n; ++j) inverse[static_cast<size_t>(order[j])] = j;
      auto inv = indices_on(inverse, x.device());
      Y1 = Y1.index_select(0, inv);
      Y0 = Y0.index_select(0, inv);
    }
    auto p = policy.select(1, l);  // [N, 2]
    auto i1 = p.select(1, 1).view({n, 1, 1, 1, 1});
    auto i0 = p.select(1, 0).view({n, 1, 1, 1, 1});
    h = i1 * Y1 + i0 * Y0;
  }
  return backbone->head(h).squeeze(1);
}

torch::Tensor SpotTune3DImpl::forward_naive(const torch::Tensor& x, const torch::Tensor& policy) {
  const int64_t n = x.size(0), L = num_blocks();
  auto h = backbone->stem(x);
  auto frozen = backbone->blocks();
  for (int64_t l = 0; l < L; ++l) {
    auto p = policy.select(1, l);
    auto y1 = tuned->ptr<ResBlockImpl>(l)->forward(h);
    auto y0 = frozen[l]->forward(h);
    h = p.select(1, 1).view({n, 1, 1, 1, 1}) * y1 + p.select(1, 0).view({n, 1, 1, 1, 1}) * y0;
  }
  return backbone->head(h).squeeze(1);
}

torch::Tensor SpotTune3DImpl::sample_probabilities(const torch::Tensor& x,
                                                   const torch::Tensor& gumbel) {
  torch::NoGradGuard no_grad;
  const int64_t n = x.size(0), L = num_blocks(), S = gumbel.size(0);
  GBM_CHECK(gumbel.dim() == 4 && gumbel.size(1) == n && gumbel.size(2) == L && gumbel.size(3) == 2,
            "SpotTune: gumbel draws must be [S, N, " << L << ", 2]");
  auto routes = (agent_logits(x).unsqueeze(0) + gumbel.to(x.device()))
                    .argmax(-1)
                    .to(torch::kCPU)
                    .contiguous();  // [S, N, L], on the host: it shapes the prefix tree
  auto r = routes.accessor<int64_t, 3>();
  // Prefix tree: a node is (image, route so far), holding the samples that took that route.
  using Samples = std::vector<std::pair<int64_t, int64_t>>;  // (sample, image)
  std::vector<Samples> nodes(n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t s = 0; s < S; ++s) nodes[i].emplace_back(s, i);
  auto frozen = backbone->blocks();
  // The CPU engine's oneDNN-native blocks for CPU tensors when every block allows it
  // (MedicalNet widths), else folded blocks on ATen (cuDNN on a GPU).
#if GBMSWEEP_HAS_CPU_ENGINE
  bool packed = x.is_cpu() && x.scalar_type() == torch::kFloat;
  for (auto& b : frozen) packed = packed && packable(b->options());
#else
  const bool packed = false;
#endif
  LevelRows act;
  act.add(packed ? to_blocked_if_engine(backbone->stem(x)) : backbone->stem(x));
  for (int64_t l = 0; l < L; ++l) {
    std::vector<int64_t> parent1, parent0;
    std::vector<Samples> kids1, kids0;
    for (size_t k = 0; k < nodes.size(); ++k) {
      Samples a, b;
      for (const auto& si : nodes[k]) (r[si.first][si.second][l] ? a : b).push_back(si);
      if (!a.empty()) parent1.push_back(static_cast<int64_t>(k)), kids1.push_back(std::move(a));
      if (!b.empty()) parent0.push_back(static_cast<int64_t>(k)), kids0.push_back(std::move(b));
    }
    LevelRows next;
    const auto& tuned_l = *tuned->ptr<ResBlockImpl>(l);
    if (packed) {
#if GBMSWEEP_HAS_CPU_ENGINE
      run_level<PackedResBlock>(tuned_l, parent1, *frozen[l], parent0, act, next);
#endif
    } else {
      run_level<FoldedResBlock>(tuned_l, parent1, *frozen[l], parent0, act, next);
    }
    act = std::move(next);
    nodes = std::move(kids1);
    nodes.insert(nodes.end(), std::make_move_iterator(kids0.begin()),
                 std::make_move_iterator(kids0.end()));
  }
  std::vector<torch::Tensor> logits;
  for (const auto& part : act.parts())
    logits.push_back(
        (packed ? backbone->fc(blocked_mean_if_engine(part)) : backbone->head(part)).squeeze(1));
  auto p = torch::sigmoid(torch::cat(logits, 0)).to(torch::kCPU, torch::kFloat).contiguous();
  auto pa = p.accessor<float, 1>();
  auto out = torch::empty({n, S}, torch::kFloat);
  auto oa = out.accessor<float, 2>();
  for (size_t k = 0; k < nodes.size(); ++k)
    for (const auto& si : nodes[k]) oa[si.second][si.first] = pa[k];
  return to_device_async(out, x.device());
}

std::vector<torch::Tensor> SpotTune3DImpl::main_parameters() {
  auto out = tuned->parameters();
  for (auto& p : backbone->fc->parameters()) out.push_back(p);
  return out;
}

std::vector<torch::Tensor> SpotTune3DImpl::agent_parameters() { return agent->parameters(); }

torch::Tensor sample_gumbel(torch::IntArrayRef shape, torch::Generator& gen) {
  auto u = torch::rand(shape, gen, torch::kFloat);
  const float eps = 1e-10f;
  return -torch::log(-torch::log(u.clamp(eps, 1.0f - eps)));
}

}  // namespace gbmsweep::models
