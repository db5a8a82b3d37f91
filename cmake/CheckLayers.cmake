# The layer rules of docs/ARCHITECTURE.md, checked against what the compiler
# really included: Ninja keeps every object's header dependencies
# (`ninja -t deps`), so this sees transitive includes too.
#   cmake -DBUILD_DIR=<build tree> -DSOURCE_DIR=<source tree> -DNINJA=<ninja> -P CheckLayers.cmake
#
# Rules (a source's layer is its folder):
#   libpool/src/common     no ngtcp2 or TLS-library header; no transport or pool header
#   libpool/src/pool       no ngtcp2 or TLS-library header; of the transport, only
#                          the headers listed in POOL_MAY_SEE
#   libpool/src/transport  no pool header (the transport knows nothing of pools)
#   every other target     no libpool/src header and no ngtcp2 or TLS-library
#                          header: programs use the public API only
# A source's layer is its target (quicpool_common, quicpool_transport,
# quicpool_pool); test targets (tst_*, quicpool_test*, fuzz_*) may reach internals.
cmake_minimum_required(VERSION 3.25)

set(FORBIDDEN_LIBS "/(ngtcp2|gnutls|openssl)/[^/]+\\.h$")
set(POOL_MAY_SEE
  connection.h connectionhost.h connectionid.h listener.h resetlimiter.h socketaddress.h
  streamaccess.h transportconfig.h udpsocket.h tls/tlscontext.h)

execute_process(COMMAND ${NINJA} -C ${BUILD_DIR} -t deps
  OUTPUT_VARIABLE deps RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT deps MATCHES "#deps")
  message(FATAL_ERROR "no header dependencies recorded in ${BUILD_DIR} (build it with Ninja first): ${err}")
endif()

string(REPLACE "\n" ";" lines "${deps}")
set(source "")
set(layer "")
set(violations 0)
set(checked 0)
foreach(line IN LISTS lines)
  if(line MATCHES "^[^ ].*: #deps")
    set(source "")
    set(layer "program")
    if(line MATCHES "CMakeFiles/quicpool_(common|transport|pool)\\.dir/")
      set(layer "${CMAKE_MATCH_1}")
    elseif(line MATCHES "CMakeFiles/(tst_[^/]*|quicpool_test[^/]*|fuzz_[^/]*)\\.dir/")
      set(layer "")
    endif()
    continue()
  endif()
  string(STRIP "${line}" path)
  if(path STREQUAL "")
    continue()
  endif()
  # Ninja records what the compiler wrote, relative to the build tree when
  # ccache's base_dir rewrote it (or for generated files).
  if(NOT IS_ABSOLUTE "${path}")
    get_filename_component(path "${path}" ABSOLUTE BASE_DIR "${BUILD_DIR}")
  endif()
  if(source STREQUAL "")
    set(source "${path}")   # the first dependency is the source file itself
    if(NOT layer STREQUAL "")
      math(EXPR checked "${checked} + 1")
    endif()
    continue()
  endif()
  if(layer STREQUAL "")
    continue()
  endif()
  file(RELATIVE_PATH dep "${SOURCE_DIR}" "${path}")
  if(dep MATCHES "^\\.\\./")
    set(dep "${path}")   # outside the tree: the absolute path says more
  endif()
  set(why "")
  if(NOT layer STREQUAL "transport" AND path MATCHES "${FORBIDDEN_LIBS}")
    set(why "the ${layer} layer must not see ngtcp2 or the TLS library")
  elseif(layer STREQUAL "program" AND dep MATCHES "^libpool/src/")
    set(why "programs use the public API only (libpool/include)")
  elseif(layer STREQUAL "common" AND dep MATCHES "^libpool/src/(transport|pool)/")
    set(why "common sits below the transport and the pools")
  elseif(layer STREQUAL "transport" AND dep MATCHES "^libpool/src/pool/")
    set(why "the transport knows nothing of pools")
  elseif(layer STREQUAL "pool" AND dep MATCHES "^libpool/src/transport/(.*)$")
    if(NOT CMAKE_MATCH_1 IN_LIST POOL_MAY_SEE)
      set(why "the pool layer sees the transport only through its interface headers")
    endif()
  endif()
  if(NOT why STREQUAL "")
    file(RELATIVE_PATH src "${SOURCE_DIR}" "${source}")
    message(SEND_ERROR "layer violation: ${src} includes ${dep}: ${why}")
    math(EXPR violations "${violations} + 1")
  endif()
endforeach()

if(checked EQUAL 0)
  message(FATAL_ERROR "no library or program sources found in the recorded dependencies")
endif()
if(violations GREATER 0)
  message(FATAL_ERROR "${violations} layer violation(s) in ${checked} checked sources")
endif()
message(STATUS "layers: ${checked} sources checked, no violation")
