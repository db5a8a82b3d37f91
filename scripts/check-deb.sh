#!/usr/bin/env bash
# Builds the .debs of a build directory with CPack, split as Debian splits a
# library and its programs (installer/CPackSettings.cmake), and checks each:
# control fields (name, version, section, computed Depends: the CLI must not
# pull in Qt Widgets or Charts), control members (shlibs and the ldconfig
# trigger on the library, no maintainer scripts), what each holds and what
# it must not, and lintian's verdict on all of them (errors and warnings
# fail the check unless explained below).
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
lib=libquicpool$QP_SOVERSION
packages=("$lib" libquicpool-dev quicpool)
[ "$QP_WITH_DIAG" = 1 ] && packages+=(quicpool-diag)
arch=$(dpkg --print-architecture)
declare -A deb
for p in "${packages[@]}"; do
  f="$work/out/${p}_${QP_VERSION}_${arch}.deb"
  [ -f "$f" ] || { cat "$work/cpack.log" >&2; echo "check-deb: no $f among: $(ls "$work/out")" >&2; exit 1; }
  deb[$p]=$f
done
extra=$(ls "$work"/out/*.deb | wc -l)
[ "$extra" -eq "${#packages[@]}" ] && ok "${#packages[@]} packages: ${packages[*]}" \
  || fail "expected ${#packages[@]} packages, cpack made $extra: $(ls "$work"/out/*.deb)"

field() { dpkg-deb --field "${deb[$1]}" "$2"; }
expect_field() {  # PACKAGE FIELD VALUE
  local got; got=$(field "$1" "$2")
  [ "$got" = "$3" ] && ok "$1 $2: $got" || fail "$1 $2 is '$got', expected '$3'"
}
has_dep() {  # PACKAGE DEP [VERSION-CONSTRAINT]
  local depends; depends=$(field "$1" Depends)
  case ", $depends," in
    *", $2 ${3:-}"*|*", $2,"*|*", $2 ("*) ok "$1 depends on $2${3:+ $3}" ;;
    *) fail "$1 Depends lacks $2${3:+ $3}: $depends" ;;
  esac
}
lacks_dep() {  # PACKAGE DEP-REGEX WHY
  local depends; depends=$(field "$1" Depends)
  if grep -qE "(^|, )($2)( |,|$)" <<<"$depends"; then fail "$1 depends on $2 ($3): $depends"; else ok "$1 does not depend on $2"; fi
}

declare -A sections=([$lib]=libs [libquicpool-dev]=libdevel [quicpool]=net [quicpool-diag]=net)
for p in "${packages[@]}"; do
  echo "== $p: control fields"
  dpkg-deb --info "${deb[$p]}" | sed -n '/^ Package:/,$p'
  expect_field "$p" Package "$p"
  expect_field "$p" Version "$QP_VERSION"
  expect_field "$p" Section "${sections[$p]}"
  expect_field "$p" Architecture "$arch"
  for f in Maintainer Homepage Description Installed-Size; do
    [ -n "$(field "$p" "$f")" ] && ok "$p $f present" || fail "$p $f is empty"
  done
  lacks_dep "$p" "$p" "itself"
  # ngtcp2 and OpenSSL 3.5 are linked into the library statically (the
  # system's libssl3 is Qt's, another version): no package may ask for them.
  lacks_dep "$p" "libngtcp2[^ ,]*|libssl[^ ,]*" "linked in statically"
  echo "== $p: control members"
  rm -rf "$work/control"
  dpkg-deb --control "${deb[$p]}" "$work/control"
  scripts=$(cd "$work/control" && ls preinst postinst prerm postrm config 2>/dev/null || true)
  [ -z "$scripts" ] && ok "$p: no maintainer scripts" || fail "$p: unexpected maintainer scripts: $scripts"
  if [ "$p" = "$lib" ]; then
    grep -qE "^libquicpool $QP_SOVERSION $lib \(>= $QP_VERSION\)$" "$work/control/shlibs" 2>/dev/null \
      && ok "shlibs: $(cat "$work/control/shlibs")" || fail "shlibs missing or wrong: $(cat "$work/control/shlibs" 2>/dev/null)"
    grep -qE '^activate-noawait ldconfig' "$work/control/triggers" 2>/dev/null \
      && ok "ldconfig trigger" || fail "no 'activate-noawait ldconfig' trigger"
  else
    [ ! -e "$work/control/shlibs" ] && ok "$p: no shlibs" || fail "$p has a shlibs file"
  fi
done

echo "== dependencies between and beyond the packages"
# The library: Qt Core and Network (and GnuTLS when QUIC runs on it).
for dep in libqt6core6 libqt6network6 libc6 libstdc++6; do has_dep "$lib" "$dep"; done
[ "$QP_TLS" = gnutls ] && has_dep "$lib" libgnutls30
lacks_dep "$lib" "libqt6gui6|libqt6widgets6|libqt6charts6" "the library is Qt Core and Network only"
has_dep libquicpool-dev "$lib" "(= $QP_VERSION)"
has_dep libquicpool-dev qt6-base-dev
# The CLI: a headless server install must not pull in a GUI stack.
has_dep quicpool "$lib" "(= $QP_VERSION)"
for dep in libqt6core6 libqt6network6; do has_dep quicpool "$dep"; done
lacks_dep quicpool "libqt6gui6|libqt6widgets6|libqt6charts6|libqt6opengl6|qt6-qpa-plugins" "a headless tool"
if [ "$QP_WITH_DIAG" = 1 ]; then
  has_dep quicpool-diag "$lib" "(= $QP_VERSION)"
  for dep in libqt6widgets6 libqt6charts6; do has_dep quicpool-diag "$dep"; done
  [ "$(field quicpool-diag Recommends)" = qt6-qpa-plugins ] && ok "quicpool-diag recommends qt6-qpa-plugins" \
    || fail "quicpool-diag Recommends is '$(field quicpool-diag Recommends)'"
fi

echo "== contents"
declare -A paths
for p in "${packages[@]}"; do
  dpkg-deb --contents "${deb[$p]}" >"$work/contents.$p"
  paths[$p]=$(awk '{ p = $6; sub(/^\.\//, "/", p); print p }' "$work/contents.$p" | grep -v '/$')
  owners=$(awk '{print $2}' "$work/contents.$p" | sort -u | tr '\n' ' ')
  [ "$owners" = "root/root " ] && ok "$p: every file owned by root/root" || fail "$p owners: $owners"
done
need() {  # PACKAGE EXTENDED-REGEX describing one path
  if grep -qE "^($2)\$" <<<"${paths[$1]}"; then ok "$1: $(grep -E "^($2)\$" <<<"${paths[$1]}" | head -n1)"; else fail "$1: no path matches $2"; fi
}
never() {  # PACKAGE EXTENDED-REGEX
  if grep -qE "^($2)\$" <<<"${paths[$1]}"; then fail "$1 must not hold $(grep -E "^($2)\$" <<<"${paths[$1]}" | head -n1)"; else ok "$1 holds no $2"; fi
}
libdir=/usr/$QP_LIBDIR
need "$lib" "$libdir/libquicpool\.so\.$QP_VERSION"
need "$lib" "$libdir/libquicpool\.so\.$QP_SOVERSION"
never "$lib" "$libdir/libquicpool\.so"
never "$lib" "/usr/$QP_INCLUDEDIR/.*"
need libquicpool-dev "$libdir/libquicpool\.so"
never libquicpool-dev "$libdir/libquicpool\.so\..*"
for h in $QP_PUBLIC_HEADERS; do need libquicpool-dev "/usr/$QP_INCLUDEDIR/quicpool/${h//./\\.}"; done
need libquicpool-dev "$libdir/cmake/QuicPool/QuicPoolConfig\.cmake"
need libquicpool-dev "$libdir/cmake/QuicPool/QuicPoolConfigVersion\.cmake"
need libquicpool-dev "$libdir/cmake/QuicPool/QuicPoolTargets\.cmake"
need libquicpool-dev "$libdir/pkgconfig/quicpool\.pc"
need quicpool "/usr/$QP_BINDIR/quicpool"
need quicpool "/usr/$QP_MANDIR/man1/quicpool\.1\.gz"
never quicpool "/usr/$QP_BINDIR/quicpool-diag|$libdir/.*|/usr/$QP_DATADIR/(applications|metainfo|icons)/.*"
for p in "${packages[@]}"; do
  need "$p" "/usr/$QP_DATADIR/doc/$p/copyright"
  need "$p" "/usr/$QP_DATADIR/doc/$p/changelog\.gz"
done
if [ "$QP_WITH_DIAG" = 1 ]; then
  need quicpool-diag "/usr/$QP_BINDIR/quicpool-diag"
  need quicpool-diag "/usr/$QP_MANDIR/man1/quicpool-diag\.1\.gz"
  need quicpool-diag "/usr/$QP_DATADIR/applications/$QP_APP_ID\.desktop"
  need quicpool-diag "/usr/$QP_DATADIR/metainfo/$QP_APP_ID\.metainfo\.xml"
  need quicpool-diag "/usr/$QP_DATADIR/icons/hicolor/scalable/apps/$QP_APP_ID\.svg"
  for size in $QP_ICON_SIZES; do need quicpool-diag "/usr/$QP_DATADIR/icons/hicolor/$size/apps/$QP_APP_ID\.png"; done
  never quicpool-diag "/usr/$QP_BINDIR/quicpool|$libdir/.*"
  # The shipped metainfo shows a screenshot (software centres want one).
  dpkg-deb --fsys-tarfile "${deb[quicpool-diag]}" | tar -xO --wildcards '*.metainfo.xml' >"$work/metainfo.xml"
  grep -qE '<screenshot type="default">' "$work/metainfo.xml" && grep -qE '<image>https://[^<]+\.png</image>' "$work/metainfo.xml" \
    && ok "quicpool-diag metainfo has a default screenshot" || fail "quicpool-diag metainfo has no screenshot"
else
  echo "note: quicpool-diag is not built here; its package is not checked"
fi
# No file in two packages (they could not be installed together).
dups=$(for p in "${packages[@]}"; do printf '%s\n' "${paths[$p]}"; done | sort | uniq -d)
[ -z "$dups" ] && ok "no file is in two packages" || fail "files in two packages: $dups"
# Nothing may point back at the machine it was built on.
dpkg-deb --fsys-tarfile "${deb[libquicpool-dev]}" | tar -xO --wildcards '*.pc' '*.cmake' >"$work/devfiles"
if grep -qF -e "$QP_SOURCE_DIR" -e "$build" "$work/devfiles"; then
  fail "the CMake or pkg-config files name the build machine's paths"
else
  ok "CMake and pkg-config files are free of build paths"
fi

echo "== lintian"
# Tags lintian reports that are explained rather than fixed: one tag a
# line, with the reason after it.
explained=()
# A build for tests has libdir lib/, not Debian's multiarch lib/<triplet>/
# (scripts/package.sh configures with prefix /usr, which picks it).
case "$QP_LIBDIR" in
  */*) ;;
  *) explained+=("pkg-config-unavailable-for-cross-compilation") ;;
esac
if command -v lintian >/dev/null; then
  lintian --allow-root --tag-display-limit 0 --display-info "${deb[@]}" >"$work/lintian.log" 2>&1 || true
  cat "$work/lintian.log"
  findings=$(grep -E '^[EW]: ' "$work/lintian.log" || true)
  for tag in "${explained[@]}"; do
    findings=$(grep -vE ": ${tag%% *}( |$)" <<<"$findings" || true)
  done
  if [ -n "$findings" ]; then
    fail "lintian errors or warnings:"$'\n'"$findings"
  else
    ok "lintian: no unexplained errors or warnings"
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
