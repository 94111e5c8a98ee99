#!/usr/bin/env python3
"""The layering check (docs/architecture.md, "Layers"): fails when a file under ember/
includes a header of a layer above its own, and prints the lines of code per layer.

    core < kernels < cpu < ops < autograd < nn, optim, data, io, utils, metrics < distributed < python

Allowed exceptions are listed in ALLOWED with the reason; anything else is an error, so the
architecture cannot erode without someone editing this list (and the docs) on purpose.
Usage: scripts/check_layers.py [repository root]
"""
import pathlib
import re
import sys

RANK = {"core": 0, "kernels": 1, "cpu": 2, "ops": 3, "autograd": 4,
        "nn": 5, "optim": 5, "data": 5, "io": 5, "utils": 5, "metrics": 5,
        "distributed": 6, "python": 7}

# (including layer, included header) -> why it is allowed.
ALLOWED = {
    # Note [Recording autograd history]: op front ends record their history through
    # autograd::record and the derivative table's declared rows, one narrow interface.
    ("ops", "ember/autograd/record.h"): "recording interface",
    ("ops", "ember/autograd/derivatives.h"): "recording interface",
    ("ops", "ember/autograd/derivatives_functional.h"): "recording interface",
    ("ops", "ember/autograd/derivatives_nn.h"): "recording interface",
    ("ops", "ember/autograd/grad_mode.h"): "recording interface",
    # Printing a tensor names its grad_fn ("grad_fn=<AddBackward0>").
    ("ops", "ember/autograd/node.h"): "print shows grad_fn",
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"(ember/([a-z_]+)/[^"]+)"')


def main(root: pathlib.Path) -> int:
    src = root / "ember"
    lines = {layer: 0 for layer in RANK}
    errors = []
    for path in sorted(src.rglob("*")):
        if path.suffix not in (".h", ".cpp", ".inl") or not path.is_file():
            continue
        rel = path.relative_to(src)
        if len(rel.parts) < 2 or rel.parts[0] not in RANK:
            continue  # ember/ember.h, the umbrella header, may include everything
        layer = rel.parts[0]
        text = path.read_text(errors="replace").splitlines()
        lines[layer] += len(text)
        for number, line in enumerate(text, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            header, target = m.group(1), m.group(2)
            if target in RANK and RANK[target] > RANK[layer] and (layer, header) not in ALLOWED:
                errors.append(f"ember/{rel}:{number}: {layer}/ includes {header} ({target}/ is above {layer}/)")
    for layer, count in lines.items():
        if count:
            print(f"{layer:9s} {count:7d} lines")
    for e in errors:
        print(e)
    if errors:
        print(f"layering check: {len(errors)} include(s) of a higher layer; see docs/architecture.md")
        return 1
    print("layering check: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)))
