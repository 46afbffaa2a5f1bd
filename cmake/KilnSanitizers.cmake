#===- KilnSanitizers.cmake - Sanitizer and libFuzzer builds ----------------===#
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#===------------------------------------------------------------------------===#
#
# Two build modes, both clang only (docs/fuzzing.md):
#
#   KILN_ENABLE_SANITIZERS  "address;undefined" (ON means the same),
#                           "address" or "undefined": Kiln's own code, tools,
#                           tests and Python extension are built with ASan
#                           and/or UBSan against the shared sanitizer runtime
#                           (so that Python can LD_PRELOAD the same one).
#                           The `asan` preset of CMakePresets.json.
#   KILN_ENABLE_FUZZERS     the libFuzzer harnesses of tools/fuzz. Kiln's
#                           code is built with -fsanitize=fuzzer-no-link,
#                           address,undefined and each harness is linked with
#                           -fsanitize=fuzzer,address,undefined (static
#                           runtimes, as libFuzzer wants).
#
# The LLVM/MLIR/ONNX libraries are Debian's, uninstrumented: ASan sees their
# heap through its malloc, but not their stack or globals. UBSan mirrors
# LLVM's own LLVM_UBSAN_FLAGS (no vptr or function checks, which misfire
# across uninstrumented libraries) and never recovers, so that a finding
# ends the process with a failure.
#
# Sets KILN_SANITIZERS (the list, empty when off), KILN_ASAN_RUNTIME (the
# shared ASan runtime to LD_PRELOAD into Python), KILN_E2E_CFLAGS (the flags
# the e2e tests compile their C drivers with), KILN_SANITIZER_TEST_ENV and
# KILN_SANITIZER_PYTHON_ENV (VAR=value lists for tests and build steps).

# kiln_sanitize_tests(): adds the sanitizer environment to every
# test of the current directory; tests that import the Python package (their
# ENVIRONMENT sets PYTHONPATH) also get the ASan runtime preloaded.
function(kiln_sanitize_tests)
  if(NOT KILN_SANITIZERS)
    return()
  endif()
  get_property(tests DIRECTORY PROPERTY TESTS)
  foreach(test ${tests})
    get_test_property(${test} ENVIRONMENT env)
    if(NOT env)
      set(env "")
    endif()
    set(extra ${KILN_SANITIZER_TEST_ENV})
    if(env MATCHES "PYTHONPATH=" AND KILN_SANITIZER_PYTHON_ENV)
      list(FILTER extra EXCLUDE REGEX "^(ASAN|UBSAN)_OPTIONS=")
      list(APPEND extra ${KILN_SANITIZER_PYTHON_ENV})
    endif()
    list(APPEND env ${extra})
    set_tests_properties(${test} PROPERTIES ENVIRONMENT "${env}")
  endforeach()
endfunction()

option(KILN_ENABLE_FUZZERS
       "Build the libFuzzer harnesses of tools/fuzz (clang only)" OFF)
set(KILN_ENABLE_SANITIZERS "" CACHE STRING
    "Sanitizers to build Kiln with: address, undefined, or both separated by ';' (ON = address;undefined)")

string(TOLOWER "${KILN_ENABLE_SANITIZERS}" _kiln_sanitizers)
string(REPLACE "," ";" _kiln_sanitizers "${_kiln_sanitizers}")
if(_kiln_sanitizers MATCHES "^(on|yes|true|y|1)$")
  set(_kiln_sanitizers "address;undefined")
elseif(_kiln_sanitizers MATCHES "^(off|no|false|n|0)?$")
  set(_kiln_sanitizers "")
endif()
if(KILN_ENABLE_FUZZERS)
  list(APPEND _kiln_sanitizers address undefined)
endif()
list(REMOVE_DUPLICATES _kiln_sanitizers)
foreach(s ${_kiln_sanitizers})
  if(NOT s MATCHES "^(address|undefined)$")
    message(FATAL_ERROR "KILN_ENABLE_SANITIZERS: unknown sanitizer '${s}' "
                        "(use address, undefined, or address;undefined)")
  endif()
endforeach()
set(KILN_SANITIZERS ${_kiln_sanitizers})

set(KILN_ASAN_RUNTIME "")
set(KILN_E2E_CFLAGS "")
set(KILN_SANITIZER_TEST_ENV "")
set(KILN_SANITIZER_PYTHON_ENV "")
if(NOT KILN_SANITIZERS)
  return()
endif()

if(KILN_ENABLE_FUZZERS)
  set(_kiln_what "KILN_ENABLE_FUZZERS")
else()
  set(_kiln_what "KILN_ENABLE_SANITIZERS")
endif()
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang" OR
   NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR
    "${_kiln_what} needs clang, but the compilers are "
    "${CMAKE_C_COMPILER_ID} ${CMAKE_C_COMPILER} and "
    "${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER}. Configure a fresh build "
    "directory with -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 "
    "(or `cmake --preset asan` / scripts/fuzz.sh).")
endif()

# The runtimes come from libclang-rt-22-dev.
set(_kiln_arch ${CMAKE_SYSTEM_PROCESSOR})
set(_kiln_rt_probe libclang_rt.asan-${_kiln_arch}.so)
if(KILN_ENABLE_FUZZERS)
  set(_kiln_rt_probe libclang_rt.fuzzer-${_kiln_arch}.a)
endif()
execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=${_kiln_rt_probe}
                OUTPUT_VARIABLE _kiln_rt OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT IS_ABSOLUTE "${_kiln_rt}" OR NOT EXISTS "${_kiln_rt}")
  message(FATAL_ERROR
    "${_kiln_what}: ${CMAKE_CXX_COMPILER} has no ${_kiln_rt_probe}; "
    "install the sanitizer runtimes: apt-get install libclang-rt-22-dev")
