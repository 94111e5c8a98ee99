"""The package as a whole: importing is cheap and loads no NumPy, the GIL is released in
large kernels so Python threads overlap, and the seeds' tensor and autograd snippets print
what torch prints."""
import os
import pathlib
import subprocess
import sys
import threading
import time

import ember


def test_import_loads_no_numpy_and_works_from_any_directory(tmp_path):
    code = "import sys, ember; x = ember.ones(2) + 1; print('numpy' in sys.modules, x.tolist())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env=dict(os.environ, PYTHONPATH=str(pathlib.Path(ember.__file__).parents[1])), check=True)
    assert out.stdout.split("\n")[0] == "False [2.0, 2.0]"


def test_python_threads_run_while_a_large_matmul_computes():
    """The GIL is released inside large kernels: while one thread is inside a long matmul,
    another thread keeps running Python code. (With the GIL held through the C call, the
    other thread could not run a single bytecode until the call returned.) Independent of
    how many cores are free, so it holds under a parallel ctest run too."""
    a = ember.randn(1024, 1024)
    inside = {}

    def work():
        inside["start"] = time.perf_counter()
        for _ in range(6):
            a @ a
        inside["end"] = time.perf_counter()

    stamps = []
    worker = threading.Thread(target=work)
    worker.start()
    while worker.is_alive():
        stamps.append(time.perf_counter())
    worker.join()
    during = [t for t in stamps if inside["start"] < t < inside["end"]]
    assert inside["end"] - inside["start"] > 0.01
    assert len(during) > 100, f"the main thread ran {len(during)} times during the matmuls"


def test_manual_seed_takes_what_int_takes_as_torch_does():
    import numpy as np
    import torch
    for seed in (np.int64(3), 3.7, True, -5):
        torch.manual_seed(seed)
        ember.manual_seed(seed)
        assert torch.rand(3).tolist() == ember.rand(3).tolist(), seed
    for bad in ("a", None):
        try:
            torch.manual_seed(bad)
        except Exception as expected:  # noqa: BLE001 - the type is what is compared
            try:
                ember.manual_seed(bad)
            except Exception as got:  # noqa: BLE001
                assert type(got) is type(expected) and str(got) == str(expected)
            else:
                raise AssertionError(f"ember.manual_seed({bad!r}) did not raise")
