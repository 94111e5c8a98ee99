#!/usr/bin/python3
"""ember's all_reduce against bare MPI_Allreduce, in the same mpirun job, with vader's
single-copy mechanism (CMA) on and off; and the alpha-beta fit the cost model in
docs/distributed.md uses.

Usage (from the repository root, after
`cmake --build build/release --target bench_allreduce`):
    /usr/bin/python3 benchmarks/compare_distributed.py [--np 2] [--rounds 15] [--quick]

Set OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 (or pass
--mpirun-args=--allow-run-as-root) when you are root; this script does not do it for you.
Prints, per single-copy setting, a table of sizes with ember's bus bandwidth (blocking call and
comm-thread burst), bare MPI's (on one buffer, and on the burst's four buffers in turn), and
their ratios (issue target: >= 0.95 at 1, 25 and 100 MiB),
then the fitted latency alpha (from 4 B) and bandwidth (from 100 MiB).
"""
import argparse
import json
import os
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TARGET_SIZES = (1 << 20, 25 << 20, 100 << 20)


def run(args, single_copy):
    env = dict(os.environ)
    env["OMPI_MCA_btl_vader_single_copy_mechanism"] = single_copy
    env.setdefault("OMPI_MCA_btl", "self,vader")
    env.setdefault("OMPI_MCA_oob_tcp_if_include", "lo")
    env.setdefault("OMP_NUM_THREADS", "1")
    cmd = [args.mpirun, "-np", str(args.np), "--bind-to", "none"] + shlex.split(args.mpirun_args) + [
        os.path.join(args.build, "benchmarks", "bench_allreduce"), "--rounds", str(args.rounds)]
    if args.quick:
        cmd.append("--quick")
    print(f"$ OMPI_MCA_btl_vader_single_copy_mechanism={single_copy} " + shlex.join(cmd), file=sys.stderr)
    out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True, env=env).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def human(n):
    return f"{n >> 20} MiB" if n >= 1 << 20 else f"{n >> 10} KiB" if n >= 1024 else f"{n} B"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--np", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--mpirun", default="mpirun")
    ap.add_argument("--mpirun-args", default="")
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    args = ap.parse_args()
    summary = {}
    print(f"load average before the runs: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for sc in ("cma", "none"):
        rows = run(args, sc)
        print(f"\n### single copy: {sc} ({args.np} ranks)\n")
        print("| size | ember us | ember async us | MPI us | MPI, burst's buffers us | ember busbw GB/s | MPI busbw GB/s "
              "| ratio | ratio async | ratio async, same buffers "
              "| best-round us (ember / async / MPI) | best-round ratio (blocking / async) |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {human(r['bytes'])} | {r['ember_us']:.1f} | {r['ember_async_us']:.1f} | {r['mpi_us']:.1f} | "
                  f"{r['mpi_burst_us']:.1f} | {r['ember_busbw_GBps']:.2f} | {r['mpi_busbw_GBps']:.2f} | {r['ratio']:.3f} "
                  f"| {r['ratio_async']:.3f} | {r['ratio_async_burst']:.3f} "
                  f"| {r['ember_us_min']:.1f} / {r['ember_async_us_min']:.1f} / {r['mpi_us_min']:.1f} "
                  f"| {r['ratio_min']:.3f} / {r['ratio_async_min']:.3f} |")
        by = {r["bytes"]: r for r in rows}
        targets = [by[s] for s in TARGET_SIZES if s in by]
        met = all(min(r["ratio"], r["ratio_async"]) >= 0.95 for r in targets)
        met_min = all(min(r["ratio_min"], r["ratio_async_min"]) >= 0.95 for r in targets)
        met_burst = all(r["ratio_async_burst"] >= 0.95 for r in targets)
        print(f"\nratio >= 0.95 at 1, 25, 100 MiB (both paths): medians {'met' if met else 'missed'}, "
              f"best rounds {'met' if met_min else 'missed'}; async path against bare MPI on the same four "
              f"buffers: medians {'met' if met_burst else 'missed'}")
        # alpha: the 4-byte latency; beta: seconds per byte of the ring's 2(p-1)/p n bytes at 100 MiB.
        big = by.get(100 << 20) or rows[-1]
        summary[sc] = {
            "alpha_us_mpi": by[4]["mpi_us_min"], "alpha_us_ember": by[4]["ember_us_min"],
            "alpha_us_ember_async": by[4]["ember_async_us_min"],
            "busbw_GBps_mpi": big["mpi_busbw_GBps"], "busbw_GBps_ember": big["ember_busbw_GBps"],
        }
    print("\n### alpha-beta fit (docs/distributed.md, cost model)\n")
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
