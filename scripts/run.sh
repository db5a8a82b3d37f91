#!/usr/bin/env bash
# Sets up, builds and runs the main job: the diagnostics app where there is a
# display, otherwise the headless demo (a loopback pool pair with live figures).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
bin=build/release/app
if [ -x "$bin/quicpool-diag" ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  exec "$bin/quicpool-diag" "$@"
fi
exec "$bin/quicpool" demo "$@"
