#!/usr/bin/python3
"""Runs ember_bench and peer_libtorch side by side and prints ember/LibTorch ratios.

Usage (from the repository root, after `cmake --build build/release`):
    /usr/bin/python3 benchmarks/compare.py [--threads 1,2] [--quick] [--only W1,W5,W6,W7]
    /usr/bin/python3 benchmarks/compare.py --callgrind [--probe-n 20000]

Each child gets OMP_NUM_THREADS / OPENBLAS_NUM_THREADS in its environment before it
starts (both libraries read them at load time). LibTorch is also run with
OMP_WAIT_POLICY=PASSIVE and, from 2 threads up, with its own defaults (--threads 0), and
the best of its settings is quoted per metric, as the anchors README asks.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# metric -> True when higher is better
HIGHER_IS_BETTER = {"gflops": True, "gbps": True, "ns_per_op": False, "ms_per_call": False, "us_per_iter": False,
                    "ms_per_step": False, "us_per_call": False, "samples_per_s": True, "s_total": False}
# (bench prefix, metric) -> (target ratio ember/libtorch, ">=" or "<=") from the issue
TARGETS = {
    ("W1.add_n1_nograd", "ns_per_op"): (0.25, "<="),
    ("W1.autograd_fwd_bwd_n64", "us_per_iter"): (0.5, "<="),
    ("W3.mlp_train", "ms_per_step"): (0.9, "<="),
    ("W4.cnn_train", "ms_per_step"): (1.0, "<="),
    ("W8.mlp_infer_b1", "us_per_call"): (0.5, "<="),
    ("W8.mlp_infer_b128", "us_per_call"): (1.0, "<="),
    ("W5.", "gflops"): (1.0, ">="),
    ("W6.", "gbps"): (1.0, ">="),
    ("W7.", "gbps"): (1.0, ">="),
    ("W4ops.", "ms_per_call"): (1.0, "<="),
}


def target_for(bench, metric):
    # The longest matching prefix wins, so "W8.mlp_infer_b1" does not claim "W8.mlp_infer_b128".
    matches = [(len(prefix), t) for (prefix, m), t in TARGETS.items() if bench.startswith(prefix) and metric == m]
    return max(matches)[1] if matches else None


def run_json(cmd, env_extra, drop=()):
    env = dict(os.environ)
    for k in drop:
        env.pop(k, None)
    env.update(env_extra)
    print("$ " + " ".join(f"{k}={v}" for k, v in env_extra.items()) + " " + " ".join(cmd), file=sys.stderr)
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit(f"{cmd[0]} failed with exit code {proc.returncode}")
    rows = []
    for line in proc.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            rows.append(json.loads(line))
    return rows


def thread_env(t):
    return {"OMP_NUM_THREADS": str(t), "OPENBLAS_NUM_THREADS": str(t)}


def bench_args(args):
    extra = []
    if args.quick:
        extra.append("--quick")
    if args.only:
        extra += ["--only", args.only]
    if args.reps:
        extra += ["--reps", str(args.reps)]
    return extra


def collect(args, ember_bin, peer_bin, threads):
    """-> {(bench, metric): {"ember": median, "libtorch": (best median, setting)}}"""
    results = {}
    for row in run_json([ember_bin, "--threads", str(threads)] + bench_args(args), thread_env(threads)):
        for metric, v in row["metrics"].items():
            results.setdefault((row["bench"], metric), {})["ember"] = v["median"]
    settings = [("omp", thread_env(threads), ["--threads", str(threads)], ()),
                ("omp+passive", dict(thread_env(threads), OMP_WAIT_POLICY="PASSIVE"), ["--threads", str(threads)], ())]
    if threads >= 2:
        settings.append(("threads-0", {}, ["--threads", "0"], ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")))
    for name, env, targs, drop in settings:
        for row in run_json([peer_bin] + targs + bench_args(args), env, drop):
            for metric, v in row["metrics"].items():
                slot = results.setdefault((row["bench"], metric), {})
                best = slot.get("libtorch")
                better = (best is None or (v["median"] > best[0] if HIGHER_IS_BETTER.get(metric, True)
                                           else v["median"] < best[0]))
                if better:
                    slot["libtorch"] = (v["median"], name)
    return results


def print_table(all_results):
    print("| workload | metric | threads | ember | LibTorch (best setting) | ember/LibTorch | target | met |")
    print("|---|---|---|---|---|---|---|---|")
    for threads, results in all_results:
        for (bench, metric), slot in sorted(results.items()):
            e = slot.get("ember")
            lt = slot.get("libtorch")
            tgt = target_for(bench, metric)
            if e is None or lt is None:
                print(f"| {bench} | {metric} | {threads} | {'n/a' if e is None else f'{e:.4g}'} | "
                      f"{'n/a' if lt is None else f'{lt[0]:.4g} ({lt[1]})'} | n/a | "
                      f"{'' if tgt is None else tgt[1] + ' ' + str(tgt[0])} | not measured |")
                continue
            ratio = e / lt[0]
            met = ""
            if tgt is not None:
                met = "yes" if (ratio <= tgt[0] if tgt[1] == "<=" else ratio >= tgt[0]) else "NO"
            print(f"| {bench} | {metric} | {threads} | {e:.4g} | {lt[0]:.4g} ({lt[1]}) | {ratio:.3f} | "
                  f"{'' if tgt is None else tgt[1] + ' ' + str(tgt[0])} | {met} |")


CALLGRIND_ISA_ENV = {"ATEN_CPU_CAPABILITY": "avx2", "EMBER_CPU_CAPABILITY": "avx2", "OPENBLAS_CORETYPE": "Haswell"}


# LibTorch loads libhwy (through libjxl), whose load-time initialiser times itself with
# rdtscp, an instruction valgrind 3.19 cannot run. A preloaded one-function shim replaces
# that timer query for the peer under valgrind; it is built on the fly, nothing is installed.
HWY_SHIM = r'''
#include <cstdint>
namespace hwy { namespace platform { uint64_t TimerResolution() { return 1; } } }
'''


def build_hwy_shim(d):
    src, ver, lib = os.path.join(d, "shim.cpp"), os.path.join(d, "ver.map"), os.path.join(d, "libhwyshim.so")
    with open(src, "w") as f:
        f.write(HWY_SHIM)
    with open(ver, "w") as f:
        f.write("HWY_0 { global: *; };\n")  # libhwy's symbol version
    subprocess.run(["g++", "-O2", "-shared", "-fPIC", src, f"-Wl,--version-script={ver}", "-o", lib], check=True)
    return lib


def callgrind_ir_per_op(binary, op, n, preload=None):
    """Instructions per iteration of the probe loop: the second callgrind dump holds exactly
    the n timed iterations (see bench::run_probes)."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "cg.out")
        cmd = ["valgrind", "--tool=callgrind", "--dump-before=getppid", f"--callgrind-out-file={out}",
               binary, "--threads", "1", "--keep-env", "--probe", op, str(n)]
        # valgrind does not emulate AVX-512: both libraries (and OpenBLAS) are held to AVX2.
        env = dict(os.environ, **thread_env(1), **CALLGRIND_ISA_ENV)
        if preload:
            env["LD_PRELOAD"] = preload
        print("$ " + " ".join(f"{k}={v}" for k, v in CALLGRIND_ISA_ENV.items()) + " " + " ".join(cmd),
              file=sys.stderr)
        proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            sys.exit(f"callgrind run failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
        dumps = sorted((f for f in os.listdir(d) if f.startswith("cg.out")),
                       key=lambda f: [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", f)])
        # Dumps: cg.out.1 (start-up to the first getppid), cg.out.2 (the loop), then the rest.
        loop = [f for f in dumps if f.endswith(".2")]
        if not loop:
            sys.exit(f"no loop dump among {dumps}")
        with open(os.path.join(d, loop[0])) as fh:
            for line in fh:
                if line.startswith("totals:") or line.startswith("summary:"):
                    return int(line.split()[1]) / n
    sys.exit("no totals line in the callgrind dump")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build-dir", default=os.path.join(ROOT, "build", "release"))
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--only", default="", help="workloads, e.g. W1,W5,W4ops")
    p.add_argument("--reps", type=int, default=0)
    p.add_argument("--callgrind", action="store_true", help="instructions per op for W1 (and a 16x16 mm)")
    p.add_argument("--probe-n", type=int, default=20000)
    p.add_argument("--w2", action="store_true", help="W2 (XOR through DataLoader) against PyTorch from Python")
    args = p.parse_args()
    ember_bin = os.path.join(args.build_dir, "benchmarks", "ember_bench")
    peer_bin = os.path.join(args.build_dir, "benchmarks", "peer_libtorch")
    for b in (ember_bin, peer_bin):
        if not os.path.exists(b):
            sys.exit(f"missing {b}: build with EMBER_BUILD_BENCHMARKS=ON and EMBER_WITH_LIBTORCH_TESTS=ON")

    if args.callgrind:
        print("| probe (1 thread) | ember Ir/op | LibTorch Ir/op | ember/LibTorch | target | met |")
        print("|---|---|---|---|---|---|")
        shim_dir = tempfile.mkdtemp()
        shim = build_hwy_shim(shim_dir)
        targets = {"add_n1": 0.25, "autograd_n64": 0.5}
        for op in ("add_n1", "add_n64", "autograd_n64", "mm_n16", "mlp_infer_b1", "mlp_step"):
            n = {"autograd_n64": args.probe_n // 10, "mlp_infer_b1": args.probe_n // 100,
                 "mlp_step": max(args.probe_n // 2000, 3)}.get(op, args.probe_n)
            e = callgrind_ir_per_op(ember_bin, op, n)
            t = callgrind_ir_per_op(peer_bin, op, n, preload=shim)
            tgt = f"<= {targets[op]}" if op in targets else ""
            met = ("yes" if e / t <= targets[op] else "NO") if op in targets else ""
            print(f"| {op} | {e:.0f} | {t:.0f} | {e / t:.3f} | {tgt} | {met} |")
        return

    if args.w2:
        # W2's peer is PyTorch from Python (the DataLoader is Python code there).
        print("| workload | threads | ember s | PyTorch s | ember/PyTorch | target | met |")
        print("|---|---|---|---|---|---|---|")
        for t in [int(x) for x in args.threads.split(",") if x]:
            extra = ["--quick"] if args.quick else []
            e = {r["bench"]: r["metrics"]["s_total"]["median"]
                 for r in run_json([ember_bin, "--threads", str(t), "--only", "W2"] + extra, thread_env(t))}
            p = {r["bench"]: r["metrics"]["s_total"]["median"]
                 for r in run_json(["/usr/bin/python3", os.path.join(HERE, "peer_torch_w2.py"), "--threads", str(t)]
                                   + extra, thread_env(t))}
            for bench in sorted(e):
                ratio = e[bench] / p[bench]
                tgt = 0.3 if bench == "W2.xor_dataloader" else None
                met = "" if tgt is None else ("yes" if ratio <= tgt else "NO")
                print(f"| {bench} | {t} | {e[bench]:.3f} | {p[bench]:.3f} | {ratio:.3f} | "
                      f"{'' if tgt is None else '<= 0.3'} | {met} |")
        return

    all_results = []
    for t in [int(x) for x in args.threads.split(",") if x]:
        all_results.append((t, collect(args, ember_bin, peer_bin, t)))
    print_table(all_results)


if __name__ == "__main__":
    main()
