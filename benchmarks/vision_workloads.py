#!/usr/bin/python3
"""The vision workloads of Python part 3 for one library per process (torch + torchvision or
ember + ember.vision), printing one JSON line; benchmarks/compare_vision.py runs both.

    resnet18: one ResNet-18 training step (SGD momentum) on 64 x 3 x 32 x 32 inputs, ms
    pipeline: Fashion-MNIST items through Compose([RandomCrop(28, padding=4),
              RandomHorizontalFlip(), ToTensor(), Normalize]) and a DataLoader, items/s
"""
import argparse
import importlib
import json
import time


def resnet18_step(torch, vision, steps):
    torch.manual_seed(0)
    model = vision.models.resnet18(num_classes=10)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(64, 3, 32, 32), torch.randint(0, 10, (64,))

    def step():
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    for _ in range(3):
        step()
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        best = min(best, (time.perf_counter() - t0) / steps)
    return {"ms_per_step": best * 1e3}


def pipeline(torch, vision, root, items):
    T = vision.transforms
    transform = T.Compose([T.RandomCrop(28, padding=4), T.RandomHorizontalFlip(), T.ToTensor(),
                           T.Normalize((0.2860,), (0.3530,))])
    dataset = vision.datasets.FashionMNIST(root, train=True, transform=transform)
    subset = torch.utils.data.Subset(dataset, range(items))
    loader = torch.utils.data.DataLoader(subset, batch_size=64, shuffle=True)
    torch.manual_seed(0)
    t0 = time.perf_counter()
    n = sum(len(y) for _, y in loader)
    return {"items_per_s": n / (time.perf_counter() - t0)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lib", choices=["torch", "ember"], required=True)
    p.add_argument("--workload", choices=["resnet18", "pipeline"], required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--data", required=True, help="a directory with FashionMNIST/raw (torchvision's layout)")
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()
    torch = importlib.import_module(a.lib)
    vision = importlib.import_module("torchvision" if a.lib == "torch" else "ember.vision")
    importlib.import_module(vision.__name__ + ".models")
    importlib.import_module(vision.__name__ + ".datasets")
    importlib.import_module(vision.__name__ + ".transforms")
    if a.threads:
        torch.set_num_threads(a.threads)
    if a.workload == "resnet18":
        r = resnet18_step(torch, vision, 3 if a.quick else 10)
    else:
        r = pipeline(torch, vision, a.data, 2000 if a.quick else 10000)
    print(json.dumps({"lib": a.lib, "workload": a.workload, **r}))


if __name__ == "__main__":
    main()
