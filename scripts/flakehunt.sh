#!/usr/bin/env bash
# Flake hunt: runs the whole suite (or part of it) N times in a row for each
# preset and says which runs failed and on what, so a test that passes or
# fails on the machine's mood shows up before it reaches CI. Run it before a
# risky change; it never retries a test (neither does CI: .ci/run).
#
#   scripts/flakehunt.sh                      asan and tsan (what CI runs), 20 runs each
#   scripts/flakehunt.sh --runs 5 --load asan five asan runs with both cores busy
#   scripts/flakehunt.sh -R 'relay\.' --runs 50 --stop
#
# Options:
#   --runs N        runs per preset (default 20)
#   --load          keep every core busy meanwhile: stress-ng --cpu $(nproc)
#                   (scripts/setup-deps.sh installs it)
#   --stop          stop at the first failing run (default: go on, count them all)
#   --jobs J        ctest -j (default: nproc, as scripts/test.sh)
#   -R REGEX        only the tests ctest -R matches
#   --out DIR       where the summary and failing logs go
#                   (default build/flakehunt/<date>-<time>)
#   --no-build      use the builds as they are
#   PRESET...       presets to run (default: asan tsan); runs alternate
#                   between them, so a change of load hits each alike
#
# Output: DIR/summary.txt, one line per run
#   run 3/20 asan FAIL 251.4 s (ctest 249.8 s) gui.tst_livepools[perDirectionMatchesCli]
# then per preset the passes, failures and wall times (min/median/max),
# and every failing test with how often it failed. Logs of failing runs stay
# as DIR/<preset>-run<N>.log (ctest's output with each failing test's own);
# logs of passing runs are deleted. Exit status 0 only if every run passed.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=20
load=0
stop=0
jobs=$(nproc)
regex=""
out=""
build=1
presets=()

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --runs=*) runs="${1#*=}"; shift ;;
    --load) load=1; shift ;;
    --stop) stop=1; shift ;;
    --jobs) jobs="$2"; shift 2 ;;
    --jobs=*) jobs="${1#*=}"; shift ;;
    -R) regex="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --out=*) out="${1#*=}"; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "flakehunt: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) presets+=("$1"); shift ;;
  esac
done
[ ${#presets[@]} -gt 0 ] || presets=(asan tsan)
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "flakehunt: --runs needs a positive number, not '$runs'" >&2
  exit 2
fi
[ -n "$out" ] || out="build/flakehunt/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
summary="$out/summary.txt"

if [ $build -eq 1 ]; then
  scripts/setup-deps.sh
  for preset in "${presets[@]}"; do
    echo "== ${preset}: configure and build"
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset" -j "$jobs"
  done
fi

stress_pid=""
stop_load() {
  if [ -n "$stress_pid" ]; then
    kill "$stress_pid" 2>/dev/null || true
    wait "$stress_pid" 2>/dev/null || true
    stress_pid=""
  fi
}
trap stop_load EXIT
trap 'exit 130' INT TERM
if [ $load -eq 1 ]; then
  if ! command -v stress-ng >/dev/null; then
    echo "flakehunt: --load needs stress-ng (scripts/setup-deps.sh installs it)" >&2
    exit 2
  fi
  # One CPU hog per core, for as long as the hunt runs.
  stress-ng --cpu "$(nproc)" --timeout 0 --quiet &
  stress_pid=$!
fi

{
  echo "flakehunt $(date -Iseconds) on $(hostname): ${presets[*]}, $runs runs each, ctest -j $jobs"
  echo "load: $([ $load -eq 1 ] && echo "stress-ng --cpu $(nproc)" || echo "none added") · uptime: $(uptime)"
  [ -z "$regex" ] || echo "tests: -R '$regex'"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
} | tee "$summary"

declare -A passes fails walls
declare -A failedTests
status=0
finished=0
for ((run = 1; run <= runs; ++run)); do
  for preset in "${presets[@]}"; do
    log="$out/${preset}-run${run}.log"
    args=(--preset "$preset" -j "$jobs" --timeout 300 --output-on-failure)
    [ -z "$regex" ] || args+=(-R "$regex")
    begin=$(date +%s.%N)
    if ctest "${args[@]}" >"$log" 2>&1; then result=pass; else result=FAIL; fi
    end=$(date +%s.%N)
    wall=$(awk -v a="$begin" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    total=$(sed -n 's/^Total Test time (real) = *\([0-9.]*\) sec.*/\1/p' "$log" | tail -1)
    walls[$preset]+="$wall "
    names=""
    if [ $result = pass ]; then
      passes[$preset]=$((${passes[$preset]:-0} + 1))
      rm -f "$log"
    else
      fails[$preset]=$((${fails[$preset]:-0} + 1))
      status=1
      # ctest's list of failed tests, each with the Qt Test functions that
      # failed in it ("FAIL!  : TestX::function(row) ...").
      while read -r name; do
        [ -n "$name" ] || continue
        functions=$(awk -v t="$name" '
            $0 ~ "^[0-9]+/[0-9]+ Test +#[0-9]+: " t " " { inside = 1; next }
            /^[0-9]+\/[0-9]+ Test +#[0-9]+: / { inside = 0 }
            inside && /^FAIL!  : / { sub(/^FAIL!  : [^:]*::/, ""); sub(/ .*/, ""); print }' "$log" |
          sort -u | paste -sd, -)
        entry="$name${functions:+[$functions]}"
        names+="$entry "
        failedTests["$preset $entry"]=$((${failedTests["$preset $entry"]:-0} + 1))
      done < <(sed -n '/The following tests FAILED:/,$p' "$log" |
                 sed -n 's/^[[:space:]]*[0-9]* - \([^ ]*\) .*/\1/p')
      [ -n "$names" ] || names="(no test named: see the log) "
    fi
    printf 'run %d/%d %s %s %s s (ctest %s s) %s\n' "$run" "$runs" "$preset" "$result" "$wall" "${total:-?}" \
      "${names% }" | tee -a "$summary"
    if [ $result = FAIL ] && [ $stop -eq 1 ]; then
      finished=$run
      break 2
    fi
  done
  finished=$run
done

stop_load
{
  echo
  echo "== after $finished of $runs runs"
  for preset in "${presets[@]}"; do
    stats=$(tr ' ' '\n' <<<"${walls[$preset]:-}" | sed '/^$/d' | sort -n |
      awk '{ v[NR] = $1 } END { if (NR) printf "wall min %.1f s, median %.1f s, max %.1f s", v[1], v[int((NR + 1) / 2)], v[NR] }')
    echo "$preset: ${passes[$preset]:-0} passed, ${fails[$preset]:-0} failed; $stats"
  done
  for key in "${!failedTests[@]}"; do
    echo "  failed ${failedTests[$key]}x: $key"
  done | sort
  [ $status -eq 0 ] || echo "failing logs: $out/*.log"
} | tee -a "$summary"
exit $status
