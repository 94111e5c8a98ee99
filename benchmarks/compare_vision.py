#!/usr/bin/python3
"""Python part 3's benchmarks side by side (benchmarks/vision_workloads.py, each run in a
fresh process): a ResNet-18 training step on 64 x 3 x 32 x 32 inputs (target: ember at most
0.8x torch's time at its fastest thread setting) and a Compose([RandomCrop,
RandomHorizontalFlip, ToTensor, Normalize]) pipeline over Fashion-MNIST (target: at least
2x torchvision's throughput). Best of --reps runs.

    /usr/bin/python3 benchmarks/compare_vision.py [--reps 3] [--quick]
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from compare_python_main_job import torchvision_layout  # noqa: E402

EMBER_PATH = os.environ.get("EMBER_PYTHONPATH", str(ROOT / "build" / "release" / "python"))
TORCH_SETTINGS = [({"OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2", "OMP_WAIT_POLICY": "PASSIVE"}, 2),
                  ({"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "2"}, 0)]


def run(lib, workload, env_extra, threads, data, quick):
    cmd = [sys.executable, str(ROOT / "benchmarks" / "vision_workloads.py"), "--lib", lib, "--workload", workload,
           "--threads", str(threads), "--data", data] + (["--quick"] if quick else [])
    out = subprocess.run(cmd, env=dict(os.environ, PYTHONPATH=EMBER_PATH, **env_extra), capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--data-dir", default="/tmp/ember-bench-fashion-mnist")
    a = p.parse_args()
    data = torchvision_layout("/usr/share/datasets/fashion-mnist", a.data_dir)
    print(f"{'workload':40} {'torch':>10} {'ember':>10} {'ember/torch':>12}")
    t = min(run("torch", "resnet18", env, th, data, a.quick)["ms_per_step"] for env, th in TORCH_SETTINGS
            for _ in range(a.reps))
    e = min(run("ember", "resnet18", {}, 2, data, a.quick)["ms_per_step"] for _ in range(a.reps))
    print(f"{'ResNet-18 step, 64x3x32x32 (ms)':40} {t:10.1f} {e:10.1f} {e / t:12.3f}  (target <= 0.8)")
    t = max(run("torch", "pipeline", env, th, data, a.quick)["items_per_s"] for env, th in TORCH_SETTINGS
            for _ in range(a.reps))
    e = max(run("ember", "pipeline", {}, 2, data, a.quick)["items_per_s"] for _ in range(a.reps))
    print(f"{'augmentation pipeline (items/s)':40} {t:10.0f} {e:10.0f} {e / t:12.3f}  (target >= 2)")


if __name__ == "__main__":
    main()