endif()
get_filename_component(KILN_SANITIZER_RUNTIME_DIR "${_kiln_rt}" DIRECTORY)

string(REPLACE ";" "," _kiln_list "${KILN_SANITIZERS}")
set(_kiln_compile -fsanitize=${_kiln_list} -fno-sanitize-recover=all
                  -fno-omit-frame-pointer)
set(_kiln_link -fsanitize=${_kiln_list})
if("undefined" IN_LIST KILN_SANITIZERS)
  list(APPEND _kiln_compile -fno-sanitize=vptr,function)
endif()
string(TOUPPER "${CMAKE_BUILD_TYPE}" _kiln_build_type)
if(NOT _kiln_build_type MATCHES "^(DEBUG|RELWITHDEBINFO)$")
  list(APPEND _kiln_compile -gline-tables-only)
endif()

if(KILN_ENABLE_FUZZERS)
  # Coverage for libFuzzer in every Kiln object; libFuzzer's main is linked
  # into the harnesses only (kiln_add_fuzzer).
  list(APPEND _kiln_compile -fsanitize=fuzzer-no-link)
else()
  # One shared runtime for the tools, the tests, the C drivers and the Python
  # extension (which an uninstrumented python3 can only load with that
  # runtime in LD_PRELOAD): two copies of ASan in one process do not mix.
  list(APPEND _kiln_link -shared-libsan
       "-Wl,-rpath,${KILN_SANITIZER_RUNTIME_DIR}")
  if("address" IN_LIST KILN_SANITIZERS)
    set(KILN_ASAN_RUNTIME ${KILN_SANITIZER_RUNTIME_DIR}/libclang_rt.asan-${_kiln_arch}.so)
  else()
    set(KILN_ASAN_RUNTIME ${KILN_SANITIZER_RUNTIME_DIR}/libclang_rt.ubsan_standalone-${_kiln_arch}.so)
  endif()
endif()
add_compile_options(${_kiln_compile})
add_link_options(${_kiln_link})
# HandleLLVMOptions links shared libraries with -z defs, but instrumented
# shared objects leave the runtime's symbols to the executable.
string(REPLACE "-Wl,-z,defs" "" CMAKE_SHARED_LINKER_FLAGS "${CMAKE_SHARED_LINKER_FLAGS}")
string(REPLACE "-Wl,-z,defs" "" CMAKE_MODULE_LINKER_FLAGS "${CMAKE_MODULE_LINKER_FLAGS}")

# The C drivers the e2e and lit tests link with AOT objects (which, being
# generated code, are not instrumented).
# (-fsyntax-only checks of the headers leave the link flags unused.)
set(_kiln_e2e ${_kiln_compile} ${_kiln_link} -Wno-unused-command-line-argument)
list(REMOVE_DUPLICATES _kiln_e2e)
list(REMOVE_ITEM _kiln_e2e -fsanitize=fuzzer-no-link)
string(REPLACE ";" " " KILN_E2E_CFLAGS "${_kiln_e2e}")

find_program(KILN_LLVM_SYMBOLIZER llvm-symbolizer
             HINTS ${LLVM_TOOLS_BINARY_DIR} NO_DEFAULT_PATH)
# Leaks are reported for Kiln's own processes and the e2e drivers; anything
# with Python in it runs without leak detection (Python leaks by design).
# allow_user_poisoning=0: LLVM's BumpPtrAllocator, inlined both into Kiln's
# instrumented code and into the uninstrumented libMLIR, would otherwise be
# reported as use-after-poison (tools/fuzz/SanitizerOptions.cpp).
# allocator_may_return_null=1: the tests allocate more than ASan's 1 TiB
# limit on purpose and expect NULL (and a status), as from glibc's malloc.
set(_kiln_asan_options
    "allow_user_poisoning=0:allocator_may_return_null=1:detect_stack_use_after_return=0")
set(_kiln_ubsan_options "print_stacktrace=1:halt_on_error=1")
set(KILN_SANITIZER_TEST_ENV
    "ASAN_OPTIONS=${_kiln_asan_options}"
    "UBSAN_OPTIONS=${_kiln_ubsan_options}"
    # The e2e tests: sanitize the C drivers, and skip valgrind (which cannot
    # run ASan binaries).
    "KILN_E2E_CFLAGS=${KILN_E2E_CFLAGS}"
    "KILN_E2E_VALGRIND=0")
if(KILN_LLVM_SYMBOLIZER)
  list(APPEND KILN_SANITIZER_TEST_ENV
       "ASAN_SYMBOLIZER_PATH=${KILN_LLVM_SYMBOLIZER}"
       "LLVM_SYMBOLIZER_PATH=${KILN_LLVM_SYMBOLIZER}")
endif()
if(KILN_ASAN_RUNTIME)
  set(KILN_SANITIZER_PYTHON_ENV
      "LD_PRELOAD=${KILN_ASAN_RUNTIME}"
      "ASAN_OPTIONS=${_kiln_asan_options}:detect_leaks=0"
      "UBSAN_OPTIONS=${_kiln_ubsan_options}")
endif()
if(KILN_ENABLE_FUZZERS)
  message(STATUS "Fuzzers: libFuzzer with ${KILN_SANITIZERS}")
else()
  message(STATUS "Sanitizers: ${KILN_SANITIZERS} (runtime ${KILN_ASAN_RUNTIME})")
endif()
