#!/usr/bin/env bash
# Builds the private dependency prefix QuicPool links against: OpenSSL 3.5
# (static, PIC, with the QUIC TLS API) and ngtcp2 1.24 (static, with its ossl
# and GnuTLS crypto helpers), both from Debian's own source packages.
#
# Why: Debian 12 ships OpenSSL 3.0 (no SSL_set_quic_tls_cbs) and ngtcp2 1.11.
# Why static + PIC: libquicpool.so links them in with hidden visibility and
# -Wl,--exclude-libs,ALL, because Qt's TLS plugin loads the system
# libssl.so.3 (3.0) into the same process; a shared 3.5 with the same SONAME
# would clash with it.
#
# The prefix is built once into a cache keyed by the Debian source versions,
# the configure flags and RECIPE below, then reused in a second or two:
#   <cache>/<key>/            the prefix (include/, lib/*.a, lib/pkgconfig/)
#   <cache>/last-good         which prefix the last successful run used
#   <cache>/apt/              private apt state (the system's is never touched)
#   <cache>/src/              downloaded Debian source packages
#   <cache>/logs/             build logs
#   <cache>/work/             builds in progress (a killed one is wiped next run)
# <repo>/build/deps is a symlink to the prefix: the CMake presets put it
# in CMAKE_PREFIX_PATH.
#
# Nothing here writes to the system's OpenSSL, /usr/lib/ssl or apt sources.
#
# Environment:
#   QUICPOOL_DEPS_CACHE          cache root (default /var/cache/quicpool-deps,
#                                or ~/.cache/quicpool-deps when that is not writable)
#   QUICPOOL_DEPS_OFFLINE=1      do not ask the mirror; use the last good prefix
#   QUICPOOL_DEPS_FORCE_PRIVATE=1  build even if the system has OpenSSL >= 3.5 and ngtcp2 >= 1.22
#   QUICPOOL_DEPS_JOBS           parallel jobs (default: nproc)
#   QUICPOOL_OPENSSL_SERIES / QUICPOOL_NGTCP2_SERIES   accepted upstream series (3.5 / 1.24)
#   QUICPOOL_DEBIAN_MIRROR / QUICPOOL_DEBIAN_SECURITY   mirror URLs
set -euo pipefail

# Bump when a change below alters what gets built: it changes every cache key.
RECIPE=1

