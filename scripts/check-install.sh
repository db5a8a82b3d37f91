#!/usr/bin/env bash
# Installs a build into a temporary prefix and checks it the way a Qt
# developer meets it: the file list, headers free of ngtcp2/GnuTLS, the CMake
# package and pkg-config file, then builds examples/echo-client against the
# prefix twice (find_package, then pkg-config) and runs it against the
# installed `quicpool server --mode echo`.
#   scripts/check-install.sh BUILD_DIR     (CTest runs it as installer.check_install)
# QUICPOOL_CHECK_SKIP_RUN=1 skips running the programs (file and build checks only).
# The temporary directory is removed on success and kept on failure.
set -euo pipefail

build=$(cd "${1:?usage: check-install.sh BUILD_DIR}" && pwd)
env_file=$build/installer/checks.env
[ -f "$env_file" ] || { echo "check-install: $env_file missing: configure the build first" >&2; exit 2; }
# shellcheck source=/dev/null
. "$env_file"

work=$(mktemp -d "${TMPDIR:-/tmp}/quicpool-check-install.XXXXXX")
prefix=$work/prefix
server_pid=""
failures=0

cleanup() {
  local status=$?
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "$status" -eq 0 ]; then rm -rf "$work"; else echo "check-install: kept $work for inspection" >&2; fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
need_file() { if [ -f "$1" ]; then ok "${1#"$prefix"/}"; else fail "missing ${1#"$prefix"/}"; fi; }
need_link() { if [ -L "$1" ]; then ok "${1#"$prefix"/} -> $(readlink "$1")"; else fail "missing symlink ${1#"$prefix"/}"; fi; }

echo "== install $build into $prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log" || { cat "$work/install.log" >&2; exit 1; }

libdir=$prefix/$QP_LIBDIR
incdir=$prefix/$QP_INCLUDEDIR/quicpool
bindir=$prefix/$QP_BINDIR
datadir=$prefix/$QP_DATADIR

echo "== library"
lib=$libdir/libquicpool.so.$QP_VERSION
need_file "$lib"
need_link "$libdir/libquicpool.so.$QP_SOVERSION"
need_link "$libdir/libquicpool.so"
if [ -f "$lib" ]; then
  soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
  [ "$soname" = "libquicpool.so.$QP_SOVERSION" ] && ok "SONAME $soname" || fail "SONAME is '$soname'"
  # Hidden by default: the internals and the QUIC/TLS libraries stay private.
  # (Outputs go through variables: `cmd | grep -q` fails under pipefail
  # when grep stops reading early.)
  exported=$(nm -D --defined-only -C "$lib")
  leaked=$(grep -E 'quicpool::(transport|pool)::|ngtcp2_|gnutls_|^[0-9a-f]+ [A-Za-z] (SSL|EVP|OPENSSL|X509|CRYPTO)_' <<<"$exported" || true)
  [ -z "$leaked" ] && ok "no internal symbols exported" || fail "internal symbols exported:"$'\n'"$leaked"
  # Every exported name of ours must be one the public headers declare.
  undeclared=""
  # (staticMetaObject is moc's, for Q_NAMESPACE_EXPORT in error.h.)
  for name in $(grep -oE '(^| )quicpool::[A-Za-z_][A-Za-z0-9_]*' <<<"$exported" | sed 's/.*:://' | sort -u | grep -vx staticMetaObject); do
    grep -qw "$name" "$incdir"/*.h || undeclared+=" quicpool::$name"
  done
  [ -z "$undeclared" ] && ok "every exported quicpool:: name is in the public headers" \
    || fail "exported but not in the public headers:$undeclared"
  grep -q 'quicpool::ClientPool::ClientPool' <<<"$exported" \
    && ok "public API exported" || fail "quicpool::ClientPool is not exported"
  dynamic=$(readelf -d "$lib")
  if grep -qE '\((RPATH|RUNPATH)\)' <<<"$dynamic"; then fail "library has an RPATH"; else ok "library has no RPATH"; fi
  perms=$(stat -c %a "$lib")
  [ "$perms" = 644 ] && ok "library mode 644" || fail "library mode is $perms, not 644"
fi

echo "== headers"
for h in $QP_PUBLIC_HEADERS; do need_file "$incdir/$h"; done
extra=$(cd "$incdir" && for f in *; do case " $QP_PUBLIC_HEADERS " in *" $f "*) ;; *) echo "$f";; esac; done)
[ -z "$extra" ] && ok "no other files in include/quicpool" || fail "unexpected files in include/quicpool: $extra"
bad=$(grep -nE '#[[:space:]]*include[[:space:]]*[<"](ngtcp2|gnutls|openssl)' "$incdir"/*.h || true)
[ -z "$bad" ] && ok "headers do not include ngtcp2 or a TLS library" || fail "headers include ngtcp2/TLS:"$'\n'"$bad"
# Every include of ours must be an installed header in <quicpool/...> form.
for inc in $(grep -hoE '#[[:space:]]*include[[:space:]]*["<][^">]+[">]' "$incdir"/*.h | grep -oE '["<][^">]+' | cut -c2- | sort -u); do
  case "$inc" in
    quicpool/*) [ -f "$incdir/${inc#quicpool/}" ] || fail "a header includes <$inc>, which is not installed" ;;
    Qt*/*|[a-z]*) ;;  # Qt and the standard library
    *) fail "a header includes \"$inc\" (private or relative)" ;;
  esac
