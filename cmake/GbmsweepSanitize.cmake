# GBMSWEEP_SANITIZE=address,undefined: every target of this build compiled and linked with the
# sanitizers (scripts/test.sh builds build-asan this way, with GBMSWEEP_TORCH=OFF). UBSan stops
# at the first error (-fno-sanitize-recover) so that a finding fails its test, not just prints.
# Run-time options (LSan suppressions for Open MPI): scripts/sanitizers/.
if(GBMSWEEP_SANITIZE)
  set(_gbm_san -fsanitize=${GBMSWEEP_SANITIZE} -fno-omit-frame-pointer)
  if(GBMSWEEP_SANITIZE MATCHES "undefined")
    list(APPEND _gbm_san -fno-sanitize-recover=undefined)
  endif()
  add_compile_options(${_gbm_san})
  add_link_options(-fsanitize=${GBMSWEEP_SANITIZE})
  message(STATUS "sanitizers: ${GBMSWEEP_SANITIZE}")
endif()
