# Tests of what gets installed and packaged. The scripts take the build dir
# and read the facts they need from checks.env, so they also run by hand:
#   scripts/check-install.sh build/dev     scripts/check-deb.sh build/dev
# The example is built with this build's compiler and flags, so it links
# against a sanitizer build of the library too.
set(QUICPOOL_CHECK_WITH_DIAG 0)
if(TARGET quicpool-diag)
  set(QUICPOOL_CHECK_WITH_DIAG 1)
endif()
file(GLOB _qp_icon_dirs RELATIVE ${QUICPOOL_RESOURCES_DIR}/icons/hicolor
     ${QUICPOOL_RESOURCES_DIR}/icons/hicolor/*x*)
string(JOIN " " QUICPOOL_ICON_SIZES ${_qp_icon_dirs})
set(QUICPOOL_CHECK_HEADERS)
foreach(header IN LISTS QUICPOOL_PUBLIC_HEADERS)
  get_filename_component(name ${header} NAME)
  list(APPEND QUICPOOL_CHECK_HEADERS ${name})
endforeach()
string(JOIN " " QUICPOOL_CHECK_HEADERS ${QUICPOOL_CHECK_HEADERS})
configure_file(checks.env.in ${CMAKE_CURRENT_BINARY_DIR}/checks.env @ONLY)

# Both scripts run cmake --install / cpack on this build dir: never at once.
add_test(NAME installer.check_install
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/check-install.sh ${PROJECT_BINARY_DIR})
set_tests_properties(installer.check_install PROPERTIES
  LABELS install TIMEOUT 300 RESOURCE_LOCK quicpool_install_tree)
add_test(NAME installer.check_deb
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/check-deb.sh ${PROJECT_BINARY_DIR})
set_tests_properties(installer.check_deb PROPERTIES
  LABELS package TIMEOUT 300 RESOURCE_LOCK quicpool_install_tree)

# The desktop files and man pages on their own: fast, and they run even when
# the app is not built. The validators come from scripts/setup-deps.sh.
find_program(QUICPOOL_DESKTOP_FILE_VALIDATE desktop-file-validate)
find_program(QUICPOOL_APPSTREAMCLI appstreamcli)
if(QUICPOOL_DESKTOP_FILE_VALIDATE)
  add_test(NAME installer.desktop_entry COMMAND ${QUICPOOL_DESKTOP_FILE_VALIDATE}
    ${QUICPOOL_RESOURCES_DIR}/${QUICPOOL_APP_ID}.desktop)
  set_tests_properties(installer.desktop_entry PROPERTIES LABELS install
    FAIL_REGULAR_EXPRESSION "error|warning")
else()
  message(STATUS "desktop-file-validate not found: the desktop entry is not validated")
endif()
if(QUICPOOL_APPSTREAMCLI)
  add_test(NAME installer.metainfo COMMAND ${QUICPOOL_APPSTREAMCLI} validate --no-net
    ${QUICPOOL_RESOURCES_DIR}/${QUICPOOL_APP_ID}.metainfo.xml)
  set_tests_properties(installer.metainfo PROPERTIES LABELS install)
else()
  message(STATUS "appstreamcli not found: the AppStream metainfo is not validated")
endif()
# groff prints a warning for every construct it does not understand.
find_program(QUICPOOL_GROFF groff)
if(QUICPOOL_GROFF)
  foreach(page IN LISTS QUICPOOL_MAN_PAGES)
    add_test(NAME installer.manpage.${page} COMMAND ${CMAKE_COMMAND} -E env LC_ALL=C.UTF-8
      ${QUICPOOL_GROFF} -man -ww -z ${CMAKE_CURRENT_BINARY_DIR}/man/${page}.1)
    set_tests_properties(installer.manpage.${page} PROPERTIES LABELS install
      FAIL_REGULAR_EXPRESSION ".")
  endforeach()
endif()
