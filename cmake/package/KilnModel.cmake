#===- KilnModel.cmake - kiln_add_model: models compiled at build time ------===#
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#===------------------------------------------------------------------------===#
#
# kiln_add_model(<target> <model.onnx|.mlir|.mlirbc>
#                [PREFIX <c-identifier>]          # default: <target>, made a C identifier
#                [TARGET <triple>] [CPU <name>] [FEATURES <+f,-g>]
#                [OPT_LEVEL 0|1|2|3]  (kiln-compile -O<n>)
#                [PARALLEL openmp|none]           # none: no OpenMP, no libomp
#                [WEIGHTS embedded|external]
#                [FREEZE <input>=<file.npy> ...]
#                [QUANTIZE int8 CALIBRATION <dir> | QUANTIZE int8-dynamic
#                 | QUANTIZE int8-weights]   # docs/quantization.md
#                [ENTRY <name>] [OPTIONS <kiln-compile flags> ...])
#
# Compiles the model with kiln-compile when the build runs (again whenever
# the model, a frozen input or kiln-compile changes) into
# ${CMAKE_CURRENT_BINARY_DIR}/kiln/<target>/<prefix>.o and <prefix>.h, and
# defines <target>, a static library of that object whose users get the
# header's folder on their include path and the OpenMP runtime (for host
# models that use threads) on their link line:
#
#   kiln_add_model(classifier models/cnn.onnx PREFIX cls WEIGHTS external)
#   add_executable(app main.c)
#   target_link_libraries(app PRIVATE classifier)   # #include "cls.h"
#
# With WEIGHTS external the weights go to <prefix>.weights next to the
# header; the program loads them with <prefix>_load_weights(path) (see
# docs/aot-abi.md). The target's properties KILN_HEADER, KILN_OBJECT,
# KILN_WEIGHTS_FILE and KILN_PREFIX give the paths and the prefix.

