# Every dependency is a Debian 12 package installed by scripts/install-deps.sh.
include(FeatureSummary)

if(NOT GBMSWEEP_CORE_ONLY)
  # Parallel HDF5 first, before ITK re-runs FindHDF5 for the serial build (STACK.md trap 1).
  set(HDF5_PREFER_PARALLEL TRUE)
  find_package(HDF5 REQUIRED COMPONENTS C)
  if(NOT HDF5_IS_PARALLEL)
    message(WARNING "HDF5 is not the parallel build; install libhdf5-openmpi-dev")
  endif()
endif()

# Core-only: MPI and Boost may sit in a `dpkg -x` prefix (MPI_HOME, BOOST_ROOT).
find_package(MPI REQUIRED COMPONENTS C CXX)
find_package(Boost 1.74 REQUIRED COMPONENTS program_options unit_test_framework)
if(NOT GBMSWEEP_CORE_ONLY)
  find_package(tomlplusplus REQUIRED)
endif()
find_package(nlohmann_json 3.10 REQUIRED)
if(NOT GBMSWEEP_CORE_ONLY)
  # SHA-256 for content keys (src/common/hash.cpp): libcrypto's EVP interface.
  find_package(OpenSSL REQUIRED COMPONENTS Crypto)
  find_package(Rmath REQUIRED)
endif()
# GBMSWEEP_TORCH=OFF (the sanitizer build): no LibTorch, so no CUDA, NCCL or CPU engine either.
set(GBMSWEEP_HAS_CUDA OFF)
set(GBMSWEEP_HAS_CPU_ENGINE OFF)
set(GBMSWEEP_HAS_NCCL OFF)
set(GBMSWEEP_TORCH_VERSION "none")
if(GBMSWEEP_TORCH)
# LibTorch: Debian's 1.13 (CPU) by default; a CUDA LibTorch >= 2.1 through Torch_DIR (the one
# in a pip-installed torch: docs/real-data.md).
find_package(Torch REQUIRED)
set(GBMSWEEP_TORCH_VERSION "${Torch_VERSION}")
if(Torch_VERSION VERSION_GREATER_EQUAL 2 AND Torch_VERSION VERSION_LESS 2.1)
  message(FATAL_ERROR "LibTorch ${Torch_VERSION}: use Debian's 1.13 or a LibTorch >= 2.1")
endif()
# C++ standard: max(17, what torch asks for on its target).
set(_gbm_std 17)
foreach(_prop CXX_STANDARD INTERFACE_CXX_STANDARD)
  get_target_property(_torch_std torch ${_prop})
  if(_torch_std AND _torch_std GREATER _gbm_std)
    set(_gbm_std ${_torch_std})
  endif()
endforeach()
get_target_property(_torch_features torch INTERFACE_COMPILE_FEATURES)
if(_torch_features)
  foreach(_f IN LISTS _torch_features)
    if(_f MATCHES "^cxx_std_([0-9]+)$" AND CMAKE_MATCH_1 GREATER _gbm_std)
      set(_gbm_std ${CMAKE_MATCH_1})
    endif()
  endforeach()
endif()
set(CMAKE_CXX_STANDARD ${_gbm_std})
# CUDA training: the LibTorch in use has CUDA (its config adds the CUDA libraries). This, not
# a CUDA toolkit on the machine, is what GBMSWEEP_HAS_CUDA records: a CPU LibTorch beside
# /usr/local/cuda cannot put a tensor on a GPU.
set(GBMSWEEP_HAS_CUDA OFF)
if(GBMSWEEP_WITH_CUDA AND (TORCH_CUDA_LIBRARIES OR CAFFE2_USE_CUDA))
  set(GBMSWEEP_HAS_CUDA ON)
endif()

# GCC's libgomp, the OpenMP runtime LibTorch and oneDNN already use (models/cpu/workers.cpp).
if(NOT GBMSWEEP_CORE_ONLY)
  find_package(OpenMP REQUIRED COMPONENTS CXX)
endif()
# The CPU engine (src/models/cpu) calls oneDNN 2 directly: Debian's libdnnl, the one Debian's
# LibTorch links. A LibTorch 2.x bundles its own oneDNN 3, so the engine is off there by
# default (ATen's kernels run instead); -DGBMSWEEP_WITH_CPU_ENGINE=ON forces it.
if(NOT DEFINED GBMSWEEP_WITH_CPU_ENGINE)
  if(Torch_VERSION VERSION_LESS 2)
    set(_gbm_engine ON)
  else()
    set(_gbm_engine OFF)
  endif()
  set(GBMSWEEP_WITH_CPU_ENGINE ${_gbm_engine} CACHE BOOL
      "Compile the hand-written CPU kernels (needs oneDNN 2 headers, libdnnl-dev)")
endif()
set(GBMSWEEP_HAS_CPU_ENGINE OFF)
if(GBMSWEEP_WITH_CPU_ENGINE)
  find_package(OneDNN)
  if(GBMSWEEP_CORE_ONLY)  # the engine's workers need it; optional only here
    find_package(OpenMP COMPONENTS CXX)
  endif()
  if(OneDNN_FOUND AND TARGET OpenMP::OpenMP_CXX)
    set(GBMSWEEP_HAS_CPU_ENGINE ON)
  endif()
endif()

# The NCCL reducer compiles wherever the CUDA toolkit and NCCL headers are (CI included); it
# runs only with a CUDA LibTorch.
set(GBMSWEEP_HAS_NCCL OFF)
if(GBMSWEEP_WITH_CUDA)
  find_package(CUDAToolkit QUIET)
  if(CUDAToolkit_FOUND)
    find_package(NCCL)
    if(NCCL_FOUND)
      set(GBMSWEEP_HAS_NCCL ON)
    endif()
  endif()
endif()
endif()  # GBMSWEEP_TORCH
add_feature_info(CUDA GBMSWEEP_HAS_CUDA "training on CUDA (the LibTorch in use has CUDA)")
add_feature_info(NCCL GBMSWEEP_HAS_NCCL "NCCL gradient all-reduce (CUDA toolkit + NCCL)")
add_feature_info(CPU_ENGINE GBMSWEEP_HAS_CPU_ENGINE "hand-written CPU kernels (oneDNN 2)")
