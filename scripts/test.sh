#!/usr/bin/env bash
# Sets up, builds and runs every test; prints the summary; non-zero on any failure.
#   scripts/test.sh            the asan preset: ASan+UBSan, warnings as errors,
#                              OpenSSL backend (what the README's test command runs)
#   scripts/test.sh dev        a plain debug build, warnings as errors
#   scripts/test.sh dev-gnutls the same on the GnuTLS backend
#   scripts/test.sh tsan       the TSan preset (on the GnuTLS backend)
#   scripts/test.sh asan tsan  each, one after the other (what CI runs: both
#                              TLS backends, both sanitizers, the whole suite)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh

presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(asan)
jobs=$(nproc)
status=0
for preset in "${presets[@]}"; do
  echo "== ${preset}: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== ${preset}: tests"
  if ! ctest --preset "$preset" -j "$jobs" --timeout 300; then
    status=1
  fi
done
exit $status
