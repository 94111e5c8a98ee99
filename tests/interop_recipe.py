"""The recipe formula that tests/safetensors_interop.py and tests/pt_interop.py share with
their C++ tests (checkpoint_test::make in tests/cpp/checkpoint_test_util.h): one tensor
from arange, cast and shaped. float -> (arange - a) * b in float64; int -> arange * a + b
in int64; bool -> arange % a == 0."""
import torch


def make(dtype, shape, kind, a, b):
    n = 1
    for d in shape:
        n *= d
    if kind == "bool":
        t = torch.arange(n, dtype=torch.int64) % a == 0
    elif kind == "int":
        t = (torch.arange(n, dtype=torch.int64) * a + b).to(dtype)
    else:
        t = ((torch.arange(n, dtype=torch.float64) - a) * b).to(dtype)
    return t.reshape(shape)
