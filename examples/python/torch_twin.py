#!/usr/bin/env python3
"""The PyTorch twin of an ember example: the same file with its import lines (everything
above the line `# --- end of the import lines ---`) pointing at torch and torchvision
instead of ember and ember.vision. The rest of an example never names ember, so the two
programs differ in their imports only; tests and benchmarks run both.

    /usr/bin/python3 examples/python/torch_twin.py examples/python/autograd.py > /tmp/autograd_torch.py
"""
import sys

MARKER = "# --- end of the import lines ---"


def torch_twin(source):
    head, marker, body = source.partition(MARKER)
    if not marker:
        raise ValueError(f"no '{MARKER}' line: the example's import lines are not marked")
    if "ember" in body:
        raise ValueError("the example names ember below its import lines")
    head = head.replace("ember.vision", "torchvision").replace("ember", "torch")
    return head + marker + body


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        sys.stdout.write(torch_twin(f.read()))
