#!/usr/bin/env python3
"""W2, W3, W4 and the DataLoader workload written as ordinary PyTorch Python programs; run
under torch or ember by compare_python_training.py (`--lib torch|ember`). Prints one JSON
line per workload."""
import argparse
import importlib
import json
import resource
import sys
import time


def w2_xor(torch, epochs):
    nn = torch.nn
    data = torch.utils.data
    torch.manual_seed(0)
    x = torch.randint(0, 2, (2500, 2)).float()
    y = (x.sum(1) == 1).float()
    x += 0.1 * torch.randn(x.shape)
    loader = data.DataLoader(data.TensorDataset(x, y), batch_size=128, shuffle=True)
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
    loss_fn = nn.BCEWithLogitsLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    t0 = time.perf_counter()
    for _ in range(epochs):
        for xb, yb in loader:
            loss = loss_fn(model(xb).squeeze(1), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return {"seconds": time.perf_counter() - t0, "loss": loss.item()}


def w3_mlp(torch, steps):
    nn = torch.nn
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(128, 784)
    y = torch.randint(0, 10, (128,))

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in range(5):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    ms = (time.perf_counter() - t0) / steps * 1e3
    return {"ms_per_step": ms, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def w4_cnn(torch, steps):
    nn = torch.nn
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(64, 1, 28, 28)
    y = torch.randint(0, 10, (64,))

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(3):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return {"ms_per_step": (time.perf_counter() - t0) / steps * 1e3}


class SlowDataset:
    """A Python __getitem__ costing about 1 ms of CPU."""

    def __init__(self, torch, n):
        self.torch = torch
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        end = time.perf_counter() + 0.001
        while time.perf_counter() < end:
            pass
        return self.torch.full((8,), float(i))


def loader_workers(torch, n, workers):
    loader = torch.utils.data.DataLoader(SlowDataset(torch, n), batch_size=16, num_workers=workers)
    t0 = time.perf_counter()
    count = sum(b.shape[0] for b in loader)
    return {"samples_per_s": count / (time.perf_counter() - t0)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lib", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--workload", required=True, choices=["w2", "w3", "w4", "loader0", "loader2"])
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()
    torch = importlib.import_module(a.lib)
    importlib.import_module(a.lib + ".utils.data")
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    q = a.quick
    if a.workload == "w2":
        r = w2_xor(torch, 10 if q else 100)
    elif a.workload == "w3":
        r = w3_mlp(torch, 10 if q else 100)
    elif a.workload == "w4":
        r = w4_cnn(torch, 5 if q else 40)
    else:
        r = loader_workers(torch, 200 if q else 1200, 0 if a.workload == "loader0" else 2)
    print(json.dumps({"lib": a.lib, "workload": a.workload, "threads": a.threads, **r}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
