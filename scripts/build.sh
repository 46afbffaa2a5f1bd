#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# Configures (once) and builds Kiln in ./build with clang-22 and lld.
# Environment: BUILD_DIR (default build), BUILD_TYPE (default Release),
# KILN_WERROR (default ON in CI, OFF otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR="${BUILD_DIR:-build}"
BUILD_TYPE="${BUILD_TYPE:-Release}"
if [ -n "${CI:-}" ]; then
  KILN_WERROR="${KILN_WERROR:-ON}"
else
  KILN_WERROR="${KILN_WERROR:-OFF}"
fi

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -G Ninja -S . -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
    -DKILN_WERROR="$KILN_WERROR"
fi
cmake --build "$BUILD_DIR"
