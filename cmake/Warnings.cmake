# Strict warnings for IRISX's own targets only (never for third-party headers).
function(irisx_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wimplicit-fallthrough -Werror)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE
      # Asio's awaitable frame operator delete is reported as mismatched (GCC bug 109224).
      -Wno-mismatched-new-delete
      # std::string concatenation inside coroutines is reported as out of bounds
      # (GCC bugs 105329, 105651): false positives from libstdc++ inlining at -O2.
      -Wno-array-bounds -Wno-restrict -Wno-stringop-overflow -Wno-stringop-overread)
  endif()
endfunction()
