#!/usr/bin/python3
"""PyTorch's DDP (gloo backend) on the models and measurements of bench_ddp.cpp, under mpirun
-np 2 (ranks from Open MPI's variables). compare_ddp.py runs both. One JSON line per model
from rank 0; times are medians over the steps of the slower rank, in ms."""
import json
import os
import sys
import time

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(784, 1024), nn.Linear(1024, 1024), nn.Linear(1024, 10)

    def forward(self, x):
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 32, 3), nn.Conv2d(32, 64, 3)
        self.fc1, self.fc2 = nn.Linear(64 * 5 * 5, 128), nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def measure(steps, setup, timed):
    times = []
    for i in range(steps + 3):
        setup()
        dist.barrier()
        t0 = time.perf_counter()
        timed()
        if i >= 3:
            times.append((time.perf_counter() - t0) * 1e3)
    m = torch.tensor([sorted(times)[len(times) // 2]])
    dist.all_reduce(m, op=dist.ReduceOp.MAX)
    return m.item()


def run(name, model, x, y, steps):
    state = {}

    def fwd(net):
        net.zero_grad(set_to_none=True)
        state["loss"] = F.cross_entropy(net(x), y)

    bwd = measure(steps, lambda: fwd(model), lambda: state["loss"].backward())
    ddp = nn.parallel.DistributedDataParallel(model, bucket_cap_mb=25)
    ddp_ms = measure(steps, lambda: fwd(ddp), lambda: state["loss"].backward())
    del ddp
    one = nn.parallel.DistributedDataParallel(model, bucket_cap_mb=1e6)
    one_ms = measure(steps, lambda: fwd(one), lambda: state["loss"].backward())
    del one
    total = sum(p.numel() for p in model.parameters())
    flat = torch.zeros(total)

    def bwd_sync():
        state["loss"].backward()
        dist.all_reduce(flat)

    bwd_then_sync = measure(steps, lambda: fwd(model), bwd_sync)
    comm_all = measure(steps, lambda: None, lambda: dist.all_reduce(flat))
    if dist.get_rank() == 0:
        print(json.dumps({"model": name, "params_bytes": total * 4, "bwd_ms": bwd, "ddp_ms": ddp_ms,
                          "one_bucket_ms": one_ms, "bwd_then_sync_ms": bwd_then_sync, "comm_all_ms": comm_all}),
              flush=True)


def main():
    steps = int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else 30
    which = sys.argv[sys.argv.index("--model") + 1] if "--model" in sys.argv else "all"
    torch.set_num_threads(1)
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", "29517")
    dist.init_process_group("gloo", rank=int(os.environ["OMPI_COMM_WORLD_RANK"]),
                            world_size=int(os.environ["OMPI_COMM_WORLD_SIZE"]))
    torch.manual_seed(0)
    if which in ("all", "mlp"):
        run("mlp", Mlp(), torch.randn(64, 784), torch.randint(0, 10, (64,)), steps)
    if which in ("all", "cnn"):
        run("cnn", Cnn(), torch.randn(32, 1, 28, 28), torch.randint(0, 10, (32,)), steps)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
