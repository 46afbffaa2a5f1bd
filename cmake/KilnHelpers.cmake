#===- KilnHelpers.cmake - Kiln build helpers -------------------------------===#
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#===------------------------------------------------------------------------===#
#
# Kiln links everything against the shared libMLIR.so / libLLVM.so that
# Debian ships. Mixing those with the static MLIR archives registers dialects
# and command-line options twice, so no target may link a static MLIR library.

# kiln_add_library(name SOURCES... [DEPENDS targets...] [LINK_LIBS libs...])
function(kiln_add_library name)
  cmake_parse_arguments(ARG "" "" "DEPENDS;LINK_LIBS" ${ARGN})
  add_library(${name} STATIC ${ARG_UNPARSED_ARGUMENTS})
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  target_link_libraries(${name} PUBLIC ${ARG_LINK_LIBS} MLIR LLVM)
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()

# kiln_add_tool(name SOURCES... [LINK_LIBS libs...])
function(kiln_add_tool name)
  cmake_parse_arguments(ARG "" "" "LINK_LIBS" ${ARGN})
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE ${ARG_LINK_LIBS} MLIR LLVM)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                                           ${KILN_TOOLS_DIR})
endfunction()
