"""ember.Tensor: the Python class over ember._C.TensorBase (as torch.Tensor is over
torch._C._TensorBase). Operators, attributes and most methods are C (ember._C); this
file holds what PyTorch itself writes in Python: repr, iteration, NumPy and autograd
entry points."""
from . import _C
from .autograd.grad_mode import no_grad


class Tensor(_C.TensorBase):
    # ---- printing -------------------------------------------------------------------------
    def __repr__(self, *, tensor_contents=None):
        return _C._tensor_repr(self)

    def __str__(self):
        return self.__repr__()

    def __format__(self, format_spec):
        if self.dim() == 0 and type(self) is Tensor:
            return self.item().__format__(format_spec)
        return object.__format__(self, format_spec)

    # ---- containers ---------------------------------------------------------------------------
    def __iter__(self):
        if self.dim() == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __reversed__(self):
        if self.dim() == 0:
            return self
        return self.flip(0)

    def __contains__(self, element):
        if isinstance(element, (Tensor, int, float, bool)):
            return bool((element == self).any().item())
        raise RuntimeError(
            "Tensor.__contains__ only supports Tensor or scalar, but you passed in a %s." % type(element))

    # ---- NumPy ------------------------------------------------------------------------------
    __array_priority__ = 1000  # NumPy defers binary operators to tensors

    def numpy(self, *, force=False):
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        import numpy
        # memoryview(self) goes through the buffer protocol (ember._C): it shares memory and
        # raises for the dtypes NumPy lacks (bfloat16).
        return numpy.asarray(memoryview(self))

    def __array__(self, dtype=None):
        array = self.detach().numpy()
        return array if dtype is None else array.astype(dtype, copy=False)

    # ---- autograd ---------------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        _C._backward((self,), None if gradient is None else (gradient,), retain_graph, create_graph, inputs)

    def register_hook(self, hook):
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        return _C._register_hook(self, hook)

    @property
    def is_shared(self):
        return False

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        with no_grad():
            result = self.clone()
        result.requires_grad_(self.requires_grad)
        if self.grad is not None:
            result.grad = self.grad.__deepcopy__(memo)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        # Raw bytes (DataLoader workers send batches this way); .pt files are the
        # checkpoints issue's format, not pickle of this.
        t = self.detach().contiguous()
        if t.dtype is _C.bfloat16:
            t = t.view(_C.int16)
        data = bytes(memoryview(t).cast("B")) if t.numel() else b""
        return (_rebuild_tensor, (data, str(self.dtype), tuple(self.shape), self.requires_grad))

    __module__ = "ember"


_FORMATS = {"torch.float32": "f", "torch.float64": "d", "torch.float16": "e", "torch.bfloat16": "h",
            "torch.int64": "q", "torch.int32": "i", "torch.int16": "h", "torch.int8": "b", "torch.uint8": "B",
            "torch.bool": "?"}


def _rebuild_tensor(data, dtype_name, shape, requires_grad):
    count = 1
    for s in shape:
        count *= s
    if count == 0:
        t = _C.empty(0, dtype=getattr(_C, dtype_name.split(".")[1]))
    else:
        t = _C._from_buffer(memoryview(bytearray(data)).cast(_FORMATS[dtype_name], (count,)))
    if dtype_name == "torch.bfloat16":
        t = t.view(_C.bfloat16)
    t = t.reshape(shape)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _zero_grads(params, set_to_none=False):
    """torch's zero_grad of Module and Optimizer, one rule for both: each existing .grad is
    dropped (set_to_none) or detached from any graph and zeroed in place."""
    for p in params:
        if p.grad is None:
            continue
        if set_to_none:
            p.grad = None
        else:
            if p.grad.grad_fn is not None:
                p.grad.detach_()
            else:
                p.grad.requires_grad_(False)
            p.grad.zero_()
