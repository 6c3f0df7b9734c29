# Every dependency is a Debian 12 package installed by scripts/install-deps.sh.
include(FeatureSummary)

# Parallel HDF5 first, before ITK re-runs FindHDF5 for the serial build (STACK.md trap 1).
set(HDF5_PREFER_PARALLEL TRUE)
find_package(HDF5 REQUIRED COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
  message(WARNING "HDF5 is not the parallel build; install libhdf5-openmpi-dev")
endif()

find_package(MPI REQUIRED COMPONENTS C CXX)
find_package(Boost 1.74 REQUIRED COMPONENTS program_options unit_test_framework)
find_package(tomlplusplus REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(Torch REQUIRED)
find_package(Rmath REQUIRED)
# oneDNN headers: the evaluation engine and the dilated-convolution kernels call it directly.
find_package(OneDNN REQUIRED)
# GCC's libgomp, the OpenMP runtime LibTorch and oneDNN already use (models/workers.cpp).
find_package(OpenMP REQUIRED COMPONENTS CXX)

set(GBMSWEEP_HAS_CUDA OFF)
set(GBMSWEEP_HAS_NCCL OFF)
if(GBMSWEEP_WITH_CUDA)
  find_package(CUDAToolkit)
  find_package(NCCL)
  if(CUDAToolkit_FOUND)
    set(GBMSWEEP_HAS_CUDA ON)
  endif()
  if(CUDAToolkit_FOUND AND NCCL_FOUND)
    set(GBMSWEEP_HAS_NCCL ON)
  endif()
endif()
add_feature_info(CUDA GBMSWEEP_HAS_CUDA "CUDA runtime for GPU placement")
add_feature_info(NCCL GBMSWEEP_HAS_NCCL "NCCL gradient all-reduce")
