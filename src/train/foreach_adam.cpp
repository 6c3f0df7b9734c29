#include "train/foreach_adam.hpp"

#include <cmath>
#include <vector>

#include "common/error.hpp"
#include "models/torch_compat.hpp"

namespace gbmsweep::train {

torch::Tensor ForeachAdam::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups()) {
    const auto& o = static_cast<const torch::optim::AdamOptions&>(group.options());
    GBM_CHECK(!o.amsgrad(), "ForeachAdam: amsgrad is not supported");
    const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
    std::vector<torch::Tensor> params, grads, exp_avgs, exp_avg_sqs;
    std::vector<c10::Scalar> sqrt_bc2, neg_step;  // per parameter: step counts may differ
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;  // as torch::optim::Adam: no gradient, no step
      auto& s = models::compat::adam_state(state(), p, torch::MemoryFormat::Preserve);
      s.step(s.step() + 1);
      // torch::optim::Adam's scalars, computed on the host as it does.
      const double bc1 = 1 - std::pow(beta1, s.step()), bc2 = 1 - std::pow(beta2, s.step());
      sqrt_bc2.emplace_back(std::sqrt(bc2));
      neg_step.emplace_back(-o.lr() / bc1);
      params.push_back(p);
      grads.push_back(p.grad());
      exp_avgs.push_back(s.exp_avg());
      exp_avg_sqs.push_back(s.exp_avg_sq());
    }
    if (params.empty()) continue;
    // torch::optim::Adam, one parameter:      here, all at once:
    //   grad = grad.add(p, wd)                 (out of place: p.grad() is not changed)
    //   exp_avg.mul_(b1).add_(grad, 1 - b1)
    //   exp_avg_sq.mul_(b2).addcmul_(grad, grad, 1 - b2)
    //   denom = (exp_avg_sq.sqrt() / sqrt(bc2)).add_(eps)
    //   p.addcdiv_(exp_avg, denom, -lr / bc1)
    if (o.weight_decay() != 0) grads = at::_foreach_add(grads, params, o.weight_decay());
    at::_foreach_mul_(exp_avgs, beta1);
    at::_foreach_add_(exp_avgs, grads, 1 - beta1);
    at::_foreach_mul_(exp_avg_sqs, beta2);
    at::_foreach_addcmul_(exp_avg_sqs, grads, grads, 1 - beta2);
    auto denom = at::_foreach_sqrt(exp_avg_sqs);
    at::_foreach_div_(denom, sqrt_bc2);
    at::_foreach_add_(denom, o.eps());
    at::_foreach_addcdiv_(params, exp_avgs, denom, neg_step);
  }
  return loss;
}

}  // namespace gbmsweep::train
