#!/usr/bin/python3
"""ember's main job written for PyTorch, to run side by side with
examples/train_fashion_mnist.cpp (same network, data pipeline, optimiser and output).

    /usr/bin/python3 benchmarks/train_fashion_mnist_torch.py [--epochs 3] [--batch-size 64]
        [--lr 0.001] [--threads N] [--workers 2] [--data DIR] [--out FILE] [--seed 0] [--limit N]

torchvision is not packaged with Debian's PyTorch, so the IDX files are read with numpy and
normalised by a small Dataset, as torchvision's FashionMNIST + Normalize would.
"""
import argparse
import gzip
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(root, stem):
    for name in (stem + ".gz", stem):
        if os.path.exists(os.path.join(root, name)):
            return os.path.join(root, name)
    sys.exit(f"missing {stem}[.gz] under {root}: apt-get install dataset-fashion-mnist")


class FashionMNIST(torch.utils.data.Dataset):
    """Images as float [1, 28, 28] in [0, 1], normalised with mean 0.2860 and std 0.3530."""

    def __init__(self, root, train, limit=0):
        split = "train" if train else "t10k"
        self.images = torch.from_numpy(read_idx(find(root, f"{split}-images-idx3-ubyte")).copy())
        self.labels = torch.from_numpy(read_idx(find(root, f"{split}-labels-idx1-ubyte")).astype(np.int64))
        if limit:
            self.images, self.labels = self.images[:limit], self.labels[:limit]

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        x = self.images[i].unsqueeze(0).float().div(255)
        return (x - 0.2860) / 0.3530, self.labels[i]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.fc1 = nn.Linear(64 * 5 * 5, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc2(x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--out", default="fashion_mnist_cnn_torch.pt")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--amp", action="store_true", help="bfloat16 autocast on the forward pass and the loss")
    args = p.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    train_set, test_set = FashionMNIST(args.data, True, args.limit), FashionMNIST(args.data, False)
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                                               num_workers=args.workers)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=1000, num_workers=args.workers)
    model = Net()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    print(model)
    print(f"training on {len(train_set)} images, testing on {len(test_set)}, batch size {args.batch_size}, "
          f"{args.epochs} epochs, {torch.get_num_threads()} threads, {args.workers} workers")
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        loss_sum, correct, seen = 0.0, 0, 0
        for x, y in train_loader:
            optimizer.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.amp):
                logits = model(x)
                loss = F.cross_entropy(logits, y)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            seen += len(y)
        model.eval()
        test_correct = 0
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.amp):
            for x, y in test_loader:
                test_correct += (model(x).argmax(1) == y).sum().item()
        print(f"epoch {epoch}: train loss {loss_sum / seen:.4f}, train accuracy {correct / seen:.4f}, "
              f"test accuracy {test_correct / len(test_set):.4f} ({time.perf_counter() - start:.1f} s)", flush=True)
    torch.save(model.state_dict(), args.out)
    print(f"saved checkpoint to {args.out}")


if __name__ == "__main__":
    main()
