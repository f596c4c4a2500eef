# Fuzz targets for parsers that face the network (STYLE.md 13).
#
# irisx_fuzz_target(NAME SOURCE CORPUS LIBS...) builds one target from a source file that
# defines LLVMFuzzerTestOneInput:
#   - with IRISX_FUZZ=ON (clang): a libFuzzer binary, run with `make fuzz`;
#   - otherwise: a replay binary that feeds every file of the seed corpus once, registered
#     as a CTest test (label "fuzz") so the corpus keeps passing in `make test`.
option(IRISX_FUZZ "Build libFuzzer targets (needs clang)" OFF)

function(irisx_fuzz_target name source corpus)
  if(IRISX_UNIT_ONLY)
    return()
  endif()
  if(IRISX_FUZZ)
    add_executable(${name} ${source})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  else()
    add_executable(${name} ${source} ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cpp)
    add_test(NAME ${name}_corpus COMMAND ${name} ${corpus})
    set_tests_properties(${name}_corpus PROPERTIES LABELS fuzz)
  endif()
  target_link_libraries(${name} PRIVATE ${ARGN})
  irisx_warnings(${name})
  set_property(GLOBAL APPEND PROPERTY IRISX_FUZZ_TARGETS "${name}|${corpus}")
endfunction()

# <build>/fuzz_targets.txt lists "binary|corpus" per line once every directory is configured;
# scripts/fuzz.sh runs each binary on a scratch copy of its corpus.
function(irisx_write_fuzz_list)
  get_property(_targets GLOBAL PROPERTY IRISX_FUZZ_TARGETS)
  set(_text "")
  foreach(_entry IN LISTS _targets)
    string(REPLACE "|" ";" _parts "${_entry}")
    list(GET _parts 0 _name)
    list(GET _parts 1 _corpus)
    string(APPEND _text "$<TARGET_FILE:${_name}>|${_corpus}\n")
  endforeach()
  file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/fuzz_targets.txt CONTENT "${_text}")
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL irisx_write_fuzz_list)
