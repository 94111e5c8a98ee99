"""ember: a deep-learning framework with PyTorch's API on a C++ core.

``import ember as torch`` runs PyTorch code: the namespace mirrors torch's (dtypes,
factories, ops, autograd, grad modes). The numerics are C++ (ember._C); this package
only shapes the API. NumPy is imported on first use, never at import time.
"""
import builtins as _builtins

from . import _C
from ._size import Size

_C._set_size_class(Size)

from ._tensor import Tensor  # noqa: E402

_C._set_tensor_class(Tensor)
_C._install_tensor_methods(Tensor)

# Every public name of the extension: dtypes, device, Generator, factories, ops.
for _name in dir(_C):
    if not _name.startswith("_") and _name not in ("TensorBase", "Node"):
        globals()[_name] = getattr(_C, _name)
del _name

# dtype aliases, as torch spells them.
float = float32  # noqa: A001,F821
double = float64  # noqa: F821
half = float16  # noqa: F821
long = int64  # noqa: F821
int = int32  # noqa: A001,F821
short = int16  # noqa: F821
# Activations of the op table that torch also exposes at top level.
for _name in ("leaky_relu", "selu", "celu", "hardtanh", "softplus", "threshold", "rrelu"):
    if hasattr(_C._nn, _name):
        globals()[_name] = getattr(_C._nn, _name)
del _name

from . import autograd  # noqa: E402
from .autograd.grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled  # noqa: E402
from . import cuda, backends, return_types  # noqa: E402
from . import amp, cpu  # noqa: E402
from .amp import autocast  # noqa: E402
_amp_foreach_non_finite_check_and_unscale_ = _C._amp_foreach_non_finite_check_and_unscale_
_amp_update_scale_ = _C._amp_update_scale_
from .serialization import save, load  # noqa: E402
from ._legacy import (BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor,  # noqa: E402
                      IntTensor, LongTensor, ShortTensor, BFloat16Tensor)

__version__ = "0.1.0"
strided = "torch.strided"
_deterministic = [False, False]


def is_tensor(obj):
    return isinstance(obj, _C.TensorBase)


def is_storage(obj):
    return False


def manual_seed(seed):
    """Seeds the default generator; like torch, anything int() accepts (a NumPy integer, a
    float) is a seed."""
    return _C.manual_seed(_builtins.int(seed))


def is_floating_point(input):  # noqa: A002
    return input.is_floating_point()


def numel(input):  # noqa: A002
    return input.numel()


def from_numpy(ndarray):
    """A tensor sharing the array's memory (the array stays alive as long as the tensor)."""
    return _C._from_buffer(ndarray)


def typename(obj):
    if isinstance(obj, _C.TensorBase):
        return obj.type()
    module = getattr(type(obj), "__module__", "")
    qualname = type(obj).__qualname__
    return qualname if module in ("builtins", "", None) else module + "." + qualname


def use_deterministic_algorithms(mode, *, warn_only=False):
    """ember's CPU kernels are deterministic: the flag is recorded for code that reads it."""
    _deterministic[0] = _builtins.bool(mode)
    _deterministic[1] = _builtins.bool(warn_only)


def are_deterministic_algorithms_enabled():
    return _deterministic[0]


def is_deterministic_algorithms_warn_only_enabled():
    return _deterministic[1]


def get_printoptions():
    return _C._get_printoptions()


def is_grad_enabled():
    return _C.is_grad_enabled()


# Submodules imported on first use (PEP 562): ember.utils.dlpack works after `import ember`
# without paying for it at import time.
_LAZY_SUBMODULES = ("utils", "nn", "optim", "vision", "metrics", "distributed", "futures")


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        import importlib
        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module 'ember' has no attribute '{name}'")
