"""PyTorch's side of the .pt interop tests (tests/cpp/test_serialization.cpp).

  /usr/bin/python3 pt_interop.py check-recipe FILE      # torch.load(weights_only=True) of ember's file
  /usr/bin/python3 pt_interop.py check-checkpoint FILE  # torch.load of ember's checkpoint dict (floats:
                                                        # 1.13's weights_only lacks BINFLOAT)
  /usr/bin/python3 pt_interop.py check-model FILE       # torch.load(weights_only=True) of ember's module
  /usr/bin/python3 pt_interop.py write DIR              # torch.save the same objects for ember to read

Both directions compare against the objects built here and, identically, in the C++ test:
RECIPE (every dtype, from arange), views sharing a storage, and CHECKPOINT (a checkpoint
dict of numbers, strings, containers, a Parameter, a module's state_dict and Adam's and
SGD's state). Exit status 0 and "ok" on success; a message and 1 otherwise.
"""
import collections
import io
import math
import os
import struct
import sys
import zipfile

import torch

from interop_recipe import make  # the recipe formula, shared with the C++ tests

# (name, dtype, shape, kind, a, b): float -> (arange - a) * b; int -> arange * a + b;
# bool -> arange % a == 0. Keep in sync with kRecipe in test_serialization.cpp.
RECIPE = [
    ("bool", torch.bool, [3, 4], "bool", 3, 0),
    ("uint8", torch.uint8, [5], "int", 50, 3),
    ("int8", torch.int8, [2, 3], "int", 40, -100),
    ("int16", torch.int16, [4], "int", 1000, -1500),
    ("int32", torch.int32, [2, 2, 2], "int", 100000, -300000),
    ("int64", torch.int64, [3], "int", 1 << 40, -5),
    ("float16", torch.float16, [2, 5], "float", 4.5, 0.37),
    ("bfloat16", torch.bfloat16, [7], "float", 3.0, 1.3),
    ("float32", torch.float32, [3, 4], "float", 5.5, 0.1),
    ("float64", torch.float64, [2, 3], "float", 2.0, 1e-3),
    ("scalar", torch.float32, [], "float", -3.25, 1.0),
    ("empty", torch.float32, [0, 3], "float", 0.0, 1.0),
    ("empty_int", torch.int64, [2, 0], "int", 1, 0),
]


def recipe():
    """The recipe plus views: 'transposed' (non-contiguous), 'slice' and 'row' (views of
    the storage of 'float32', at offsets 2 and 4), 'expanded' (stride 0)."""
    d = collections.OrderedDict()
    for r in RECIPE:
        d[r[0]] = make(*r[1:])
    d["transposed"] = make(torch.float32, [4, 3], "float", 5.5, 0.1).t()
    d["slice"] = d["float32"].view(-1)[2:7]
    d["row"] = d["float32"][1]
    d["expanded"] = torch.tensor([1.0, 2.0, 3.0]).expand(4, 3)
    d["specials"] = torch.tensor([math.nan, math.inf, -math.inf, -0.0, 1e-45, 3.4e38])
    return d


def model():
    """Keep in sync with make_model() in test_serialization.cpp."""
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(), torch.nn.Linear(4, 2))


def checkpoint():
    m = model()
    adam = torch.optim.Adam(m.parameters(), lr=1e-3)
    sgd = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    x = torch.linspace(-1, 1, 15).reshape(5, 3)
    for opt in (adam, sgd):
        for _ in range(2):
            opt.zero_grad()
            m(x).square().sum().backward()
            opt.step()
    return {
        "epoch": 7,
        "best_acc": 0.8125,
        "lr": 0.001,
        "betas": (0.9, 0.999),
        "name": "run-\u03b1\u00e9",
        "flags": [True, False, None],
        "big": 2**40,
        "neg": -123456789012,
        "small_neg": -3,
        "param": torch.nn.Parameter(torch.ones(2, 2)),
        "nested": {"a": [1, 2, {"b": torch.zeros(2)}], "t": (1, "x", 2.5, ())},
        "model": m.state_dict(),
        "adam": adam.state_dict(),
        "sgd": sgd.state_dict(),
    }


def fail(msg):
    print(msg)
    sys.exit(1)


def same(a, b, what):
    if not isinstance(a, torch.Tensor):
        fail(f"{what}: not a tensor but {type(a)}")
    if a.dtype != b.dtype or a.shape != b.shape:
        fail(f"{what}: {a.dtype}{list(a.shape)} vs {b.dtype}{list(b.shape)}")
    if a.is_floating_point():  # NaN equal to NaN, and -0.0 not equal to 0.0
        x, y = a.double(), b.double()
        ok = (torch.equal(x.isnan(), y.isnan()) and bool(((x == y) | x.isnan()).all()) and
              torch.equal(torch.signbit(x), torch.signbit(y)))
    else:
        ok = torch.equal(a, b)
    if not ok:
        fail(f"{what}: values differ:\n{a}\n{b}")


def check_zip(path):
    """Python's zipfile reads the archive, every CRC matches, and every record's data starts
    at a multiple of 64 bytes, as PyTorch's writer places it."""
    with zipfile.ZipFile(path) as z:
        bad = z.testzip()
        if bad is not None:
            fail(f"zipfile: bad CRC in {bad}")
        with open(path, "rb") as fh:
            raw = fh.read()
        for info in z.infolist():
            name_len, extra_len = struct.unpack_from("<HH", raw, info.header_offset + 26)
            start = info.header_offset + 30 + name_len + extra_len
            if start % 64 != 0:
                fail(f"zipfile: {info.filename} starts at {start}, not a multiple of 64")


