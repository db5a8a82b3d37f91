#!/usr/bin/env bash
# Renders the app icon's SVG into the hicolor PNG sizes that are committed
# beside it (resources/icons/hicolor/NxN/apps/). Run it after editing the SVG;
# the build only copies the PNGs, so building needs no SVG renderer.
# Needs rsvg-convert (librsvg2-bin, in scripts/setup-deps.sh).
set -euo pipefail
cd "$(dirname "$0")"
name=io.github.quicpool.Diag
for size in 16 22 24 32 48 64 128 256 512; do
  out=hicolor/${size}x${size}/apps/$name.png
  mkdir -p "$(dirname "$out")"
  rsvg-convert --width "$size" --height "$size" --format png --output "$out" "$name.svg"
  echo "$out"
done
