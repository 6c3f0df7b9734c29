#include "train/reducer.hpp"

#include <algorithm>
#include <limits>
#include <sstream>

#include "common/error.hpp"
#include "common/mpi.hpp"
#include "gbmsweep/config.hpp"
#include "train/device_torch.hpp"

namespace gbmsweep::train {

#if GBMSWEEP_HAS_NCCL
std::unique_ptr<GradientReducer> make_nccl_reducer(MPI_Comm comm, const ReducerOptions& options);
#endif

GradientReducer::GradientReducer(MPI_Comm comm, std::size_t bucket_bytes)
    : comm_(comm), bucket_floats_(std::max<std::size_t>(1, bucket_bytes / sizeof(float))) {
  if (comm != MPI_COMM_NULL) {  // MPI_COMM_NULL: one process, MPI possibly not initialised
    rank_ = mpi::rank(comm);
    size_ = mpi::size(comm);
  }
}

// A rank that cannot pack a bucket (out of GPU memory for it, a tensor it cannot take) must not
// leave its peers in the all-reduce: reduce_packed agrees before each bucket's (below).

void GradientReducer::average_gradients(const std::vector<torch::Tensor>& params) {
  if (size_ == 1) return;
  // Which gradients exist on any rank: those are reduced, the others stay undefined.
  std::vector<int> defined(params.size());
  for (size_t i = 0; i < params.size(); ++i) defined[i] = params[i].grad().defined() ? 1 : 0;
  GBM_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, defined.data(), static_cast<int>(defined.size()),
                              MPI_INT, MPI_MAX, comm_));
  std::vector<torch::Tensor> grads;
  std::string failure;
  try {
    for (size_t i = 0; i < params.size(); ++i) {
      if (!defined[i]) continue;
      auto p = params[i];
      if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
      grads.push_back(p.grad());
    }
  } catch (const std::exception& e) {
    failure = "reducer: making a zero gradient failed: " + error_first_line(e);
  }
  reduce_packed(grads, /*average=*/true, failure);
}

void GradientReducer::average(const std::vector<torch::Tensor>& tensors) {
  if (size_ == 1) return;
  std::vector<torch::Tensor> floats;
  std::string failure;
  for (const auto& t : tensors) {
    if (!t.defined()) {
      failure = "reducer: average was given an undefined tensor";
      break;
    }
    if (t.scalar_type() == torch::kFloat) floats.push_back(t);
  }
  reduce_packed(floats, /*average=*/true, failure);
}

void GradientReducer::sum(const std::vector<torch::Tensor>& tensors) {
  if (size_ == 1) return;
  std::vector<torch::Tensor> floats, doubles;
  std::string failure;
  for (const auto& t : tensors) {
    if (!t.defined() || (t.scalar_type() != torch::kFloat && t.scalar_type() != torch::kDouble)) {
      std::ostringstream m;
      m << "reducer: sum takes float or double tensors, got "
        << (t.defined() ? std::string(c10::toString(t.scalar_type())) : "an undefined tensor");
      failure = m.str();
      break;
    }
    (t.scalar_type() == torch::kFloat ? floats : doubles).push_back(t);
  }
  reduce_packed(floats, /*average=*/false, failure);
  reduce_packed(doubles, /*average=*/false);
}

void GradientReducer::reduce_packed(const std::vector<torch::Tensor>& tensors, bool average,
                                    std::string failure) {
  torch::NoGradGuard no_grad;
  size_t first = 0;
  // One agreement (a 2-int MPI all-reduce, no GPU wait) per bucket and at least one per call,
  // so that every rank's first collective here is one; one bucket is alive at a time.
  do {
    size_t last = first;
    torch::Tensor bucket;
    if (failure.empty() && first < tensors.size()) failure = pack(tensors, first, last, bucket);
    mpi::agree_or_throw(failure, "packing a bucket to all-reduce", comm_);
    if (!bucket.defined()) break;
    sum_bucket(bucket);
    // x (1/g) in the bucket's type: for float the same product as 1.0f / g, as before.
    if (average)
      bucket.mul_(bucket.scalar_type() == torch::kFloat
                      ? static_cast<double>(1.0f / static_cast<float>(size_))
                      : 1.0 / size_);
    int64_t off = 0;
    for (size_t i = first; i < last; ++i) {
      auto& t = tensors[i];
      const_cast<torch::Tensor&>(t).copy_(bucket.slice(0, off, off + t.numel()).view(t.sizes()));
      off += t.numel();
    }
    first = last;
  } while (first < tensors.size());
}

