# CPack pre-build script (see packaging/cpack.cmake): removes the build's test fixtures (targets
# defined under tests/, listed in CPACK_SCOREHOST_TEST_FIXTURES) from the staging tree, so a
# package made from a build with tests enabled ships only the product.
foreach(name IN LISTS CPACK_SCOREHOST_TEST_FIXTURES)
  file(GLOB_RECURSE hits LIST_DIRECTORIES false "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/*")
  foreach(hit IN LISTS hits)
    get_filename_component(base "${hit}" NAME)
    if(base STREQUAL name)
      message(STATUS "CPack: leaving test fixture out of the package: ${hit}")
      file(REMOVE "${hit}")
    endif()
  endforeach()
endforeach()
