#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# Configures (once) and builds Kiln with AddressSanitizer and
# UndefinedBehaviorSanitizer in ./build-asan (CMakePresets.json's `asan`),
# then runs the whole ctest suite there:
#
#   scripts/test-sanitizers.sh [ctest arguments, e.g. -R lit]
#
# The sanitizer environment comes with the tests (cmake/KilnSanitizers.cmake):
# UBSan stops at its first finding with a stack; tests that run the Python
# package get the shared ASan runtime in LD_PRELOAD and
# ASAN_OPTIONS=detect_leaks=0 (Python leaks by design); the e2e tests compile
# their C drivers with ASan/UBSan and skip valgrind, which cannot run ASan
# binaries (KilnUnitTests-valgrind is not registered in this build).
# Environment: JOBS (build and ctest parallelism, default nproc),
# KILN_BUILD_LOCK (a file to flock around the build, for machines that share
# their cores with other builds).
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS="${JOBS:-$(nproc)}"
with_lock() {
  if [ -n "${KILN_BUILD_LOCK:-}" ]; then
    flock "$KILN_BUILD_LOCK" "$@"
  else
    "$@"
  fi
}

bash scripts/install-deps.sh
if [ ! -f build-asan/build.ninja ]; then
  cmake --preset asan
fi
with_lock cmake --build --preset asan -j "$JOBS"
ctest --preset asan -j "$JOBS" "$@"
