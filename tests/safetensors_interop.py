"""PyTorch's side of the safetensors interop tests (tests/cpp/test_safetensors.cpp).

The Python `safetensors` package is not a Debian package, so this file carries a small
reader and writer that follow the format's specification (reference/formats-rng.md
Part 2) with json + struct + torch.frombuffer; when the package is installed, files are
also read with it.

  /usr/bin/python3 safetensors_interop.py check FILE   # read ember's file, compare to RECIPE
  /usr/bin/python3 safetensors_interop.py write FILE   # write RECIPE for ember to read

Both directions compare against RECIPE, which test_safetensors.cpp builds identically in
ember: values computed in float64 (or int64) from arange, then cast.
"""
import json
import struct
import sys

import torch

from interop_recipe import make  # the recipe formula, shared with the C++ tests

DTYPES = {
    "BOOL": torch.bool, "U8": torch.uint8, "I8": torch.int8, "I16": torch.int16,
    "I32": torch.int32, "I64": torch.int64, "F16": torch.float16, "BF16": torch.bfloat16,
    "F32": torch.float32, "F64": torch.float64,
}
NAMES = {v: k for k, v in DTYPES.items()}
# The reference writer's dtype order (largest first), restricted to the dtypes above.
CANONICAL_ORDER = ["I64", "F64", "F32", "I32", "BF16", "F16", "I16", "I8", "U8", "BOOL"]

# (name, dtype, shape, kind, a, b): float -> (arange - a) * b; int -> arange * a + b;
# bool -> arange % a == 0. Keep in sync with kRecipe in test_safetensors.cpp.
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
    ("layer.weight", torch.float32, [2, 3], "float", 1.0, 0.25),
    ("scalar", torch.float32, [], "float", -3.25, 1.0),
    ("empty", torch.float32, [0, 3], "float", 0.0, 1.0),
]


def expected():
    out = {name: make(dt, shape, kind, a, b) for name, dt, shape, kind, a, b in RECIPE}
    # ember saves this one from a transposed (non-contiguous) view.
    out["transposed"] = make(torch.float32, [4, 3], "float", 5.5, 0.1).t()
    return out


def read(path):
    """Reads a safetensors file by the specification; returns (metadata, tensors, raw header)."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    raw = blob[8:8 + n]
    header = json.loads(raw.decode("utf-8"), object_pairs_hook=lambda pairs: pairs)
    data = blob[8 + n:]
    metadata, tensors, end = {}, {}, 0
    for name, info in header:
        if name == "__metadata__":
            metadata = dict(info)
            continue
        info = dict(info)
        begin, stop = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        buf = bytearray(data[begin:stop])
        t = torch.frombuffer(buf, dtype=dtype) if buf else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(info["shape"])
        end = max(end, stop)
    assert end == len(data), f"{len(data) - end} bytes after the last tensor"
    return metadata, tensors, header, n


def check(path):
    metadata, tensors, header, n = read(path)
    assert n % 8 == 0, f"header length {n} is not a multiple of 8"
    names = [name for name, _ in header]
    if metadata:
        assert names[0] == "__metadata__", "__metadata__ must come first"
    entries = [(name, dict(info)) for name, info in header if name != "__metadata__"]
    offsets = [info["data_offsets"] for _, info in entries]
    assert offsets == sorted(offsets), "tensors must be listed in offset order"
    keys = [(CANONICAL_ORDER.index(info["dtype"]), name) for name, info in entries]
    assert keys == sorted(keys), f"not in the reference writer's order: {names}"
    want = expected()
    assert sorted(tensors) == sorted(want), f"names {sorted(tensors)} != {sorted(want)}"
    for name, t in tensors.items():
        w = want[name]
        assert t.dtype == w.dtype, f"{name}: dtype {t.dtype} != {w.dtype}"
        assert t.shape == w.shape, f"{name}: shape {list(t.shape)} != {list(w.shape)}"
        assert torch.equal(t, w), f"{name}: values differ:\n{t}\n{w}"
    try:  # the real reader too, where it is installed
        from safetensors.torch import load_file
        for name, t in load_file(path).items():
            assert torch.equal(t, want[name]), f"safetensors.torch: {name} differs"
    except ImportError:
        pass
    print(f"OK {len(tensors)} tensors, metadata {json.dumps(metadata, sort_keys=True)}")


def write(path):
    """A valid file that is not in canonical form: reverse order, spaced JSON, metadata
    last, odd padding, a non-ASCII name written as a JSON escape."""
    tensors = list(expected().items())[::-1]
    tensors.append(("caf\u00e9.bias", make(torch.float64, [2], "float", 0.0, 0.5)))
    entries, blobs, offset = [], [], 0
    for name, t in tensors:
        raw = t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()
        entries.append((name, {"dtype": NAMES[t.dtype], "shape": list(t.shape),
                               "data_offsets": [offset, offset + len(raw)]}))
        blobs.append(raw)
        offset += len(raw)
    entries.append(("__metadata__", {"format": "pt", "writer": "python"}))
    text = "{" + ", ".join(json.dumps(k) + ": " + json.dumps(v) for k, v in entries) + "}"
    head = text.encode("utf-8") + b"   "
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for raw in blobs:
            f.write(raw)
    print(f"OK wrote {len(tensors)} tensors")


if __name__ == "__main__":
    {"check": check, "write": write}[sys.argv[1]](sys.argv[2])
