# CPack: one .deb named quicpool (library, headers, programs, desktop files)
# and a relocatable .tar.gz of the same install tree. scripts/package.sh
# builds both from a release build; scripts/check-deb.sh checks the .deb.
set(CPACK_PACKAGE_NAME quicpool)
set(CPACK_PACKAGE_VENDOR "QuicPool developers")
set(CPACK_PACKAGE_CONTACT "${QUICPOOL_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_HOMEPAGE_URL ${QUICPOOL_HOMEPAGE})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "pools of ready QUIC streams for Qt applications")
set(CPACK_PACKAGE_DESCRIPTION
"QuicPool keeps pools of open, ready QUIC streams, so that an application
takes a stream at once instead of waiting for a new one. Its pools speak
the NodePass pool protocol byte for byte.
This package holds libquicpool (a Qt 6 library with its headers, CMake
package and pkg-config file), the quicpool command-line tool for servers,
scripts and load tests, and the QuicPool Diagnostics desktop app.")
set(CPACK_PACKAGE_FILE_NAME quicpool-${PROJECT_VERSION}-${CMAKE_SYSTEM_NAME}-${CMAKE_SYSTEM_PROCESSOR})
set(CPACK_GENERATOR DEB TGZ)
# Strip at packaging time: the packages carry no debug info (lintian).
set(CPACK_STRIP_FILES ON)
set(CPACK_SOURCE_GENERATOR "")

set(CPACK_DEBIAN_PACKAGE_NAME quicpool)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${QUICPOOL_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE ${QUICPOOL_HOMEPAGE})
# Depends is computed by dpkg-shlibdeps from what the binaries link.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The package ships libquicpool.so.N: a shlibs file lets other packages
# depend on it, and dpkg's ldconfig trigger refreshes the linker cache.
# Both are written here rather than by CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS,
# which (CMake 3.25) adds postinst/postrm scripts that run ldconfig by hand.
file(CONFIGURE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/deb/shlibs
  CONTENT "libquicpool ${QUICPOOL_SOVERSION} quicpool (>= ${PROJECT_VERSION})\n")
file(CONFIGURE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/deb/triggers
  CONTENT "activate-noawait ldconfig\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_CURRENT_BINARY_DIR}/deb/shlibs ${CMAKE_CURRENT_BINARY_DIR}/deb/triggers)
set(CPACK_POST_BUILD_SCRIPTS ${CMAKE_CURRENT_SOURCE_DIR}/DebDropLdconfigScripts.cmake)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
if(TARGET quicpool-diag)
  # The app needs a windowing platform plugin (xcb, wayland) at run time.
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS qt6-qpa-plugins)
endif()
# The headers, CMake package and pkg-config file need Qt's development files.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "qt6-base-dev (>= ${QUICPOOL_QT_MIN_VERSION})")

include(CPack)
