"""ember.vision: torchvision's API (datasets, transforms) over ember's C++ data pipeline.
`import ember.vision as torchvision`; under `python3 -m ember.run` a script's own
`import torchvision` resolves here."""
import importlib

__version__ = "0.14.1"
_SUBMODULES = ("datasets", "models", "transforms", "utils")


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module 'ember.vision' has no attribute '{name}'")
