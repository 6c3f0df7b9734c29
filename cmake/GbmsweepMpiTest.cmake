# gbmsweep_add_mpi_test(NAME <name> TARGET <exe> RANKS <n>... [ARGS ...] [TIMEOUT s] [LABELS ...])
# Registers one CTest test per rank count, "<name>.np<N>", launched with mpiexec.
# Root and more ranks than cores are allowed (STACK.md trap 4); PROCESSORS tells ctest -j.
function(gbmsweep_add_mpi_test)
  cmake_parse_arguments(T "" "NAME;TARGET;TIMEOUT" "RANKS;ARGS;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  foreach(n IN LISTS T_RANKS)
    set(test_name "${T_NAME}.np${n}")
    add_test(NAME ${test_name}
      COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${n} --oversubscribe
              ${MPIEXEC_PREFLAGS} $<TARGET_FILE:${T_TARGET}> ${MPIEXEC_POSTFLAGS} ${T_ARGS})
    set_tests_properties(${test_name} PROPERTIES
      PROCESSORS ${n}
      TIMEOUT ${T_TIMEOUT}
      LABELS "mpi;${T_LABELS}"
      ENVIRONMENT "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMP_NUM_THREADS=1;OMP_WAIT_POLICY=PASSIVE;OMPI_MCA_rmaps_base_oversubscribe=1")
  endforeach()
endfunction()
