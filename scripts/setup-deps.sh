#!/usr/bin/env bash
# Installs every Debian package QuicPool needs to build, test and package, then
# builds (once; cached) the private OpenSSL 3.5 + ngtcp2 1.24 prefix that
# build/deps points to (scripts/build-private-deps.sh).
# Idempotent: when everything is present it takes a second or two.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev qt6-charts-dev libqt6charts6 libqt6svg6
  qt6-tools-dev-tools qt6-l10n-tools
  libgl-dev libglx-dev libvulkan-dev
  libgnutls28-dev
  xvfb xauth libxkbcommon-x11-0 libxcb-cursor0 fonts-dejavu-core
  dpkg-dev file lintian appstream desktop-file-utils librsvg2-bin
  # scripts/fuzz.sh: clang 14 with libFuzzer (libclang-rt-14-dev), and
  # llvm-symbolizer (llvm-14) for readable sanitizer stacks.
  clang libclang-rt-14-dev llvm-14
  # The metrics test parses the scrape with the reference OpenMetrics parser.
  python3 python3-prometheus-client
  # scripts/flakehunt.sh --load keeps every core busy with it.
  stress-ng
  # For scripts/build-private-deps.sh: dpkg-source (dpkg-dev) unpacks Debian's
  # source packages (xz-utils, patch), OpenSSL's Configure needs perl, apt
  # checks the source index against debian-archive-keyring, and the private
  # OpenSSL reads Debian's CA store (ca-certificates).
  perl xz-utils patch debian-archive-keyring ca-certificates
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

have_all() {
  local n
  # One dpkg-query for all of them: this runs before every build and test.
  n=$(dpkg-query -W -f='${Status}\n' "${PACKAGES[@]}" 2>/dev/null | grep -c "install ok installed" || true)
  [ "$n" -eq "${#PACKAGES[@]}" ]
}

install_packages() {
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
  if ! have_all; then
    echo "setup-deps: packages still missing after install" >&2
    exit 1
  fi
}

if have_all; then
  echo "setup-deps: all packages present"
else
  install_packages
fi
"$(dirname "$0")/build-private-deps.sh"
