#!/usr/bin/python3
"""D1 side by side: ember's DataLoader (bench_data) and PyTorch's (bench_data_torch.py) on the
same data and per-sample work (Resize 28->64, RandomRotation, Normalize), num_workers 0 and 2.

Usage (from the repository root, after `cmake --build build/release --target bench_data`):
    /usr/bin/python3 benchmarks/compare_data.py [--samples 8192] [--epochs 3]

Prints samples/s for each, the ember/PyTorch ratio per worker count, and each library's
2-worker speed-up over 0 workers (issue target for ember: >= 1.6x).
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run(cmd):
    print("$ " + " ".join(cmd), file=sys.stderr)
    out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True).stdout
    return {r["bench"]: r["metrics"]["samples_per_s"]["median"]
            for r in (json.loads(l) for l in out.splitlines() if l.startswith("{"))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", default="8192")
    ap.add_argument("--epochs", default="3")
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    args = ap.parse_args()
    common = ["--samples", args.samples, "--epochs", args.epochs, "--workers", "0,2"]
    ember = run([os.path.join(args.build, "benchmarks", "bench_data")] + common)
    torch = run([sys.executable, os.path.join(HERE, "bench_data_torch.py")] + common)
    print("| workers | ember samples/s | PyTorch samples/s | ember/PyTorch |")
    print("|---|---|---|---|")
    for w in (0, 2):
        k = f"D1.loader_workers{w}"
        print(f"| {w} | {ember[k]:.0f} | {torch[k]:.0f} | {ember[k] / torch[k]:.2f} |")
    se = ember["D1.loader_workers2"] / ember["D1.loader_workers0"]
    st = torch["D1.loader_workers2"] / torch["D1.loader_workers0"]
    print(f"\n2 workers / 0 workers: ember {se:.2f}x (target >= 1.6x: {'met' if se >= 1.6 else 'missed'}), "
          f"PyTorch {st:.2f}x")


if __name__ == "__main__":
    main()
