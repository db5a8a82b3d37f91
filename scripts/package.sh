#!/usr/bin/env bash
# Builds a release of QuicPool for /usr and packs it as a .deb and a .tar.gz.
# Uses Debian's hardening flags (dpkg-buildflags) and prints the packages' paths.
#   scripts/package.sh            build dir build/package, packages in build/package/packages
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh

build=build/package
# All of Debian's hardening (bindnow too), as lintian expects of a package.
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
flags() { dpkg-buildflags --get "$1"; }
# CMAKE_INSTALL_PREFIX=/usr lets GNUInstallDirs pick Debian's multiarch libdir.
cmake -S . -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_INSTALL_PREFIX=/usr \
  -DQUICPOOL_BUILD_TESTS=OFF \
  -DCMAKE_CXX_FLAGS="$(flags CXXFLAGS) $(flags CPPFLAGS)" \
  -DCMAKE_EXE_LINKER_FLAGS="$(flags LDFLAGS)" \
  -DCMAKE_SHARED_LINKER_FLAGS="$(flags LDFLAGS)" >/dev/null
cmake --build "$build" -j "$(nproc)"
rm -rf "$build/packages"
cpack --config "$build/CPackConfig.cmake" -G "DEB;TGZ" -B "$build/packages"
echo
echo "packages:"
ls -1 "$PWD/$build/packages/"*.deb "$PWD/$build/packages/"*.tar.gz
