#!/usr/bin/env python3
"""ember's Python API against torch's, side by side in one command (issue: Python part 1).

    /usr/bin/python3 benchmarks/compare_python.py [--reps 5]

Per-call times (best of --reps timeit runs, one thread each):
  - W1: 1-element `a + b`, and the 64-element autograd round trip (x*2+1).sum().backward()
  - a few more hot paths: x[0], x.shape, torch.empty(1), `with no_grad()`, a 3-element repr
and the cost of importing each package in a fresh interpreter (wall time and resident
memory after import). Prints ember/torch ratios: below 1 means ember is faster or smaller.
"""
import argparse
import os
import pathlib
import subprocess
import sys
import timeit

ROOT = pathlib.Path(__file__).resolve().parents[1]
EMBER_PATH = os.environ.get("EMBER_PYTHONPATH", str(ROOT / "build" / "release" / "python"))

CASES = [
    ("W1 a + b (1 element)", "a + b", "a = m.ones(1); b = m.ones(1)"),
    ("W1 (x*2+1).sum().backward() (64)", "(x * 2 + 1).sum().backward()", "x = m.ones(64, requires_grad=True)"),
    ("x.add_(1)", "x.add_(1)", "x = m.ones(1)"),
    ("w * 2 (requires grad)", "w * 2", "w = m.ones(1, requires_grad=True)"),
    ("x[0]", "x[0]", "x = m.ones(4)"),
    ("x.shape", "x.shape", "x = m.ones(4)"),
    ("x.dim()", "x.dim()", "x = m.ones(4)"),
    ("empty(1)", "m.empty(1)", ""),
    ("with no_grad(): pass", "with m.no_grad(): pass", ""),
    ("x.sum(0)", "x.sum(0)", "x = m.ones(4, 4)"),
    ("repr of 3 elements", "repr(x)", "x = m.tensor([1.5, 2.0, 3.25])"),
]


def time_case(module_name, stmt, setup, reps):
    env_setup = f"import {module_name} as m; m.set_num_threads(1); " + setup
    timer = timeit.Timer(stmt, setup=env_setup)
    n, _ = timer.autorange()
    return min(timer.repeat(repeat=reps, number=n)) / n


def import_cost(module_name, reps):
    code = ("import time, resource; t = time.perf_counter(); import {m}; d = time.perf_counter() - t; "
            "rss = int(open('/proc/self/statm').read().split()[1]) * resource.getpagesize(); print(d, rss)")
    times, rss = [], 0
    for _ in range(reps):
        out = subprocess.run([sys.executable, "-c", code.format(m=module_name)], capture_output=True, text=True,
                             env=dict(os.environ, PYTHONPATH=EMBER_PATH), check=True).stdout.split()
        times.append(float(out[0]))
        rss = int(out[1])
    base = subprocess.run([sys.executable, "-c", "import resource; print(int(open('/proc/self/statm').read()"
                           ".split()[1]) * resource.getpagesize())"], capture_output=True, text=True,
                          check=True).stdout
    return min(times), rss - int(base)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--reps", type=int, default=5)
    args = p.parse_args()
    sys.path.insert(0, EMBER_PATH)
    print(f"{'case':40} {'torch':>10} {'ember':>10} {'ember/torch':>12}")
    for name, stmt, setup in CASES:
        t = time_case("torch", stmt, setup, args.reps)
        e = time_case("ember", stmt, setup, args.reps)
        print(f"{name:40} {t * 1e9:8.0f}ns {e * 1e9:8.0f}ns {e / t:12.3f}")
    ti, tm = import_cost("torch", args.reps)
    ei, em = import_cost("ember", args.reps)
    print(f"{'import (wall)':40} {ti * 1e3:8.1f}ms {ei * 1e3:8.1f}ms {ei / ti:12.3f}")
    print(f"{'resident memory added by import':40} {tm / 2**20:8.1f}MB {em / 2**20:8.1f}MB {em / tm:12.3f}")


if __name__ == "__main__":
    main()
