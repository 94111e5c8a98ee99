#!/usr/bin/python3
"""How far below torch's W3 step (MLP 784-512-256-10, batch 128, SGD momentum) can a float32
implementation go on this machine? Times the step's eight GEMMs alone (forward x W^T for
three layers; backward the three weight gradients and the two input gradients, preallocated
outputs) and the whole step, for one library per process:

    /usr/bin/python3 benchmarks/w3_floor.py --lib ember            # PYTHONPATH=build/release/python
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=2 /usr/bin/python3 benchmarks/w3_floor.py --lib torch

Prints one JSON line: GEMM-only ms, GFLOP/s of those GEMMs, full step ms.
"""
import argparse
import importlib
import json
import time


def best_of(fn, reps, inner):
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        best = min(best, (time.perf_counter() - t0) / inner)
    return best


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lib", choices=["torch", "ember"], required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=7)
    a = p.parse_args()
    torch = importlib.import_module(a.lib)
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    b, dims = 128, [784, 512, 256, 10]
    x = torch.randn(b, dims[0])
    ws = [torch.randn(dims[i + 1], dims[i]) * 0.05 for i in range(3)]
    acts = [x] + [torch.randn(b, d) for d in dims[1:]]
    grads = [torch.randn(b, d) for d in dims[1:]]
    # (A, B, out) with out = A @ B: the step's GEMMs in the orientation autograd computes them.
    gemms = []
    for i in range(3):
        gemms.append((acts[i], ws[i].t(), torch.empty(b, dims[i + 1])))                # forward
        gemms.append((grads[i].t(), acts[i], torch.empty(dims[i + 1], dims[i])))        # weight grad
        if i > 0:
            gemms.append((grads[i], ws[i], torch.empty(b, dims[i])))                     # input grad
    flops = sum(2 * A.shape[0] * A.shape[1] * B.shape[1] for A, B, _ in gemms)

    def gemm_only():
        for A, B, out in gemms:
            torch.mm(A, B, out=out)

    nn = torch.nn
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    y = torch.randint(0, 10, (b,))

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    for f in (gemm_only, step):
        for _ in range(5):
            f()
    g = best_of(gemm_only, a.reps, 20)
    s = best_of(step, a.reps, 20)
    print(json.dumps({"lib": a.lib, "gemm_ms": g * 1e3, "gemm_gflops": flops / g / 1e9, "step_ms": s * 1e3,
                      "gemm_mflop": flops / 1e6}))


if __name__ == "__main__":
    main()
