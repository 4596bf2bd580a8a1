# CPack: a Debian 12 .deb and a relocatable .tar.gz, both made from the project's install tree
# (`cpack` runs the install rules into a staging directory, so whatever `cmake --install` lays down
# is exactly what ships: bin/scorehost, <libdir>/scorehost/runtimes/{*.so,runtimes.toml},
# include/ (plugin API), share/scorehost/example-models).
#
#   cmake --build build && (cd build && cpack)      # -> build/scorehost_<ver>_<arch>.deb, .tar.gz
#
# The host finds its plugins relative to its own executable, so the tarball works wherever it is
# unpacked and the .deb works under /usr. tests/packaging checks both, and checks that every
# shared library the installed files need comes from a package named in Depends.

set(CPACK_PACKAGE_NAME scorehost)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "scorehost")
set(CPACK_PACKAGE_CONTACT "scorehost maintainers <scorehost@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Model scoring host: serves one ML model behind the H2O MLOps scoring REST API")
set(CPACK_PACKAGE_DESCRIPTION
    "scorehost loads runtime plugins (H2O-3 MOJO, Driverless AI, MLflow, ...) and serves one model behind an H2O-compatible REST API. `scorehost runtimes` lists the runtimes and why any is unavailable.")
set(CPACK_GENERATOR "DEB;TGZ" CACHE STRING "CPack generators")
set(CPACK_SOURCE_GENERATOR "")
# Packages ship stripped binaries; the build tree keeps the debug info.
set(CPACK_STRIP_FILES ON)
# Test-only install rules (if any) stay out of the packages.
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR};${PROJECT_NAME};ALL;/")

# ---- .tar.gz: scorehost-<ver>-Linux-<arch>/{bin,lib,include,share}
set(CPACK_PACKAGE_FILE_NAME "scorehost-${PROJECT_VERSION}-Linux-${CMAKE_SYSTEM_PROCESSOR}")
set(CPACK_ARCHIVE_COMPONENT_INSTALL OFF)

# ---- .deb (Debian 12 "bookworm")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)               # scorehost_<ver>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
# Runtime libraries, by their bookworm package names (each from `dpkg -S` on the library the
# installed files link: libpistache.so.0 -> libpistache0, libfmt.so.9 -> libfmt9, ...). Kept explicit
# rather than dpkg-shlibdeps at package time because plugins may link libraries that no Debian
# package provides (the pyenv libpython of the Python runtime family); tests/packaging recomputes
# the list from the ELF files and fails if any library's package is missing here.
set(SCOREHOST_DEB_DEPENDS
  "libc6 (>= 2.36)"
  "libstdc++6 (>= 12)"
  "libgcc-s1"
  libpistache0
  libsimdjson14
  libzip4
  libfmt9
  "libspdlog1.10"
  libtomlplusplus3
  "libboost-filesystem1.74.0")
list(JOIN SCOREHOST_DEB_DEPENDS ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
# curl for health checks in scripts that use the .deb as their base; not needed by scorehost itself.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "curl")

# Test fixtures never ship: test plugins are declared with scorehost_add_plugin(... NO_INSTALL), so
# the install tree CPack packages holds only the product. tests/packaging checks that the package
# holds exactly the plugins under plugins/.
include(CPack)
