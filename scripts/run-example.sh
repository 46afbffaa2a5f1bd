#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# The README's main command: installs missing packages, builds Kiln, compiles
# the bundled CNN (frozen weights included) ahead of time to an object file
# and a C header, links it into the C example and runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh

BIN="${BUILD_DIR:-build}/bin"
OUT="${BUILD_DIR:-build}/example"
mkdir -p "$OUT"
MODEL=examples/models/small_cnn.mlir
echo "== kiln-compile $MODEL (graph passes fold its 3 batch norms)"
start=$(date +%s.%N)
"$BIN/kiln-compile" "$MODEL" -o "$OUT/small_cnn.o" --emit-header="$OUT/small_cnn.h"
end=$(date +%s.%N)
printf "compiled in %.2f s: %s (%s bytes)\n" "$(echo "$end - $start" | bc)" \
  "$OUT/small_cnn.o" "$(stat -c %s "$OUT/small_cnn.o")"
echo "== cc examples/c/classify.c $OUT/small_cnn.o"
clang-22 -O2 -Wall -Werror -I"$OUT" examples/c/classify.c "$OUT/small_cnn.o" -lm -lomp \
  -o "$OUT/classify"
echo "== $OUT/classify"
"$OUT/classify"
