"""ember.utils (torch.utils): dlpack, data, tensorboard."""
from . import dlpack  # noqa: F401


def __getattr__(name):
    if name in ("data", "tensorboard"):
        import importlib
        return importlib.import_module(".data", __name__)
    raise AttributeError(f"module 'ember.utils' has no attribute '{name}'")
