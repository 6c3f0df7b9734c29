#pragma once
// Side-by-side workers for the SpotTune evaluation. Our sources are compiled without -fopenmp
// (the shared LibTorch precompiled header is built without it), so at::parallel_for in them
// runs its loop on the calling thread: ATen's header parallelises only under _OPENMP. This is
// the one place that opens an OpenMP region itself (workers.cpp, built with -fopenmp).
#include <functional>

namespace gbmsweep::models {

// Runs f(0) ... f(threads - 1) at once on `threads` OpenMP threads (f(0) on the caller when
// threads < 2) and waits for all of them. Inside, oneDNN and ATen see a parallel region and run
// single-threaded. The first exception thrown by any f is rethrown here.
void run_workers(int threads, const std::function<void(int)>& f);

}  // namespace gbmsweep::models
