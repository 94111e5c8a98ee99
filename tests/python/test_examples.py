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


def test_python_main_job_trains_and_saves(tmp_path):
    out = run("train_fashion_mnist.py", "--epochs", "1", "--limit", "2000", "--workers", "0", "--out",
              str(tmp_path / "model.pt"))
    accuracy = float(re.search(r"epoch 1: train loss [\d.]+, train accuracy [\d.]+, test accuracy ([\d.]+)",
                               out).group(1))
    assert accuracy > 0.6, out
    assert "training on 2000 images, testing on 10000" in out
    assert (tmp_path / "model.pt").exists()
