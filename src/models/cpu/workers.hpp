#pragma once
// Side-by-side workers for the SpotTune evaluation, and the parallel loops of the tap kernels.
// Our sources are compiled without -fopenmp (the shared LibTorch precompiled header is built
// without it), so at::parallel_for in them runs its loop on the calling thread: ATen's header
// parallelises only under _OPENMP. This is the one place that opens an OpenMP region itself
// (workers.cpp, built with -fopenmp).
#include <cstdint>
#include <functional>

namespace gbmsweep::models {

// Runs f(0) ... f(threads - 1) at once on `threads` OpenMP threads (f(0) on the caller when
// threads < 2) and waits for all of them. Inside, oneDNN and ATen see a parallel region and run
// single-threaded. The first exception thrown by any f is rethrown here.
void run_workers(int threads, const std::function<void(int)>& f);

// f(begin, end) over contiguous parts of [0, n), one per OpenMP thread (as many as
// at::set_num_threads set), in place of at::parallel_for; f(0, n) on the caller when n < 2,
// with one thread, or inside a parallel region (a worker of run_workers).
void parallel_range(int64_t n, const std::function<void(int64_t, int64_t)>& f);

}  // namespace gbmsweep::models
