"""nn.Parameter: a Tensor subclass that modules register (torch/nn/parameter.py's rules)."""
from collections import OrderedDict

from .. import _C
from .._tensor import Tensor


class Parameter(Tensor):
    """A new tensor object sharing `data`'s storage (``Tensor._make_subclass``): a leaf that
    requires grad unless told otherwise. Ops on parameters return plain tensors."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _C.empty(0)
        return _C._make_subclass(cls, data, requires_grad)

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self.data, self.requires_grad, OrderedDict()))


def _rebuild_parameter(data, requires_grad, backward_hooks):
    return Parameter(data, requires_grad)


class UninitializedParameter(Parameter):
    pass
