"""torchvision.transforms.functional's conversions and normalisation (torchvision 0.14's
behaviour and messages). PIL and NumPy are imported only when a PIL image or an array is
actually converted, so `import ember.vision` stays cheap."""
from ... import _C
from ..._tensor import Tensor

_PIL_INT_MODES = {"I": "int32", "I;16": "int16", "F": "float32"}


def _is_pil_image(img):
    Image = _pil_image_module(required=False)
    return Image is not None and isinstance(img, Image.Image)


def _pil_image_module(required=True):
    try:
        from PIL import Image
    except ImportError:
        if required:
            raise ImportError("ember.vision needs Pillow for PIL images: apt-get install python3-pil") from None
        return None
    return Image


def _is_numpy(img):
    module = type(img).__module__
    return module == "numpy" and type(img).__name__ == "ndarray"


def _hwc_array_to_chw(array):
    """A [H, W] or [H, W, C] NumPy array as a contiguous [C, H, W] tensor of its dtype."""
    if array.ndim == 2:
        array = array[:, :, None]
    import numpy as np

    return _C._from_buffer(np.ascontiguousarray(array)).permute(2, 0, 1).contiguous()


def _raw_pil_to_tensor(pic):
    """The image's pixels as a [C, H, W] tensor of the dtype PIL stores them in."""
    import numpy as np

    mode = pic.mode
    array = np.array(pic, _PIL_INT_MODES.get(mode, "uint8"), copy=True)
    img = _C._from_buffer(array)
    if mode == "1":
        img = 255 * img
    img = img.view(pic.size[1], pic.size[0], len(pic.getbands()))
    return img.permute(2, 0, 1).contiguous()


def to_tensor(pic):
    if not (_is_pil_image(pic) or _is_numpy(pic)):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if _is_numpy(pic):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        img = _hwc_array_to_chw(pic)
    else:
        img = _raw_pil_to_tensor(pic)
    if img.dtype == _C.uint8:
        return img.to(dtype=_C.get_default_dtype()).div(255)
    return img


def pil_to_tensor(pic):
    if not _is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    import numpy as np

    img = _C._from_buffer(np.array(pic, copy=True))
    img = img.view(pic.size[1], pic.size[0], len(pic.getbands()))
    return img.permute(2, 0, 1)


def to_pil_image(pic, mode=None):
    import numpy as np

    if not (isinstance(pic, Tensor) or _is_numpy(pic)):
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if isinstance(pic, Tensor):
        if pic.ndimension() not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndimension()} dimensions.")
        if pic.ndimension() == 2:
            pic = pic.unsqueeze(0)
        if pic.shape[-3] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {pic.shape[-3]} channels.")
        if pic.is_floating_point() and mode != "F":
            pic = pic.mul(255).byte()
        npimg = np.transpose(pic.numpy(), (1, 2, 0))
    else:
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        if pic.ndim == 2:
            pic = np.expand_dims(pic, 2)
        if pic.shape[-1] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {pic.shape[-1]} channels.")
        npimg = pic
    channels = npimg.shape[2]
    if channels == 1:
        npimg = npimg[:, :, 0]
        expected = {np.dtype("uint8"): "L", np.dtype("int16"): "I;16", np.dtype("int32"): "I",
                    np.dtype("float32"): "F"}.get(npimg.dtype)
        if mode is not None and mode != expected:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {np.dtype}. Should be {expected}")
        mode = expected
    else:
        permitted = {2: ["LA"], 4: ["RGBA", "CMYK", "RGBX"], 3: ["RGB", "YCbCr", "HSV"]}[channels]
        if mode is not None and mode not in permitted:
            what = {2: "2D", 3: "3D", 4: "4D"}[channels]
            raise ValueError(f"Only modes {permitted} are supported for {what} inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = permitted[0]
    if mode is None:
        raise TypeError(f"Input type {npimg.dtype} is not supported")
    return _pil_image_module().fromarray(npimg, mode=mode)


def normalize(tensor, mean, std, inplace=False):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError(
            f"Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = {tensor.size()}")
    if not inplace:
        tensor = tensor.clone()
    dtype = tensor.dtype
    mean = _C.as_tensor(mean, dtype=dtype)
    std = _C.as_tensor(std, dtype=dtype)
    if (std == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {dtype}, leading to division by zero.")
    if mean.ndim == 1:
        mean = mean.view(-1, 1, 1)
    if std.ndim == 1:
        std = std.view(-1, 1, 1)
    return tensor.sub_(mean).div_(std)


_INT_MAX = {"uint8": 255, "int8": 127, "int16": 32767, "int32": 2147483647, "int64": 9223372036854775807}


def _max_value(dtype):
    return _INT_MAX[str(dtype).rsplit(".", 1)[-1]]


def convert_image_dtype(image, dtype=_C.float32):
    if not isinstance(image, Tensor):
        raise TypeError("Input img should be Tensor Image")
    if image.dtype == dtype:
        return image
    if image.is_floating_point():
        if dtype.is_floating_point:
            return image.to(dtype)
        if (image.dtype == _C.float32 and dtype in (_C.int32, _C.int64)) or \
                (image.dtype == _C.float64 and dtype == _C.int64):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed safely.")
        eps = 1e-3
        max_val = float(_max_value(dtype))
        return image.mul(max_val + 1.0 - eps).to(dtype)
    input_max = float(_max_value(image.dtype))
    if dtype.is_floating_point:
        return image.to(dtype) / input_max
    output_max = float(_max_value(dtype))
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        image = _C.div(image, factor, rounding_mode="floor")
        return image.to(dtype)
    factor = int((output_max + 1) // (input_max + 1))
    return image.to(dtype) * factor
