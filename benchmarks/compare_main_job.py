#!/usr/bin/python3
"""The main job side by side: examples/train_fashion_mnist (ember) and
benchmarks/train_fashion_mnist_torch.py (PyTorch), same network, data pipeline, batch size
and epochs, on the same cores. PyTorch runs at each thread setting (its default, 1 and 2
threads, with and without OMP_WAIT_POLICY=PASSIVE) and its fastest is quoted.

    /usr/bin/python3 benchmarks/compare_main_job.py [--epochs 1] [--workers 2] [--limit 0]
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EPOCH = re.compile(r"epoch (\d+): train loss ([0-9.]+), train accuracy ([0-9.]+), test accuracy ([0-9.]+) \(([0-9.]+) s\)")


def run(cmd, env_extra):
    env = dict(os.environ, **env_extra)
    print("$ " + " ".join(f"{k}={v}" for k, v in env_extra.items()) + " " + " ".join(cmd), file=sys.stderr)
    out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True).stdout
    rows = [m.groups() for m in EPOCH.finditer(out)]
    if not rows:
        sys.exit(f"no epoch lines from {cmd[0]}:\n{out}")
    last = rows[-1]
    return float(last[4]), float(last[3])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--build-dir", default=os.path.join(ROOT, "build", "release"))
    args = p.parse_args()
    common = ["--epochs", str(args.epochs), "--workers", str(args.workers), "--limit", str(args.limit)]
    ember = [os.path.join(args.build_dir, "examples", "train_fashion_mnist"), "--out", "/tmp/ember_main_job.safetensors"]
    torch = ["/usr/bin/python3", os.path.join(HERE, "train_fashion_mnist_torch.py"), "--out", "/tmp/torch_main_job.pt"]
    results = []
    e_time, e_acc = run(ember + common, {})
    results.append(("ember (default threads)", e_time, e_acc))
    best = None
    for name, env, extra in [
        ("default", {}, []),
        ("1 thread", {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}, ["--threads", "1"]),
        ("2 threads", {"OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2"}, ["--threads", "2"]),
        ("2 threads, passive", {"OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2", "OMP_WAIT_POLICY": "PASSIVE"},
         ["--threads", "2"]),
    ]:
        t, acc = run(torch + common + extra, env)
        results.append((f"PyTorch ({name})", t, acc))
        if best is None or t < best[1]:
            best = (name, t)
    print(f"| program | seconds for {args.epochs} epoch(s) incl. test pass | test accuracy |")
    print("|---|---|---|")
    for name, t, acc in results:
        print(f"| {name} | {t:.1f} | {acc:.4f} |")
    print(f"\nember / PyTorch at its fastest ({best[0]}): {e_time / best[1]:.3f} (target <= 1.0)")


if __name__ == "__main__":
    main()
