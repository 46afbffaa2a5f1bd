#===- CheckDocs.cmake - Fail when generated docs drift ---------------------===#
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#===------------------------------------------------------------------------===#
# Usage: cmake -DPAIRS=generated|checked_in,... -P CheckDocs.cmake
string(REPLACE "," ";" pairs "${PAIRS}")
set(stale 0)
foreach(pair ${pairs})
  string(REPLACE "|" ";" paths "${pair}")
  list(GET paths 0 generated)
  list(GET paths 1 checked_in)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${generated} ${checked_in}
                  RESULT_VARIABLE different)
  if(different)
    message(SEND_ERROR "${checked_in} is stale: regenerate it with `ninja -C build kiln-update-docs`")
    set(stale 1)
  else()
    message(STATUS "up to date: ${checked_in}")
  endif()
endforeach()