done

echo "== CMake package and pkg-config"
cmakedir=$libdir/cmake/QuicPool
for f in QuicPoolConfig.cmake QuicPoolConfigVersion.cmake QuicPoolTargets.cmake; do need_file "$cmakedir/$f"; done
ls "$cmakedir"/QuicPoolTargets-*.cmake >/dev/null 2>&1 && ok "per-configuration targets file" || fail "no QuicPoolTargets-<config>.cmake"
pc=$libdir/pkgconfig/quicpool.pc
need_file "$pc"
# Relocatable: nothing may point back into the source or build tree.
if grep -rlF -e "$QP_SOURCE_DIR" -e "$build" "$cmakedir" "$pc" 2>/dev/null; then
  fail "the files above name the source or build tree"
else
  ok "CMake and pkg-config files are relocatable"
fi
grep -qE 'INTERFACE_LINK_LIBRARIES "Qt6::Core;Qt6::Network"' "$cmakedir/QuicPoolTargets.cmake" \
  && ok "QuicPool::Pool links Qt6::Core and Qt6::Network only" \
  || fail "QuicPool::Pool's INTERFACE_LINK_LIBRARIES: $(grep INTERFACE_LINK_LIBRARIES "$cmakedir/QuicPoolTargets.cmake")"
grep -q 'find_dependency(Qt6' "$cmakedir/QuicPoolConfig.cmake" && ok "config finds Qt6" || fail "QuicPoolConfig.cmake lacks find_dependency(Qt6)"
export PKG_CONFIG_PATH=$libdir/pkgconfig
pc_version=$(pkg-config --modversion quicpool 2>&1) || true
[ "$pc_version" = "$QP_VERSION" ] && ok "pkg-config version $pc_version" || fail "pkg-config --modversion: $pc_version"
pc_requires=$(pkg-config --print-requires quicpool | awk '{print $1}' | sort | tr '\n' ' ')
[ "$pc_requires" = "Qt6Core Qt6Network " ] && ok "pkg-config requires Qt6Core Qt6Network" || fail "pkg-config requires: $pc_requires"
pc_libs=$(pkg-config --libs quicpool)
case "$pc_libs" in *ngtcp2*|*gnutls*|*-lssl*) fail "pkg-config --libs names private libraries: $pc_libs" ;; *-lquicpool*) ok "pkg-config --libs: $pc_libs" ;; *) fail "pkg-config --libs: $pc_libs" ;; esac
pc_inc=$(pkg-config --variable=includedir quicpool)
[ "$(cd "$pc_inc" 2>/dev/null && pwd -P)" = "$(cd "$prefix/$QP_INCLUDEDIR" && pwd -P)" ] \
  && ok "pkg-config includedir resolves into the prefix" || fail "pkg-config includedir is $pc_inc"
unset PKG_CONFIG_PATH

echo "== programs, man pages, documents"
need_file "$bindir/quicpool"
[ -x "$bindir/quicpool" ] || fail "bin/quicpool is not executable"
need_file "$prefix/$QP_MANDIR/man1/quicpool.1.gz"
need_file "$datadir/doc/quicpool/copyright"
need_file "$datadir/doc/quicpool/changelog.gz"
if [ "$QP_WITH_DIAG" = 1 ]; then
  need_file "$bindir/quicpool-diag"
  need_file "$prefix/$QP_MANDIR/man1/quicpool-diag.1.gz"
  need_file "$datadir/applications/$QP_APP_ID.desktop"
  need_file "$datadir/metainfo/$QP_APP_ID.metainfo.xml"
  need_file "$datadir/icons/hicolor/scalable/apps/$QP_APP_ID.svg"
  for size in $QP_ICON_SIZES; do need_file "$datadir/icons/hicolor/$size/apps/$QP_APP_ID.png"; done
  for size in 16x16 32x32 48x48 64x64 128x128 256x256 512x512; do
    case " $QP_ICON_SIZES " in *" $size "*) ;; *) fail "no $size icon" ;; esac
  done
  grep -q "<release version=\"$QP_VERSION\"" "$datadir/metainfo/$QP_APP_ID.metainfo.xml" \
    && ok "metainfo lists release $QP_VERSION" || fail "metainfo has no <release version=\"$QP_VERSION\">"
else
  echo "note: quicpool-diag is not built here; desktop entry, icons and metainfo not checked"
