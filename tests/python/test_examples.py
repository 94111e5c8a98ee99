"""examples/python: each Python twin of a C++ example runs with small sizes and learns."""
import os
import pathlib
import re
import subprocess
import sys

import ember

ROOT = pathlib.Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(pathlib.Path(ember.__file__).parents[1]))


def run(script, *args):
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / script), *args], env=ENV,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout


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
