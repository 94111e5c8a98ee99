"""The tensor and autograd code blocks of the user's notes (../shared/seeds/), each run
under torch and under ember with the same name `torch` bound to the library, comparing
everything they print (the notebook cells' bare expressions are printed with repr, as
a notebook shows them). The nn/optim/data blocks belong to the nn part of the package."""
import contextlib
import io

import numpy as np
import pytest
import torch

import ember

SNIPPETS = {
    # 000: Chapter 13 notes, "Create a simple graph representing z = 2 * (a - b) + c"
    "compute_z": """
def compute_z(a, b, c):
    r1 = torch.sub(a, b)
    r2 = torch.mul(r1, 2)
    z = torch.add(r2, c)
    return z
print('Scalar Inputs:', compute_z(torch.tensor(1), torch.tensor(2), torch.tensor(3)))
print('Rank 1 Inputs:', compute_z(torch.tensor([1]), torch.tensor([2]), torch.tensor([3])))
print('Rank 2 Inputs:', compute_z(torch.tensor([[1]]), torch.tensor([[2]]), torch.tensor([[3]])))
""",
    # 000: "Create a tensor to allow gradients to be computed"
    "requires_grad": """
a = torch.tensor(3.14, requires_grad=True)
print(a)
w = torch.tensor([1.0, 2.0, 3.0])
w.requires_grad_()
print(w)
print(w.requires_grad, a.requires_grad)
""",
    # 000: computing gradients (the book's example: z = wx + b, loss = (y - z)^2)
    "gradients": """
w = torch.tensor(1.0, requires_grad=True)
b = torch.tensor(0.5, requires_grad=True)
x = torch.tensor([1.4])
y = torch.tensor([2.1])
z = torch.add(torch.mul(w, x), b)
loss = (y - z).pow(2).sum()
loss.backward()
print('dL/dw : ', w.grad)
print('dL/db : ', b.grad)
print(2 * x * ((w * x + b) - y))
""",
    # 004: creating, indexing, slicing
    "creating_indexing_slicing": """
t = torch.tensor([3, 7, 1])
print(t)
t = torch.tensor([[ 2, 5 ],[ 3, 9 ]])
print(t)
print(t[0])
print(t[0][0])
t = torch.tensor([[1,1,1],[2,2,2],[3,3,3]])
print(t)
print()
print(t[0,:]), print(t[1,:])
print()
print(t[:,0])
print()
print(t[0:2, 1:])
""",
    # 004: shape and reshaping
    "shape_reshape": """
t = torch.tensor([[1,1,1],[2,2,2],[3,3,3],[4,4,4]])
print(t.shape)
r = t.view(12)
print(r)
r = t.view(2,-1)
print(r)
""",
    # 004: operations, cat, broadcasting
    "operations_broadcasting": """
x = torch.tensor([1,1])
y = torch.tensor([2,2])
z = x + y
print(z)
z = torch.cat([x,y])
print(z)
print(repr(torch.ones((3,2)) * 2))
print(repr(torch.ones((3,2)) * torch.tensor([[2.,2],[2,2],[2,2]])))
x = torch.zeros((2,3,2))
y = torch.ones((   3,2))
print(x+y)
x = torch.zeros((2,3,2))
y = torch.ones(( 1,3,2))
print(x+y)
x = torch.zeros((2,3,2))
y = torch.ones((     2))
print(x+y)
x = torch.zeros((2,3,2))
y = torch.ones((   3,3))
try:
    print(x+y)
except RuntimeError as e:
    print('RuntimeError:', e)
""",
    # 004: autograd graph
    "autograd_graph": """
y = torch.ones((2,2), requires_grad=True)
print(repr(y.requires_grad))
a = torch.tensor([1.], requires_grad=True)
w1 = torch.tensor([1.], requires_grad=True)
w2 = torch.tensor([1.], requires_grad=True)
w3 = torch.tensor([1.], requires_grad=True)
w4 = torch.tensor([1.], requires_grad=True)
b = w1 * a
c = w2 * a
d = w3 * b + w4 * c
L = 10 - d
print(repr((b, d)))
print(L)
L.backward()
print(w4.grad)
""",
    # 002: from_numpy and the legacy type names
    "from_numpy_types": """
import numpy as np
trX = np.array([[0., 1.], [1., 0.]], dtype=np.float64)
trY = np.array([1, 0])
if torch.cuda.is_available():
    xtype = torch.cuda.FloatTensor
    ytype = torch.cuda.LongTensor
else:
    xtype = torch.FloatTensor
    ytype = torch.LongTensor
x = torch.from_numpy(trX).type(xtype)
y = torch.from_numpy(trY).type(ytype)
print(x, y)
hidden = x @ torch.ones(2, 3)
activated = torch.sigmoid(hidden)
print(activated)
with torch.no_grad():
    print(activated.sum())
""",
    # 003: seeding and random data
    "seeding_random_data": """
torch.manual_seed(1)
torch.cuda.manual_seed(1)
torch.cuda.manual_seed_all(1)
torch.backends.cudnn.deterministic = True
data = torch.randint(low=0, high=2, size=(8, 2), dtype=torch.float32)
data += 0.1 * torch.randn(data.shape)
print(data)
""",
}


def run(snippet, lib):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(snippet, {"torch": lib, "__name__": "__seed__"})
    return out.getvalue()


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_seed_snippet_prints_what_torch_prints(name):
    expected = run(SNIPPETS[name], torch)
    got = run(SNIPPETS[name], ember)
    assert got == expected, f"--- torch\n{expected}\n--- ember\n{got}"