fi
# The programs link libpool as the shared library and carry no RPATH: from
# the .deb the dynamic linker finds it in the system libdir; from another
# prefix LD_LIBRARY_PATH names the prefix's libdir (as for any library).
for bin in "$bindir"/*; do
  dynamic=$(readelf -d "$bin")
  if grep -qE '\((RPATH|RUNPATH)\)' <<<"$dynamic"; then fail "${bin#"$prefix"/} has an RPATH"; fi
  if grep -qF "[libquicpool.so.$QP_SOVERSION]" <<<"$dynamic"; then
    ok "${bin#"$prefix"/} needs libquicpool.so.$QP_SOVERSION"
  else
    fail "${bin#"$prefix"/} does not link libquicpool.so.$QP_SOVERSION"
  fi
  linked=$(LD_LIBRARY_PATH=$libdir ldd "$bin" | awk '/libquicpool/ {print $3}')
  if [ "$(readlink -f "$linked")" = "$(readlink -f "$lib")" ]; then
    ok "${bin#"$prefix"/} loads the installed library"
  else
    fail "${bin#"$prefix"/} loads '$linked', not the installed library"
  fi
done

echo "== build examples/echo-client against the prefix"
common_args=(-G "$QP_GENERATOR" -DCMAKE_BUILD_TYPE="$QP_BUILD_TYPE" -DCMAKE_CXX_COMPILER="$QP_CXX_COMPILER"
             -DCMAKE_CXX_FLAGS="$QP_CXX_FLAGS -Wall -Wextra -Wpedantic -Wshadow -Werror"
             -DCMAKE_EXE_LINKER_FLAGS="$QP_EXE_LINKER_FLAGS"
             -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
build_example() {  # NAME EXTRA-CMAKE-ARGS...
  local name=$1; shift
  local dir=$work/$name
  if ! cmake -S "$QP_SOURCE_DIR/examples/echo-client" -B "$dir" "${common_args[@]}" "$@" >"$work/$name.configure.log" 2>&1; then
    cat "$work/$name.configure.log" >&2; fail "$name: configure failed"; return 1
  fi
  grep -E '^-- Using libquicpool' "$work/$name.configure.log" || true
  if ! cmake --build "$dir" >"$work/$name.build.log" 2>&1; then
    cat "$work/$name.build.log" >&2; fail "$name: build failed"; return 1
  fi
  local linked
  linked=$(ldd "$dir/echo-client" | awk '/libquicpool/ {print $3}')
  if [ "$(readlink -f "$linked")" = "$(readlink -f "$lib")" ]; then
    ok "$name: built, loads $linked"
  else
    fail "$name: echo-client loads '$linked', not the installed library"
  fi
}
build_example echo-cmake -DCMAKE_PREFIX_PATH="$prefix" || true
# pkg-config only: no CMAKE_PREFIX_PATH, so the CMake package cannot be used.
PKG_CONFIG_PATH=$libdir/pkgconfig build_example echo-pkgconfig -DECHO_CLIENT_USE_PKGCONFIG=ON || true

if [ "${QUICPOOL_CHECK_SKIP_RUN:-0}" = 1 ]; then
  echo "note: QUICPOOL_CHECK_SKIP_RUN=1: the programs are not run"
else
  echo "== run against the installed quicpool server"
  export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  version_out=$("$bindir/quicpool" --version 2>&1) || true
  case "$version_out" in *"$QP_VERSION"*) ok "quicpool --version: $version_out" ;; *) fail "quicpool --version printed: $version_out" ;; esac

  "$bindir/quicpool" server --listen 127.0.0.1:0 --mode echo 2>"$work/server.err" >"$work/server.out" &
  server_pid=$!
  hostport=""
  for _ in $(seq 100); do
    hostport=$(sed -n 's/^listening on \([^ ]*:[0-9][0-9]*\).*/\1/p' "$work/server.err" | head -n1)
    [ -n "$hostport" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$hostport" ]; then
    fail "quicpool server printed no 'listening on HOST:PORT':"$'\n'"$(cat "$work/server.err")"
  else
    ok "server listening on $hostport"
    port=${hostport##*:}
    for name in echo-cmake echo-pkgconfig; do
      exe=$work/$name/echo-client
      [ -x "$exe" ] || continue
      payload="check-install $name $$"
      if out=$(timeout 30 "$exe" "127.0.0.1:$port" "$payload" 2>"$work/$name.run.err"); then
        case "$out" in *"$payload"*) ok "$name: $out" ;; *) fail "$name exited 0 but printed: $out" ;; esac
      else
        fail "$name exited non-zero:"$'\n'"$(cat "$work/$name.run.err")"
      fi
    done
  fi
fi

echo
if [ "$failures" -ne 0 ]; then
  echo "check-install: $failures check(s) failed" >&2
  exit 1
fi
echo "check-install: all checks passed"
