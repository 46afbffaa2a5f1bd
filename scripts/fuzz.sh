#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# Builds Kiln's libFuzzer harnesses (tools/fuzz) in build-fuzz, writes their
# seed corpora from the test corpus, and runs each harness in turn.
#
#   scripts/fuzz.sh [--time SECONDS] [--max-crashes N] [--no-build]
#                   [--reseed] [harness...]
#
# Harnesses: npy-fuzzer onnx-import-fuzzer kiln-graph-fuzzer kiln-opt-fuzzer
# (default: all, in that order). Each runs for --time seconds (default 60),
# on one core. A crash does not end its run: libFuzzer is restarted for the
# time left, up to --max-crashes (default 5) crashes per harness.
#
#   build-fuzz/fuzz/seeds/<harness>/   seeds (scripts/fuzz_seeds.py)
#   build-fuzz/fuzz/corpus/<harness>/  the corpus the runs grow (kept)
#   build-fuzz/fuzz/logs/<harness>.log libFuzzer's output
#   build-fuzz/crashes/<harness>/      crash-*, oom-*, timeout-*, leak-*
#
# The summary gives each harness's executions (libFuzzer's final
# stat::number_of_executed_units, summed over restarts), executions per
# second of wall time, and the crashes found. Exits 1 when any harness
# crashed. Environment: FUZZ_BUILD_DIR (default build-fuzz), JOBS (ninja's
# -j, default 2), FUZZ_CMAKE_ARGS (extra arguments of the first configure),
# KILN_BUILD_LOCK (a file to flock around the build, for machines that share
# their cores with other builds). See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

BUILD_DIR="${FUZZ_BUILD_DIR:-build-fuzz}"
TIME=60
MAX_CRASHES=5
BUILD=1
RESEED=0
ALL=(npy-fuzzer onnx-import-fuzzer kiln-graph-fuzzer kiln-opt-fuzzer)
HARNESSES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) TIME="$2"; shift 2 ;;
    --time=*) TIME="${1#*=}"; shift ;;
    --max-crashes) MAX_CRASHES="$2"; shift 2 ;;
    --max-crashes=*) MAX_CRASHES="${1#*=}"; shift ;;
    --no-build) BUILD=0; shift ;;
    --reseed) RESEED=1; shift ;;
    -h|--help) sed -n '4,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) HARNESSES+=("$1"); shift ;;
  esac
done
[ ${#HARNESSES[@]} -gt 0 ] || HARNESSES=("${ALL[@]}")
for h in "${HARNESSES[@]}"; do
  case " ${ALL[*]} " in
    *" $h "*) ;;
    *) echo "fuzz.sh: unknown harness $h (have: ${ALL[*]})" >&2; exit 2 ;;
  esac
done

# Per harness: the longest input, the per-input timeout (seconds), extra
# flags. MLIR and ONNX inputs stay small; the test corpus' seeds fit.
max_len() {
  case "$1" in
    npy-fuzzer) echo 4096 ;;
    *) echo 8192 ;;
  esac
}
unit_timeout() {
  case "$1" in
    npy-fuzzer) echo 5 ;;
    *) echo 60 ;;
  esac
}
dict() {
  case "$1" in
    npy-fuzzer) echo "$BUILD_DIR/fuzz/seeds/npy.dict" ;;
    kiln-*) echo "$BUILD_DIR/fuzz/seeds/kiln-opt.dict" ;;
    *) echo "" ;;
  esac
}

with_lock() {
  if [ -n "${KILN_BUILD_LOCK:-}" ]; then
    flock "$KILN_BUILD_LOCK" "$@"
  else
    "$@"
  fi
}

if [ "$BUILD" = 1 ]; then
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    # CMakePresets.json's `fuzz`: -O1 with line tables, NDEBUG as released.
    # For assertions too, add
    #   -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only"
    #   -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only"
    cmake --preset fuzz -B "$BUILD_DIR" ${FUZZ_CMAKE_ARGS:-}
  fi
  targets=("${HARNESSES[@]}")
  # kiln-import turns the ONNX node tests into MLIR seeds.
  if [ "$RESEED" = 1 ] || [ ! -d "$BUILD_DIR/fuzz/seeds" ]; then
    targets+=(kiln-import)
  fi
  with_lock ninja -C "$BUILD_DIR" -j "${JOBS:-2}" "${targets[@]}"
fi

