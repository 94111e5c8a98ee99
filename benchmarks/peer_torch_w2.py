#!/usr/bin/python3
"""W2 for PyTorch (Python): the seeds' XOR task, 100 epochs at batch 128, through
DataLoader(TensorDataset, shuffle=True) and by hand-slicing a randperm-shuffled copy.
Prints the same JSON lines as ember_bench (impl "torch"); compare_w2.py runs both.

    /usr/bin/python3 benchmarks/peer_torch_w2.py [--threads N] [--quick] [--reps R]
"""
import argparse
import json
import os
import statistics
import time

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=1)
p.add_argument("--quick", action="store_true")
p.add_argument("--reps", type=int, default=3)
args = p.parse_args()
if args.threads > 0:
    os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)

import torch  # noqa: E402  (after the thread variables)
import torch.nn as nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

if args.threads > 0:
    torch.set_num_threads(args.threads)
epochs = 10 if args.quick else 100
g = torch.Generator().manual_seed(0)
X = torch.randint(0, 2, (2500, 2), generator=g).float()
y = (X[:, 0] != X[:, 1]).float().unsqueeze(1)
n, bs = X.shape[0], 128
loss_fn = nn.BCEWithLogitsLoss()


def model():
    return nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))


def through_loader():
    torch.manual_seed(0)
    m = model()
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    dl = DataLoader(TensorDataset(X, y), batch_size=bs, shuffle=True)
    for _ in range(epochs):
        for xb, yb in dl:
            opt.zero_grad()
            loss = loss_fn(m(xb), yb)
            loss.backward()
            opt.step()


def by_hand():
    torch.manual_seed(0)
    m = model()
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    for _ in range(epochs):
        perm = torch.randperm(n)
        Xs, ys = X[perm], y[perm]
        for i in range(0, n, bs):
            opt.zero_grad()
            loss = loss_fn(m(Xs[i:i + bs]), ys[i:i + bs])
            loss.backward()
            opt.step()


for name, fn in (("W2.xor_dataloader", through_loader), ("W2.xor_manual_shuffled", by_hand)):
    fn()  # warm-up
    times = []
    for _ in range(args.reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    print(json.dumps({"impl": "torch", "bench": name, "threads": args.threads,
                      "metrics": {"s_total": {"median": statistics.median(times), "min": min(times),
                                              "max": max(times)}}}))
