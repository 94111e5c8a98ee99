"""torch.autocast for ember: a context manager (and decorator) over the thread-local autocast
state of ember's C++ core (ember/ops/autocast.h). Entering sets the device type's flag and
dtype and the cache flag and counts the nesting; leaving the outermost region drops the
weight-cast cache. The arguments, defaults, warnings and errors are torch 1.13's."""
import functools
import warnings

from .. import _C

__all__ = ["autocast_decorator", "autocast"]


def autocast_decorator(autocast_instance, func):
    @functools.wraps(func)
    def decorate_autocast(*args, **kwargs):
        with autocast_instance:
            return func(*args, **kwargs)
    return decorate_autocast


def _cuda_available():
    from .. import cuda
    return cuda.is_available()


class autocast(object):
    """Runs a region in mixed precision: ops of autocast's lists run in the lower-precision
    dtype (bfloat16 on the CPU) or in float32, whatever their inputs' dtype (docs/amp.md has
    the lists). Wrap the forward pass and the loss, not the backward pass."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        self.device = device_type
        if self.device == "cuda":
            self.fast_dtype = _C.get_autocast_gpu_dtype()
        elif self.device == "cpu":
            self.fast_dtype = _C.get_autocast_cpu_dtype()
        else:
            raise RuntimeError("User specified autocast device_type must be 'cuda' or 'cpu'")
        self._cache_enabled = _C.is_autocast_cache_enabled()
        if enabled and self.device == "cuda" and not _cuda_available():
            warnings.warn("User provided device_type of 'cuda', but CUDA is not available. Disabling")
            enabled = False
        if dtype is not None:
            self.fast_dtype = dtype
        if cache_enabled is not None:
            self._cache_enabled = cache_enabled
        if self.device == "cpu" and self.fast_dtype != _C.bfloat16:
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
                          "CPU Autocast only supports dtype of torch.bfloat16 currently.")
            enabled = False
        if self.device == "cuda" and self.fast_dtype == _C.bfloat16:
            from .. import cuda
            if not cuda.is_bf16_supported():
                raise RuntimeError("Current CUDA Device does not support bfloat16. Please switch dtype to float16.")
        self._enabled = enabled

    def __enter__(self):
        # As torch 1.13: a CPU region asked for another dtype than bfloat16 warned and disabled
        # itself above, and set_autocast_cpu_dtype refuses that dtype here.
        self.prev_cache_enabled = _C.is_autocast_cache_enabled()
        if self.device == "cpu":
            self.prev = _C.is_autocast_cpu_enabled()
            self.prev_fastdtype = _C.get_autocast_cpu_dtype()
            _C.set_autocast_cpu_enabled(self._enabled)
            _C.set_autocast_cpu_dtype(self.fast_dtype)
        else:
            self.prev = _C.is_autocast_enabled()
            self.prev_fastdtype = _C.get_autocast_gpu_dtype()
            _C.set_autocast_gpu_dtype(self.fast_dtype)
            _C.set_autocast_enabled(self._enabled)
        _C.autocast_increment_nesting()
        _C.set_autocast_cache_enabled(self._cache_enabled)

    def __exit__(self, exc_type, exc_val, exc_tb):
        # Leaving the outermost region drops the cached casts.
        if _C.autocast_decrement_nesting() == 0:
            _C.clear_autocast_cache()
        if self.device == "cpu":
            _C.set_autocast_cpu_enabled(self.prev)
            _C.set_autocast_cpu_dtype(self.prev_fastdtype)
        else:
            _C.set_autocast_enabled(self.prev)
            _C.set_autocast_gpu_dtype(self.prev_fastdtype)
        _C.set_autocast_cache_enabled(self.prev_cache_enabled)
        return False

    def __call__(self, func):
        return autocast_decorator(self, func)
