#!/bin/sh
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# A long kiln-smith run (docs/testing-smith.md): TOTAL random graphs in
# chunks of CHUNK, one seed per chunk, then a summary of all chunks.
#
#   scripts/fuzz-smith.sh [TOTAL] [CHUNK] [FIRST_SEED]
#
# Environment: BUILD (default build), JOBS (workers, default 1), OUT (where
# the chunks' JSON summaries, logs and failing graphs go, default
# $BUILD/fuzz-smith), CONFIGS (default jit-o2,jit-o0,jit-x86-64:2,aot-o2:8),
# EXTRA (more kiln_smith.py options, e.g. --include-known-bugs).
# Exits 1 when any chunk had a failure.
set -eu

TOTAL=${1:-10000}
CHUNK=${2:-500}
SEED=${3:-1000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
JOBS=${JOBS:-1}
OUT=${OUT:-$BUILD/fuzz-smith}
CONFIGS=${CONFIGS:-jit-o2,jit-o0,jit-x86-64:2,aot-o2:8}
EXTRA=${EXTRA:-}
export PYTHONPATH="$BUILD/python_packages${PYTHONPATH:+:$PYTHONPATH}"

mkdir -p "$OUT"
done_graphs=0
status=0
while [ "$done_graphs" -lt "$TOTAL" ]; do
  n=$CHUNK
  if [ $((TOTAL - done_graphs)) -lt "$n" ]; then
    n=$((TOTAL - done_graphs))
  fi
  echo "== seed $SEED: $n graphs ($done_graphs of $TOTAL done)"
  # shellcheck disable=SC2086
  if ! /usr/bin/python3 "$ROOT/test/fuzz/kiln_smith.py" --seed "$SEED" \
      --count "$n" --jobs "$JOBS" --configs "$CONFIGS" --quiet \
      --json "$OUT/seed$SEED.json" --save-failures "$OUT/failures" $EXTRA \
      > "$OUT/seed$SEED.log" 2>&1; then
    status=1
  fi
  tail -n 20 "$OUT/seed$SEED.log" | grep -v '^    ' | grep -E '^(kiln-smith|  +[0-9]+ x)' || true
  done_graphs=$((done_graphs + n))
  SEED=$((SEED + 1))
done

/usr/bin/python3 - "$OUT" <<'EOF'
import collections, glob, json, os, sys
graphs = ops = compiles = runs = aot = mismatches = 0
kinds = collections.Counter()
sigs = collections.Counter()
examples = {}
failures = 0
for path in sorted(glob.glob(os.path.join(sys.argv[1], "seed*.json"))):
    with open(path) as f:
        s = json.load(f)
    graphs += s["graphs"]
    ops += sum(s["ops"].values())
    kinds.update(s["ops"])
    compiles += s["compiles"]
    runs += s["runs"]
    aot += s["aot_graphs"]
    mismatches += s["mismatches"]
    failures += len(s["failures"])
    for sig, n in s["signatures"].items():
        sigs[sig] += n
    for f in s["failures"]:
        examples.setdefault(f["kind"], (f["seed"], f["index"], f["config"]))
print("kiln-smith total: %d graphs, %d ops (%d kinds), %d compilations, "
      "%d runs (%d AOT), %d mismatches, %d failures" % (
          graphs, ops, len(kinds), compiles, runs, aot, mismatches, failures))
for sig, n in sigs.most_common():
    print("  %5d x %s" % (n, sig))
for kind, (seed, index, config) in examples.items():
    print("  e.g. %s: test/fuzz/smith_reduce.py --seed %d --index %d "
          "--config %s" % (kind, seed, index, config))
EOF
exit $status
