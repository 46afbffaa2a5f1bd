#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# The README's main command: installs missing packages, builds, and runs
# Kiln's graph pipeline on the bundled CNN (frozen weights included),
# showing the IR before and after.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh

MODEL=examples/models/small_cnn.mlir
OPT="${BUILD_DIR:-build}/bin/kiln-opt"
echo "== $MODEL: ops before the graph pipeline"
"$OPT" "$MODEL" | grep -o 'kiln\.[a-z_0-9]*' | sort | uniq -c
echo "== after --kiln-graph-pipeline (batch norms folded into the convolutions)"
"$OPT" "$MODEL" --kiln-graph-pipeline --mlir-elide-resource-strings-if-larger=64 \
  --mlir-elide-elementsattrs-if-larger=16
