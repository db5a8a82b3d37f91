# Precompiled headers. A cold build of this tree is about 230 translation
# units, and each spends around half its compile time parsing the same Qt and
# standard headers: under the asan preset, tests/libpool/tst_lifetime.cpp
# took 13.5 s to compile alone and 6.7 s of that was its four Qt includes;
# with them precompiled it took 8.4 s. CI builds the whole tree twice on a
# fresh machine (asan, tsan), so this is most of the hour's margin.
#
# GCC uses a precompiled header only when the macros it depends on are
# defined as they were when it was made (QtTest's qtest.h picks its main()
# by QT_WIDGETS_LIB / QT_GUI_LIB), and -Winvalid-pch with -Werror turns a
# mismatch into a build error rather than a silent slow build. So the test
# executables share one of two headers made by a host target with the same
# Qt modules: quicpool_pch_tests (Core, Network, Test) or
# quicpool_pch_guitests (with Gui, Widgets, Charts); libraries each make
# their own (libpool builds with QT_NO_KEYWORDS, which changes Qt's headers).
# Public-header checks never use one: a precompiled header would hide a
# missing include.
option(QUICPOOL_PCH "Precompile the Qt and standard headers every source includes" ON)

set(QUICPOOL_PCH_CORE
  <memory> <vector> <functional> <chrono> <optional> <algorithm>
  <QtCore/QObject> <QtCore/QByteArray> <QtCore/QString> <QtCore/QList> <QtCore/QHash>
  <QtCore/QTimer> <QtCore/QPointer> <QtCore/QElapsedTimer> <QtCore/QDebug>
  <QtNetwork/QHostAddress> <QtNetwork/QUdpSocket>)
set(QUICPOOL_PCH_WIDGETS ${QUICPOOL_PCH_CORE}
  <QtWidgets/QWidget> <QtWidgets/QLabel> <QtWidgets/QPushButton> <QtWidgets/QLayout>)
set(QUICPOOL_PCH_TEST <QtTest/QTest> <QtTest/QSignalSpy>)

# quicpool_pch(target CORE|WIDGETS): the target makes its own header.
function(quicpool_pch target kind)
  if(QUICPOOL_PCH)
    target_precompile_headers(${target} PRIVATE ${QUICPOOL_PCH_${kind}})
  endif()
endfunction()

# quicpool_pch_host(host kind libraries...): an executable that makes the
# header test executables linking the same Qt modules reuse.
function(quicpool_pch_host host kind)
  if(QUICPOOL_PCH)
    file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/${host}.cpp "int main() { return 0; }\n")
    add_executable(${host} ${CMAKE_CURRENT_BINARY_DIR}/${host}.cpp)
    set_target_properties(${host} PROPERTIES AUTOMOC OFF)
    target_link_libraries(${host} PRIVATE ${ARGN} quicpool_warnings)
    target_precompile_headers(${host} PRIVATE ${QUICPOOL_PCH_${kind}} ${QUICPOOL_PCH_TEST})
  endif()
endfunction()

# quicpool_pch_reuse(target host): the target compiles with host's header.
function(quicpool_pch_reuse target host)
  if(QUICPOOL_PCH)
    target_precompile_headers(${target} REUSE_FROM ${host})
  endif()
endfunction()