SEEDS="$BUILD_DIR/fuzz/seeds"
if [ "$RESEED" = 1 ] || [ ! -d "$SEEDS" ]; then
  rm -rf "$SEEDS"
  importer=()
  [ -x "$BUILD_DIR/bin/kiln-import" ] &&
    importer=(--kiln-import "$BUILD_DIR/bin/kiln-import")
  ASAN_OPTIONS=detect_leaks=0 /usr/bin/python3 scripts/fuzz_seeds.py \
    "$SEEDS" "${importer[@]}"
fi

SYMBOLIZER=/usr/lib/llvm-22/bin/llvm-symbolizer
export ASAN_SYMBOLIZER_PATH="$SYMBOLIZER"
# allow_user_poisoning=0: see tools/fuzz/SanitizerOptions.cpp.
export ASAN_OPTIONS="${ASAN_OPTIONS:-allow_user_poisoning=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

count_artifacts() {
  find "$1" -maxdepth 1 -type f \
    \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' -o -name 'leak-*' \) \
    2>/dev/null | wc -l
}

declare -A EXECS RATE CRASHES ARTIFACTS
status=0
for h in "${HARNESSES[@]}"; do
  bin="$BUILD_DIR/bin/$h"
  [ -x "$bin" ] || { echo "fuzz.sh: $bin is not built" >&2; exit 2; }
  corpus="$BUILD_DIR/fuzz/corpus/$h"
  crashes="$ROOT/$BUILD_DIR/crashes/$h"
  log="$BUILD_DIR/fuzz/logs/$h.log"
  mkdir -p "$corpus" "$crashes" "$(dirname "$log")"
  : > "$log"
  flags=(-max_len="$(max_len "$h")" -timeout="$(unit_timeout "$h")"
         -rss_limit_mb=4096 -print_final_stats=1
         -artifact_prefix="$crashes/")
  d="$(dict "$h")"
  [ -n "$d" ] && [ -f "$d" ] && flags+=(-dict="$d")
  start=$(date +%s)
  deadline=$((start + TIME))
  execs=0 found=0
  echo "== $h: ${TIME}s, log $log"
  while :; do
    left=$((deadline - $(date +%s)))
    [ "$left" -gt 0 ] || break
    before=$(count_artifacts "$crashes")
    run_log=$(mktemp)
    set +e
    "$bin" "${flags[@]}" -max_total_time="$left" "$corpus" "$SEEDS/$h" \
      > "$run_log" 2>&1
    rc=$?
    set -e
    cat "$run_log" >> "$log"
    n=$(grep -a 'stat::number_of_executed_units:' "$run_log" | tail -1 |
        awk '{print $2}')
    execs=$((execs + ${n:-0}))
    new=$(( $(count_artifacts "$crashes") - before ))
    what=$(grep -a -m1 -E 'ERROR: |runtime error: |ALARM: |out-of-memory' \
           "$run_log" | cut -c1-160 || true)
    rm -f "$run_log"
    if [ "$rc" -eq 0 ]; then
      break
    fi
    [ "$new" -gt 0 ] || new=1
    found=$((found + new))
    echo "   crash (exit $rc): $what"
    if [ "$found" -ge "$MAX_CRASHES" ]; then
      echo "   $found crashes: stopping $h"
      break
    fi
  done
  wall=$(( $(date +%s) - start ))
  [ "$wall" -gt 0 ] || wall=1
  EXECS[$h]=$execs
  RATE[$h]=$((execs / wall))
  CRASHES[$h]=$found
  ARTIFACTS[$h]=$(count_artifacts "$crashes")
  [ "$found" -eq 0 ] || status=1
done

echo
printf '%-20s %14s %10s %8s %10s\n' harness executions exec/s crashes artifacts
total=0
for h in "${HARNESSES[@]}"; do
  printf '%-20s %14s %10s %8s %10s\n' "$h" "${EXECS[$h]}" "${RATE[$h]}" \
    "${CRASHES[$h]}" "${ARTIFACTS[$h]}"
  total=$((total + EXECS[$h]))
done
printf '%-20s %14s\n' total "$total"
echo "(artifacts: files in $BUILD_DIR/crashes/<harness>/; minimize one with"
echo " $BUILD_DIR/bin/<harness> -minimize_crash=1 -runs=10000 FILE, and keep it"
echo " under test/fuzz/regressions/<harness>/)"
exit $status
