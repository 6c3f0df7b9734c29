#include "models/cpu/fused_adam.hpp"

#include <immintrin.h>

#include <cmath>
#include <memory>

#include "common/error.hpp"
#include "models/cpu/workers.hpp"
#include "models/torch_compat.hpp"

namespace gbmsweep::train {

namespace {

struct AdamCoefs {
  float wd, b1, b2, c1, c2, sqrt_bc2, eps, neg_step;
};

// One element. Every multiply-add is an explicit fma, so that the compiler has nothing left to
// contract and this scalar form gives the same bits as the vector form below: an element's
// result does not depend on where a thread's range starts (1 and 2 threads agree exactly).
inline void adam_one(const AdamCoefs& k, float* P, const float* G, float* M, float* V, int64_t i) {
  const float g = std::fma(k.wd, P[i], G[i]);
  const float m = std::fma(M[i], k.b1, k.c1 * g);
  const float v = std::fma(V[i], k.b2, (k.c2 * g) * g);
  M[i] = m;
  V[i] = v;
  P[i] = std::fma(k.neg_step, m / (std::sqrt(v) / k.sqrt_bc2 + k.eps), P[i]);
}

void adam_scalar(const AdamCoefs& k, float* P, const float* G, float* M, float* V, int64_t begin,
                 int64_t end) {
  for (int64_t i = begin; i < end; ++i) adam_one(k, P, G, M, V, i);
}

// 16 elements at a time. The scalar loop above does not vectorise: std::sqrt keeps errno
// semantics (-fmath-errno), so it ran one element per iteration at about 0.35 s per 1-thread
// SpotTune step at 35x43x43 (14 % of it).
// (GCC 12 warns about the _mm512_undefined_ps inside _mm512_sqrt_ps: a known false positive.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
__attribute__((target("avx512f"))) void adam_avx512(const AdamCoefs& k, float* P, const float* G,
                                                    float* M, float* V, int64_t begin,
                                                    int64_t end) {
  const __m512 wd = _mm512_set1_ps(k.wd), b1 = _mm512_set1_ps(k.b1), b2 = _mm512_set1_ps(k.b2),
               c1 = _mm512_set1_ps(k.c1), c2 = _mm512_set1_ps(k.c2),
               sb = _mm512_set1_ps(k.sqrt_bc2), eps = _mm512_set1_ps(k.eps),
               ns = _mm512_set1_ps(k.neg_step);
  int64_t i = begin;
  for (; i + 16 <= end; i += 16) {
    const __m512 p = _mm512_loadu_ps(P + i);
    const __m512 g = _mm512_fmadd_ps(wd, p, _mm512_loadu_ps(G + i));
    const __m512 m = _mm512_fmadd_ps(_mm512_loadu_ps(M + i), b1, _mm512_mul_ps(c1, g));
    const __m512 v =
        _mm512_fmadd_ps(_mm512_loadu_ps(V + i), b2, _mm512_mul_ps(_mm512_mul_ps(c2, g), g));
    _mm512_storeu_ps(M + i, m);
    _mm512_storeu_ps(V + i, v);
    const __m512 den = _mm512_add_ps(_mm512_div_ps(_mm512_sqrt_ps(v), sb), eps);
    _mm512_storeu_ps(P + i, _mm512_fmadd_ps(ns, _mm512_div_ps(m, den), p));
  }
  for (; i < end; ++i) adam_one(k, P, G, M, V, i);
}
#pragma GCC diagnostic pop

}  // namespace

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
      auto& s = models::compat::adam_state(state(), p, torch::MemoryFormat::Contiguous);
      s.step(s.step() + 1);
      auto grad = p.grad();
      auto& m = s.exp_avg();
      auto& v = s.exp_avg_sq();
      GBM_CHECK(p.is_cpu() && grad.is_cpu() && p.scalar_type() == torch::kFloat &&
                    p.is_contiguous() && grad.is_contiguous() &&
                    grad.scalar_type() == torch::kFloat && m.is_contiguous() && v.is_contiguous(),
                "FusedAdam: parameters, gradients and state must be contiguous float CPU "
                "tensors (CUDA parameters take torch's Adam: train/network.cpp)");
      const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
      const double bc1 = 1 - std::pow(beta1, s.step()), bc2 = 1 - std::pow(beta2, s.step());
      AdamCoefs k;
      k.wd = static_cast<float>(o.weight_decay());
      k.b1 = static_cast<float>(beta1);
      k.b2 = static_cast<float>(beta2);
      k.c1 = static_cast<float>(1 - beta1);
      k.c2 = static_cast<float>(1 - beta2);
      k.sqrt_bc2 = static_cast<float>(std::sqrt(bc2));
      k.eps = static_cast<float>(o.eps());
      k.neg_step = static_cast<float>(-o.lr() / bc1);
      float* P = p.data_ptr<float>();
      const float* G = grad.data_ptr<float>();
      float* M = m.data_ptr<float>();
      float* V = v.data_ptr<float>();
      static const bool avx512 = __builtin_cpu_supports("avx512f");
      const auto update = [&](int64_t begin, int64_t end) {
        if (avx512) {
          adam_avx512(k, P, G, M, V, begin, end);
        } else {
          adam_scalar(k, P, G, M, V, begin, end);
        }
      };
      // Elementwise, so the split does not change the result. Not at::parallel_for, which
      // runs on one thread in our sources (models/cpu/workers.hpp); small tensors stay serial.
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
