#!/usr/bin/env python3
"""Autograd from the notes (the Python twin of examples/autograd.cpp): tensors that require
grad record the operations applied to them (grad_fn), backward() walks that graph in
reverse and accumulates gradients into .grad, torch.no_grad() updates parameters without
recording, and grads must be zeroed between steps because they accumulate. Under PyTorch
(the same file with `import torch`) it prints the same text; tests/python/test_examples.py
checks.

    PYTHONPATH=build/release/python /usr/bin/python3 examples/python/autograd.py
"""
import ember as torch
import ember.nn as nn
# --- end of the import lines ---


def compute_z(a, b, c):
    """The notes' compute_z: z = 2 * (a - b) + c."""
    r1 = torch.sub(a, b)
    r2 = torch.mul(r1, 2)
    return torch.add(r2, c)


torch.manual_seed(1)

print("== z = 2 * (a - b) + c ==")
a = torch.tensor(3.14, requires_grad=True)
b = torch.tensor(1.5, requires_grad=True)
c = torch.tensor(0.5, requires_grad=True)
z = compute_z(a, b, c)
print("z =", z)
z.backward()
print("dz/da =", a.grad)  # 2
print("dz/db =", b.grad)  # -2
print("dz/dc =", c.grad)  # 1

print("\n== only floating-point tensors can require gradients ==")
try:
    torch.tensor([1, 2, 3]).requires_grad_()
except RuntimeError as e:
    print("RuntimeError:", e)

print("\n== Glorot (Xavier) initialisation of a tensor that requires grad ==")
w = torch.tensor([1.0, 2.0, 3.0])
w.requires_grad_()
with torch.no_grad():  # initialisers write in place without recording
    nn.init.xavier_normal_(w.view(1, 3))
print("w =", w)

print("\n== the w1..w4 graph: b = w1*a, c = w2*a, d = w3*b + w4*c, L = 10 - d ==")
x = torch.tensor([1.0], requires_grad=True)
w1, w2, w3, w4 = (torch.tensor([1.0], requires_grad=True) for _ in range(4))
bb = w1 * x
cc = w2 * x
d = w3 * bb + w4 * cc
L = 10 - d
print(f"b = {bb}, d = {d}")
print("L =", L)
L.backward()
print(f"dL/dw1 = {w1.grad}, dL/dw2 = {w2.grad}, dL/dw3 = {w3.grad}, dL/dw4 = {w4.grad}")

print("\n== chain rule through z = y * y, y = x + 2 ==")
xs = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
ys = xs + 2
print("y.grad_fn =", type(ys.grad_fn).__name__)
zs = (ys * ys).mean()
print("z.grad_fn =", zs.grad_fn.name(), "next:", [type(f).__name__ for f, _ in zs.grad_fn.next_functions])
zs.backward()
print("dz/dx = 2 * (x + 2) / 3 =", xs.grad)

print("\n== gradients accumulate until zeroed; update under no_grad ==")
p = torch.tensor([0.0], requires_grad=True)
lr = 0.1
for step in range(3):
    loss = ((p - 3) * (p - 3)).sum()  # minimum at p = 3
    loss.backward()
    with torch.no_grad():
        p -= p.grad * lr
    print(f"step {step}: loss {loss.item()}, grad {p.grad.item()}, p {p.item()}")
    p.grad.zero_()

print("\n== torch.autograd.grad and higher derivatives ==")
u = torch.tensor([2.0], requires_grad=True)
f = u ** 3
(df,) = torch.autograd.grad(f, u, create_graph=True)
(d2f,) = torch.autograd.grad(df, u)
print(f"f = u^3 at u = 2: df/du = {df}, d2f/du2 = {d2f}")
