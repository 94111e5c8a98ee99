#!/usr/bin/python3
"""Checkpoint save and load side by side (the checkpoints issue's benchmark): a state_dict of
float32 tensors of 100 MB (and 1 GB with --big) saved and loaded by torch 1.13.1 and by
ember, from the page cache, each operation in a fresh process; best of --reps.

    /usr/bin/python3 benchmarks/compare_checkpoints.py [--reps 3] [--big] [--dir /tmp]

Prints MB/s for save and load, ember/torch throughput ratios (targets: at least 1.5x), the
time of ember's memory-mapped load against torch.load (target: under 1/20), and the peak
memory a non-mapped load adds beyond the interpreter and library (target: at most the size
of the tensors loaded).
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
EMBER_PATH = os.environ.get("EMBER_PYTHONPATH", str(ROOT / "build" / "release" / "python"))

CHILD = r"""
import json, resource, sys, time
lib_name, op, path, megabytes = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
lib = __import__(lib_name)
def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
def state_dict():
    n = megabytes * 1024 * 1024 // 4 // 16
    g = lib.Generator().manual_seed(0)
    return {f"layer{i}.weight": lib.rand(n, generator=g) for i in range(16)}
if op == "save":
    sd = state_dict()
    t0 = time.perf_counter(); lib.save(sd, path); t = time.perf_counter() - t0
    print(json.dumps({"seconds": t}))
else:
    base = rss_mb()
    kwargs = {"mmap": True} if op == "mmap" else {}
    t0 = time.perf_counter(); sd = lib.load(path, **kwargs); t = time.perf_counter() - t0
    total = sum(v.numel() * v.element_size() for v in sd.values()) / 2**20
    print(json.dumps({"seconds": t, "extra_peak_mb": rss_mb() - base, "tensor_mb": total}))
"""


def run(lib, op, path, megabytes):
    env = dict(os.environ, PYTHONPATH=EMBER_PATH, OMP_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", CHILD, lib, op, path, str(megabytes)], env=env, capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--big", action="store_true", help="also 1 GB")
    p.add_argument("--dir", default="/tmp")
    a = p.parse_args()
    for megabytes in ([100, 1024] if a.big else [100]):
        paths = {lib: os.path.join(a.dir, f"ckpt_bench_{lib}_{megabytes}.pt") for lib in ("torch", "ember")}
        save = {lib: min(run(lib, "save", paths[lib], megabytes)["seconds"] for _ in range(a.reps))
                for lib in ("torch", "ember")}
        load = {lib: min((run(lib, "load", paths[lib], megabytes) for _ in range(a.reps)), key=lambda r: r["seconds"])
                for lib in ("torch", "ember")}
        mapped = min((run("ember", "mmap", paths["ember"], megabytes) for _ in range(a.reps)),
                     key=lambda r: r["seconds"])
        print(f"{megabytes} MB state_dict:")
        print(f"  save  torch {megabytes / save['torch']:8.0f} MB/s  ember {megabytes / save['ember']:8.0f} MB/s  "
              f"ember/torch throughput {save['torch'] / save['ember']:.2f}x (target >= 1.5x)")
        print(f"  load  torch {megabytes / load['torch']['seconds']:8.0f} MB/s  ember "
              f"{megabytes / load['ember']['seconds']:8.0f} MB/s  ember/torch throughput "
              f"{load['torch']['seconds'] / load['ember']['seconds']:.2f}x (target >= 1.5x)")
        print(f"  mmap load {mapped['seconds'] * 1e3:.2f} ms = {mapped['seconds'] / load['torch']['seconds']:.4f} of "
              f"torch.load's time (target < 0.05)")
        print(f"  extra peak memory of a load: torch {load['torch']['extra_peak_mb']:.0f} MB, ember "
              f"{load['ember']['extra_peak_mb']:.0f} MB for {load['ember']['tensor_mb']:.0f} MB of tensors "
              "(target: at most the tensors' size)")
        for path in paths.values():
            os.remove(path)


if __name__ == "__main__":
    main()
