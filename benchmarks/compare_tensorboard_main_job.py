"""The main job (examples/train_fashion_mnist) with full TensorBoard logging against the same
run with --no-tensorboard: runs alternate (off, on, off, on, ...) so a machine's load drifts
through both, and the best time of each is compared (target: within 2%).

    /usr/bin/python3 benchmarks/compare_tensorboard_main_job.py [--epochs 1] [--reps 3]
"""
import argparse
import pathlib
import re
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run(program, extra, epochs):
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([str(program), "--epochs", str(epochs), "--out", f"{tmp}/m.pt", "--logdir",
                              f"{tmp}/runs/run", *extra], capture_output=True, text=True, check=True).stdout
    times = [float(t) for t in re.findall(r"^epoch \d+: .* \(([0-9.]+) s\)$", out, re.M)]
    return times[-1]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--program", default=str(ROOT / "build" / "release" / "examples" / "train_fashion_mnist"))
    args = p.parse_args()
    off, on = [], []
    for _ in range(args.reps):
        off.append(run(args.program, ["--no-tensorboard"], args.epochs))
        on.append(run(args.program, [], args.epochs))
    print(f"main job, {args.epochs} epoch(s), best of {args.reps}: logging off {min(off):.2f} s, "
          f"full logging {min(on):.2f} s, ratio {min(on) / min(off):.3f} (runs off {off}, on {on})")


if __name__ == "__main__":
    main()
