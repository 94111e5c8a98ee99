"""Custom autograd Functions (torch.autograd.Function): subclass with static forward and
backward, call ``MyFunction.apply(...)``. The graph node is C++ (ember._C._function_apply);
this file is the context object's Python API."""
from .. import _C


class FunctionCtx:
    """The ``ctx`` passed to forward and backward. Other attributes may be set freely."""

    def __init__(self):
        self._to_save = ()
        self._dirty = ()
        self._non_differentiable = ()
        self._materialize_grads = True
        self._node = None
        self.needs_input_grad = ()

    def save_for_backward(self, *tensors):
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, _C.TensorBase):
                raise TypeError("save_for_backward can only save variables, but argument %d is of type %s"
                                % (i, type(t).__name__))
        self._to_save = tensors

    @property
    def saved_tensors(self):
        if self._node is None:
            return tuple(self._to_save)
        return _C._saved_tensors(self._node)

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tensors

    def set_materialize_grads(self, value):
        self._materialize_grads = bool(value)


class Function:
    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        if kwargs:
            raise TypeError("apply() takes no keyword arguments")
        return _C._function_apply(cls, args, FunctionCtx())


def once_differentiable(fn):
    import functools

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        from .grad_mode import no_grad
        with no_grad():
            return fn(ctx, *args)

    return wrapper
