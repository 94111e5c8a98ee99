#!/usr/bin/env python3
"""Transfer learning from the notes (the Python twin of examples/transfer_learning.cpp, with
torchvision's ResNet-18): a model trained for a first task is the starting point for a
second; the feature layers keep the trained weights and only the classifier is replaced and
retrained.

 1. Train a ResNet-18 (its first convolution taking one channel) on Fashion-MNIST's first
    five classes (T-shirt .. Coat).
 2. Save its state_dict with torch.save and build a fresh model from the file.
 3. Freeze every parameter, replace the classifier `fc` with a new Linear for the other five
    classes (Sandal .. Ankle boot) and train only that head.
 4. Check that the frozen weights did not change.

    PYTHONPATH=build/release/python /usr/bin/python3 examples/python/transfer_learning.py \\
        [--train 5000] [--test 1000] [--epochs 2] [--data DIR] [--checkpoint PATH]
"""
import argparse
import os
import tempfile

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.data import DataLoader, Subset
from ember.vision import datasets, models, transforms
# --- end of the import lines ---


def resnet18_for_gray_images(num_classes):
    model = models.resnet18(num_classes=num_classes)
    model.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    return model


def classes_subset(dataset, labels, limit):
    """The first `limit` samples whose label is in `labels`."""
    wanted = set(labels)
    indices = [i for i, y in enumerate(dataset.targets.tolist()) if y in wanted][:limit]
    return Subset(dataset, indices)


def train(model, parameters, loader, epochs, stage, label_offset=0):
    optimizer = torch.optim.Adam(parameters, lr=1e-3)
    model.train()
    for epoch in range(1, epochs + 1):
        total, seen = 0.0, 0
        for x, y in loader:
            loss = F.cross_entropy(model(x), y - label_offset)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
            seen += len(y)
        print(f"{stage} epoch {epoch}: train loss {total / seen:.4f}")


def accuracy(model, loader, label_offset=0):
    model.eval()
    correct = seen = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(1) == y - label_offset).sum().item()
            seen += len(y)
    return correct / seen


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--train", type=int, default=5000)
    p.add_argument("--test", type=int, default=1000)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--checkpoint", default="")
    args = p.parse_args()
    torch.manual_seed(0)

    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.2860,), (0.3530,))])
    train_set = datasets.FashionMNIST(args.data, train=True, transform=transform)
    test_set = datasets.FashionMNIST(args.data, train=False, transform=transform)
    task_a, task_b = [0, 1, 2, 3, 4], [5, 6, 7, 8, 9]

    def loader(dataset, labels, limit, shuffle):
        return DataLoader(classes_subset(dataset, labels, limit), batch_size=64, shuffle=shuffle)

    # 1. The first task.
    pretrained = resnet18_for_gray_images(num_classes=5)
    train(pretrained, pretrained.parameters(), loader(train_set, task_a, args.train, True), args.epochs, "task A")
    print(f"task A test accuracy: {accuracy(pretrained, loader(test_set, task_a, args.test, False)):.3f}")

    # 2. Save, and build a fresh model from the file.
    checkpoint = args.checkpoint or os.path.join(tempfile.gettempdir(), f"transfer_{os.getpid()}.pt")
    torch.save(pretrained.state_dict(), checkpoint)
    print(f"saved {len(pretrained.state_dict())} tensors to {checkpoint}")
    model = resnet18_for_gray_images(num_classes=5)
    model.load_state_dict(torch.load(checkpoint))
    probe = next(iter(loader(test_set, task_a, 8, False)))[0]
    pretrained.eval()
    model.eval()
    with torch.no_grad():
        same = torch.equal(pretrained(probe), model(probe))
    print(f"reloaded model gives {'identical' if same else 'DIFFERENT'} outputs")
    if not args.checkpoint:
        os.remove(checkpoint)

    # 3. Freeze the features, replace the head, train the head on the second task.
    for param in model.parameters():
        param.requires_grad = False
    model.fc = nn.Linear(model.fc.in_features, 5)
    frozen = {name: p.clone() for name, p in model.named_parameters() if not p.requires_grad}
    trainable = [p for p in model.parameters() if p.requires_grad]
    print(f"trainable parameters: {len(trainable)} tensors (the new classifier), frozen: {len(frozen)}")
    b_test = loader(test_set, task_b, args.test, False)
    print(f"task B accuracy before training the head: {accuracy(model, b_test, 5):.3f}")
    train(model, trainable, loader(train_set, task_b, args.train, True), args.epochs, "task B", label_offset=5)
    print(f"task B test accuracy with frozen features: {accuracy(model, b_test, 5):.3f}")

    # 4. The frozen weights are untouched.
    params = dict(model.named_parameters())
    change = max((params[name] - value).abs().max().item() for name, value in frozen.items())
    print(f"largest change of a frozen feature weight: {change:g}")


if __name__ == "__main__":
    main()
