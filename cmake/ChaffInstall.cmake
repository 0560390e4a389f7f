# Installation: `cmake --install build --prefix P` puts under P
#   bin/chaff, lib/libchaff.so* (SONAME libchaff.so.MAJOR) and lib/libchaff.a, include/chaff.h,
#   lib/pkgconfig/chaff.pc, lib/cmake/chaff/ (find_package(chaff) gives chaff::chaff, the shared
#   library), share/man/man1/chaff.1 (made from the command's --help texts by doc/make-man).
# The .pc file finds its prefix from its own place (${pcfiledir}), so that it is right for any
# --prefix given at install time.
include(CMakePackageConfigHelpers)

install(TARGETS chaff RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS chaff_shared EXPORT chaffTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS chaff_lib ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${PROJECT_SOURCE_DIR}/src/include/chaff.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(CHAFF_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/chaff)
install(EXPORT chaffTargets NAMESPACE chaff:: DESTINATION ${CHAFF_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/chaffConfig.cmake.in
  ${PROJECT_BINARY_DIR}/chaffConfig.cmake INSTALL_DESTINATION ${CHAFF_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/chaffConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/chaffConfig.cmake ${PROJECT_BINARY_DIR}/chaffConfigVersion.cmake
  DESTINATION ${CHAFF_CMAKE_DIR})

file(RELATIVE_PATH CHAFF_PC_TO_PREFIX "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
configure_file(${PROJECT_SOURCE_DIR}/cmake/chaff.pc.in ${PROJECT_BINARY_DIR}/chaff.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/chaff.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The man page, made from `chaff --help` and every command's --help at build time.
add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/chaff.1
  COMMAND sh ${PROJECT_SOURCE_DIR}/doc/make-man $<TARGET_FILE:chaff> ${PROJECT_VERSION}
          > ${PROJECT_BINARY_DIR}/chaff.1
  DEPENDS chaff ${PROJECT_SOURCE_DIR}/doc/make-man
  COMMENT "Making the man page chaff.1 from the --help texts")
add_custom_target(chaff_man ALL DEPENDS ${PROJECT_BINARY_DIR}/chaff.1)
install(FILES ${PROJECT_BINARY_DIR}/chaff.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
