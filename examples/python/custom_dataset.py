#!/usr/bin/env python3
"""A user-defined Dataset and user-defined transforms, following the notes (the Python twin
of examples/custom_dataset.cpp): the dataset class implements __getitem__ (the sample and
its target) and __len__; transforms are classes with __call__ that the dataset applies to
each sample; a Compose chains them; a DataLoader with two worker processes hands out
shuffled batches, and a softmax classifier trains on them.

The data are a small CSV file (written first, so the example is self-contained): three
classes of points with four features, like the wine data set of the notes' tutorial.

    PYTHONPATH=build/release/python /usr/bin/python3 examples/python/custom_dataset.py \\
        [--rows 150] [--epochs 30] [--csv PATH]
"""
import argparse
import os
import tempfile

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.data import DataLoader, Dataset
from ember.vision import transforms
# --- end of the import lines ---

CENTRES = [[1.0, 2.0, 3.0, 0.5], [3.0, 1.0, 0.5, 2.5], [0.5, 3.5, 1.0, 3.0]]


def write_csv(path, rows):
    """`rows` lines "f0,f1,f2,f3,label" around three class centres."""
    noise = 0.9 * torch.randn(rows, 4, dtype=torch.float64)
    with open(path, "w") as f:
        f.write("f0,f1,f2,f3,label\n")
        for i in range(rows):
            label = i % 3
            features = ",".join(f"{CENTRES[label][j] + noise[i, j].item():.6g}" for j in range(4))
            f.write(f"{features},{label}\n")


class CsvDataset(Dataset):
    """Reads the whole CSV in the constructor; returns (features, label) pairs, the features
    transformed when a transform is given."""

    def __init__(self, path, transform=None):
        with open(path) as f:
            lines = f.read().splitlines()[1:]
        rows = [line.split(",") for line in lines]
        self.features = torch.tensor([[float(v) for v in row[:4]] for row in rows])
        self.labels = torch.tensor([int(row[4]) for row in rows])
        self.transform = transform

    def __getitem__(self, index):
        x = self.features[index]
        return (self.transform(x) if self.transform else x), self.labels[index]

    def __len__(self):
        return len(self.labels)


class Standardize:
    def __init__(self, mean, std):
        self.mean, self.std = mean, std

    def __call__(self, x):
        return (x - self.mean) / self.std


class MulTransform:
    def __init__(self, factor):
        self.factor = factor

    def __call__(self, x):
        return x * self.factor


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=150)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--csv", default="", help="read an existing file of that layout instead of writing one")
    args = p.parse_args()
    torch.manual_seed(0)

    csv = args.csv
    if not csv:
        csv = os.path.join(tempfile.gettempdir(), f"custom_dataset_{os.getpid()}.csv")
        write_csv(csv, args.rows)

    raw = CsvDataset(csv)
    print(f"dataset of {len(raw)} samples from {csv}")
    features, label = raw[0]
    print(f"first sample: features {features}, label {label}")

    # A dataset with a transform: standardise each feature, then scale (Compose applies
    # them in order).
    composed = transforms.Compose([Standardize(raw.features.mean(0), raw.features.std(0)), MulTransform(2.0)])
    dataset = CsvDataset(csv, transform=composed)
    print(f"first sample, transformed: features {dataset[0][0]}")

    loader = DataLoader(dataset, batch_size=16, shuffle=True, num_workers=2)
    x, y = next(iter(loader))
    print(f"one batch: data {x.shape}, target {y.shape} ({len(loader)} batches per epoch)")

    # Train a softmax classifier on the transformed samples.
    model = nn.Linear(4, 3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for epoch in range(1, args.epochs + 1):
        total, correct, seen = 0.0, 0, 0
        for x, y in loader:
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(x)
            correct += (logits.argmax(1) == y).sum().item()
            seen += len(x)
        if epoch % 10 == 0 or epoch == args.epochs:
            print(f"epoch {epoch}: loss {total / seen:.4f}, accuracy {correct / seen:.3f}")
    if not args.csv:
        os.remove(csv)


if __name__ == "__main__":
    main()