def check_recipe(path):
    check_zip(path)
    d = torch.load(path, weights_only=True)
    if type(d) is not collections.OrderedDict:
        fail(f"expected an OrderedDict, got {type(d)}")
    want = recipe()
    if list(d.keys()) != list(want.keys()):
        fail(f"keys {list(d.keys())} != {list(want.keys())}")
    for k, v in want.items():
        same(d[k], v, k)
        if d[k].stride() != v.stride():
            fail(f"{k}: stride {d[k].stride()} != {v.stride()}")
        if d[k].storage_offset() != v.storage_offset():
            fail(f"{k}: storage offset {d[k].storage_offset()} != {v.storage_offset()}")
    f32 = d["float32"].storage().data_ptr()
    if d["slice"].storage().data_ptr() != f32 or d["row"].storage().data_ptr() != f32:
        fail("'slice' and 'row' do not share the storage of 'float32'")
    d["slice"][0] = 100.0
    if d["float32"][0, 2] != 100.0:
        fail("a write through 'slice' is not seen through 'float32'")
    if len(d["transposed"].storage()) != 12 or len(d["expanded"].storage()) != 3:
        fail("storage sizes differ")
    print("ok")


def check_checkpoint(path):
    c = torch.load(path)
    want = checkpoint()
    if type(c) is not dict or list(c.keys()) != list(want.keys()):
        fail(f"keys {list(c.keys())} != {list(want.keys())}")
    for k in ("epoch", "best_acc", "lr", "betas", "name", "flags", "big", "neg", "small_neg"):
        if c[k] != want[k] or type(c[k]) is not type(want[k]):
            fail(f"{k}: {c[k]!r} != {want[k]!r}")
    if type(c["param"]) is not torch.nn.Parameter or not c["param"].requires_grad:
        fail(f"param: {type(c['param'])}")
    same(c["param"].data, want["param"].data, "param")
    n = c["nested"]
    if n["a"][:2] != [1, 2] or n["t"] != (1, "x", 2.5, ()):
        fail(f"nested: {n!r}")
    same(n["a"][2]["b"], torch.zeros(2), "nested b")
    sd = c["model"]
    if type(sd) is not collections.OrderedDict:
        fail(f"model: {type(sd)}")
    meta = getattr(sd, "_metadata", None)
    want_meta = want["model"]._metadata
    if meta is None or dict(meta) != dict(want_meta):
        fail(f"model._metadata {meta} != {want_meta}")
    m = model()
    m.load_state_dict(sd)
    for k, v in want["model"].items():
        same(sd[k], v, "model." + k)
    for name in ("adam", "sgd"):
        got, exp = c[name], want[name]
        if got["param_groups"] != exp["param_groups"]:
            fail(f"{name} param_groups {got['param_groups']} != {exp['param_groups']}")
        if sorted(got["state"].keys()) != sorted(exp["state"].keys()):
            fail(f"{name} state keys")
        for i, st in exp["state"].items():
            for k, v in st.items():
                same(got["state"][i][k], v, f"{name} state {i} {k}")
    print("ok")


def check_model(path):
    """ember's make_model() state: torch's weights_only loader reads it, its _metadata is
    torch's, and (ember's initialisers draw PyTorch's random streams) it equals torch's
    model() after the same seed."""
    sd = torch.load(path, weights_only=True)
    want = model().state_dict()
    if type(sd) is not collections.OrderedDict or list(sd.keys()) != list(want.keys()):
        fail(f"keys {list(sd.keys())} != {list(want.keys())}")
    if dict(sd._metadata) != dict(want._metadata):
        fail(f"_metadata {sd._metadata} != {want._metadata}")
    for k, v in want.items():
        same(sd[k], v, k)
    m = model()
    m.load_state_dict(sd)
    print("ok")


def rewrap_2x(src, dst):
    """A torch 1.13 file re-zipped in the 2.x layout (the pickle is the same for legacy
    dtypes): + .format_version, .storage_alignment, byteorder, .data/serialization_id,
    storages in numeric order."""
    z = zipfile.ZipFile(src)
    prefix = z.namelist()[0].split("/")[0]
    recs = {n[len(prefix) + 1:]: z.read(n) for n in z.namelist()}
    keys = sorted((n for n in recs if n.startswith("data/")), key=lambda n: int(n[5:]))
    order = (["data.pkl", ".format_version", ".storage_alignment", "byteorder"] + keys +
             ["version", ".data/serialization_id"])
    recs.update({".format_version": b"1", ".storage_alignment": b"64", "byteorder": b"little",
                 ".data/serialization_id": b"0123456789" * 4})
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as out:
        for n in order:
            out.writestr(prefix + "/" + n, recs[n])


def write(out):
    os.makedirs(out, exist_ok=True)
    torch.save(recipe(), os.path.join(out, "torch_recipe.pt"))
    torch.save(checkpoint(), os.path.join(out, "torch_checkpoint.pt"))
    torch.save(recipe(), os.path.join(out, "torch_recipe_p4.pt"), pickle_protocol=4)
    rewrap_2x(os.path.join(out, "torch_recipe.pt"), os.path.join(out, "torch_recipe_2x.pt"))
    buf = io.BytesIO()
    torch.save(torch.arange(6.0).reshape(2, 3), buf)
    with open(os.path.join(out, "torch_tensor.pt"), "wb") as fh:
        fh.write(buf.getvalue())
    print("ok")


def main():
    mode, arg = sys.argv[1], sys.argv[2]
    {"check-recipe": check_recipe, "check-checkpoint": check_checkpoint, "check-model": check_model,
     "write": write}[mode](arg)


if __name__ == "__main__":
    main()
