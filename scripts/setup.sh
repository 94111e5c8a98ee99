#!/usr/bin/env bash
# Installs every Debian 12 package ember needs to build, test and benchmark. Idempotent:
# packages already present are skipped, so a warm machine pays nothing.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache  # toolchain (ccache: rebuilds reuse earlier compiles)
  libopenblas-dev libopenblas0-openmp                  # BLAS (OpenMP build, shares ember's pool)
  libdnnl-dev                                          # oneDNN: float32 GEMM with AVX-512 JIT kernels
  libsleef-dev                                         # vectorised math
  libgtest-dev libgmock-dev libbenchmark-dev           # tests and micro-benchmarks
  zlib1g-dev                                           # gzip-compressed datasets, checkpoints
  libisal-dev                                          # ISA-L: CRC-32 of checkpoint records at memory speed
  libstb-dev                                           # image decoding (ImageFolder)
  nlohmann-json3-dev                                   # JSON headers of safetensors checkpoints
  pybind11-dev python3-dev libdlpack-dev              # the Python extension ember._C (DLPack: tensor exchange)
  python3-venv python3-setuptools python3-wheel python3-pip  # pip install . (setup.py drives CMake)
  libtorch-dev python3-torch python3-numpy python3-pytest  # the oracle and benchmark peer (tests only)
  python3-tqdm                                         # progress bars in the seeds' Python training loops (tests)
  python3-pil                                          # PIL images in ember.vision (as torchvision takes them)
  python3-torchvision python3-sklearn                  # oracles of ember.vision and ember.metrics (tests only)
  dataset-fashion-mnist                                # real data for the main job
  valgrind                                             # instruction counts in benchmarks
  clang libclang-rt-14-dev                             # libFuzzer targets of the .pt / pickle / safetensors readers
  libprotobuf-dev protobuf-compiler                    # TensorBoard event files (utils/tensorboard: Event/Summary messages)
  python3-protobuf                                     # tests parse the event files with the generated Python messages
  libopenmpi-dev openmpi-bin                           # MPI: the transport of ember::distributed, mpirun for its tests
  chromium                                             # the dashboard's page test (headless, driven by npm playwright-core)
)

# ember-board's page is bundled with npm (board/web/package-lock.json). A machine that has
# Node (e.g. NodeSource's nodejs, which bundles npm) keeps it; otherwise Debian's.
command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "ember setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
