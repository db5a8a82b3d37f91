#!/usr/bin/env bash
# Builds the .deb of a build directory with CPack and checks it: control
# fields (name, version, section, computed Depends), control members (shlibs
# and the ldconfig trigger, no maintainer scripts), the contents list, and
# lintian's verdict (errors fail the check unless explained below; warnings
# are printed only).
#   scripts/check-deb.sh BUILD_DIR      (CTest runs it as installer.check_deb)
# The package lands in a temporary directory: the build's own packages/ stays
# for scripts/package.sh. It is removed on success and kept on failure.
set -euo pipefail

build=$(cd "${1:?usage: check-deb.sh BUILD_DIR}" && pwd)
env_file=$build/installer/checks.env
[ -f "$env_file" ] || { echo "check-deb: $env_file missing: configure the build first" >&2; exit 2; }
# shellcheck source=/dev/null
. "$env_file"

work=$(mktemp -d "${TMPDIR:-/tmp}/quicpool-check-deb.XXXXXX")
failures=0
cleanup() {
  local status=$?
  if [ "$status" -eq 0 ]; then rm -rf "$work"; else echo "check-deb: kept $work for inspection" >&2; fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

echo "== cpack -G DEB ($build)"
if ! (cd "$work" && cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1); then
  cat "$work/cpack.log" >&2
  exit 1
fi
debs=("$work"/out/*.deb)
[ "${#debs[@]}" -eq 1 ] && [ -f "${debs[0]}" ] || { cat "$work/cpack.log" >&2; echo "check-deb: expected one .deb, got: ${debs[*]}" >&2; exit 1; }
deb=${debs[0]}
echo "package: $deb"

echo "== control fields"
dpkg-deb --info "$deb" | sed -n '/^ Package:/,$p'
field() { dpkg-deb --field "$deb" "$1"; }
expect_field() {  # FIELD VALUE
  local got; got=$(field "$1")
  [ "$got" = "$2" ] && ok "$1: $got" || fail "$1 is '$got', expected '$2'"
}
expect_field Package quicpool
expect_field Version "$QP_VERSION"
expect_field Section net
expect_field Architecture "$(dpkg --print-architecture)"
for f in Maintainer Homepage Description Installed-Size; do
  [ -n "$(field "$f")" ] && ok "$f present" || fail "$f is empty"
done
depends=$(field Depends)
# What dpkg-shlibdeps must have found: Qt for the library and programs, and
# GnuTLS when QUIC runs on it. ngtcp2 and OpenSSL 3.5 are linked in
# statically (the system's libssl3 is Qt's, another version): no package
# may be asked for them.
wanted=(libqt6core6 libqt6network6 libc6 libstdc++6)
[ "$QP_TLS" = gnutls ] && wanted+=(libgnutls30)
for dep in "${wanted[@]}"; do
  case ", $depends" in *", $dep "*|*", $dep,"*|*", $dep") ok "Depends has $dep" ;; *) fail "Depends lacks $dep: $depends" ;; esac
done
case "$depends" in *libngtcp2*|*libssl*) fail "Depends names a library linked in statically: $depends" ;; *) ok "no ngtcp2 or libssl package in Depends" ;; esac
if [ "$QP_WITH_DIAG" = 1 ]; then
  case "$depends" in *libqt6widgets6*) ok "Depends has libqt6widgets6 (the app)" ;; *) fail "Depends lacks libqt6widgets6" ;; esac
fi
case "$depends" in *quicpool*) fail "the package depends on itself: $depends" ;; esac

echo "== control members"
dpkg-deb --control "$deb" "$work/control"
scripts=$(cd "$work/control" && ls preinst postinst prerm postrm config 2>/dev/null || true)
[ -z "$scripts" ] && ok "no maintainer scripts" || fail "unexpected maintainer scripts: $scripts"
grep -qE "^libquicpool $QP_SOVERSION quicpool" "$work/control/shlibs" 2>/dev/null \
  && ok "shlibs: $(cat "$work/control/shlibs")" || fail "shlibs missing or wrong: $(cat "$work/control/shlibs" 2>/dev/null)"
grep -qE '^activate-noawait ldconfig' "$work/control/triggers" 2>/dev/null \
  && ok "ldconfig trigger" || fail "no 'activate-noawait ldconfig' trigger"

echo "== contents"
dpkg-deb --contents "$deb" >"$work/contents"
paths=$(awk '{ p = $6; sub(/^\.\//, "/", p); print p }' "$work/contents")
need() {  # EXTENDED-REGEX describing one path
  if grep -qE "^$1\$" <<<"$paths"; then ok "$(grep -E "^$1\$" <<<"$paths" | head -n1)"; else fail "no path matches $1"; fi
}
libdir=/usr/$QP_LIBDIR
need "$libdir/libquicpool\.so\.$QP_VERSION"
need "$libdir/libquicpool\.so\.$QP_SOVERSION"
need "$libdir/libquicpool\.so"
for h in $QP_PUBLIC_HEADERS; do need "/usr/$QP_INCLUDEDIR/quicpool/${h//./\\.}"; done
need "$libdir/cmake/QuicPool/QuicPoolConfig\.cmake"
need "$libdir/cmake/QuicPool/QuicPoolConfigVersion\.cmake"
need "$libdir/cmake/QuicPool/QuicPoolTargets\.cmake"
need "$libdir/pkgconfig/quicpool\.pc"
need "/usr/$QP_BINDIR/quicpool"
need "/usr/$QP_MANDIR/man1/quicpool\.1\.gz"
need "/usr/$QP_DATADIR/doc/quicpool/copyright"
need "/usr/$QP_DATADIR/doc/quicpool/changelog\.gz"
if [ "$QP_WITH_DIAG" = 1 ]; then
  need "/usr/$QP_BINDIR/quicpool-diag"
  need "/usr/$QP_MANDIR/man1/quicpool-diag\.1\.gz"
  need "/usr/$QP_DATADIR/applications/$QP_APP_ID\.desktop"
  need "/usr/$QP_DATADIR/metainfo/$QP_APP_ID\.metainfo\.xml"
  need "/usr/$QP_DATADIR/icons/hicolor/scalable/apps/$QP_APP_ID\.svg"
  for size in $QP_ICON_SIZES; do need "/usr/$QP_DATADIR/icons/hicolor/$size/apps/$QP_APP_ID\.png"; done
else
  echo "note: quicpool-diag is not built here; the app's files are not checked"
fi
owners=$(awk '{print $2}' "$work/contents" | sort -u | tr '\n' ' ')
[ "$owners" = "root/root " ] && ok "every file owned by root/root" || fail "owners: $owners"
# Nothing may point back at the machine it was built on.
dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards '*.pc' '*.cmake' >"$work/devfiles"
if grep -qF -e "$QP_SOURCE_DIR" -e "$build" "$work/devfiles"; then
  fail "the CMake or pkg-config files name the build machine's paths"
else
  ok "CMake and pkg-config files are free of build paths"
fi

echo "== lintian"
# Errors lintian reports that are explained rather than fixed: one tag a
# line, with the reason in a comment. None so far. Two warnings are expected:
# link-to-shared-library-in-wrong-package and package-name-doesnt-match-sonames,
# because one package holds the library, its development files and the
# programs, where Debian would split them into libquicpool0, libquicpool-dev
# and quicpool.
explained=(
)
if command -v lintian >/dev/null; then
  lintian --allow-root --tag-display-limit 0 --display-info "$deb" >"$work/lintian.log" 2>&1 || true
  cat "$work/lintian.log"
  errors=$(grep -E '^E: ' "$work/lintian.log" || true)
  for tag in "${explained[@]}"; do
    errors=$(grep -vE ": ${tag%% *}( |$)" <<<"$errors" || true)
  done
  if [ -n "$errors" ]; then
    fail "lintian errors:"$'\n'"$errors"
  else
    ok "lintian: no unexplained errors ($(grep -c '^W: ' "$work/lintian.log" || true) warnings)"
  fi
else
  echo "note: lintian is not installed; skipped"
fi

echo
if [ "$failures" -ne 0 ]; then
  echo "check-deb: $failures check(s) failed" >&2
  exit 1
fi
echo "check-deb: all checks passed"
