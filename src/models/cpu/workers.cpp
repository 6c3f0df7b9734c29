#include "models/cpu/workers.hpp"

#include <omp.h>

#include <algorithm>
#include <exception>
#include <mutex>

namespace gbmsweep::models {

void run_workers(int threads, const std::function<void(int)>& f) {
  if (threads < 2) {
    f(0);
    return;
  }
  std::exception_ptr first;
  std::mutex m;
#pragma omp parallel num_threads(threads)
  {
    try {
      f(omp_get_thread_num());
    } catch (...) {
      std::lock_guard<std::mutex> lock(m);
      if (!first) first = std::current_exception();
    }
  }
  if (first) std::rethrow_exception(first);
}

void parallel_range(int64_t n, const std::function<void(int64_t, int64_t)>& f) {
  const int threads = omp_get_max_threads();
  if (n < 2 || threads < 2 || omp_in_parallel()) {
    f(0, n);
    return;
  }
  const int64_t parts = std::min<int64_t>(threads, n);
  run_workers(static_cast<int>(parts), [&](int t) { f(n * t / parts, n * (t + 1) / parts); });
}

}  // namespace gbmsweep::models
