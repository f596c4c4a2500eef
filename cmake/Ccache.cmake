find_program(IRISX_CCACHE ccache)
if(IRISX_CCACHE)
  # Precompiled headers need this sloppiness for ccache to cache them.
  set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
      ${IRISX_CCACHE})
endif()
