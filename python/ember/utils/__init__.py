"""ember.utils (torch.utils): dlpack, data; tensorboard comes with its issue."""
from . import dlpack  # noqa: F401


def __getattr__(name):
    if name == "data":
        import importlib
        return importlib.import_module(".data", __name__)
    raise AttributeError(f"module 'ember.utils' has no attribute '{name}'")
