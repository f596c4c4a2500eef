# IRISX_SANITIZE: "address;undefined" or "thread"; applied to every target of the tree.
set(IRISX_SANITIZE "" CACHE STRING "Sanitizers to build with (address;undefined or thread)")
if(IRISX_SANITIZE)
  string(REPLACE ";" "," _irisx_san "${IRISX_SANITIZE}")
  add_compile_options(-fsanitize=${_irisx_san} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_irisx_san})
endif()
