#!/usr/bin/env bash
# Installs the Debian packages, builds and runs the whole test suite through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/install-deps.sh
bash scripts/build.sh
built=$(date +%s)
(cd build && ctest --output-on-failure -j"$(nproc)")
tested=$(date +%s)

# The sanitizer build: ASan + UBSan over the libraries that do not link LibTorch and their
# tests (sweep, store, sched with MPI at 1-3 ranks, the MRI readers, radiomics, analysis,
# metrics, jobs, common); the CLI tests run the main build's executable. UBSan stops at the
# first error; LeakSanitizer is on, with Open MPI's own leaks suppressed by library name.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGBMSWEEP_TORCH=OFF \
  -DGBMSWEEP_SANITIZE=address,undefined -DGBMSWEEP_BUILD_BENCH=OFF \
  -DGBMSWEEP_CLI_EXE="$PWD/build/src/cli/gbmsweep"
cmake --build build-asan -j"$(nproc)"
asan_built=$(date +%s)
san=$PWD/scripts/sanitizers
(
  # Full malloc stacks and Open MPI's components kept loaded: what lets the suppressions
  # name Open MPI's own leaks (scripts/sanitizers/lsan.supp).
  export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:fast_unwind_on_malloc=0
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  export LSAN_OPTIONS=suppressions=$san/lsan.supp:print_suppressions=0
  export OMPI_MCA_mca_base_component_disable_dlclose=1
  cd build-asan && ctest --output-on-failure -j"$(nproc)"
)
end=$(date +%s)
echo "build: $((built - start)) s, tests: $((tested - built)) s;" \
  "sanitizer build: $((asan_built - tested)) s, its tests: $((end - asan_built)) s"
