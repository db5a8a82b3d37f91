# What QUIC runs on: ngtcp2 and a TLS library, chosen with QUICPOOL_TLS.
# Both come static from the private prefix scripts/build-private-deps.sh
# builds (build/deps), or from the system where it has OpenSSL >= 3.5 and
# an ngtcp2 with its OpenSSL helper. Defines the INTERFACE target
# quicpool_quic_deps, which only libpool's transport links (privately).
# OpenSSL is the default (the product's design card asks for it); GnuTLS
# stays selectable. Either way one ngtcp2 crypto helper is linked: they
# define the same ngtcp2_crypto_* symbols, so no process can hold both.
set(QUICPOOL_TLS openssl CACHE STRING "TLS library for QUIC: openssl (3.5 or later) or gnutls")
set_property(CACHE QUICPOOL_TLS PROPERTY STRINGS openssl gnutls)
if(NOT QUICPOOL_TLS MATCHES "^(openssl|gnutls)$")
  message(FATAL_ERROR "QUICPOOL_TLS is \"${QUICPOOL_TLS}\"; use openssl or gnutls")
endif()
set(QUICPOOL_DEPS_PREFIX "${PROJECT_SOURCE_DIR}/build/deps" CACHE PATH
    "The private OpenSSL + ngtcp2 prefix (scripts/build-private-deps.sh links it here)")

if(EXISTS "${QUICPOOL_DEPS_PREFIX}/lib/cmake/ngtcp2")
  list(PREPEND CMAKE_PREFIX_PATH "${QUICPOOL_DEPS_PREFIX}")
  # The private OpenSSL, never the system's 3.0 that Qt's TLS plugin loads.
  set(OPENSSL_ROOT_DIR "${QUICPOOL_DEPS_PREFIX}")
  set(OPENSSL_USE_STATIC_LIBS TRUE)
endif()
find_package(OpenSSL 3.5 REQUIRED)    # ngtcp2's CMake package needs it found first
find_package(ngtcp2 1.22 CONFIG REQUIRED)
get_target_property(_qp_ngtcp2_lib ngtcp2::ngtcp2_static IMPORTED_LOCATION_RELEASE)
get_filename_component(_qp_ngtcp2_libdir "${_qp_ngtcp2_lib}" DIRECTORY)
message(STATUS "QUIC: ngtcp2 ${ngtcp2_VERSION} (${_qp_ngtcp2_libdir}), TLS: ${QUICPOOL_TLS}")

add_library(quicpool_quic_deps INTERFACE)
if(QUICPOOL_TLS STREQUAL "openssl")
  target_link_libraries(quicpool_quic_deps INTERFACE ngtcp2::ngtcp2_crypto_ossl_static OpenSSL::SSL OpenSSL::Crypto)
else()
  # ngtcp2's CMake package does not export its GnuTLS helper: take the
  # library from beside libngtcp2.a.
  pkg_check_modules(GNUTLS REQUIRED IMPORTED_TARGET gnutls>=3.7.5)
  find_library(QUICPOOL_NGTCP2_CRYPTO_GNUTLS ngtcp2_crypto_gnutls PATHS "${_qp_ngtcp2_libdir}" NO_DEFAULT_PATH)
  if(NOT QUICPOOL_NGTCP2_CRYPTO_GNUTLS)
    message(FATAL_ERROR "ngtcp2's GnuTLS helper is not in ${_qp_ngtcp2_libdir}; run scripts/setup-deps.sh")
  endif()
  target_link_libraries(quicpool_quic_deps INTERFACE ${QUICPOOL_NGTCP2_CRYPTO_GNUTLS} ngtcp2::ngtcp2_static
    PkgConfig::GNUTLS)
endif()
