#!/usr/bin/python3
"""D1 in PyTorch: the same work as benchmarks/bench_data.cpp with torch.utils.data.

torchvision is not packaged for Debian 12, so its Resize / RandomRotation / Normalize are
written with the torch ops torchvision 0.14 runs for tensors (F.interpolate; affine grid +
grid_sample with a fill mask; sub/div). Prints the same JSON lines as bench_data.
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset


def rotate(img, angle):
    """torchvision.transforms.functional.rotate(img, angle) (nearest, fill 0) for [C, H, W]."""
    c, h, w = img.shape
    rot = math.radians(-angle)
    m = [math.cos(rot), math.sin(rot), 0.0, -math.sin(rot), math.cos(rot), 0.0]
    theta = torch.tensor(m, dtype=img.dtype).reshape(1, 2, 3)
    base = torch.empty(1, h, w, 3, dtype=theta.dtype)
    base[..., 0].copy_(torch.linspace(-w * 0.5 + 0.5, w * 0.5 + 0.5 - 1, steps=w))
    base[..., 1].copy_(torch.linspace(-h * 0.5 + 0.5, h * 0.5 + 0.5 - 1, steps=h).unsqueeze_(-1))
    base[..., 2].fill_(1)
    rescaled = theta.transpose(1, 2) / torch.tensor([0.5 * w, 0.5 * h], dtype=theta.dtype)
    grid = base.view(1, h * w, 3).bmm(rescaled).view(1, h, w, 2)
    x = torch.cat((img[None], torch.ones((1, 1, h, w), dtype=img.dtype)), dim=1)
    x = F.grid_sample(x, grid, mode="nearest", padding_mode="zeros", align_corners=False)
    mask = x[:, -1:].expand_as(x[:, :-1]) < 0.5
    x = x[:, :-1]
    fill = torch.zeros(1, c, 1, 1, dtype=x.dtype).expand_as(x)
    x[mask] = fill[mask]
    return x[0]


class Transformed(Dataset):
    def __init__(self, data, targets):
        self.data, self.targets = data, targets
        self.mean = torch.tensor([0.5]).view(-1, 1, 1)
        self.std = torch.tensor([0.5]).view(-1, 1, 1)

    def __len__(self):
        return len(self.data)

    def __getitem__(self, i):
        x = F.interpolate(self.data[i][None], size=[64, 64], mode="bilinear", align_corners=False)[0]
        angle = float(torch.empty(1).uniform_(-15.0, 15.0).item())
        x = rotate(x, angle)
        x = x.sub(self.mean).div(self.std)
        return x, self.targets[i]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=8192)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--workers", default="0,2")
    args = ap.parse_args()
    torch.manual_seed(0)
    ds = Transformed(torch.rand(args.samples, 1, 28, 28), torch.randint(0, 10, (args.samples,)))
    for w in [int(v) for v in args.workers.split(",")]:
        loader = DataLoader(ds, batch_size=64, shuffle=True, num_workers=w, persistent_workers=w > 0)
        rates, checksum = [], 0
        for e in range(args.epochs + 1):
            t0 = time.perf_counter()
            n = 0
            for x, y in loader:
                n += x.shape[0]
                checksum += int(y[0])
            s = time.perf_counter() - t0
            if e > 0:
                rates.append(n / s)
        rates.sort()
        print(json.dumps({"impl": "pytorch", "bench": f"D1.loader_workers{w}", "threads": torch.get_num_threads(),
                          "metrics": {"samples_per_s": {"median": rates[len(rates) // 2], "min": rates[0],
                                                        "max": rates[-1]}}, "checksum": checksum}), flush=True)


if __name__ == "__main__":
    main()
