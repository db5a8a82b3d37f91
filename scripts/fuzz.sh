#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS]: sets up, builds the libFuzzer targets (the
# `fuzz` preset: clang 14, ASan+UBSan, against the same private prefix) and
# runs each one for SECONDS (default 30) from its seed corpus and past
# crashes (tests/fuzz/corpus/<target>, tests/fuzz/regressions/<target>).
# Fails on the first crash, sanitizer report, leak or timeout, and says
# where the input is: copy it into tests/fuzz/regressions/<target>/ with
# the fix, and every test run replays it from then on.
#   QUICPOOL_FUZZ_TARGETS="a b"   run only these
#   QUICPOOL_JOBS=N               build with N jobs (default: every core)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
case "$seconds" in
  ''|*[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS]" >&2; exit 2 ;;
esac

scripts/setup-deps.sh
if command -v ccache >/dev/null; then
  export CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache
fi
start=$(date +%s)
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "${QUICPOOL_JOBS:-$(nproc)}"
built=$(date +%s)
echo "fuzz: built in $((built - start)) s"

build=build/fuzz
targets="${QUICPOOL_FUZZ_TARGETS:-$(cat "$build/fuzz-targets.txt")}"
failed=()
for t in $targets; do
  # New inputs go to a scratch folder first in line; the committed seeds
  # are read, never written.
  work="$build/corpus/$t"
  artifacts="$build/artifacts/$t/"
  mkdir -p "$work" "$artifacts"
  dirs=("$work" "tests/fuzz/corpus/$t")
  if [ -d "tests/fuzz/regressions/$t" ]; then dirs+=("tests/fuzz/regressions/$t"); fi
  echo "fuzz: $t for ${seconds} s"
  if ! ASAN_OPTIONS="abort_on_error=1:detect_leaks=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
      "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$artifacts" "${dirs[@]}" >"$build/fuzz-$t.log" 2>&1; then
    tail -n 60 "$build/fuzz-$t.log" >&2
    echo "fuzz: $t FAILED; the input is in $artifacts (log: $build/fuzz-$t.log)" >&2
    failed+=("$t")
  else
    grep -E "^stat::number_of_executed_units|^stat::new_units_added|^stat::peak_rss_mb" "$build/fuzz-$t.log" \
      | sed "s/^/fuzz: $t /"
  fi
done
echo "fuzz: done in $(($(date +%s) - start)) s (build $((built - start)) s)"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: crashes in: ${failed[*]}" >&2
  exit 1
fi
