"""ember.save / ember.load: PyTorch's checkpoint format (docs/checkpoints.md).

Files go both ways: torch.load reads what ember.save writes (with weights_only=True where
PyTorch's restricted loader can), and ember.load reads what torch.save writes. ember.load
is always the safe loader: it builds tensors, Parameters, dicts, OrderedDicts, lists,
tuples, numbers, strings and dtypes, and never imports or calls anything a file names,
whatever `weights_only` says.
"""
import os
import pickle

from . import _C

DEFAULT_PROTOCOL = 2


def _is_path(f):
    return isinstance(f, (str, os.PathLike))


def save(obj, f, pickle_module=None, pickle_protocol=DEFAULT_PROTOCOL, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """torch.save: writes `obj` (tensors, Parameters, dicts, OrderedDicts, lists, tuples,
    str, int, float, bool, None, dtypes, nested) to `f`, a path (written to a temporary
    file and renamed, so a crash leaves the old file intact) or a binary file object."""
    if pickle_module is not None and pickle_module is not pickle:
        raise ValueError("ember.save: only the standard pickle protocol is supported (pickle_module)")
    if not _use_new_zipfile_serialization:
        raise ValueError("ember.save: only the zip file format (PyTorch 1.6+) is supported")
    if _is_path(f):
        _C._save(obj, os.fsdecode(f))
        return
    if not hasattr(f, "write"):
        raise AttributeError(f"ember.save: expected a path or a binary file object with write(), got {type(f).__name__}")
    f.write(_C._save(obj, None))


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """torch.load: reads a torch.save / ember.save checkpoint from a path or a binary file
    object. Every tensor is loaded to the CPU (`map_location` may name the CPU only).
    With mmap=True (a path only) the file is mapped and tensors share its pages until
    written (copy-on-write). `weights_only` is accepted for torch's signature; ember's
    loader is always the restricted one, and a file naming anything else fails with
    "Unsupported global: GLOBAL <module>.<name> ..." (pickle.UnpicklingError), as torch's
    weights_only loader does."""
    if pickle_module is not None and pickle_module is not pickle:
        raise ValueError("ember.load: only the standard pickle protocol is supported (pickle_module)")
    _check_map_location(map_location)
    try:
        if _is_path(f):
            return _C._load(os.fsdecode(f), bool(mmap))
        if mmap:
            raise ValueError("f must be a file path in order to use the mmap argument")
        if not hasattr(f, "read"):
            raise AttributeError(f"ember.load: expected a path or a binary file object with read(), got {type(f).__name__}")
        data = f.read()
        if not isinstance(data, bytes):
            data = bytes(data)
        name = getattr(f, "name", None)
        return _C._load(data, False, name if isinstance(name, str) else "<file object>")
    except RuntimeError as e:
        message = str(e)
        if "Unsupported global" in message or "Unsupported operand" in message:
            raise pickle.UnpicklingError(message) from None
        raise


def _check_map_location(map_location):
    """ember has only the CPU, where it loads everything: map_location may say so ('cpu', a
    CPU device, a dict mapping locations to 'cpu'). A callable, as in the common
    `map_location=lambda storage, loc: storage`, is accepted and not called."""
    if map_location is None or (callable(map_location) and not isinstance(map_location, str)):
        return
    targets = map_location.values() if isinstance(map_location, dict) else [map_location]
    for target in targets:
        if str(target) != "cpu":
            raise RuntimeError(f"ember.load: map_location={map_location!r}: ember loads tensors to the CPU only "
                               "(move them afterwards with .to())")
