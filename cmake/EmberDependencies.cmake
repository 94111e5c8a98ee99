# Every dependency is a Debian 12 package installed by scripts/setup.sh.
find_package(Threads REQUIRED)
find_package(OpenMP REQUIRED)

# OpenBLAS, OpenMP build: it runs its threads on ember's own OpenMP runtime, so BLAS and
# ember's kernels share one pool and never oversubscribe the cores (DESIGN, performance).
find_library(EMBER_OPENBLAS_LIB NAMES openblas libopenblas.so.0
  PATHS /usr/lib/x86_64-linux-gnu/openblas-openmp /usr/lib/aarch64-linux-gnu/openblas-openmp
  NO_DEFAULT_PATH)
if(NOT EMBER_OPENBLAS_LIB)
  find_library(EMBER_OPENBLAS_LIB openblas REQUIRED)
endif()
find_path(EMBER_CBLAS_INCLUDE cblas.h PATHS /usr/include/x86_64-linux-gnu/openblas-openmp
  /usr/include/x86_64-linux-gnu/openblas-pthread /usr/include/openblas)
message(STATUS "ember: BLAS = ${EMBER_OPENBLAS_LIB}")

# oneDNN (Debian's libdnnl-dev, the same library PyTorch's CPU build uses): its dnnl_sgemm
# JIT-compiles float32 GEMM kernels for the CPU it runs on (AVX-512 where present), about 2x
# OpenBLAS 0.3.21's on the reference machines. Note [GEMM backends] in cpu/blas.cpp.
option(EMBER_WITH_ONEDNN "float32 GEMM through oneDNN's dnnl_sgemm" ON)
if(EMBER_WITH_ONEDNN)
  find_path(EMBER_DNNL_INCLUDE oneapi/dnnl/dnnl.h)
  find_library(EMBER_DNNL_LIB dnnl)
  if(NOT EMBER_DNNL_INCLUDE OR NOT EMBER_DNNL_LIB)
    message(FATAL_ERROR "oneDNN not found: apt-get install libdnnl-dev (scripts/setup.sh), or -DEMBER_WITH_ONEDNN=OFF")
  endif()
  message(STATUS "ember: oneDNN = ${EMBER_DNNL_LIB}")
endif()

# SLEEF: vectorised transcendental functions (exp, log, tanh, erf, ...).
find_library(EMBER_SLEEF_LIB sleef REQUIRED)
find_path(EMBER_SLEEF_INCLUDE sleef.h PATHS /usr/include/x86_64-linux-gnu /usr/include/aarch64-linux-gnu REQUIRED)

# zlib: gzip-compressed datasets (IDX files).
find_package(ZLIB REQUIRED)
# ISA-L (Debian's libisal-dev, Intel's storage acceleration library): the CRC-32 that every
# .pt record carries, with carry-less multiplication (PCLMULQDQ / VPCLMULQDQ) chosen at run
# time: over 10 GB/s where zlib 1.2.13's table-driven crc32 manages about 1. Checkpoints
# are written and verified at memory speed (io/zip.cpp).
find_path(EMBER_ISAL_INCLUDE isa-l/crc.h)
find_library(EMBER_ISAL_LIB isal)
if(NOT EMBER_ISAL_INCLUDE OR NOT EMBER_ISAL_LIB)
  message(FATAL_ERROR "ISA-L not found: apt-get install libisal-dev (scripts/setup.sh)")
endif()
# safetensors headers are JSON (io/safetensors.cpp); header-only, linked PRIVATE.
find_package(nlohmann_json 3 REQUIRED)

# stb_image (Debian's libstb-dev): PNG/JPEG/BMP/... decoding for ImageFolder. Debian builds
# stb into libstb.so, so ember links it instead of compiling the implementation itself.
find_path(EMBER_STB_INCLUDE stb/stb_image.h REQUIRED)
find_library(EMBER_STB_LIB stb REQUIRED)

# protobuf (Debian's libprotobuf-dev + protobuf-compiler): TensorBoard event files are
# protobuf Event records; ember_tensorboard encodes them with code protoc generates from
# ember/utils/tensorboard/tensorboard.proto (docs/tensorboard.md, "Why these libraries").
find_package(Protobuf REQUIRED)

# Open MPI (Debian's libopenmpi-dev + openmpi-bin): the transport of ember::distributed
# (docs/distributed.md). Optional: without it everything else builds and
# init_process_group(backend "mpi") says the backend was not built. Only MPI's C API is used.
find_package(MPI COMPONENTS C QUIET)
if(MPI_C_FOUND)
  set(EMBER_MPI_DEFAULT ON)
else()
  set(EMBER_MPI_DEFAULT OFF)
endif()
option(EMBER_WITH_MPI "Build the MPI backend of ember::distributed (needs an MPI library and mpirun)" ${EMBER_MPI_DEFAULT})
if(EMBER_WITH_MPI)
  if(NOT MPI_C_FOUND)
    message(FATAL_ERROR "EMBER_WITH_MPI is ON but no MPI was found: apt-get install libopenmpi-dev openmpi-bin (scripts/setup.sh)")
  endif()
  message(STATUS "ember: MPI = ${MPI_C_LIBRARIES} (mpiexec: ${MPIEXEC_EXECUTABLE})")
else()
  message(STATUS "ember: MPI backend off (ember::distributed builds, init_process_group(\"mpi\") raises)")
endif()