function(kiln_add_model target model)
  cmake_parse_arguments(PARSE_ARGV 2 ARG ""
    "PREFIX;TARGET;CPU;FEATURES;OPT_LEVEL;PARALLEL;WEIGHTS;QUANTIZE;CALIBRATION;ENTRY"
    "FREEZE;OPTIONS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "kiln_add_model(${target}): unknown arguments: "
                        "${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(TARGET ${target})
    message(FATAL_ERROR "kiln_add_model(${target}): a target named "
                        "'${target}' exists already")
  endif()

  get_filename_component(model_path "${model}" ABSOLUTE
                         BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${model_path}")
    message(FATAL_ERROR "kiln_add_model(${target}): no model at '${model_path}'")
  endif()

  # The prefix names the header's functions and the object's symbols.
  if(DEFINED ARG_PREFIX)
    set(prefix "${ARG_PREFIX}")
  else()
    string(MAKE_C_IDENTIFIER "${target}" prefix)
  endif()
  if(NOT prefix MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "kiln_add_model(${target}): PREFIX '${prefix}' is "
                        "not a C identifier")
  endif()

  if(DEFINED ARG_QUANTIZE AND
     NOT ARG_QUANTIZE MATCHES "^(int8|int8-dynamic|int8-weights)$")
    message(FATAL_ERROR "kiln_add_model(${target}): QUANTIZE must be int8, "
                        "int8-dynamic or int8-weights, got '${ARG_QUANTIZE}'")
  endif()
  if(ARG_QUANTIZE STREQUAL "int8" AND NOT DEFINED ARG_CALIBRATION)
    message(FATAL_ERROR "kiln_add_model(${target}): QUANTIZE int8 needs "
                        "CALIBRATION <dir> (a directory of .npy batches)")
  endif()
  if(DEFINED ARG_CALIBRATION AND NOT ARG_QUANTIZE STREQUAL "int8")
    message(FATAL_ERROR "kiln_add_model(${target}): CALIBRATION is for "
                        "QUANTIZE int8")
  endif()

  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/kiln/${target}")
  set(object "${out_dir}/${prefix}.o")
  set(header "${out_dir}/${prefix}.h")
  set(outputs "${object}" "${header}")
  set(flags -o "${object}" "--emit-header=${header}" "--prefix=${prefix}")
  set(depends "${model_path}")

  if(DEFINED ARG_TARGET)
    list(APPEND flags "--target-triple=${ARG_TARGET}")
  endif()
  if(DEFINED ARG_CPU)
    list(APPEND flags "--cpu=${ARG_CPU}")
  endif()
  if(DEFINED ARG_FEATURES)
    list(APPEND flags "--features=${ARG_FEATURES}")
  endif()
  if(DEFINED ARG_OPT_LEVEL)
    if(NOT ARG_OPT_LEVEL MATCHES "^[0-3]$")
      message(FATAL_ERROR "kiln_add_model(${target}): OPT_LEVEL must be "
                          "0-3, got '${ARG_OPT_LEVEL}'")
    endif()
    list(APPEND flags "-O${ARG_OPT_LEVEL}")
  endif()
  set(parallel openmp)
  if(DEFINED ARG_PARALLEL)
    if(NOT ARG_PARALLEL MATCHES "^(openmp|none)$")
      message(FATAL_ERROR "kiln_add_model(${target}): PARALLEL must be "
                          "openmp or none, got '${ARG_PARALLEL}'")
    endif()
    set(parallel ${ARG_PARALLEL})
    list(APPEND flags "--parallel=${parallel}")
  endif()
  set(weights_file "")
  if(DEFINED ARG_WEIGHTS)
    if(ARG_WEIGHTS STREQUAL "external")
      set(weights_file "${out_dir}/${prefix}.weights")
      list(APPEND outputs "${weights_file}")
      list(APPEND flags "--weights=external" "--weights-file=${weights_file}")
    elseif(NOT ARG_WEIGHTS STREQUAL "embedded")
      message(FATAL_ERROR "kiln_add_model(${target}): WEIGHTS must be "
                          "embedded or external, got '${ARG_WEIGHTS}'")
    endif()
  endif()
  foreach(freeze IN LISTS ARG_FREEZE)
    if(NOT freeze MATCHES "^([^=]+)=(.+)$")
      message(FATAL_ERROR "kiln_add_model(${target}): FREEZE takes "
                          "<input>=<file.npy>, got '${freeze}'")
    endif()
    get_filename_component(npy "${CMAKE_MATCH_2}" ABSOLUTE
                           BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND flags --freeze "${CMAKE_MATCH_1}=${npy}")
    list(APPEND depends "${npy}")
  endforeach()
  if(DEFINED ARG_QUANTIZE)
    list(APPEND flags "--quantize=${ARG_QUANTIZE}")
  endif()
  if(DEFINED ARG_CALIBRATION)
    get_filename_component(calibration "${ARG_CALIBRATION}" ABSOLUTE
                           BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT IS_DIRECTORY "${calibration}")
      message(FATAL_ERROR "kiln_add_model(${target}): no calibration "
                          "directory at ${calibration}")
    endif()
    list(APPEND flags "--calibration=${calibration}")
    file(GLOB_RECURSE batches CONFIGURE_DEPENDS "${calibration}/*.npy")
    list(APPEND depends ${batches})
  endif()
  if(DEFINED ARG_ENTRY)
    list(APPEND flags "--entry=${ARG_ENTRY}")
  endif()
  list(APPEND flags ${ARG_OPTIONS})

  file(MAKE_DIRECTORY "${out_dir}")
  add_custom_command(
    OUTPUT ${outputs}
    COMMAND Kiln::kiln-compile "${model_path}" ${flags}
    DEPENDS ${depends} Kiln::kiln-compile
    COMMENT "Kiln: compiling ${model} into ${prefix}.o and ${prefix}.h"
    VERBATIM)

  add_library(${target} STATIC "${object}" "${header}" ${weights_file})
  set_source_files_properties("${object}" PROPERTIES
    EXTERNAL_OBJECT TRUE GENERATED TRUE)
  set_source_files_properties("${header}" ${weights_file} PROPERTIES
    GENERATED TRUE HEADER_FILE_ONLY TRUE)
  set_target_properties(${target} PROPERTIES
    LINKER_LANGUAGE C
    KILN_HEADER "${header}"
    KILN_OBJECT "${object}"
    KILN_WEIGHTS_FILE "${weights_file}"
    KILN_PREFIX "${prefix}")
  target_include_directories(${target} INTERFACE "${out_dir}")

  # Host models call libm and, with threads, LLVM's OpenMP runtime; a model
  # for another architecture links whatever that platform provides.
  set(host_model TRUE)
  if(DEFINED ARG_TARGET)
    string(REGEX REPLACE "-.*" "" model_arch "${ARG_TARGET}")
    string(REGEX REPLACE "-.*" "" host_arch "${Kiln_HOST_TRIPLE}")
    if(NOT model_arch STREQUAL host_arch)
      set(host_model FALSE)
    endif()
  endif()
  if(host_model AND parallel STREQUAL "openmp")
    target_link_libraries(${target} INTERFACE Kiln::omp)
  endif()
  target_link_libraries(${target} INTERFACE m)
endfunction()
