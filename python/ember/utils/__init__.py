"""ember.utils (torch.utils): dlpack, hooks, data, tensorboard."""
from . import dlpack, hooks  # noqa: F401


def __getattr__(name):
    if name in ("data", "tensorboard"):
        import importlib
        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module 'ember.utils' has no attribute '{name}'")