std::string GradientReducer::pack(const std::vector<torch::Tensor>& tensors, size_t first,
                                  size_t& last, torch::Tensor& bucket) const {
  const auto elem = tensors[first].element_size();
  const size_t bucket_elems = std::max<size_t>(1, bucket_floats_ * sizeof(float) / elem);
  // Whole tensors (a tensor larger than a bucket gets its own).
  size_t count = 0;
  last = first;
  while (last < tensors.size() &&
         (count == 0 || count + static_cast<size_t>(tensors[last].numel()) <= bucket_elems)) {
    count += static_cast<size_t>(tensors[last].numel());
    ++last;
  }
  std::ostringstream m;
  try {
    std::vector<torch::Tensor> flat;
    for (size_t i = first; i < last; ++i) {
      if (tensors[i].device() != tensors[first].device() ||
          tensors[i].scalar_type() != tensors[first].scalar_type()) {
        m << "reducer: tensors of one bucket are " << tensors[first].scalar_type() << " on "
          << tensors[first].device() << " and " << tensors[i].scalar_type() << " on "
          << tensors[i].device();
        return m.str();
      }
      flat.push_back(tensors[i].reshape({-1}));
    }
    bucket = torch::cat(flat);  // on the tensors' device
    std::string refused = check_bucket(bucket);
    if (!refused.empty()) bucket = torch::Tensor();
    return refused;
  } catch (const std::exception& e) {
    bucket = torch::Tensor();
    m << "reducer: packing a bucket of " << count << " " << tensors[first].scalar_type()
      << " values (" << (count * elem) / (1u << 20) << " MiB) on " << tensors[first].device()
      << " failed: " << error_first_line(e);
    return m.str();
  }
}

namespace {

class MpiReducer final : public GradientReducer {
 public:
  MpiReducer(MPI_Comm comm, std::size_t bucket_bytes) : GradientReducer(comm, bucket_bytes) {}

 protected:
  std::string check_bucket(const torch::Tensor& flat) const override {
    if (flat.numel() > std::numeric_limits<int>::max()) return "MPI reducer: bucket too large";
    if (flat.scalar_type() != torch::kDouble && flat.scalar_type() != torch::kFloat)
      return "MPI reducer: float or double buckets, got " +
             std::string(c10::toString(flat.scalar_type()));
    return "";
  }
  void sum_bucket(torch::Tensor& flat) override {
    const auto count = static_cast<std::size_t>(flat.numel());
    const bool dbl = flat.scalar_type() == torch::kDouble;
    // The CPU reducer: a CUDA bucket goes through host memory (use nccl to avoid that).
    auto host = flat.is_cpu() ? flat : flat.cpu();
    GBM_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, host.data_ptr(), static_cast<int>(count),
                                dbl ? MPI_DOUBLE : MPI_FLOAT, MPI_SUM, comm_));
    if (!flat.is_cpu()) flat.copy_(host);
  }
};

}  // namespace

std::unique_ptr<GradientReducer> make_reducer(const ReducerOptions& options, MPI_Comm comm) {
  switch (options.backend) {
    case Reducer::Mpi:
      return std::make_unique<MpiReducer>(comm, options.bucket_bytes);
    case Reducer::Nccl:
#if GBMSWEEP_HAS_NCCL
      return make_nccl_reducer(comm, options);
#else
      GBM_THROW("gradient reducer 'nccl' needs a build with GBMSWEEP_WITH_CUDA=ON and NCCL");
#endif
    case Reducer::Auto:
      break;
  }
  GBM_THROW("gradient reducer 'auto' must be resolved first (resolve_reducer)");
}

}  // namespace gbmsweep::train
