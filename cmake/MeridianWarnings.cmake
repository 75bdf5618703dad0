# Warnings and sanitizers live on an INTERFACE target that our own targets link, never in global
# flags, so generated code and third-party headers are not held to them.
add_library(meridian_warnings INTERFACE)
target_compile_options(meridian_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wno-unused-parameter -Wnon-virtual-dtor>
  $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra>)
if(MERIDIAN_SANITIZE)
  target_compile_options(meridian_warnings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(meridian_warnings INTERFACE -fsanitize=address,undefined)
endif()

# meridian_add_test(name SOURCES... LIBS...) registers a GoogleTest binary beside the code.
function(meridian_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock meridian_warnings)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()
