#===- KilnInstall.cmake - install rules, CMake package, .deb ---------------===#
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#===------------------------------------------------------------------------===#
#
# `cmake --install build --prefix P` installs the tools (P/bin), the Python
# package (P/lib/python3.X/dist-packages/kiln, on a Debian python3's path
# for P = /usr/local or /usr), the AOT documentation and the CMake package
# P/lib/cmake/Kiln, with which an application compiles models at build time:
#
#   find_package(Kiln REQUIRED)
#   kiln_add_model(classifier model.onnx PREFIX cls)
#   target_link_libraries(app PRIVATE classifier)
#
# `cpack -G DEB` (in the build folder) packages the same tree as a .deb for
# Debian 12, depending on Debian's LLVM/MLIR 22, onnx and OpenMP packages.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(KILN_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/Kiln
    CACHE STRING "Where the Kiln CMake package is installed (relative to the prefix)")
set(KILN_INSTALL_PYTHONDIR
    lib/python3.${Python3_VERSION_MINOR}/dist-packages
    CACHE STRING "Where the kiln Python package is installed (relative to the prefix)")

# The tools and the Python extension find Debian's libMLIR/libLLVM (in
# /usr/lib/llvm-22/lib, outside the loader's path) through their RPATH.
set_target_properties(kiln-compile kiln-run kiln-opt kiln-import _kiln
  PROPERTIES INSTALL_RPATH_USE_LINK_PATH ON)

install(TARGETS kiln-compile kiln-run kiln-opt kiln-import
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tools)
install(TARGETS _kiln
        LIBRARY DESTINATION ${KILN_INSTALL_PYTHONDIR}/kiln COMPONENT python)
# The launchers that --target=cuda and --target=vulkan objects link, and
# the JIT loads.
install(TARGETS kiln_cuda_runtime
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT tools)
if(KILN_HAVE_VULKAN_RUNTIME)
  install(TARGETS kiln_vulkan_runtime
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT tools)
endif()
install(FILES ${KILN_SOURCE_DIR}/include/kiln/Runtime/GPURuntime.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kiln COMPONENT tools)
install(FILES ${KILN_SOURCE_DIR}/python/kiln/__init__.py
        DESTINATION ${KILN_INSTALL_PYTHONDIR}/kiln COMPONENT python)
install(FILES ${KILN_SOURCE_DIR}/docs/aot-abi.md ${KILN_SOURCE_DIR}/docs/cmake.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT doc)

# The CMake package: KilnConfig.cmake (relocatable: every path is relative
# to where it is installed), its version file, and kiln_add_model.
set(KILN_OMP_LIBRARY_HINT "${LLVM_LIBRARY_DIR}")
set(KILN_HOST_TRIPLE "${LLVM_HOST_TRIPLE}")
configure_package_config_file(
  ${KILN_SOURCE_DIR}/cmake/package/KilnConfig.cmake.in
  ${KILN_BINARY_DIR}/cmake/KilnConfig.cmake
  INSTALL_DESTINATION ${KILN_INSTALL_CMAKEDIR}
  PATH_VARS CMAKE_INSTALL_BINDIR)
write_basic_package_version_file(
  ${KILN_BINARY_DIR}/cmake/KilnConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${KILN_BINARY_DIR}/cmake/KilnConfig.cmake
              ${KILN_BINARY_DIR}/cmake/KilnConfigVersion.cmake
              ${KILN_SOURCE_DIR}/cmake/package/KilnModel.cmake
        DESTINATION ${KILN_INSTALL_CMAKEDIR} COMPONENT cmake)

# The .deb: one package with every component. Its dependencies are the
# Debian packages of the shared libraries the tools load and of what
# compiled models link (libomp) or a kiln_add_model build runs.
set(CPACK_PACKAGE_NAME kiln)
set(CPACK_PACKAGE_VENDOR "The Kiln developers")
set(CPACK_PACKAGE_CONTACT "Kiln developers <kiln@localhost>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "MLIR-based tensor compiler: ONNX and MLIR models to native code")
set(CPACK_PACKAGE_DESCRIPTION
    "Kiln compiles ONNX models and MLIR in its kiln tensor dialect to object files with a plain C header, or runs them from Python on numpy arrays. It builds on Debian's LLVM/MLIR 22.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libmlir-22, libllvm22, libonnx1, libprotobuf32, libomp-22-dev, python3 (>= 3.${Python3_VERSION_MINOR}), python3 (<< 3.${Python3_VERSION_MINOR}.99), python3-numpy, libc6, libstdc++6")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "cmake, clang-22, python3-onnx")
include(CPack)
