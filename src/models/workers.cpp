#include "models/workers.hpp"

#include <omp.h>

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

}  // namespace gbmsweep::models
