# Writes OUT (nicsteer_version.h) with `git describe` of SRC, or VERSION when
# SRC is no git checkout; rewritten only when it changes, so a build with no
# new commit recompiles nothing. Run at every build (sim/version.c's target).
execute_process(COMMAND git -C "${SRC}" describe --always --dirty --tags
                OUTPUT_VARIABLE v OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE rc ERROR_QUIET)
if(NOT rc EQUAL 0 OR v STREQUAL "")
  set(v "${VERSION}")
else()
  set(v "${VERSION}+g${v}")
endif()
set(text "#define NICSTEER_VERSION \"${v}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE "${OUT}" "${text}")
endif()
