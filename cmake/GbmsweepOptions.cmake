# Build options. Release by default: ITK's BSpline warp is 14x slower at -O0 (STACK.md trap 8).
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)

option(GBMSWEEP_WITH_CUDA
  "Use CUDA where found: CUDA training with a CUDA LibTorch, the NCCL reducer with NCCL" ON)
option(GBMSWEEP_BUILD_TESTS "Build the Boost.Test suite" ON)
option(GBMSWEEP_BUILD_BENCH "Build the benchmarks" ON)
option(GBMSWEEP_USE_CCACHE "Use ccache when present" ON)
# The GPU core alone: models, training (MPI + NCCL reducers), the gbmsweep_bench driver and
# their tests; no HDF5, ITK, toml++, OpenSSL or Rmath. Why: a lent GPU machine has none of them
# and no network (bench/gpu/check.sh builds this there with Open MPI and Boost unpacked from
# carried .debs); never the configuration to run sweeps with.
option(GBMSWEEP_CORE_ONLY "Build only the GPU core (models, train, bench driver, their tests)" OFF)
# OFF: only the libraries that do not link LibTorch (common, sweep, store, sched, mri, radiomics,
# jobs, analysis, metrics, the torch-file reader) and their tests; no gbmsweep executable. The
# sanitizer build of scripts/test.sh: LibTorch's targets would double its cost and Debian's
# LibTorch is not instrumented anyway.
option(GBMSWEEP_TORCH "Build the LibTorch targets (models, train, drug, tasks, the executable)" ON)
# The tests that run the command line use this executable where the build has none
# (GBMSWEEP_TORCH=OFF): the main build's, so the library code under test is still sanitized.
set(GBMSWEEP_CLI_EXE "" CACHE FILEPATH
    "gbmsweep executable for the CLI tests of a GBMSWEEP_TORCH=OFF build")
# e.g. address,undefined: compiles and links everything with -fsanitize=<list>
# (cmake/GbmsweepSanitize.cmake).
set(GBMSWEEP_SANITIZE "" CACHE STRING "sanitizers to build with (address,undefined); empty: none")
if(GBMSWEEP_CORE_ONLY AND NOT GBMSWEEP_TORCH)
  message(FATAL_ERROR "GBMSWEEP_CORE_ONLY builds the LibTorch core: it needs GBMSWEEP_TORCH=ON")
endif()

if(GBMSWEEP_USE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(CCACHE_PROGRAM ccache)
  if(CCACHE_PROGRAM)
    set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
    set(CMAKE_C_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
  endif()
endif()
