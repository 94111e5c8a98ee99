# find_package(Torch) for ember: a LibTorch project's CMakeLists.txt builds against ember's
# LibTorch compatibility layer (ember::torch_compat, docs/libtorch-compat.md) unchanged, with
# -DTorch_DIR pointing here. The same file serves the build tree (<build>/cmake/ember/Torch)
# and an installation (<libdir>/cmake/ember/Torch): both keep emberConfig.cmake one
# directory up. It is deliberately not where find_package looks by default
# (<prefix>/lib/cmake/Torch), so installing ember never hides a real LibTorch; a project opts
# in with Torch_DIR, or with CMAKE_PREFIX_PATH set to the directory above this one.
#
# It gives LibTorch's results: Torch_FOUND/TORCH_FOUND, TORCH_LIBRARIES (the imported
# target `torch`, which links ember::torch_compat), TORCH_INCLUDE_DIRS (the compatibility
# headers and ember's), TORCH_CXX_FLAGS (empty: ember needs no ABI flags) and
# TORCH_LIBRARY.
cmake_minimum_required(VERSION 3.18)

if(NOT TARGET ember::torch_compat)
  find_package(ember CONFIG QUIET PATHS "${CMAKE_CURRENT_LIST_DIR}/.." NO_DEFAULT_PATH)
  if(NOT ember_FOUND)
    set(Torch_FOUND FALSE)
    set(Torch_NOT_FOUND_MESSAGE
        "ember's TorchConfig.cmake (${CMAKE_CURRENT_LIST_DIR}) found no emberConfig.cmake in the directory above it")
    return()
  endif()
endif()

if(NOT TARGET torch)
  add_library(torch INTERFACE IMPORTED)
  set_target_properties(torch PROPERTIES INTERFACE_LINK_LIBRARIES ember::torch_compat)
endif()

set(TORCH_LIBRARIES torch)
set(TORCH_LIBRARY torch)
get_target_property(_ember_torch_compat_includes ember::torch_compat INTERFACE_INCLUDE_DIRECTORIES)
get_target_property(_ember_includes ember::ember INTERFACE_INCLUDE_DIRECTORIES)
set(TORCH_INCLUDE_DIRS ${_ember_torch_compat_includes} ${_ember_includes})
unset(_ember_torch_compat_includes)
unset(_ember_includes)
set(TORCH_CXX_FLAGS "")
set(TORCH_FOUND TRUE)
set(Torch_FOUND TRUE)
