#!/usr/bin/python3
"""The main job in Python side by side: examples/python/train_fashion_mnist.py on ember, its
PyTorch twin (the same file with torch's and torchvision's import lines,
examples/python/torch_twin.py), and benchmarks/train_fashion_mnist_torch.py (the same
training loop over a hand-written Dataset instead of torchvision's, PyTorch's faster
pipeline). PyTorch runs at each thread setting and its fastest is quoted; seconds are the
programs' own epoch timers (training + test pass, data loading included).

    /usr/bin/python3 benchmarks/compare_python_main_job.py [--epochs 1] [--workers 2] [--limit 0]

torchvision reads the IDX files uncompressed from root/FashionMNIST/raw, so the script
writes that layout once under --data-dir (default /tmp/ember-bench-fashion-mnist); ember
reads the same files.
"""
import argparse
import gzip
import os
import pathlib
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples" / "python"))
from torch_twin import torch_twin  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from compare_main_job import run  # noqa: E402  (runs a program, returns its last epoch's seconds and accuracy)

EMBER_PATH = os.environ.get("EMBER_PYTHONPATH", str(ROOT / "build" / "release" / "python"))
TORCH_SETTINGS = [
    ("default", {}, []),
    ("1 thread", {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}, ["--threads", "1"]),
    ("2 threads, passive", {"OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2", "OMP_WAIT_POLICY": "PASSIVE"},
     ["--threads", "2"]),
]


def torchvision_layout(source, target):
    raw = pathlib.Path(target) / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                 "t10k-labels-idx1-ubyte"):
        if not (raw / name).exists():
            with gzip.open(pathlib.Path(source) / (name + ".gz")) as f:
                (raw / name).write_bytes(f.read())
    return str(target)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--source", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--data-dir", default="/tmp/ember-bench-fashion-mnist")
    args = p.parse_args()
    data = torchvision_layout(args.source, args.data_dir)
    common = ["--epochs", str(args.epochs), "--workers", str(args.workers), "--limit", str(args.limit), "--data", data]
    example = ROOT / "examples" / "python" / "train_fashion_mnist.py"
    twin = pathlib.Path(tempfile.gettempdir()) / "train_fashion_mnist_torch_twin.py"
    twin.write_text(torch_twin(example.read_text()))
    custom = ROOT / "benchmarks" / "train_fashion_mnist_torch.py"

    results = []
    e_time, e_acc = run(["/usr/bin/python3", str(example), "--out", "/tmp/ember_py_main_job.pt"] + common,
                        {"PYTHONPATH": EMBER_PATH})
    results.append(("ember, examples/python/train_fashion_mnist.py", e_time, e_acc))
    best = {}
    for label, program, extra in (("PyTorch + torchvision twin", twin, []),
                                  ("PyTorch, hand-written Dataset", custom, [])):
        for name, env, flags in TORCH_SETTINGS:
            cmd = ["/usr/bin/python3", str(program), "--out", "/tmp/torch_py_main_job.pt"] + common + flags + extra
            if program == custom:
                cmd[cmd.index("--data") + 1] = args.source  # it reads the .gz files itself
            t, acc = run(cmd, env)
            results.append((f"{label} ({name})", t, acc))
            if label not in best or t < best[label][1]:
                best[label] = (name, t)
    print(f"| program | seconds for {args.epochs} epoch(s) incl. test pass | test accuracy |")
    print("|---|---|---|")
    for name, t, acc in results:
        print(f"| {name} | {t:.1f} | {acc:.4f} |")
    for label, (name, t) in best.items():
        print(f"ember / {label} at its fastest ({name}): {e_time / t:.3f} (target <= 0.5)")


if __name__ == "__main__":
    main()
