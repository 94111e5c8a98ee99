#!/usr/bin/env python3
"""The Python training workloads (python_workloads.py: W2 XOR through DataLoader, W3 MLP and
W4 CNN training steps, a DataLoader over a 1 ms Python __getitem__ with 0 and 2 workers)
under torch and ember, side by side, each in a fresh process.

    /usr/bin/python3 benchmarks/compare_python_training.py [--reps 3] [--quick]

torch runs at its fastest thread setting on this machine (python-package / anchors notes:
2 threads with OMP_WAIT_POLICY=PASSIVE, or 1 OpenMP thread with 2 OpenBLAS threads; the best
of both is quoted); ember with 2 threads. Prints the best of --reps runs and ember/torch.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "python_workloads.py"
EMBER_PATH = os.environ.get("EMBER_PYTHONPATH", str(ROOT / "build" / "release" / "python"))

TORCH_SETTINGS = [
    ({"OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2", "OMP_WAIT_POLICY": "PASSIVE"}, 2),
    ({"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "2"}, 0),
]


def run(lib, workload, env_extra, threads, quick):
    env = dict(os.environ, PYTHONPATH=EMBER_PATH, **env_extra)
    cmd = [sys.executable, str(SCRIPT), "--lib", lib, "--workload", workload, "--threads", str(threads)]
    if quick:
        cmd.append("--quick")
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def best(results, key, lower_is_better=True):
    vals = [r[key] for r in results]
    return min(vals) if lower_is_better else max(vals)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()
    rows = [("w2", "seconds", True), ("w3", "ms_per_step", True), ("w3", "peak_rss_mb", True),
            ("w4", "ms_per_step", True), ("loader0", "samples_per_s", False), ("loader2", "samples_per_s", False)]
    cache = {}
    for workload in dict.fromkeys(r[0] for r in rows):
        t = [run("torch", workload, env, th, a.quick) for env, th in TORCH_SETTINGS for _ in range(a.reps)]
        e = [run("ember", workload, {}, 2, a.quick) for _ in range(a.reps)]
        cache[workload] = (t, e)
    print(f"{'workload':34} {'torch':>12} {'ember':>12} {'ember/torch':>12}")
    for workload, key, lower in rows:
        t, e = cache[workload]
        tv, ev = best(t, key, lower), best(e, key, lower)
        print(f"{workload + ' ' + key:34} {tv:12.3f} {ev:12.3f} {ev / tv:12.3f}")
    e0 = best(cache["loader0"][1], "samples_per_s", False)
    e2 = best(cache["loader2"][1], "samples_per_s", False)
    print(f"{'ember DataLoader 2 workers / 0 workers':34} {'':12} {e2 / e0:12.3f}")


if __name__ == "__main__":
    main()
