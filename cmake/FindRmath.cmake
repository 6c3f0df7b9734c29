# FindRmath: the standalone R math library (Debian r-mathlib).
# Creates Rmath::Rmath with MATHLIB_STANDALONE defined.
find_path(Rmath_INCLUDE_DIR Rmath.h)
find_library(Rmath_LIBRARY NAMES Rmath)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Rmath REQUIRED_VARS Rmath_LIBRARY Rmath_INCLUDE_DIR)
if(Rmath_FOUND AND NOT TARGET Rmath::Rmath)
  add_library(Rmath::Rmath UNKNOWN IMPORTED)
  set_target_properties(Rmath::Rmath PROPERTIES
    IMPORTED_LOCATION "${Rmath_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${Rmath_INCLUDE_DIR}"
    INTERFACE_COMPILE_DEFINITIONS MATHLIB_STANDALONE)
endif()
mark_as_advanced(Rmath_INCLUDE_DIR Rmath_LIBRARY)
