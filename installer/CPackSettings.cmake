# CPack: the .debs as Debian splits a library and its programs, one per
# install component (installer/CMakeLists.txt), and one relocatable .tar.gz
# of the whole install tree. scripts/package.sh builds them from a release
# build; scripts/check-deb.sh checks each .deb.
#   libquicpool1     the shared library (named after its SONAME)
#   libquicpool-dev  headers, the libquicpool.so link, CMake package, pkg-config
#   quicpool         the command-line tool: Qt Core and Network only
#   quicpool-diag    the desktop app: Qt Widgets and Charts, desktop entry,
#                    icons, AppStream metainfo
set(CPACK_PACKAGE_NAME quicpool)
set(CPACK_PACKAGE_VENDOR "QuicPool developers")
set(CPACK_PACKAGE_CONTACT "${QUICPOOL_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_HOMEPAGE_URL ${QUICPOOL_HOMEPAGE})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "pools of ready QUIC streams for Qt applications")
set(CPACK_PACKAGE_FILE_NAME quicpool-${PROJECT_VERSION}-${CMAKE_SYSTEM_NAME}-${CMAKE_SYSTEM_PROCESSOR})
set(CPACK_GENERATOR DEB TGZ)
# Strip at packaging time: the packages carry no debug info (lintian).
set(CPACK_STRIP_FILES ON)
set(CPACK_SOURCE_GENERATOR "")

# One .deb per component; the .tar.gz stays one archive of everything.
set(CPACK_COMPONENTS_ALL ${QUICPOOL_COMPONENTS})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_ARCHIVE_COMPONENT_INSTALL OFF)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${QUICPOOL_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE ${QUICPOOL_HOMEPAGE})
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Depends is computed by dpkg-shlibdeps from what each package's binaries
# link; CPack runs it with --ignore-missing-info, so the dependency on
# libquicpool1 (built here, not installed) is written out below.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Where dpkg-shlibdeps finds libquicpool.so.N for the programs (-l).
get_target_property(_qp_lib_dir quicpool BINARY_DIR)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${_qp_lib_dir})
set(_qp_lib_dep "${QUICPOOL_PACKAGE_lib} (= ${PROJECT_VERSION})")

set(_qp_common_description
"QuicPool keeps pools of open, ready QUIC streams, so that an application
takes a stream at once instead of waiting for a new one. Its pools speak
the NodePass pool protocol byte for byte.")

foreach(component IN LISTS QUICPOOL_COMPONENTS)
  string(TOUPPER ${component} C)
  set(CPACK_DEBIAN_${C}_PACKAGE_NAME ${QUICPOOL_PACKAGE_${component}})
  set(CPACK_DEBIAN_${C}_FILE_NAME DEB-DEFAULT)
endforeach()

# libquicpool1: a shlibs file lets other packages depend on it, and dpkg's
# ldconfig trigger refreshes the linker cache. Both are written here rather
# than by CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS, which (CMake 3.25) adds
# postinst/postrm scripts that run ldconfig by hand.
set(CPACK_DEBIAN_LIB_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_LIB_DESCRIPTION "pools of ready QUIC streams for Qt applications - library
${_qp_common_description}
This package holds the shared library libquicpool.so.${QUICPOOL_SOVERSION}, a Qt 6 library; QUIC
(ngtcp2) and its TLS library are linked into it privately.")
file(CONFIGURE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/deb/shlibs
  CONTENT "libquicpool ${QUICPOOL_SOVERSION} ${QUICPOOL_PACKAGE_lib} (>= ${PROJECT_VERSION})\n")
file(CONFIGURE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/deb/triggers
  CONTENT "activate-noawait ldconfig\n")
set(CPACK_DEBIAN_LIB_PACKAGE_CONTROL_EXTRA
  ${CMAKE_CURRENT_BINARY_DIR}/deb/shlibs ${CMAKE_CURRENT_BINARY_DIR}/deb/triggers)
set(CPACK_POST_BUILD_SCRIPTS ${CMAKE_CURRENT_SOURCE_DIR}/DebDropLdconfigScripts.cmake)

# libquicpool-dev: what building against the library needs, Qt's own
# development files included (QuicPoolConfig.cmake finds Qt6 Core/Network).
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_SHLIBDEPS OFF)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "${_qp_lib_dep}, qt6-base-dev (>= ${QUICPOOL_QT_MIN_VERSION})")
set(CPACK_DEBIAN_DEV_DESCRIPTION "pools of ready QUIC streams for Qt applications - development files
${_qp_common_description}
This package holds the headers, the CMake package (find_package(QuicPool),
target QuicPool::Pool) and the pkg-config file (quicpool).")

# quicpool: the command-line tool, for servers and scripts: no Qt Gui.
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION net)
set(CPACK_DEBIAN_CLI_PACKAGE_DEPENDS "${_qp_lib_dep}")
set(CPACK_DEBIAN_CLI_DESCRIPTION "pools of ready QUIC streams - command-line tool
${_qp_common_description}
This package holds the quicpool command: server and client pools with
echo, sink and source workloads (runs by count or duration, at a target
rate, with interval reports and OpenMetrics), a benchmark and a network
impairment relay.")

# quicpool-diag: the desktop app.
set(CPACK_DEBIAN_DIAG_PACKAGE_SECTION net)
set(CPACK_DEBIAN_DIAG_PACKAGE_DEPENDS "${_qp_lib_dep}")
# The app needs a windowing platform plugin (xcb, wayland) at run time.
set(CPACK_DEBIAN_DIAG_PACKAGE_RECOMMENDS qt6-qpa-plugins)
set(CPACK_DEBIAN_DIAG_DESCRIPTION "pools of ready QUIC streams - diagnostics app
${_qp_common_description}
This package holds QuicPool Diagnostics, a Qt Widgets app with live charts
of pools and connections, stream fetching, payloads and load tests.")

include(CPack)
