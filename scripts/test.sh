#!/usr/bin/env bash
# The whole test suite: set-up, release build + every test, then the debug build with
# AddressSanitizer + UndefinedBehaviorSanitizer + every test again.
#   scripts/test.sh            both
#   scripts/test.sh --quick    release only
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

run_suite() {
  local preset="$1"
  echo "== ember: building ($preset)"
  scripts/build.sh "$preset"
  echo "== ember: testing ($preset)"
  # Sanitizer runs: fail on any report; leak checking is part of ASan.
  # ctest runs two test programs at once on 2 cores: OpenMP threads that spin while idle
  # (libgomp's default) would steal each other's cores and slow small ops down 50x, so
  # idle threads sleep instead.
  OMP_WAIT_POLICY=PASSIVE ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    ctest --preset "$preset" -j "$(nproc)" --timeout 600
}

run_suite release
if [ "${1:-}" != "--quick" ]; then
  run_suite debug
fi
