#!/usr/bin/env bash
# Sets up, builds and runs the main job: the diagnostics app where there is a
# display, otherwise the headless demo (a loopback pool pair with live figures).
# Builds only the two programs (build/release/app/quicpool and
# build/release/app/quicpool-diag), not the tests: scripts/test.sh does those.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
cmake --preset release >/dev/null
targets=(quicpool-cli)
# quicpool-diag exists when the GUI is configured (QUICPOOL_BUILD_GUI).
# (The list is read whole first: grep -q would cut the pipe under pipefail.)
known=$(cmake --build --preset release --target help 2>/dev/null || true)
if grep -q '^quicpool-diag:' <<<"$known"; then
  targets+=(quicpool-diag)
fi
cmake --build --preset release -j "$(nproc)" --target "${targets[@]}"
bin=build/release/app
if [ -x "$bin/quicpool-diag" ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  exec "$bin/quicpool-diag" "$@"
fi
exec "$bin/quicpool" demo "$@"
