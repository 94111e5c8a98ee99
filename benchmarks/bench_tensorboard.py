"""ember.utils.tensorboard.SummaryWriter.add_scalar from Python: 1M iterations of a small
loop with and without the call (best of --reps), as bench_tensorboard.cpp does in C++.

    /usr/bin/python3 benchmarks/bench_tensorboard.py [--n 1000000] [--reps 3]
"""
import argparse
import pathlib
import shutil
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "build" / "release" / "python"))
from ember.utils.tensorboard import SummaryWriter  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--reps", type=int, default=3)
    args = p.parse_args()
    n = args.n
    best_plain = best_logged = best_closed = float("inf")
    for _ in range(args.reps):
        t0 = time.perf_counter()
        mean = 0.0
        for i in range(n):
            mean += (1.0 / (i + 1) - mean) / (i + 1)
        best_plain = min(best_plain, time.perf_counter() - t0)

        d = tempfile.mkdtemp(prefix="ember_bench_tb_")
        w = SummaryWriter(d)
        add_scalar = w.add_scalar
        t0 = time.perf_counter()
        mean = 0.0
        for i in range(n):
            mean += (1.0 / (i + 1) - mean) / (i + 1)
            add_scalar("train/loss", mean, i)
        logged = time.perf_counter() - t0
        w.close()
        closed = time.perf_counter() - t0
        shutil.rmtree(d)
        best_logged, best_closed = min(best_logged, logged), min(best_closed, closed)
    print(f"Python add_scalar, {n} calls (best of {args.reps}): loop alone {best_plain:.3f} s, with add_scalar "
          f"{best_logged:.3f} s -> {(best_logged - best_plain) / n * 1e6:.3f} us per call; "
          f"{best_closed:.3f} s until close() wrote every record")


if __name__ == "__main__":
    main()
