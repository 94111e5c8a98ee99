"""The user's notes' nn / optim / data programs (../shared/seeds/) under torch and ember with
the name `torch` bound to each library: everything they print must be identical (model
printouts, seeded initial outputs, loss sequences). Training loops run with tqdm as in the
notes; epochs are cut down so the test stays short."""
import contextlib
import io
import re
import sys
import types

import pytest
import torch

import ember

PROGRAMS = {
    # 000: nn.Sequential, init, L1 penalty, loss and optimiser construction
    "sequential_init": """
import torch.nn as nn
torch.manual_seed(1)
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 32), nn.ReLU())
print(model)
w = torch.tensor([1.0, 2.0, 3.0])
w.requires_grad_()
torch.manual_seed(1)
nn.init.xavier_normal_(w.view(1, 3))
print(w)
nn.init.xavier_uniform_(model[0].weight)
l1_weight = 0.01
l1_penalty = l1_weight * model[2].weight.abs().sum()
print(l1_penalty)
loss_fn = nn.BCELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.001)
print(loss_fn, optimizer)
""",
    # 003: SimpleClassifier, XORDataset, DataLoader, BCEWithLogitsLoss, SGD, a tqdm training loop
    "xor_classifier": """
import torch.nn as nn
import torch.nn.functional as F
import torch.utils.data as data
from tqdm import tqdm
torch.manual_seed(42)

class SimpleClassifier(nn.Module):
  def __init__(self, dim_in, dim_hidden, dim_out):
    super().__init__()
    self.linear1 = nn.Linear(dim_in, dim_hidden)
    self.activation = nn.Tanh()
    self.linear2 = nn.Linear(dim_hidden, dim_out)
  def forward(self, x):
    x = self.linear1(x)
    x = self.activation(x)
    x = self.linear2(x)
    return x

model = SimpleClassifier(dim_in=2, dim_hidden=4, dim_out=1)
print(model)
for name, param in model.named_parameters():
    print(f"Parameter {name}, shape {param.shape}")

class XORDataset(data.Dataset):
  def __init__(self, size, std=0.1):
    super().__init__()
    self.size = size
    self.std = std
    self.generate_continuous_xor()
  def generate_continuous_xor(self):
    data = torch.randint(low=0, high=2, size=(self.size, 2), dtype=torch.float32)
    labels = (data.sum(dim=1) == 1).int()
    data += self.std * torch.randn(data.shape)
    self.data = data
    self.labels = labels
  def __len__(self):
    return self.size
  def __getitem__(self, idx):
    return self.data[idx], self.labels[idx]

dataset = XORDataset(500)
data_loader = data.DataLoader(dataset, batch_size=8, shuffle=True)
data_inputs, data_labels = next(iter(data_loader))
print("Data inputs", data_inputs.shape, "\\n", data_inputs)
print("Data labels", data_labels.shape, "\\n", data_labels)
loss_module = nn.BCEWithLogitsLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
device = torch.device("cpu")
dataset = XORDataset(size=2500)
data_loader = data.DataLoader(dataset, batch_size=128, shuffle=True)
model.to(device)

def train_model(model, optimizer, data_loader, loss_module, num_epochs=100):
  model.train()
  for epoch in tqdm(range(num_epochs)):
    for inputs, labels in data_loader:
      inputs = inputs.to(device)
      labels = labels.to(device)
      preds = model(inputs)
      preds = preds.squeeze(dim=1)
      loss = loss_module(preds, labels.float())
      optimizer.zero_grad()
      loss.backward()
      optimizer.step()
  print(f"final loss {loss.item():.5f}")

train_model(model, optimizer, data_loader, loss_module, num_epochs=5)
state_dict = model.state_dict()
print(state_dict)
# "Saving a model": torch.save of the state_dict, torch.load, load_state_dict into a new model.
import os, tempfile
path = os.path.join(tempfile.mkdtemp(), "model.tar")
torch.save(state_dict, path)
state_dict = torch.load(path)
model = SimpleClassifier(dim_in=2, dim_hidden=4, dim_out=1)
print(model.load_state_dict(state_dict))
print(model.state_dict())
model.eval()
with torch.no_grad():
    preds = (torch.sigmoid(model(dataset.data).squeeze(1)) > 0.5).int()
    print("accuracy", (preds == dataset.labels).float().mean())
""",
    # 002: FizBuzNet with binary inputs, manual and optim SGD updates, Sequential with Sigmoid
    "fizbuz": """
import numpy as np
import torch.nn as nn
from torch import optim

def binary_encoder(input_size):
    def wrapper(num):
        ret = [int(i) for i in '{0:b}'.format(num)]
        return [0] * (input_size - len(ret)) + ret
    return wrapper

def get_numpy_data(input_size=10, limit=1000):
    x, y = [], []
    encoder = binary_encoder(input_size)
    for i in range(limit):
        x.append(encoder(i))
        if i % 15 == 0: y.append([1, 0, 0, 0])
        elif i % 5 == 0: y.append([0, 1, 0, 0])
        elif i % 3 == 0: y.append([0, 0, 1, 0])
        else: y.append([0, 0, 0, 1])
    return np.array(x), np.array(y)

trX, trY = get_numpy_data(10, 256)
if torch.cuda.is_available():
    xtype = torch.cuda.FloatTensor
    ytype = torch.cuda.LongTensor
else:
    xtype = torch.FloatTensor
    ytype = torch.LongTensor
x = torch.from_numpy(trX).type(xtype)
y = torch.from_numpy(trY).type(ytype)

class FizBuzNet(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super(FizBuzNet, self).__init__()
        self.hidden = nn.Linear(input_size, hidden_size)
        self.out = nn.Linear(hidden_size, output_size)
    def forward(self, batch):
        hidden = self.hidden(batch)
        activated = torch.sigmoid(hidden)
        out = self.out(activated)
        return out

torch.manual_seed(0)
net = FizBuzNet(10, 100, 4)
print(net)
lr = 0.05
loss = nn.MSELoss()
for epoch in range(3):
    hyp = net(x)
    output = loss(hyp, y.float())
    net.zero_grad()
    output.backward()
    with torch.no_grad():
        for p in net.parameters():
            p -= p.grad * lr
    print(epoch, round(output.item(), 5))
optimizer = optim.SGD(net.parameters(), lr=lr)
for epoch in range(3):
    optimizer.zero_grad()
    output = loss(net(x), y.float())
    output.backward()
    optimizer.step()
    print(epoch, round(output.item(), 5))
net.apply(lambda m: print(type(m).__name__))
net.cpu()
seq = nn.Sequential(nn.Linear(10, 20), nn.Sigmoid(), nn.Linear(20, 4), nn.Sigmoid())
print(seq)
""",
    # 004: Linear layers, MyCoolNet and its SGD-with-momentum loop
    "my_cool_net": """
torch.manual_seed(0)
lin = torch.nn.Linear(in_features=3, out_features=5)
x = torch.tensor([1.,2.,3.])
print(repr(lin(x)))
x = torch.tensor([1.,2.,3.])
lin1 = torch.nn.Linear(in_features=3, out_features=5)
lin2 = torch.nn.Linear(in_features=5, out_features=4)
hidden = lin1(x)
output = lin2(hidden)
print(repr(output))

class MyCoolNet(torch.nn.Module):
    def __init__(self, in_size, out_size):
        super(MyCoolNet, self).__init__()
        self.lin1 = torch.nn.Linear(in_size, 10)
        self.lin2 = torch.nn.Linear(10, 15)
        self.lin3 = torch.nn.Linear(15, 10)
        self.lin4 = torch.nn.Linear(10, out_size)
        self.relu = torch.nn.ReLU()
        self.sig = torch.nn.Sigmoid()
    def forward(self, x):
        hidden = self.relu(self.lin1(x))
        hidden = self.relu(self.lin2(hidden))
        hidden = self.relu(self.lin3(hidden))
        output = self.sig(self.lin4(hidden))
        return output

model = MyCoolNet(in_size=5, out_size=5)
x = torch.tensor([1.,2,3,4,5])
print(repr(model(x)))
model = MyCoolNet(in_size=5, out_size=5)
optimizer = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
model = MyCoolNet(in_size=5, out_size=5)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.8)
x = torch.tensor([1.,2,3,4,5])
for i in range(10):
    out = model(x)
    loss = torch.sum((0-out)**2)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    print(f"Loss {i}: {loss.item()}")
print(model)
""",
}


