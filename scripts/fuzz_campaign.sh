#!/usr/bin/env bash
# A long differential fuzzing campaign: N programs (default 1,000,000) from seed S (default
# 0), split into one seed range per core, each process single-threaded (so ember's and
# LibTorch's thread pools do not fight over the cores). Prints every discrepancy with its
# replay command, the totals and the wall time; exits 1 if any process found a discrepancy.
#   scripts/fuzz_campaign.sh [N] [S]
set -euo pipefail
cd "$(dirname "$0")/.."
total="${1:-1000000}"
first="${2:-0}"
fuzz=build/release/tests/fuzz/ember_fuzz
if [ ! -x "$fuzz" ]; then
  scripts/setup.sh
  cmake --preset release >/dev/null
  cmake --build --preset release --target ember_fuzz
fi

jobs=$(nproc)
per=$(((total + jobs - 1) / jobs))
logs=$(mktemp -d)
start=$(date +%s.%N)
pids=()
for ((j = 0; j < jobs; ++j)); do
  a=$((first + j * per))
  b=$((a + per))
  ((b > first + total)) && b=$((first + total))
  ((a >= b)) && break
  OMP_NUM_THREADS=1 "$fuzz" --seeds "$a:$b" --quiet >"$logs/$j.log" 2>&1 &
  pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
end=$(date +%s.%N)

grep -h "^seed \|^  replay" "$logs"/*.log || true
# Summary lines read "fuzz: P programs, D discrepancies, T error-text differences, L torch limitations, ...".
grep -h "^fuzz: [0-9]* programs" "$logs"/*.log | awk -v start="$start" -v end="$end" '
  { programs += $2; disc += $4; text += $6; lim += $9 }
  END {
    secs = end - start
    printf "campaign: %d programs, %d discrepancies, %d error-text differences, %d LibTorch dtype limitations, in %.0f s (%.0f programs/s)\n",
           programs, disc, text, lim, secs, programs / secs
  }'
rm -rf "$logs"
exit "$status"
