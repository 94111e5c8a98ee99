#!/usr/bin/env python3
"""ember's main job in Python (the twin of examples/train_fashion_mnist.cpp: same network,
data pipeline, optimiser, flags and output), written as a PyTorch + torchvision user writes
it: examples/python/torch_twin.py turns it into the PyTorch program by changing its import
lines only, and benchmarks/compare_python_main_job.py runs the two side by side.

    PYTHONPATH=build/release/python /usr/bin/python3 examples/python/train_fashion_mnist.py \\
        [--epochs 3] [--batch-size 64] [--lr 0.001] [--threads N] [--workers 2] [--data DIR] \\
        [--out FILE] [--seed 0] [--limit N] [--resume CHECKPOINT] [--amp]

After every epoch it saves a checkpoint dict (model and optimiser state_dicts, epoch, best
test accuracy, the random generator's state) with torch.save; --resume continues from one,
written by this program, its PyTorch twin or the C++ main job.
"""
import argparse
import time

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.vision import datasets, transforms
# --- end of the import lines ---
from tqdm import tqdm


class Net(nn.Module):
    """The W4 network of the benchmarks: two conv blocks and a two-layer classifier."""

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
    p.add_argument("--out", default="fashion_mnist_cnn.pt")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--limit", type=int, default=0, help="train on the first N images only")
    p.add_argument("--resume", default="", help="continue from a checkpoint written by --out")
    p.add_argument("--amp", action="store_true", help="bfloat16 autocast on the forward pass and the loss")
    args = p.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    # Fashion-MNIST's pixel mean and standard deviation.
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.2860,), (0.3530,))])
    train_set = datasets.FashionMNIST(args.data, train=True, transform=transform)
    test_set = datasets.FashionMNIST(args.data, train=False, transform=transform)
    if 0 < args.limit < len(train_set):
        train_set = torch.utils.data.Subset(train_set, range(args.limit))
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                                               num_workers=args.workers)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=1000, num_workers=args.workers)

    model = Net()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    first_epoch, best_accuracy = 1, 0.0
    if args.resume:
        checkpoint = torch.load(args.resume)
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        torch.set_rng_state(checkpoint["rng_state"])
        first_epoch, best_accuracy = checkpoint["epoch"] + 1, checkpoint["best_accuracy"]
        print(f"resumed from {args.resume} after epoch {first_epoch - 1} (best test accuracy {best_accuracy:.4f})")
    print(model)
    print(f"training on {len(train_set)} images, testing on {len(test_set)}, batch size {args.batch_size}, "
          f"{args.epochs} epochs, {torch.get_num_threads()} threads, {args.workers} workers")

    test_accuracy = 0.0
    start = time.perf_counter()
    for epoch in range(first_epoch, args.epochs + 1):
        model.train()
        loss_sum, correct, seen = 0.0, 0, 0
        bar = tqdm(train_loader, desc=f"epoch {epoch}")
        for x, y in bar:
            optimizer.zero_grad()
            # --amp: convolutions and linear layers in bfloat16, the loss in float32; backward
            # and the optimiser step outside the region, on float32 parameters and gradients.
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.amp):
                logits = model(x)
                loss = F.cross_entropy(logits, y)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            seen += len(y)
            bar.set_postfix(loss=f"{loss_sum / seen:.4f}", acc=f"{correct / seen:.4f}")
        bar.close()

        model.eval()
        test_correct = 0
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.amp):
            for x, y in test_loader:
                test_correct += (model(x).argmax(1) == y).sum().item()
        test_accuracy = test_correct / len(test_set)
        print(f"epoch {epoch}: train loss {loss_sum / seen:.4f}, train accuracy {correct / seen:.4f}, "
              f"test accuracy {test_accuracy:.4f} ({time.perf_counter() - start:.1f} s)", flush=True)
        best_accuracy = max(best_accuracy, test_accuracy)
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch,
                    "best_accuracy": best_accuracy, "rng_state": torch.get_rng_state()}, args.out)
    print(f"saved checkpoint to {args.out} (final test accuracy {test_accuracy:.4f})")


if __name__ == "__main__":
    main()