OPENSSL_SERIES=${QUICPOOL_OPENSSL_SERIES:-3.5}
NGTCP2_SERIES=${QUICPOOL_NGTCP2_SERIES:-1.24}
# Where each package may come from. Equal versions prefer the earlier suite.
OPENSSL_SUITES=(trixie-security trixie-updates trixie)
NGTCP2_SUITES=(sid forky trixie-backports trixie)
MIRROR=${QUICPOOL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${QUICPOOL_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
JOBS=${QUICPOOL_DEPS_JOBS:-$(nproc)}

# --openssldir=/usr/lib/ssl: the compiled-in default CA paths and openssl.cnf
#   are Debian's (install_sw never writes there; checked after the build).
# no-shared: static only, and every object is compiled once instead of twice.
# -fPIC: the .a files go into a shared library (the linux-x86_64 target already
#   adds it to library objects; explicit so no target can silently drop it).
# no-module: no loadable providers, so nothing is ever dlopen()ed from the cache
#   (a module would resolve libcrypto symbols against the system's 3.0).
# no-legacy: MD4/RC4/DES-legacy etc. are not needed for TLS 1.3/QUIC.
# no-apps no-docs no-tests: we only need the libraries and headers.
# Never no-quic: it removes SSL_set_quic_tls_cbs, which ngtcp2_crypto_ossl uses.
OPENSSL_FLAGS=(--libdir=lib --openssldir=/usr/lib/ssl
  no-shared -fPIC no-module no-legacy no-apps no-docs no-tests)
NGTCP2_FLAGS=(-DCMAKE_BUILD_TYPE=Release
  -DENABLE_OPENSSL=ON -DENABLE_GNUTLS=ON -DENABLE_LIB_ONLY=ON
  -DENABLE_SHARED_LIB=OFF -DENABLE_STATIC_LIB=ON -DBUILD_TESTING=OFF
  -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DOPENSSL_USE_STATIC_LIBS=TRUE)

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOG=/dev/null
WORK=""

log() { printf 'build-private-deps: %s\n' "$*"; }
die() { printf 'build-private-deps: error: %s\n' "$*" >&2; exit 1; }

# Runs a step's command with its output in $LOG; on failure shows where and why.
run() {
  local what=$1; shift
  if ! "$@" >>"$LOG" 2>&1; then
    printf 'build-private-deps: FAILED: %s\n  log: %s (last 30 lines below)\n' "$what" "$LOG" >&2
    tail -n 30 "$LOG" >&2 || true
    return 1
  fi
}

cleanup() { if [ -n "$WORK" ]; then rm -rf "$WORK"; fi; }
trap cleanup EXIT

# --- where the cache lives -------------------------------------------------

pick_cache_root() {
  if [ -n "${QUICPOOL_DEPS_CACHE:-}" ]; then
    CACHE=$QUICPOOL_DEPS_CACHE
  elif mkdir -p /var/cache/quicpool-deps 2>/dev/null && [ -w /var/cache/quicpool-deps ]; then
    CACHE=/var/cache/quicpool-deps
  else
    CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/quicpool-deps
  fi
  mkdir -p "$CACHE"/{apt/lists/partial,apt/cache/archives/partial,apt/sources,src,logs,work}
  CACHE=$(cd "$CACHE" && pwd)
  MISSING=$CACHE/apt/missing-on-mirror
  # apt downloads as user _apt when run as root; let it write the source files.
  if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then
    chown _apt "$CACHE/src"
  fi
}

# --- distributions that already have what we need ----------------------------

system_has_quic_stack() {
  [ -z "${QUICPOOL_DEPS_FORCE_PRIVATE:-}" ] || return 1
  pkg-config --atleast-version=3.5 openssl 2>/dev/null || return 1
  pkg-config --atleast-version=1.22 libngtcp2_crypto_ossl 2>/dev/null || return 1
  # OpenSSL can be configured without QUIC: make sure the API ngtcp2 needs links.
  local t
  t=$(mktemp -d)
  printf '#include <openssl/ssl.h>\nint main(void){return SSL_set_quic_tls_cbs == 0;}\n' >"$t/q.c"
  # shellcheck disable=SC2046 # pkg-config output is a word list by design
  cc "$t/q.c" -o "$t/q" $(pkg-config --cflags --libs openssl) 2>/dev/null
  local rc=$?
  rm -rf "$t"
  return $rc
}

# --- cache keys -------------------------------------------------------------

# Everything that shapes the build except the Debian source versions.
recipe_text() {
  printf 'recipe=%s\narch=%s\ncc=%s\ngnutls=%s\nopenssl-flags=%s\nngtcp2-flags=%s\n' \
    "$RECIPE" "$(dpkg --print-architecture)" "$(cc -dumpfullversion)" \
    "$(pkg-config --modversion gnutls 2>/dev/null || echo none)" \
    "${OPENSSL_FLAGS[*]}" "${NGTCP2_FLAGS[*]}"
}

hash12() { sha256sum | cut -c1-12; }

# key OPENSSL_VERSION NGTCP2_VERSION
key_for() { { recipe_text; printf 'openssl=%s\nngtcp2=%s\n' "$1" "$2"; } | hash12; }

is_complete() { [ -f "$CACHE/$1/.complete" ]; }

# last-good holds "key recipe-id openssl-version ngtcp2-version".
read_last_good() {
  LAST_KEY="" LAST_RECIPE="" LAST_OSSL="" LAST_NGTCP2=""
  if [ -f "$CACHE/last-good" ]; then
    read -r LAST_KEY LAST_RECIPE LAST_OSSL LAST_NGTCP2 <"$CACHE/last-good" || true
  fi
}

last_good_usable() {
  [ -n "$LAST_KEY" ] && [ "$LAST_RECIPE" = "$RECIPE_ID" ] && is_complete "$LAST_KEY"
}

# --- private apt: Debian's source index without touching the system's apt ----

APT_OPTS=()
setup_private_apt() {
  local a=$CACHE/apt
  APT_OPTS=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$a/sources"
    -o "Dir::State::Lists=$a/lists" -o "Dir::Cache=$a/cache"
    -o "Acquire::http::Timeout=20" -o "Acquire::Retries=1"
    -o "APT::Get::Only-Source=true" -o "Acquire::Languages=none")
  # deb-src only, signed by Debian's archive keys (signature checks stay on).
  local suites_main suites_sec
  suites_main=$(printf '%s\n' "${OPENSSL_SUITES[@]}" "${NGTCP2_SUITES[@]}" | grep -v -- -security | sort -u | tr '\n' ' ')
  suites_sec=$(printf '%s\n' "${OPENSSL_SUITES[@]}" "${NGTCP2_SUITES[@]}" | grep -- -security | sort -u | tr '\n' ' ')
  {
    printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
      "$MIRROR" "$suites_main" "$KEYRING"
    if [ -n "$suites_sec" ]; then
      printf '\nTypes: deb-src\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
        "$SECURITY_MIRROR" "$suites_sec" "$KEYRING"
    fi
  } >"$a/sources/quicpool-src.sources.new"
  mv "$a/sources/quicpool-src.sources.new" "$a/sources/quicpool-src.sources"
}

# Refreshes the private index. Fails on any warning too: an unsigned or
# unreachable suite must not silently leave us with stale versions.
refresh_index() {
  local out
  if ! out=$(apt-get "${APT_OPTS[@]}" update 2>&1); then
    printf '%s\n' "$out" >>"$LOG"
    return 1
  fi
  printf '%s\n' "$out" >>"$LOG"
  ! printf '%s\n' "$out" | grep -qE '^(W|E|Err):'
}

# candidates PKG SERIES SUITE... : versions in the given suites whose upstream
# version is SERIES.*, best first.
candidates() {
  local pkg=$1 series=$2; shift 2
  local suites=" $* " v s list=()
  while IFS='|' read -r _ v s; do
    v=${v// /}
    s=$(awk '{print $2}' <<<"$s"); s=${s%%/*}
    case "$suites" in *" $s "*) ;; *) continue ;; esac
    local up=${v#*:}; up=${up%-*}
    case "$up" in "$series".*) is_missing "$pkg" "$v" || list+=("$v") ;; esac
  done < <(apt-cache "${APT_OPTS[@]}" madison "$pkg" 2>/dev/null | grep ' Sources$')
  [ ${#list[@]} -gt 0 ] || return 0
  # Few entries: sort with dpkg's own version order (sort -V mishandles '~').
  printf '%s\n' "${list[@]}" | awk '!seen[$0]++' | sort_debian_versions_desc
}

sort_debian_versions_desc() {
  local -a vs; mapfile -t vs
  local i j t
  for ((i = 0; i < ${#vs[@]}; i++)); do
    for ((j = i + 1; j < ${#vs[@]}; j++)); do
      if dpkg --compare-versions "${vs[j]}" gt "${vs[i]}"; then t=${vs[i]}; vs[i]=${vs[j]}; vs[j]=$t; fi
    done
  done
  printf '%s\n' "${vs[@]}"
}

# Versions the index lists but the mirror answers 404 for (superseded uploads)
# are remembered until the index changes, so repeat runs skip them at once.
INDEX_ID=""
index_id() { cat "$CACHE"/apt/lists/*InRelease 2>/dev/null | hash12; }
is_missing() { [ -f "$MISSING" ] && grep -qx "$INDEX_ID $1 $2" "$MISSING"; }

# fetch_first PKG VERSION... : downloads the first version the mirror has into
# $CACHE/src and prints it. apt checks every file against the signed index.
fetch_first() {
  local pkg=$1 v out; shift
  for v in "$@"; do
    is_missing "$pkg" "$v" && continue
    if out=$(cd "$CACHE/src" && apt-get "${APT_OPTS[@]}" source --download-only "$pkg=$v" 2>&1); then
      printf '%s\n' "$out" >>"$LOG"
      printf '%s\n' "$v"
      return 0
    fi
    printf '%s\n' "$out" >>"$LOG"
    if grep -q ' 404 ' <<<"$out"; then
      printf '%s %s %s\n' "$INDEX_ID" "$pkg" "$v" >>"$MISSING"
      log "  $pkg $v is in the index but gone from the mirror; trying the next one" >&2
    else
      log "  cannot download $pkg $v (see $LOG)" >&2
      return 1
    fi
  done
  return 1
}

dsc_path() { local v=${2#*:}; printf '%s/src/%s_%s.dsc' "$CACHE" "$1" "$v"; }

# --- the build itself -------------------------------------------------------

ssl_dir_state() { find /usr/lib/ssl -printf '%p %s %T@ %l\n' 2>/dev/null | sort | sha256sum; }

configure_openssl() { (cd "$1" && shift && ./Configure "$@"); }

# build PREFIX OPENSSL_VERSION NGTCP2_VERSION : builds into $WORK and installs
# into $WORK/stage$PREFIX (DESTDIR), so nothing exists at PREFIX until publish.
build() {
  local prefix=$1 ov=$2 nv=$3 t0 t
  local stage=$WORK/stage ossl_stage=$WORK/stage$1
  local ssl_before
  ssl_before=$(ssl_dir_state)

  t0=$SECONDS
  log "[2/5] unpack + configure OpenSSL $ov"
  run "unpack openssl" dpkg-source -x "$(dsc_path openssl "$ov")" "$WORK/openssl" || return 1
  run "unpack ngtcp2" dpkg-source -x "$(dsc_path ngtcp2 "$nv")" "$WORK/ngtcp2" || return 1
  run "configure openssl" configure_openssl "$WORK/openssl" --prefix="$prefix" "${OPENSSL_FLAGS[@]}" || return 1
  t=$((SECONDS - t0)); STEP_TIMES+=("unpack+configure ${t}s")

  t0=$SECONDS
  log "[3/5] build OpenSSL (make -j$JOBS; the long step)"
  run "build openssl" make -C "$WORK/openssl" -j"$JOBS" || return 1
  run "install openssl" make -C "$WORK/openssl" install_sw DESTDIR="$stage" || return 1
  t=$((SECONDS - t0)); STEP_TIMES+=("openssl ${t}s")

  t0=$SECONDS
  log "[4/5] build ngtcp2 $nv"
  # Point FindOpenSSL at the staged static libraries explicitly: it must not
  # pick the system's libssl.so (3.0) from the default paths.
  run "configure ngtcp2" cmake -S "$WORK/ngtcp2" -B "$WORK/ngtcp2-build" \
    -DCMAKE_INSTALL_PREFIX="$prefix" "${NGTCP2_FLAGS[@]}" \
    -DOPENSSL_ROOT_DIR="$ossl_stage" -DOPENSSL_INCLUDE_DIR="$ossl_stage/include" \
    -DOPENSSL_SSL_LIBRARY="$ossl_stage/lib/libssl.a" \
    -DOPENSSL_CRYPTO_LIBRARY="$ossl_stage/lib/libcrypto.a" || return 1
  run "build ngtcp2" cmake --build "$WORK/ngtcp2-build" -j"$JOBS" || return 1
  run "install ngtcp2" env DESTDIR="$stage" cmake --install "$WORK/ngtcp2-build" || return 1
  t=$((SECONDS - t0)); STEP_TIMES+=("ngtcp2 ${t}s")

  [ "$(ssl_dir_state)" = "$ssl_before" ] || die "/usr/lib/ssl changed during the build (it must never be written)"
}

# Checks the staged prefix before it is published: the expected files, no
# shared objects, no build-tree paths baked in, and a program that links
# through the .pc files and reports OpenSSL $OPENSSL_SERIES.
check_stage() {
  local prefix=$1 root=$WORK/stage$1 f
  for f in lib/libssl.a lib/libcrypto.a lib/libngtcp2.a lib/libngtcp2_crypto_ossl.a \
    lib/libngtcp2_crypto_gnutls.a include/openssl/ssl.h include/ngtcp2/ngtcp2_crypto_ossl.h \
    lib/pkgconfig/openssl.pc lib/pkgconfig/libngtcp2.pc \
    lib/pkgconfig/libngtcp2_crypto_ossl.pc lib/pkgconfig/libngtcp2_crypto_gnutls.pc; do
    [ -e "$root/$f" ] || { log "missing $f" >>"$LOG"; return 1; }
  done
  if find "$root" -name '*.so*' | grep -q .; then log "shared objects in prefix" >>"$LOG"; return 1; fi
  if grep -rIl -- "$WORK" "$root" >>"$LOG"; then log "build paths leaked into the files above" >>"$LOG"; return 1; fi
  cat >"$WORK/smoke.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include <openssl/ssl.h>
#include <ngtcp2/ngtcp2_crypto_ossl.h>
int main(void) {
  if (ngtcp2_crypto_ossl_init() != 0) return 1;
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  SSL *ssl = ctx ? SSL_new(ctx) : NULL;
  if (!ssl || ngtcp2_crypto_ossl_configure_client_session(ssl) != 0) return 2;
  printf("%s\n", OpenSSL_version(OPENSSL_VERSION));
  SSL_free(ssl); SSL_CTX_free(ctx);
  return 0;
}
EOF
  local flags
  flags=$(PKG_CONFIG_PATH="$root/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$WORK/stage" \
    pkg-config --static --cflags --libs libngtcp2_crypto_ossl) || return 1
  # shellcheck disable=SC2086 # pkg-config output is a word list by design
  cc -o "$WORK/smoke" "$WORK/smoke.c" $flags || return 1
  local out
  out=$("$WORK/smoke") || return 1
  echo "smoke: $out"
  case "$out" in "OpenSSL $OPENSSL_SERIES".*) ;; *) return 1 ;; esac
}

# Moves the staged prefix into place in one rename, so a prefix that exists
# is always complete; .complete is written before the move.
publish() {
  local key=$1 ov=$2 nv=$3 prefix=$CACHE/$1
  local root=$WORK/stage$prefix
  {
    printf 'key=%s\nbuilt=%s\n' "$key" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    printf 'openssl=%s\nngtcp2=%s\n' "$ov" "$nv"
    recipe_text
    printf 'step-times=%s\n' "${STEP_TIMES[*]}"
  } >"$root/quicpool-deps.txt"
  : >"$root/.complete"
  rm -rf "$prefix"   # a leftover from an interrupted older script version
  mv "$root" "$prefix"
}

remember_last_good() {
  printf '%s %s %s %s\n' "$1" "$RECIPE_ID" "$2" "$3" >"$CACHE/last-good.new"
  mv "$CACHE/last-good.new" "$CACHE/last-good"
}

# Keeps the new prefix and the previous last good one; older builds go.
prune() {
  local keep1=$1 keep2=$2 d
  for d in "$CACHE"/*/.complete; do
    d=$(basename "$(dirname "$d")")
    [[ $d =~ ^[0-9a-f]{12}$ ]] || continue
    case "$d" in "$keep1" | "$keep2") continue ;; esac
    rm -rf "${CACHE:?}/$d"
  done
  find "$CACHE/logs" -name 'build-*.log' -mtime +30 -delete 2>/dev/null || true
}

link_repo() {
  mkdir -p "$REPO/build"
  ln -sfn "$CACHE/$1" "$REPO/build/deps.new"
  mv -T "$REPO/build/deps.new" "$REPO/build/deps"
}

use_prefix() {
  local key=$1 ov=$2 nv=$3
  remember_last_good "$key" "$ov" "$nv"
  link_repo "$key"
  log "using OpenSSL $ov + ngtcp2 $nv: build/deps -> $CACHE/$key"
}

# --- main -------------------------------------------------------------------

main() {
  if system_has_quic_stack; then
    log "system has OpenSSL $(pkg-config --modversion openssl) with the QUIC TLS API and" \
      "ngtcp2 $(pkg-config --modversion libngtcp2_crypto_ossl) with its ossl helper: building nothing"
    return 0
  fi
  command -v dpkg-source >/dev/null || die "dpkg-source missing: run scripts/setup-deps.sh (dpkg-dev)"

  pick_cache_root
  exec 9>"$CACHE/.lock"
  if ! flock -n 9; then
    log "another build holds $CACHE/.lock; waiting for it"
    flock 9
  fi
  # Leftovers of killed runs (never published, so nothing refers to them).
  rm -rf "${CACHE:?}"/work/*
  LOG=$CACHE/logs/check.log
  : >"$LOG"

  RECIPE_ID=$(recipe_text | hash12)
  read_last_good

  if [ -n "${QUICPOOL_DEPS_OFFLINE:-}" ]; then
    last_good_usable || die "QUICPOOL_DEPS_OFFLINE is set but $CACHE has no usable build"
    use_prefix "$LAST_KEY" "$LAST_OSSL" "$LAST_NGTCP2"
    return 0
  fi

  setup_private_apt
  if ! refresh_index; then
    if last_good_usable; then
      log "cannot refresh Debian's source index (see $LOG); keeping the last good build"
      use_prefix "$LAST_KEY" "$LAST_OSSL" "$LAST_NGTCP2"
      return 0
    fi
    die "cannot read Debian's source index and nothing is cached yet; log: $LOG"
  fi
  INDEX_ID=$(index_id)

  local ossl_c ngtcp2_c
  mapfile -t ossl_c < <(candidates openssl "$OPENSSL_SERIES" "${OPENSSL_SUITES[@]}")
  mapfile -t ngtcp2_c < <(candidates ngtcp2 "$NGTCP2_SERIES" "${NGTCP2_SUITES[@]}")
  if [ ${#ossl_c[@]} -eq 0 ] || [ ${#ngtcp2_c[@]} -eq 0 ]; then
    local why="no openssl $OPENSSL_SERIES.x in ${OPENSSL_SUITES[*]} or no ngtcp2 $NGTCP2_SERIES.x in ${NGTCP2_SUITES[*]}"
    if last_good_usable; then
      log "WARNING: $why any more; keeping the last good build (set QUICPOOL_*_SERIES to move on)"
      use_prefix "$LAST_KEY" "$LAST_OSSL" "$LAST_NGTCP2"
      return 0
    fi
    die "$why"
  fi

  # The newest versions the index offers: done if they are built already.
  local key
  key=$(key_for "${ossl_c[0]}" "${ngtcp2_c[0]}")
  if is_complete "$key"; then
    use_prefix "$key" "${ossl_c[0]}" "${ngtcp2_c[0]}"
    return 0
  fi

  build_and_publish "${ossl_c[*]}" "${ngtcp2_c[*]}"
}

# build_and_publish "OPENSSL_CANDIDATES" "NGTCP2_CANDIDATES" (best first)
build_and_publish() {
  local -a ossl_c ngtcp2_c
  read -r -a ossl_c <<<"$1"
  read -r -a ngtcp2_c <<<"$2"
  local started=$SECONDS t0 ov nv key
  LOG=$CACHE/logs/build-$(date +%Y%m%d-%H%M%S).log
  cp "$CACHE/logs/check.log" "$LOG"
  log "building OpenSSL $OPENSSL_SERIES.x and ngtcp2 $NGTCP2_SERIES.x from Debian's source packages" \
    "once: about 7 minutes on 2 cores (more on a busy machine); cached in $CACHE (log: $LOG)"
  STEP_TIMES=()

  # Fetch (falling back past uploads the mirror no longer has), then decide
  # again: the versions actually fetched make the key.
  t0=$SECONDS
  log "[1/5] fetch Debian source packages"
  ov=$(fetch_first openssl "${ossl_c[@]}") || { fallback_or_die "cannot download the openssl source"; return; }
  nv=$(fetch_first ngtcp2 "${ngtcp2_c[@]}") || { fallback_or_die "cannot download the ngtcp2 source"; return; }
  STEP_TIMES+=("fetch $((SECONDS - t0))s")
  key=$(key_for "$ov" "$nv")
  if is_complete "$key"; then
    log "OpenSSL $ov + ngtcp2 $nv are built already"
    use_prefix "$key" "$ov" "$nv"
    return 0
  fi

  WORK=$(mktemp -d "$CACHE/work/XXXXXX")
  if ! build "$CACHE/$key" "$ov" "$nv"; then
    fallback_or_die "build failed; log: $LOG"
    return
  fi
  log "[5/5] check + install into $CACHE/$key"
  run "check the staged prefix" check_stage "$CACHE/$key" || { fallback_or_die "check failed; log: $LOG"; return; }
  STEP_TIMES+=("total $((SECONDS - started))s")
  publish "$key" "$ov" "$nv"
  prune "$key" "$LAST_KEY"
  use_prefix "$key" "$ov" "$nv"
  log "done in $((SECONDS - started))s (${STEP_TIMES[*]})"
}

# A failed refresh or build must not break a machine that has a good prefix.
fallback_or_die() {
  if last_good_usable; then
    log "WARNING: $1; keeping the last good build (OpenSSL $LAST_OSSL, ngtcp2 $LAST_NGTCP2)"
    use_prefix "$LAST_KEY" "$LAST_OSSL" "$LAST_NGTCP2"
    return 0
  fi
  die "$1"
}

main "$@"
