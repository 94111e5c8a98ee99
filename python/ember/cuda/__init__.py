"""ember.cuda: ember has no CUDA backend yet, so CUDA is never available; the seeding calls
are accepted (and do nothing), and making a CUDA tensor raises a clear error."""


def is_available():
    return False


def device_count():
    return 0


def manual_seed(seed):
    pass


def manual_seed_all(seed):
    pass


def is_initialized():
    return False


def synchronize(device=None):
    pass


def empty_cache():
    pass


def current_device():
    raise RuntimeError("ember was built without CUDA support")


class _CudaTensorType:
    def __init__(self, name):
        self.__name__ = name

    def __call__(self, *args, **kwargs):
        raise RuntimeError("ember was built without CUDA support: torch.cuda.%s is not available" % self.__name__)

    def __instancecheck__(self, obj):
        return False


FloatTensor = _CudaTensorType("FloatTensor")
DoubleTensor = _CudaTensorType("DoubleTensor")
LongTensor = _CudaTensorType("LongTensor")
IntTensor = _CudaTensorType("IntTensor")
ByteTensor = _CudaTensorType("ByteTensor")
BoolTensor = _CudaTensorType("BoolTensor")
HalfTensor = _CudaTensorType("HalfTensor")


def is_bf16_supported():
    raise RuntimeError("ember was built without CUDA support")


from . import amp  # noqa: E402,F401
