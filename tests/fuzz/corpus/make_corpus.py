"""Writes the seed corpora of the libFuzzer targets (tests/fuzz/libfuzzer) into this
directory: pt/ (whole checkpoints), pickle/ (their data.pkl records), safetensors/.

  PYTHONPATH=build/release/python /usr/bin/python3 tests/fuzz/corpus/make_corpus.py

Seeds are small valid files of every kind the readers meet: torch.save's (1.13, protocol 2
and 4, the 2.x layout), ember.save's, and the hand-built layouts of tests/pt_files.py.
"""
import collections
import io
import json
import os
import struct
import sys
import zipfile

import torch

import ember

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
import pt_files  # noqa: E402
import pt_interop  # noqa: E402


def torch_bytes(obj, **kw):
    buf = io.BytesIO()
    torch.save(obj, buf, **kw)
    return buf.getvalue()


def ember_bytes(obj):
    buf = io.BytesIO()
    ember.save(obj, buf)
    return buf.getvalue()


def main():
    pt = {}
    torch.manual_seed(0)
    small = collections.OrderedDict(w=torch.arange(6.0).reshape(2, 3), b=torch.tensor([1, 2], dtype=torch.int8))
    small["v"] = small["w"].t()
    small._metadata = collections.OrderedDict({"": {"version": 1}})
    pt["torch_state_dict.pt"] = torch_bytes(small)
    pt["torch_state_dict_p4.pt"] = torch_bytes(small, pickle_protocol=4)
    pt["torch_tensor.pt"] = torch_bytes(torch.tensor(3.5))
    pt["torch_bool_half.pt"] = torch_bytes([torch.tensor([True, False]), torch.ones(2, dtype=torch.float16),
                                            torch.zeros(1, dtype=torch.bfloat16)])
    pt["torch_checkpoint.pt"] = torch_bytes({"epoch": 2, "lr": 0.5, "betas": (0.9, 0.99), "name": "x",
                                             "p": torch.nn.Parameter(torch.ones(2)), "none": None,
                                             "big": 2**40, "nested": [{"a": [1, -2]}], "dtype": torch.float32,
                                             "size": torch.Size([2, 3]), "device": torch.device("cpu")})
    lin = torch.nn.Linear(2, 2)
    adam = torch.optim.Adam(lin.parameters())
    lin(torch.ones(1, 2)).sum().backward()
    adam.step()
    pt["torch_adam.pt"] = torch_bytes(adam.state_dict())
    src = os.path.join(HERE, "tmp_src.pt")
    with open(src, "wb") as fh:
        fh.write(pt["torch_state_dict.pt"])
    pt_interop.rewrap_2x(src, os.path.join(HERE, "tmp_2x.pt"))
    with open(os.path.join(HERE, "tmp_2x.pt"), "rb") as fh:
        pt["torch_layout_2x.pt"] = fh.read()
    os.remove(src)
    os.remove(os.path.join(HERE, "tmp_2x.pt"))
    pt["ember_state_dict.pt"] = ember_bytes(ember.nn.Sequential(ember.nn.Linear(2, 2), ember.nn.BatchNorm1d(2)).state_dict())
    pt["ember_checkpoint.pt"] = ember_bytes({"epoch": 1, "acc": 0.25, "t": (1, "a", None, True), "l": [ember.zeros(0)],
                                             "param": ember.nn.Parameter(ember.ones(1))})
    pt["ember_empty_dict.pt"] = ember_bytes({})
    for name, data in pt_files.layout_cases():
        pt["layout_" + name] = data

    os.makedirs(os.path.join(HERE, "pt"), exist_ok=True)
    os.makedirs(os.path.join(HERE, "pickle"), exist_ok=True)
    for name, data in pt.items():
        with open(os.path.join(HERE, "pt", name), "wb") as fh:
            fh.write(data)
        z = zipfile.ZipFile(io.BytesIO(data))
        pkl = next(n for n in z.namelist() if n.endswith("/data.pkl"))
        with open(os.path.join(HERE, "pickle", name.replace(".pt", ".pkl")), "wb") as fh:
            fh.write(z.read(pkl))

    def safetensors(tensors, metadata=None):
        header, blob = {}, b""
        if metadata:
            header["__metadata__"] = metadata
        for name, (dtype, shape, data) in tensors.items():
            header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(data)]}
            blob += data
        text = json.dumps(header, separators=(",", ":")).encode()
        text += b" " * ((8 - len(text) % 8) % 8)
        return struct.pack("<Q", len(text)) + text + blob

    st = {
        "two.safetensors": safetensors({"w": ("F32", [2, 2], struct.pack("<4f", 1, 2, 3, 4)),
                                        "b": ("I64", [1], struct.pack("<q", -3))}, {"format": "pt"}),
        "dtypes.safetensors": safetensors({"h": ("F16", [2], b"\0<\0<"), "bf": ("BF16", [1], b"\x80?"),
                                           "u": ("U8", [3], b"abc"), "t": ("BOOL", [2], b"\1\0"),
                                           "s": ("I16", [], b"\1\0"), "e": ("F64", [0, 3], b"")}),
        "empty.safetensors": safetensors({}),
    }
    os.makedirs(os.path.join(HERE, "safetensors"), exist_ok=True)
    for name, data in st.items():
        with open(os.path.join(HERE, "safetensors", name), "wb") as fh:
            fh.write(data)
    print(f"{len(pt)} .pt seeds, {len(pt)} pickle seeds, {len(st)} safetensors seeds")


if __name__ == "__main__":
    main()
