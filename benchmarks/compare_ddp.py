#!/usr/bin/python3
"""DistributedDataParallel on this machine, two measurements (docs/distributed.md, "DDP"):

(a) Overlap, 2 ranks x 1 thread: bench_ddp (ember) beside bench_ddp_torch.py (PyTorch DDP on
    gloo), same models (the reference's 784-1024-1024-10 MLP and the main job's CNN). Per
    model: backward alone, DDP backward (default buckets; ends when every gradient is
    averaged), DDP with one bucket (no overlap), backward then a blocking all-reduce, the
    all-reduce of every gradient and of the last bucket. Reported: DDP / (backward + last
    bucket's all-reduce), the target being <= 1.1, and the overlapped fraction
    (backward + all-reduce - DDP) / all-reduce; also DDP over a group of the rank alone (its
    buckets, hooks and copies without communication) and the CPU time of each process per
    step (MPI's polling counts too: for an all-reduce, an upper bound on its copying, which
    needs a core of its own to overlap with backward).
(b) Scaling: the main job (examples/train_fashion_mnist) with 2 ranks x 1 thread against
    1 rank x 2 threads, training images per second, from two runs of different --limit each
    (the difference cancels start-up and the test pass).

    /usr/bin/python3 benchmarks/compare_ddp.py [--steps 30] [--limits 6000 18000] [--skip-scaling]
"""
import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EPOCH = re.compile(r"epoch 1: train loss [0-9.]+, train accuracy [0-9.]+, test accuracy ([0-9.]+) \(([0-9.]+) s\)")
# Loopback, shared memory without CMA (blocked in containers), no binding (see docs/distributed.md).
MPI_ENV = {"OMPI_MCA_btl": "self,vader", "OMPI_MCA_oob_tcp_if_include": "lo",
           "OMPI_MCA_btl_vader_single_copy_mechanism": "none", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def mpirun(n):
    cmd = ["mpirun", "-np", str(n), "--bind-to", "none", "--oversubscribe"]
    if os.geteuid() == 0:
        cmd.append("--allow-run-as-root")
    return cmd


def run(cmd, extra_env=None):
    env = dict(os.environ, **MPI_ENV, **(extra_env or {}))
    print("$ " + " ".join(cmd), file=sys.stderr)
    return subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                          check=True).stdout


def json_lines(out):
    return {r["model"]: r for r in (json.loads(line) for line in out.splitlines() if line.startswith("{"))}


def overlap(args):
    ember = json_lines(run(mpirun(2) + [os.path.join(args.build_dir, "benchmarks", "bench_ddp"),
                                       "--steps", str(args.steps)]))
    torch = json_lines(run(mpirun(2) + ["/usr/bin/python3", os.path.join(HERE, "bench_ddp_torch.py"),
                                        "--steps", str(args.steps)]))
    print("\n(a) overlap, 2 ranks x 1 thread, ms (median of the slower rank)")
    print("| model | | backward | DDP | DDP, one bucket | backward, then all-reduce | all-reduce, all | "
          "all-reduce, last bucket | DDP / (backward + last) | overlapped fraction | DDP, no communication | "
          "CPU ms: backward / DDP / all-reduce, all |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, e in ember.items():
        ratio = e["ddp_ms"] / (e["bwd_ms"] + e["comm_last_ms"])
        hidden = (e["bwd_ms"] + e["comm_all_ms"] - e["ddp_ms"]) / e["comm_all_ms"]
        print(f"| {name} | ember | {e['bwd_ms']:.2f} | {e['ddp_ms']:.2f} | {e['one_bucket_ms']:.2f} | "
              f"{e['bwd_then_sync_ms']:.2f} | {e['comm_all_ms']:.2f} | {e['comm_last_ms']:.2f} | {ratio:.2f} | "
              f"{max(0.0, min(1.0, hidden)):.2f} | {e.get('ddp_local_ms', float('nan')):.2f} | "
              f"{e.get('bwd_cpu_ms', float('nan')):.2f} / {e.get('ddp_cpu_ms', float('nan')):.2f} / "
              f"{e.get('comm_all_cpu_ms', float('nan')):.2f} |")
        t = torch.get(name)
        if t:
            print(f"| {name} | torch (gloo) | {t['bwd_ms']:.2f} | {t['ddp_ms']:.2f} | {t['one_bucket_ms']:.2f} | "
                  f"{t['bwd_then_sync_ms']:.2f} | {t['comm_all_ms']:.2f} | | | |")
            print(f"| {name} | ember/torch | {e['bwd_ms'] / t['bwd_ms']:.2f} | {e['ddp_ms'] / t['ddp_ms']:.2f} | "
                  f"{e['one_bucket_ms'] / t['one_bucket_ms']:.2f} | {e['bwd_then_sync_ms'] / t['bwd_then_sync_ms']:.2f}"
                  f" | {e['comm_all_ms'] / t['comm_all_ms']:.2f} | | | |")


def main_job_seconds(cmd, limit):
    out = run(cmd + ["--epochs", "1", "--limit", str(limit), "--workers", "1", "--no-tensorboard",
                     "--out", "/tmp/ember_ddp_scaling.pt"])
    m = EPOCH.search(out)
    if not m:
        sys.exit(f"no epoch line from {' '.join(cmd)}:\n{out}")
    return float(m.group(2)), float(m.group(1))


def scaling(args):
    job = os.path.join(args.build_dir, "examples", "train_fashion_mnist")
    lo, hi = args.limits
    print(f"\n(b) scaling, main job, one epoch of {lo} and of {hi} images (global batch 64)")
    print("| configuration | s (small) | s (large) | training images/s | test accuracy (large) |")
    print("|---|---|---|---|---|")
    rates = {}
    for label, cmd in [("1 rank x 2 threads", [job, "--threads", "2"]),
                       ("2 ranks x 1 thread", mpirun(2) + [job, "--threads", "1"])]:
        t_lo, _ = main_job_seconds(cmd, lo)
        t_hi, acc = main_job_seconds(cmd, hi)
        rates[label] = (hi - lo) / (t_hi - t_lo)
        print(f"| {label} | {t_lo:.1f} | {t_hi:.1f} | {rates[label]:.0f} | {acc:.4f} |")
    print(f"\n2 ranks x 1 thread / 1 rank x 2 threads: {rates['2 ranks x 1 thread'] / rates['1 rank x 2 threads']:.2f}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--limits", type=int, nargs=2, default=[6000, 18000])
    p.add_argument("--skip-scaling", action="store_true")
    p.add_argument("--build-dir", default=os.path.join(ROOT, "build", "release"))
    args = p.parse_args()
    overlap(args)
    if not args.skip_scaling:
        scaling(args)


if __name__ == "__main__":
    main()
