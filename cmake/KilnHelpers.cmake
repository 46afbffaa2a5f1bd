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

# kiln_add_fuzzer(name SOURCES... [DEFINES defs...] [LINK_LIBS libs...])
# A libFuzzer harness (a source defining LLVMFuzzerTestOneInput). With
# KILN_ENABLE_FUZZERS it is the fuzzer `name`, linked with libFuzzer's main;
# otherwise `name-replay`, linked with tools/fuzz/ReplayMain.cpp, which runs
# the files (or folders of files) on its command line through the harness
# once each, so that every build replays the fuzzers' regression inputs.
function(kiln_add_fuzzer name)
  cmake_parse_arguments(ARG "" "" "DEFINES;LINK_LIBS" ${ARGN})
  set(sources ${ARG_UNPARSED_ARGUMENTS}
              ${KILN_SOURCE_DIR}/tools/fuzz/SanitizerOptions.cpp)
  if(KILN_ENABLE_FUZZERS)
    set(target ${name})
    kiln_add_tool(${target} ${sources} LINK_LIBS ${ARG_LINK_LIBS})
    target_link_options(${target} PRIVATE -fsanitize=fuzzer)
  else()
    set(target ${name}-replay)
    kiln_add_tool(${target} ${sources}
                  ${KILN_SOURCE_DIR}/tools/fuzz/ReplayMain.cpp
                  LINK_LIBS ${ARG_LINK_LIBS})
  endif()
  if(ARG_DEFINES)
    target_compile_definitions(${target} PRIVATE ${ARG_DEFINES})
  endif()
endfunction()
