# CPack post-build script (CPACK_POST_BUILD_SCRIPTS): removes the postinst and
# postrm that CMake 3.25's DEB generator adds to any package holding a library
# under /usr/lib, which only run ldconfig. The package ships dpkg's ldconfig
# trigger instead (see CPackSettings.cmake), the way Debian has done it since
# dpkg 1.18, so it needs no maintainer scripts at all.
foreach(package IN LISTS CPACK_PACKAGE_FILES)
  if(NOT package MATCHES "\\.deb$")
    continue()
  endif()
  set(tree ${package}.tree)
  file(REMOVE_RECURSE ${tree})
  execute_process(COMMAND dpkg-deb --raw-extract ${package} ${tree} COMMAND_ERROR_IS_FATAL ANY)
  set(scripts)
  foreach(script postinst postrm)
    if(EXISTS ${tree}/DEBIAN/${script})
      file(READ ${tree}/DEBIAN/${script} body)
      # Only CPack's own ldconfig scripts are dropped, never one we added.
      string(REGEX REPLACE "[ \t\r\n]+" " " body "${body}")
      if(NOT body MATCHES "^#!/bin/sh set -e if \\[ \"\\$1\" = \"(configure|remove)\" \\]; then ldconfig fi ?$")
        message(FATAL_ERROR "${script} of ${package} is not CPack's ldconfig script: ${body}")
      endif()
      list(APPEND scripts ${tree}/DEBIAN/${script})
    endif()
  endforeach()
  if(scripts)
    file(REMOVE ${scripts})
    execute_process(COMMAND dpkg-deb --root-owner-group -Zgzip --build ${tree} ${package}
      OUTPUT_QUIET COMMAND_ERROR_IS_FATAL ANY)
    message(STATUS "Dropped CPack's ldconfig maintainer scripts from ${package}")
  endif()
  file(REMOVE_RECURSE ${tree})
endforeach()
