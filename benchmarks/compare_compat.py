#!/usr/bin/python3
"""The LibTorch compatibility programs (tests/compat/programs/*.cpp) side by side: each is
built from one source file against ember through ember::torch_compat (compat_ember_<name>)
and against LibTorch 1.13.1 (compat_torch_<name>); this runs both and reports
ember / LibTorch wall-time ratios. LibTorch is quoted at its fastest thread setting (1 or
2 OpenMP threads), ember at one thread and at its fastest. Each figure is the minimum over
--reps runs (whole processes, start-up included).

The DCGAN row also reports one generator/discriminator training step at one thread, from
the difference between runs of --dcgan-steps and 2 x --dcgan-steps steps (start-up,
checkpointing and the final sampling cancel out).

    /usr/bin/python3 benchmarks/compare_compat.py [--reps 3] [--dcgan-steps 4] [--build-dir build/release]
Needs the programs built: cmake --build build/release --target compat_programs
"""
import argparse
import glob
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def wall(binary, args, threads, reps):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS="1")
    best = float("inf")
    for _ in range(reps):
        start = time.perf_counter()
        subprocess.run([binary, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--dcgan-steps", type=int, default=4)
    p.add_argument("--build-dir", default=os.path.join(ROOT, "build", "release"))
    args = p.parse_args()
    bindir = os.path.join(args.build_dir, "tests", "compat")
    names = sorted(os.path.basename(b)[len("compat_ember_"):] for b in glob.glob(os.path.join(bindir, "compat_ember_*")))
    if not names:
        sys.exit(f"no compat programs under {bindir}; build the target compat_programs first")
    print("| program | ember 1 thread (s) | ember 2 threads (s) | LibTorch 1 thread (s) | LibTorch 2 threads (s) "
          "| ember 1t / LibTorch best | ember best / LibTorch best |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        ember = os.path.join(bindir, f"compat_ember_{name}")
        torch = os.path.join(bindir, f"compat_torch_{name}")
        e1, e2 = wall(ember, [], 1, args.reps), wall(ember, [], 2, args.reps)
        t1, t2 = wall(torch, [], 1, args.reps), wall(torch, [], 2, args.reps)
        tb = min(t1, t2)
        print(f"| {name} | {e1:.3f} | {e2:.3f} | {t1:.3f} | {t2:.3f} | {e1 / tb:.2f} | {min(e1, e2) / tb:.2f} |")
        sys.stdout.flush()
    if "dcgan" in names:
        n = args.dcgan_steps
        step = {}
        for lib in ("ember", "torch"):
            b = os.path.join(bindir, f"compat_{lib}_dcgan")
            for threads in (1, 2):
                short = wall(b, [str(n)], threads, args.reps)
                long = wall(b, [str(2 * n)], threads, args.reps)
                step[lib, threads] = (long - short) / n
        print("\nDCGAN step (generator + discriminator, batch 64, Adam), seconds per step:")
        print(f"  ember    1 thread {step['ember', 1]:.4f}, 2 threads {step['ember', 2]:.4f}")
        print(f"  LibTorch 1 thread {step['torch', 1]:.4f}, 2 threads {step['torch', 2]:.4f}")
        print(f"  ember / LibTorch at 1 thread: {step['ember', 1] / step['torch', 1]:.2f} (target <= 0.8)")
        print(f"  ember best / LibTorch best:  {min(step['ember', 1], step['ember', 2]) / min(step['torch', 1], step['torch', 2]):.2f}")


if __name__ == "__main__":
    main()
