#!/usr/bin/env python3
"""Tensor basics from the notes (the Python twin of examples/tensor_basics.cpp): creation,
in-place `_` ops, indexing and slicing, item(), view/reshape/transpose/squeeze, elementwise
math and broadcasting, split/stack/cat, and sharing memory with NumPy. Under PyTorch (the
same file with `import torch`) it prints the same text; tests/python/test_examples.py checks.

    PYTHONPATH=build/release/python /usr/bin/python3 examples/python/tensor_basics.py
"""
import numpy as np

import ember as torch
# --- end of the import lines ---


def section(title):
    print(f"\n== {title} ==")


def show(expression, value):
    print(f">>> {expression}\n{value}")


torch.manual_seed(1)

section("creation")
show("torch.empty(2, 3).shape", torch.empty(2, 3).shape)  # values uninitialised
show("torch.ones(2, 2)", torch.ones(2, 2))
show("torch.zeros(2, 3, dtype=torch.int64)", torch.zeros(2, 3, dtype=torch.int64))
show("torch.rand(2, 3)", torch.rand(2, 3))
show("torch.tensor([3, 7, 1])", torch.tensor([3, 7, 1]))
show("torch.tensor([[2, 5], [3, 9]])", torch.tensor([[2, 5], [3, 9]]))
show("torch.arange(6, dtype=torch.float32)", torch.arange(6, dtype=torch.float32))

section("in-place operations end with _")
x = torch.ones(2, 2)
y = torch.full((2, 2), 3.)
y.add_(x)  # y += x
show("y = torch.full((2, 2), 3.); y.add_(torch.ones(2, 2))", y)
y.mul_(2).sub_(1)
show("y.mul_(2).sub_(1)", y)

section("indexing and slicing")
t = torch.tensor([[1, 1, 1], [2, 2, 2], [3, 3, 3]])
show("t[0, :]", t[0, :])
show("t[:, 0]", t[:, 0])
show("t[0:2, 1:]", t[0:2, 1:])
show("t[0][0]", t[0][0])
show("t[1, 2].item()", t[1, 2].item())
t[:, 1] = 0
show("t[:, 1] = 0", t)
show("t[t > 1]", t[t > 1])

section("reshaping: view, reshape, transpose, squeeze")
r = torch.tensor([[1, 1, 1], [2, 2, 2], [3, 3, 3], [4, 4, 4]])
show("r.shape", r.shape)
show("r.view(12)", r.view(12))
show("r.view(2, -1)", r.view(2, -1))
show("torch.ones(2, 2).view(4, -1)", torch.ones(2, 2).view(4, -1))
show("r.reshape(3, 4).t()", r.reshape(3, 4).t())
show("r.transpose(0, 1)", r.transpose(0, 1))
s = torch.zeros(1, 3, 1)
show("torch.zeros(1, 3, 1).squeeze().shape, .unsqueeze(0).shape", (s.squeeze().shape, s.squeeze().unsqueeze(0).shape))

section("math is elementwise")
a = torch.tensor([1, 1])
b = torch.tensor([2, 2])
show("x + y", a + b)
show("x * y", a * b)
m = torch.tensor([[1., 2.], [3., 4.]])
show("m.exp()", m.exp())
show("m @ m  (torch.matmul)", m @ m)
show("m.sum()", m.sum())
show("m.mean(dim=0)", m.mean(dim=0))
show("m.max(dim=1)", m.max(dim=1))

section("broadcasting")
show("torch.ones((3, 2)) * 2", torch.ones((3, 2)) * 2)
show("torch.zeros((2, 3, 2)) + torch.ones((3, 2))", torch.zeros((2, 3, 2)) + torch.ones((3, 2)))
try:
    torch.zeros((2, 3, 2)) + torch.ones((3, 3))
except RuntimeError as e:
    print(f">>> torch.zeros((2, 3, 2)) + torch.ones((3, 3))\nRuntimeError: {e}")

section("split, stack, cat")
v = torch.arange(10, dtype=torch.float32)
for i, part in enumerate(torch.split(v, 4)):  # sizes 4, 4, 2
    print(f"split part {i}: {part}")
show("torch.cat([x, y])", torch.cat([a, b]))
show("torch.stack([x, y])", torch.stack([a, b]))
show("torch.stack([x, y], dim=1)", torch.stack([a, b], dim=1))

section("sharing memory with NumPy (torch.from_numpy, .numpy())")
array = np.array([[1, 2], [3, 4]], dtype=np.float32)
shared = torch.from_numpy(array)
shared.mul_(10)  # writes through to `array`
print(f"array after shared.mul_(10): {array.tolist()}")
show("torch.ones(3).numpy()", torch.ones(3).numpy())
