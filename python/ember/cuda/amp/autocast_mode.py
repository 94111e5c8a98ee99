"""torch.cuda.amp.autocast, custom_fwd and custom_bwd."""
import functools

from ... import _C
from ...amp import autocast_mode as _amp


class autocast(_amp.autocast):
    """ember.cuda.amp.autocast(args...) is ember.autocast("cuda", args...)."""

    def __init__(self, enabled=True, dtype=_C.float16, cache_enabled=True):
        super().__init__("cuda", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


def _cast(value, dtype):
    if isinstance(value, _C.TensorBase):
        is_eligible = value.is_floating_point() and value.dtype != _C.float64
        return value.to(dtype) if is_eligible else value
    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, dict):
        return {_cast(k, dtype): _cast(v, dtype) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(v, dtype) for v in value)
    return value


def custom_fwd(fwd=None, *, cast_inputs=None):
    """Decorates a custom autograd Function's forward: with cast_inputs, the forward runs with
    autocast off on its floating inputs cast to cast_inputs (when called in an enabled region)."""
    if fwd is None:
        return functools.partial(custom_fwd, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        if cast_inputs is None:
            args[0]._fwd_used_autocast = _C.is_autocast_enabled()
            return fwd(*args, **kwargs)
        autocast_context = _C.is_autocast_enabled()
        args[0]._fwd_used_autocast = False
        if autocast_context:
            with autocast(enabled=False):
                return fwd(*_cast(args, cast_inputs), **_cast(kwargs, cast_inputs))
        return fwd(*args, **kwargs)
    return decorate_fwd


def custom_bwd(bwd):
    """Decorates a custom autograd Function's backward: it runs with the autocast state its
    forward ran with."""
    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        with autocast(args[0]._fwd_used_autocast):
            return bwd(*args, **kwargs)
    return decorate_bwd
