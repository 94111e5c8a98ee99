#!/usr/bin/python3
"""bfloat16 kernels, ember vs PyTorch 1.13 (LibTorch, same process), in one command.

Runs build/release/benchmarks/bench_bf16 (bench_bf16.cpp) `--runs` times at each thread
count, keeps the best figure per library (the machine is shared: minima of times, maxima of
throughputs), and prints one markdown table with the ember/torch ratios and, for W5bf16, the
fraction of this machine's bf16 peak.

Peak: AVX512-BF16's vdpbf16ps multiplies 32 bf16 pairs and adds them into 16 float lanes
(64 flop per instruction); Zen 4 issues one 512-bit vdpbf16ps per cycle per core (two
256-bit halves), Zen 5 two. Peak = 64 flop x instructions per cycle x cores x clock; the
clock is measured (bench_bf16 times a chain of dependent 1-cycle adds; /proc/cpuinfo's
nominal MHz is below the boost clock the cores run at). Without AVX512-BF16 the table says
so and gives no peak.

Usage: /usr/bin/python3 benchmarks/compare_bf16.py [--threads 1,2] [--runs 3]
       [--only W5bf16,W4bf16,EWbf16] [--bin build/release/benchmarks/bench_bf16]
"""
import argparse
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cpu_info():
    text = open("/proc/cpuinfo").read()
    flags = set(re.search(r"^flags\s*:(.*)$", text, re.M).group(1).split())
    family = int(re.search(r"^cpu family\s*:\s*(\d+)", text, re.M).group(1))
    vendor = re.search(r"^vendor_id\s*:\s*(\S+)", text, re.M).group(1)
    mhz = [float(m) for m in re.findall(r"^cpu MHz\s*:\s*([\d.]+)", text, re.M)]
    return flags, family, vendor, max(mhz) if mhz else 0.0


def bf16_peak_gflops(threads, ghz):
    """(GFLOP/s, how) for `threads` cores at `ghz`, or (None, why not)."""
    flags, family, vendor, _ = cpu_info()
    if "amx_bf16" in flags:
        return None, "AMX-BF16 present: peak not modelled here"
    if "avx512_bf16" not in flags:
        return None, "no AVX512-BF16: bf16 runs widened or emulated"
    # vdpbf16ps zmm: 16 lanes x 2 products x 2 flop = 64 flop.
    if vendor == "AuthenticAMD":
        per_cycle = 2 if family >= 0x1A else 1  # Zen 5 (family 26): two 512-bit pipes; Zen 4: one
        core = "Zen 5" if family >= 0x1A else "Zen 4"
    else:
        per_cycle, core = 2, "Intel (two 512-bit FMA ports)"
    peak = 64 * per_cycle * threads * ghz
    return peak, (f"{core}: 64 flop/vdpbf16ps x {per_cycle}/cycle x {threads} core(s) x {ghz:.2f} GHz "
                  "(clock measured by bench_bf16 with a chain of dependent adds)")


def run_once(binary, threads, only, rounds):
    # LibTorch allocates through glibc's malloc, which serves blocks above its mmap threshold
    # with fresh pages and unmaps them on free; glibc raises the threshold only after the first
    # such free, so LibTorch's speed depended on the process's history (W4's float32 step at 1
    # thread: 50 ms in a fresh process, 16.6 ms warm, page faults being slow on this VM).
    # Fixing the thresholds high gives LibTorch its warm figures in every run, the harder
    # comparison. ember's caching allocator (docs/architecture.md, "Memory") is unaffected.
    # Tunables the caller set come after these: glibc applies a list in order, so the
    # caller's value wins wherever both name the same tunable.
    tunables = "glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=1073741824"
    if os.environ.get("GLIBC_TUNABLES"):
        tunables += ":" + os.environ["GLIBC_TUNABLES"]
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", GLIBC_TUNABLES=tunables)
    out = subprocess.run([binary, "--threads", threads, "--only", only, "--rounds", str(rounds)],
                         env=env, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--only", default="W5bf16,W4bf16,EWbf16,train")
    ap.add_argument("--bin", default=os.path.join(ROOT, "build/release/benchmarks/bench_bf16"))
    args = ap.parse_args()
    best = {}
    ghz = 0.0
    for _ in range(args.runs):
        for row in run_once(args.bin, args.threads, args.only, args.rounds):
            if row["bench"] == "clock":
                ghz = max(ghz, row["ghz"])
                continue
            key = (row["bench"], row["threads"])
            lower_better = row["unit"] == "ms"
            pick = min if lower_better else max
            if key not in best:
                best[key] = dict(row)
            else:
                for lib in ("ember", "torch"):
                    best[key][lib] = pick(best[key][lib], row[lib])
    load = open("/proc/loadavg").read().split()[0]
    print(f"bench_bf16: best of {args.runs} runs x {args.rounds} rounds (load average {load})\n")
    print("| case | threads | unit | ember | torch | ember/torch | note |")
    print("|---|---|---|---|---|---|---|")
    notes = []
    for (bench, threads), row in best.items():
        e, t = row["ember"], row["torch"]
        if row["unit"] == "ms":
            ratio, sense = e / t, "time (lower is better)"
        else:
            ratio, sense = e / t, "throughput (higher is better)"
        note = sense
        if bench.startswith("W5bf16"):
            peak, how = bf16_peak_gflops(threads, ghz)
            if peak:
                note = f"ember {100 * e / peak:.0f}% / torch {100 * t / peak:.0f}% of bf16 peak {peak:.0f}"
                if how not in notes:
                    notes.append(how)
            else:
                note = how
        print(f"| {bench} | {threads} | {row['unit']} | {e:.4g} | {t:.4g} | {ratio:.2f} | {note} |")
    for n in notes:
        print(f"\npeak: {n}")


if __name__ == "__main__":
    sys.exit(main())
