#!/usr/bin/python3
"""The main job's checkpoints (examples/train_fashion_mnist): a run stopped after epoch 1
and resumed with --resume prints the same epoch-2 losses and accuracies as an uninterrupted
run with the same seed, and PyTorch 1.13.1 loads the .pt checkpoint into the twin model of
benchmarks/train_fashion_mnist_torch.py and measures the same test accuracy.

    /usr/bin/python3 tests/main_job_checkpoint.py build/release/examples/train_fashion_mnist
"""
import importlib.util
import pathlib
import re
import subprocess
import sys
import tempfile

import torch

ROOT = pathlib.Path(__file__).resolve().parents[1]
EPOCH = re.compile(r"epoch (\d+): train loss ([0-9.]+), train accuracy ([0-9.]+), test accuracy ([0-9.]+)")


def run(program, *args):
    out = subprocess.run([program, "--limit", "2000", "--workers", "2", "--seed", "3", *args], capture_output=True,
                         text=True, timeout=600)
    if out.returncode != 0:
        sys.exit(f"{program} {' '.join(args)} failed:\n{out.stderr}")
    return {int(m.group(1)): m.groups()[1:] for m in EPOCH.finditer(out.stdout)}, out.stdout


def torch_test_accuracy(checkpoint):
    spec = importlib.util.spec_from_file_location("twin", ROOT / "benchmarks" / "train_fashion_mnist_torch.py")
    twin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(twin)
    saved = torch.load(checkpoint)  # full loader: the dict holds Python floats (no BINFLOAT in weights_only)
    model = twin.Net()
    model.load_state_dict(saved["model"])
    model.eval()
    test = twin.FashionMNIST("/usr/share/datasets/fashion-mnist", False)
    with torch.no_grad():
        x = torch.stack([test[i][0] for i in range(len(test))])
        predicted = model(x).argmax(1)
    return (predicted == test.labels).float().mean().item(), saved


def main():
    program = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        whole, _ = run(program, "--epochs", "2", "--out", f"{tmp}/whole.pt")
        first, _ = run(program, "--epochs", "1", "--out", f"{tmp}/part.pt")
        resumed, text = run(program, "--epochs", "2", "--resume", f"{tmp}/part.pt", "--out", f"{tmp}/part.pt")
        assert "resumed from" in text and "after epoch 1" in text, text
        assert first[1] == whole[1], (first, whole)
        assert list(resumed) == [2] and resumed[2] == whole[2], (resumed, whole)
        accuracy, saved = torch_test_accuracy(f"{tmp}/whole.pt")
        assert saved["epoch"] == 2 and isinstance(saved["best_accuracy"], float), saved.keys()
        assert set(saved["optimizer"]) == {"state", "param_groups"}, saved["optimizer"].keys()
        ember_accuracy = float(whole[2][2])
        assert abs(accuracy - ember_accuracy) < 6e-4, (accuracy, ember_accuracy)
    print(f"main job checkpoints: ok (resumed epoch 2 = uninterrupted {whole[2]}; PyTorch's test accuracy "
          f"{accuracy:.4f}, ember's {ember_accuracy:.4f})")


if __name__ == "__main__":
    main()
