#!/usr/bin/env bash
# Sets up, builds and runs every test; prints the summary; non-zero on any failure.
#   scripts/test.sh            the dev preset (warnings as errors, OpenSSL backend)
#   scripts/test.sh dev-gnutls the same on the GnuTLS backend
#   scripts/test.sh asan       the ASan+UBSan preset
#   scripts/test.sh tsan       the TSan preset (on the GnuTLS backend)
#   scripts/test.sh dev asan tsan   each, one after the other (what CI runs:
#                              both TLS backends pass the whole suite)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh

presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(dev)
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
