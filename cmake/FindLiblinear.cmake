# FindLiblinear: Debian's liblinear-dev ships neither a pkg-config file nor a CMake config.
# Defines the imported target liblinear::liblinear.
find_path(LIBLINEAR_INCLUDE_DIR linear.h PATH_SUFFIXES liblinear)
find_library(LIBLINEAR_LIBRARY linear)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Liblinear REQUIRED_VARS LIBLINEAR_LIBRARY LIBLINEAR_INCLUDE_DIR)
if(Liblinear_FOUND AND NOT TARGET liblinear::liblinear)
  add_library(liblinear::liblinear UNKNOWN IMPORTED)
  set_target_properties(liblinear::liblinear PROPERTIES
    IMPORTED_LOCATION "${LIBLINEAR_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LIBLINEAR_INCLUDE_DIR}")
endif()
mark_as_advanced(LIBLINEAR_INCLUDE_DIR LIBLINEAR_LIBRARY)
