#!/usr/bin/python3
"""The alpha-beta cost model of ring all-reduce behind docs/distributed.md ("At scale"):
predicted weak-scaling efficiency of data-parallel training with DDP's buckets (1 MiB first,
25 MiB cap, reverse parameter order) and overlap with backward, for a model of P parameters.

    /usr/bin/python3 benchmarks/cost_model.py [--alpha-us 15] [--gamma-GBps 10]

Ring all-reduce of n bytes on p ranks (Thakur, Rabenseifner & Gropp 2005; Patarasuk & Yuan 2009):
    T(n, p) = 2(p-1) alpha + 2 (p-1)/p n beta + (p-1)/p n gamma
with alpha the per-message latency, beta = 1 / link bandwidth, gamma = the reduction's cost per
byte. Step: forward (1/3 of compute), backward (2/3), gradients become ready uniformly over
backward in reverse parameter order; one communication channel runs the buckets in order, each
starting when it is ready and the previous one is done; exposed = what is left after backward.
Efficiency = compute / (compute + exposed).
"""
import argparse
import math

MiB = 1 << 20

# Per-rank compute per step (forward + backward + optimiser), from measurements:
MODELS = {
    # the main job's CNN (examples/train_fashion_mnist.cpp, W4): 225,034 parameters; README W4
    # step 16.6 ms, batch 64, one thread on this machine's cores.
    "main job CNN (0.225 M params, 16.6 ms step)": (225_034, 16.6e-3),
    # ResNet-50: 25.6 M parameters; 97 ms per step = batch 32 at PyTorch's 329 img/s per V100
    # without DDP (pytorch/pytorch benchmarks/distributed/ddp/README.md).
    "ResNet-50 (25.6 M params, 97 ms step)": (25_600_000, 0.0973),
}


def buckets(nbytes, first=1 * MiB, cap=25 * MiB):
    """Bucket sizes in launch order (DDP: the bucket list is reversed, the small first
    bucket, holding the first parameters, goes last)."""
    out = [min(first, nbytes)]
    rest = nbytes - out[0]
    while rest > 0:
        out.append(min(cap, rest))
        rest -= out[-1]
    return list(reversed(out))


def ring(n, p, alpha, beta, gamma):
    return 2 * (p - 1) * alpha + 2 * (p - 1) / p * n * beta + (p - 1) / p * n * gamma


def efficiency(params, compute, p, alpha, beta, gamma, overlap=True):
    n = 4 * params
    bwd = compute * 2 / 3
    t_fwd = compute / 3
    bs = buckets(n)
    if not overlap:
        comm = sum(ring(b, p, alpha, beta, gamma) for b in bs)
        return compute / (compute + comm)
    end, done_bytes = t_fwd, 0
    for b in bs:
        done_bytes += b
        ready = t_fwd + bwd * done_bytes / n
        end = max(ready, end) + ring(b, p, alpha, beta, gamma)
    exposed = max(0.0, end - compute)  # the optimiser's slice of compute waits for the last bucket
    return compute / (compute + exposed)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--alpha-us", type=float, default=15.0,
                    help="per-message latency: ember's measured per ring step (~5 us) plus a link hop (10 us)")
    ap.add_argument("--gamma-GBps", type=float, default=10.0, help="reduction speed (memory-bound add)")
    a = ap.parse_args()
    alpha, gamma = a.alpha_us * 1e-6, 1 / (a.gamma_GBps * 1e9)
    print(f"alpha = {a.alpha_us} us, gamma = 1/({a.gamma_GBps} GB/s)\n")
    print("| model | link | p=8 | p=64 | p=512 | p=512 no overlap |")
    print("|---|---|---|---|---|---|")
    for name, (params, compute) in MODELS.items():
        for gbit in (25, 100):
            beta = 1 / (gbit / 8 * 1e9)
            effs = [efficiency(params, compute, p, alpha, beta, gamma) for p in (8, 64, 512)]
            no = efficiency(params, compute, 512, alpha, beta, gamma, overlap=False)
            print(f"| {name} | {gbit} Gbit/s | " + " | ".join(f"{e:.0%}" for e in effs) + f" | {no:.0%} |")
    print("\nring all-reduce of the whole gradient, ms (no overlap):\n")
    print("| model | link | p=8 | p=64 | p=512 |")
    print("|---|---|---|---|---|")
    for name, (params, _) in MODELS.items():
        for gbit in (25, 100):
            beta = 1 / (gbit / 8 * 1e9)
            ts = [sum(ring(b, p, alpha, beta, gamma) for b in buckets(4 * params)) * 1e3 for p in (8, 64, 512)]
            print(f"| {name} | {gbit} Gbit/s | " + " | ".join(f"{t:.1f}" for t in ts) + " |")


if __name__ == "__main__":
    main()
