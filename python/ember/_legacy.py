"""The legacy typed-tensor names (torch.FloatTensor, torch.LongTensor, ...): calling one
builds a tensor of that dtype (``FloatTensor(2, 3)``, ``LongTensor([1, 2])``), and
``isinstance(t, FloatTensor)`` tests the dtype, as in PyTorch."""
from . import _C


class _LegacyTensorMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, _C.TensorBase) and obj.dtype is cls.dtype and not obj.is_cuda

    def __call__(cls, *args, device=None):
        if len(args) == 1 and not isinstance(args[0], _C.TensorBase) and not isinstance(args[0], int):
            return _C.tensor(args[0], dtype=cls.dtype)
        return _C._legacy_new(*args).to(cls.dtype)

    def __repr__(cls):
        return "<class 'torch.%s'>" % cls.__name__


def _make(name, dtype):
    return _LegacyTensorMeta(name, (), {"dtype": dtype, "is_cuda": False})


FloatTensor = _make("FloatTensor", _C.float32)
DoubleTensor = _make("DoubleTensor", _C.float64)
HalfTensor = _make("HalfTensor", _C.float16)
BFloat16Tensor = _make("BFloat16Tensor", _C.bfloat16)
LongTensor = _make("LongTensor", _C.int64)
IntTensor = _make("IntTensor", _C.int32)
ShortTensor = _make("ShortTensor", _C.int16)
CharTensor = _make("CharTensor", _C.int8)
ByteTensor = _make("ByteTensor", _C.uint8)
BoolTensor = _make("BoolTensor", _C.bool)
