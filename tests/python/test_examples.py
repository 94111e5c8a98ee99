"""examples/python: each Python twin of a C++ example runs with small sizes and learns, and
its PyTorch twin (the same file with torch's import lines, examples/python/torch_twin.py)
runs too; where the program is deterministic, the two print the same text."""
import os
import pathlib
import re
import subprocess
import sys

import pytest

import ember

ROOT = pathlib.Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(pathlib.Path(ember.__file__).parents[1]))


EXAMPLES = ROOT / "examples" / "python"
sys.path.insert(0, str(EXAMPLES))
from torch_twin import torch_twin  # noqa: E402


def run(script, *args, cwd=None):
    out = subprocess.run([sys.executable, str(EXAMPLES / script), *args], env=ENV, capture_output=True, text=True,
                         timeout=300, cwd=cwd)
    assert out.returncode == 0, out.stderr
    return out.stdout


def run_torch_twin(script, tmp_path, *args):
    """The example with torch's import lines, run by the real PyTorch."""
    twin = tmp_path / ("torch_" + script)
    twin.write_text(torch_twin((EXAMPLES / script).read_text()))
    out = subprocess.run([sys.executable, str(twin), *args], capture_output=True, text=True, timeout=300,
                         cwd=tmp_path, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.mark.parametrize("script", ["tensor_basics.py", "autograd.py"])
def test_deterministic_examples_print_what_pytorch_prints(script, tmp_path):
    ours = run(script)
    theirs = run_torch_twin(script, tmp_path)
    assert ours == theirs


def test_every_example_has_a_runnable_torch_twin():
    for script in sorted(EXAMPLES.glob("*.py")):
        if script.name == "torch_twin.py":
            continue
        twin = torch_twin(script.read_text())
        assert "ember" not in twin.split("# --- end of the import lines ---")[1], script.name
        compile(twin, script.name, "exec")


def test_xor_learns():
    out = run("xor.py", "--epochs", "100")  # the C++ example's defaults: a second or so
    accuracy = float(re.search(r"accuracy of the model: ([\d.]+)%", out).group(1))
    assert accuracy > 90, out
    assert "SimpleClassifier(" in out


def test_fizzbuzz_learns():
    out = run("fizzbuzz.py", "--epochs", "300")
    accuracy = int(re.search(r"test accuracy on 1..100: (\d+)%", out).group(1))
    assert accuracy >= 70, out


def test_linear_regression_recovers_the_weights():
    out = run("linear_regression.py", "--epochs", "5")
    error = float(re.search(r"largest weight error ([\d.]+)", out).group(1))
    assert error < 0.01, out


def test_custom_dataset_learns_and_matches_pytorchs_first_lines(tmp_path):
    out = run("custom_dataset.py", "--epochs", "10")
    accuracy = float(re.search(r"epoch 10: loss [\d.]+, accuracy ([\d.]+)", out).group(1))
    assert accuracy > 0.8, out
    theirs = run_torch_twin("custom_dataset.py", tmp_path, "--epochs", "10")
    # The same seeded CSV, samples, transformed sample and batch shapes (the file name differs).
    strip = lambda text: [re.sub(r"from \S+", "", line) for line in text.splitlines()[:4]]  # noqa: E731
    assert strip(out) == strip(theirs)


def test_adversarial_example_flips_predictions():
    out = run("adversarial.py", "--train", "2000", "--test", "200", "--epochs", "2")
    clean = float(re.search(r"clean: ([\d.]+)", out).group(1))
    attacked = float(re.search(r"FGSM eps 0.10: ([\d.]+)", out).group(1))
    assert clean > 0.6 and attacked < clean - 0.2, out


EPOCH_LINE = re.compile(r"epoch (\d+): train loss ([\d.]+), train accuracy ([\d.]+), test accuracy ([\d.]+)")


@pytest.fixture(scope="module")
def torchvision_fashion_root(tmp_path_factory):
    """Fashion-MNIST in torchvision's layout (root/FashionMNIST/raw, uncompressed), which
    torchvision requires and ember reads too."""
    import gzip
    root = tmp_path_factory.mktemp("fashion")
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                 "t10k-labels-idx1-ubyte"):
        with gzip.open(f"/usr/share/datasets/fashion-mnist/{name}.gz") as f:
            (raw / name).write_bytes(f.read())
    return str(root)


def test_python_main_job_trains_saves_and_resumes(tmp_path, torchvision_fashion_root):
    small = ["--limit", "1000", "--workers", "2", "--seed", "3", "--data", torchvision_fashion_root]
    whole = run("train_fashion_mnist.py", "--epochs", "2", "--out", str(tmp_path / "whole.pt"), *small)
    assert "training on 1000 images, testing on 10000" in whole
    epochs = {int(m.group(1)): m.groups()[1:] for m in EPOCH_LINE.finditer(whole)}
    assert float(epochs[2][2]) > 0.6, whole
    run("train_fashion_mnist.py", "--epochs", "1", "--out", str(tmp_path / "part.pt"), *small)
    resumed = run("train_fashion_mnist.py", "--epochs", "2", "--resume", str(tmp_path / "part.pt"), "--out",
                  str(tmp_path / "part.pt"), *small)
    assert "resumed from" in resumed
    assert {int(m.group(1)): m.groups()[1:] for m in EPOCH_LINE.finditer(resumed)} == {2: epochs[2]}
    # PyTorch's twin continues from ember's checkpoint.
    theirs = run_torch_twin("train_fashion_mnist.py", tmp_path, "--epochs", "3", "--resume", str(tmp_path / "whole.pt"),
                            "--out", str(tmp_path / "torch.pt"), *small)
    assert "resumed from" in theirs and "epoch 3: train loss" in theirs


def test_python_main_job_with_amp(tmp_path, torchvision_fashion_root):
    # --amp: bfloat16 autocast on the forward pass and the loss (docs/amp.md); the same script
    # runs as PyTorch code under torch.autocast.
    small = ["--limit", "1000", "--workers", "2", "--seed", "3", "--data", torchvision_fashion_root, "--epochs", "2"]
    ours = run("train_fashion_mnist.py", "--amp", "--out", str(tmp_path / "amp.pt"), *small)
    epochs = {int(m.group(1)): m.groups()[1:] for m in EPOCH_LINE.finditer(ours)}
    assert float(epochs[2][2]) > 0.6, ours
    theirs = run_torch_twin("train_fashion_mnist.py", tmp_path, "--amp", "--out", str(tmp_path / "torch_amp.pt"),
                            *small)
    assert "epoch 2: train loss" in theirs


def test_transfer_learning_with_a_resnet18():
    out = run("transfer_learning.py", "--train", "600", "--test", "300", "--epochs", "1")
    assert "reloaded model gives identical outputs" in out, out
    assert "trainable parameters: 2 tensors (the new classifier), frozen: 60" in out, out
    before = float(re.search(r"task B accuracy before training the head: ([\d.]+)", out).group(1))
    after = float(re.search(r"task B test accuracy with frozen features: ([\d.]+)", out).group(1))
    assert after > max(0.5, before + 0.2), out
    assert "largest change of a frozen feature weight: 0\n" in out, out
