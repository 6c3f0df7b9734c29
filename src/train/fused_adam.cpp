#include "train/fused_adam.hpp"

#include <cmath>
#include <memory>

#include "common/error.hpp"
#include "models/workers.hpp"

namespace gbmsweep::train {

torch::Tensor FusedAdam::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups()) {
    const auto& o = static_cast<const torch::optim::AdamOptions&>(group.options());
    GBM_CHECK(!o.amsgrad(), "FusedAdam: amsgrad is not supported");
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      const auto key = c10::guts::to_string(p.unsafeGetTensorImpl());
      auto it = state().find(key);
      if (it == state().end()) {
        auto s = std::make_unique<torch::optim::AdamParamState>();
        s->step(0);
        s->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
        s->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
        it = state().emplace(key, std::move(s)).first;
      }
      auto& s = static_cast<torch::optim::AdamParamState&>(*it->second);
      s.step(s.step() + 1);
      auto grad = p.grad();
      auto& m = s.exp_avg();
      auto& v = s.exp_avg_sq();
      GBM_CHECK(p.scalar_type() == torch::kFloat && p.is_contiguous() && grad.is_contiguous() &&
                    grad.scalar_type() == torch::kFloat && m.is_contiguous() && v.is_contiguous(),
                "FusedAdam: parameters, gradients and state must be contiguous float tensors");
      const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
      const double bc1 = 1 - std::pow(beta1, s.step()), bc2 = 1 - std::pow(beta2, s.step());
      const float wd = static_cast<float>(o.weight_decay()), b1 = static_cast<float>(beta1),
                  b2 = static_cast<float>(beta2), c1 = static_cast<float>(1 - beta1),
                  c2 = static_cast<float>(1 - beta2), sqrt_bc2 = static_cast<float>(std::sqrt(bc2)),
                  eps = static_cast<float>(o.eps()), neg_step = static_cast<float>(-o.lr() / bc1);
      float* P = p.data_ptr<float>();
      const float* G = grad.data_ptr<float>();
      float* M = m.data_ptr<float>();
      float* V = v.data_ptr<float>();
      const auto update = [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
          const float g = G[i] + wd * P[i];
          const float mi = M[i] * b1 + c1 * g;
          const float vi = V[i] * b2 + c2 * g * g;
          M[i] = mi;
          V[i] = vi;
          P[i] += neg_step * (mi / (std::sqrt(vi) / sqrt_bc2 + eps));
        }
      };
      // Elementwise, so the split does not change the result. Not at::parallel_for, which
      // runs on one thread in our sources (models/workers.hpp); small tensors stay serial.
      const int64_t n = p.numel();
      if (n < (int64_t{1} << 15)) {
        update(0, n);
      } else {
        models::parallel_range(n, update);
      }
    }
  }
  return loss;
}

}  // namespace gbmsweep::train
