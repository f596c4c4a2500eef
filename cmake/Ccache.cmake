find_program(IRISX_CCACHE ccache)
if(IRISX_CCACHE)
  # Precompiled headers need this sloppiness for ccache to cache them; BASEDIR lets a fresh
  # clone in another directory (CI) reuse the cache.
  set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env CCACHE_BASEDIR=${CMAKE_SOURCE_DIR}
      CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
      ${IRISX_CCACHE})
endif()
