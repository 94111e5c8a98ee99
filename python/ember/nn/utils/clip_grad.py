"""nn.utils.clip_grad_norm_ / clip_grad_value_ (torch's semantics: the total norm over all
gradients, one scale factor clamped to 1)."""
import math

from ... import _C


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    if isinstance(parameters, _C.TensorBase):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    max_norm = float(max_norm)
    norm_type = float(norm_type)
    if len(grads) == 0:
        return _C.tensor(0.0)
    prev = _C.is_grad_enabled()
    _C._set_grad_enabled(False)
    try:
        if norm_type == math.inf:
            norms = [g.detach().abs().max() for g in grads]
            total_norm = norms[0] if len(norms) == 1 else _C.stack(norms).max()
        else:
            total_norm = _C.stack([g.detach().norm(norm_type) for g in grads]).norm(norm_type)
        if error_if_nonfinite and (total_norm.isnan() | total_norm.isinf()).item():
            raise RuntimeError(
                f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
                "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
                "`error_if_nonfinite=False`")
        clip_coef = max_norm / (total_norm + 1e-6)
        clip_coef_clamped = clip_coef.clamp(max=1.0)
        for g in grads:
            g.detach().mul_(clip_coef_clamped)
    finally:
        _C._set_grad_enabled(prev)
    return total_norm


def clip_grad_value_(parameters, clip_value):
    if isinstance(parameters, _C.TensorBase):
        parameters = [parameters]
    clip_value = float(clip_value)
    for p in parameters:
        if p.grad is not None:
            p.grad.data.clamp_(min=-clip_value, max=clip_value)
