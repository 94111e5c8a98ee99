#!/usr/bin/python3
"""The main job on a quiet machine and on one shared with a busy process (Note [Threads that
yield] in ember/core/thread_pool.h). Runs examples/train_fashion_mnist (ember) and
benchmarks/train_fashion_mnist_torch.py (PyTorch) at 1 thread and at one thread per core,
first alone, then while another process spins on one core (the situation of a Python
DataLoader's worker processes, or of any shared machine), and reports seconds per run and
the slowdown each program suffers. Each setting runs --reps times, interleaved; the median
is quoted.

    /usr/bin/python3 benchmarks/compare_contention.py [--limit 12800] [--reps 3]
"""
import argparse
import os
import statistics
import subprocess
import sys

from compare_main_job import HERE, run


def busy_process():
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--limit", type=int, default=12800)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--build-dir", default=os.path.join(os.path.dirname(HERE), "build", "release"))
    p.add_argument("--no-torch", action="store_true", help="ember only")
    p.add_argument("--baseline", help="another ember build directory to measure beside (before/after a change)")
    args = p.parse_args()
    cores = len(os.sched_getaffinity(0))
    common = ["--epochs", "1", "--workers", str(args.workers), "--limit", str(args.limit)]
    programs = {
        "ember": [os.path.join(args.build_dir, "examples", "train_fashion_mnist"), "--out", "/tmp/ember_contention.st"],
    }
    if args.baseline:
        programs["ember (baseline)"] = [os.path.join(args.baseline, "examples", "train_fashion_mnist"), "--out",
                                        "/tmp/ember_contention_base.st"]
    if not args.no_torch:
        programs["PyTorch"] = ["/usr/bin/python3", os.path.join(HERE, "train_fashion_mnist_torch.py"), "--out",
                               "/tmp/torch_contention.pt"]
    settings = [(1, {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}),
                (cores, {"OMP_NUM_THREADS": str(cores), "OPENBLAS_NUM_THREADS": str(cores)})]
    times = {}
    for load in ("quiet", "busy"):
        hog = busy_process() if load == "busy" else None
        try:
            for _ in range(args.reps):
                for name, cmd in programs.items():
                    for threads, env in settings:
                        t, _ = run(cmd + common + ["--threads", str(threads)], env)
                        times.setdefault((name, threads, load), []).append(t)
        finally:
            if hog:
                hog.kill()
                hog.wait()
    print(f"main job, {args.limit} training images + the 10,000 test images, {cores} cores; median of {args.reps}")
    print("| program | threads | quiet (s) | one busy process (s) | slowdown |")
    print("|---|---|---|---|---|")
    for name in programs:
        for threads, _ in settings:
            q = statistics.median(times[(name, threads, "quiet")])
            b = statistics.median(times[(name, threads, "busy")])
            print(f"| {name} | {threads} | {q:.1f} | {b:.1f} | {b / q:.2f}x |")


if __name__ == "__main__":
    main()