def run(program, lib):
    out = io.StringIO()
    err = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        exec(program, {"torch": lib, "__name__": "__seed__"})
    return out.getvalue()


@pytest.fixture
def torch_names_are_ember():
    """Inside a program run under ember, `import torch.nn as nn` must give ember.nn: the same
    redirection `python3 -m ember.run` installs, undone afterwards."""
    from ember import run as ember_run
    saved = {k: v for k, v in sys.modules.items() if k == "torch" or k.startswith("torch.")}
    yield ember_run
    for k in [k for k in sys.modules if k == "torch" or k.startswith("torch.")]:
        del sys.modules[k]
    sys.modules.update(saved)
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, ember_run._TorchToEmber)]


_FULL_FLOAT = re.compile(r"^(.*?)(-?\d+\.\d{9,}(?:e-?\d+)?)$")


def same_output(expected, got):
    """Line for line identical, except that a line ending in a float printed to full
    precision (`print(loss.item())`) may differ in its last bits: ember sums in a different
    order than torch's vectorised cascade, so a float32 sum can round 1 ulp apart
    (docs/pytorch-differences.md, "Summation order"). Those floats must agree to 1e-6."""
    e_lines, g_lines = expected.split("\n"), got.split("\n")
    if len(e_lines) != len(g_lines):
        return False
    for e, g in zip(e_lines, g_lines):
        if e == g:
            continue
        me, mg = _FULL_FLOAT.match(e), _FULL_FLOAT.match(g)
        if not (me and mg and me.group(1) == mg.group(1)):
            return False
        if abs(float(me.group(2)) - float(mg.group(2))) > 1e-6 * max(1.0, abs(float(me.group(2)))):
            return False
    return True


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_seed_program_prints_what_torch_prints(name, torch_names_are_ember):
    expected = run(PROGRAMS[name], torch)
    torch_names_are_ember.install()
    got = run(PROGRAMS[name], ember)
    assert same_output(expected, got), f"--- torch\n{expected}\n--- ember\n{got}"
