#!/usr/bin/env bash
# Installs every Debian package QuicPool needs to build, test and package.
# Idempotent: when everything is present it only runs dpkg queries (seconds).
# ngtcp2 1.11 lives in bookworm-backports; that source is added only if missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev qt6-charts-dev libqt6charts6 libqt6svg6
  qt6-tools-dev-tools qt6-l10n-tools
  libgl-dev libglx-dev libvulkan-dev
  libngtcp2-dev libngtcp2-crypto-gnutls-dev libgnutls28-dev
  xvfb xauth libxkbcommon-x11-0 libxcb-cursor0 fonts-dejavu-core
  dpkg-dev file lintian appstream desktop-file-utils librsvg2-bin
)
BACKPORTED=(libngtcp2-dev libngtcp2-crypto-gnutls-dev libngtcp2-16 libngtcp2-crypto-gnutls8)
NGTCP2_MIN=1.11.0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

have_all() {
  local missing=0 p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || { missing=1; break; }
  done
  [ "$missing" -eq 0 ] || return 1
  # The ngtcp2 from bookworm main is 0.12 and too old: insist on the backport.
  local v
  v=$(dpkg-query -W -f='${Version}' libngtcp2-dev 2>/dev/null || true)
  dpkg --compare-versions "${v%%+*}" ge "$NGTCP2_MIN"
}

if have_all; then
  echo "setup-deps: all packages present"
  exit 0
fi

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
if ! grep -rqs "${codename}-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "setup-deps: adding ${codename}-backports"
  printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: %s-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$codename" | $SUDO tee /etc/apt/sources.list.d/quicpool-backports.sources >/dev/null
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends -t "${codename}-backports" "${BACKPORTED[@]:0:2}" >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null

if ! have_all; then
  echo "setup-deps: packages still missing after install" >&2
  exit 1
fi
echo "setup-deps: installed $(dpkg-query -W -f='ngtcp2 ${Version}' libngtcp2-dev)"
