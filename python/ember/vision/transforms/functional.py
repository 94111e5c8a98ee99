"""torchvision.transforms.functional (torchvision 0.14.1's behaviour and messages): each
function takes a PIL image (through functional_pil, PIL's own operations) or an ember tensor
[..., C, H, W] (through functional_tensor, ember ops). PIL and NumPy are imported only when
a PIL image or an array is actually met, so `import ember.vision` stays cheap."""
import math
import numbers
import warnings
from enum import Enum

from ... import _C
from ..._tensor import Tensor
from . import functional_tensor as F_t

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


# --- geometry and colour (PIL images through functional_pil, tensors through functional_tensor)

class InterpolationMode(Enum):
    """Interpolation modes: nearest, bilinear, bicubic, and for PIL images box, hamming and
    lanczos."""
    NEAREST = "nearest"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


# PIL's resampling filter numbers, both ways (PIL.Image.Resampling's values).
pil_modes_mapping = {InterpolationMode.NEAREST: 0, InterpolationMode.BILINEAR: 2, InterpolationMode.BICUBIC: 3,
                     InterpolationMode.BOX: 4, InterpolationMode.HAMMING: 5, InterpolationMode.LANCZOS: 1}
_MODES_FROM_PIL = {number: mode for mode, number in pil_modes_mapping.items()}


def _interpolation_modes_from_int(i):
    return _MODES_FROM_PIL[i]


def _legacy_interpolation(interpolation):
    """torchvision 0.13-0.14 still take PIL's integer filters, with a deprecation warning."""
    if isinstance(interpolation, int):
        warnings.warn("Argument 'interpolation' of type int is deprecated since 0.13 and will be removed in 0.15. "
                      "Please use InterpolationMode enum.")
        return _interpolation_modes_from_int(interpolation)
    return interpolation


def _check_interpolation_mode(interpolation):
    if not isinstance(interpolation, InterpolationMode):
        raise TypeError("Argument interpolation should be a InterpolationMode")


def _pil():
    try:
        from . import functional_pil
    except ImportError as e:
        if e.name in ("PIL", "numpy"):
            raise ImportError("ember.vision needs Pillow and NumPy for PIL images: "
                              "apt-get install python3-pil") from None
        raise
    return functional_pil


def get_dimensions(img):
    """[channels, height, width] of a tensor or PIL image."""
    if isinstance(img, Tensor):
        return F_t.get_dimensions(img)
    return _pil().get_dimensions(img)


def get_image_size(img):
    """[width, height] of a tensor or PIL image."""
    if isinstance(img, Tensor):
        return F_t.get_image_size(img)
    return _pil().get_image_size(img)


def get_image_num_channels(img):
    if isinstance(img, Tensor):
        return F_t.get_image_num_channels(img)
    return _pil().get_image_num_channels(img)


def _compute_resized_output_size(image_size, size, max_size=None):
    """[new_h, new_w]: size when it has two entries; otherwise the shorter edge becomes
    size[0], the longer one keeps the aspect ratio (truncated), capped at max_size."""
    if len(size) != 1:
        return [size[0], size[1]]
    h, w = image_size
    short, long = (w, h) if w <= h else (h, w)
    new_short = size if isinstance(size, int) else size[0]
    new_long = int(new_short * long / short)
    if max_size is not None:
        if max_size <= new_short:
            raise ValueError(f"max_size = {max_size} must be strictly greater than the requested size for the "
                             f"smaller edge size = {size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    return [new_long, new_short] if w <= h else [new_short, new_long]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=None):
    interpolation = _legacy_interpolation(interpolation)
    _check_interpolation_mode(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError(f"Size must be an int or a 1 or 2 element tuple/list, not a {len(size)} element "
                             "tuple/list")
        if max_size is not None and len(size) != 1:
            raise ValueError("max_size should only be passed if size specifies the length of the smaller edge, i.e. "
                             "size should be an int or a sequence of length 1 in torchscript mode.")
    _, height, width = get_dimensions(img)
    output_size = _compute_resized_output_size((height, width), [size] if isinstance(size, int) else size, max_size)
    # torchvision 0.14 compares a tuple with this list here, which is never equal: an image
    # already of the requested size is still resampled (a copy of the same values).
    if not isinstance(img, Tensor):
        if antialias is not None and not antialias:
            warnings.warn("Anti-alias option is always applied for PIL Image input. Argument antialias is ignored.")
        return _pil().resize(img, size=output_size, interpolation=pil_modes_mapping[interpolation])
    return F_t.resize(img, size=output_size, interpolation=interpolation.value, antialias=antialias)


def pad(img, padding, fill=0, padding_mode="constant"):
    if isinstance(img, Tensor):
        return F_t.pad(img, padding=padding, fill=fill, padding_mode=padding_mode)
    return _pil().pad(img, padding=padding, fill=fill, padding_mode=padding_mode)


def crop(img, top, left, height, width):
    if isinstance(img, Tensor):
        return F_t.crop(img, top, left, height, width)
    return _pil().crop(img, top, left, height, width)


def center_crop(img, output_size):
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = output_size
    if crop_width > image_width or crop_height > image_height:
        # Too small: zero-pad to the crop size first (the extra pixel of an odd gap on the
        # right / bottom).
        gap_w = crop_width - image_width if crop_width > image_width else 0
        gap_h = crop_height - image_height if crop_height > image_height else 0
        img = pad(img, [gap_w // 2, gap_h // 2, (gap_w + 1) // 2, (gap_h + 1) // 2], fill=0)
        _, image_height, image_width = get_dimensions(img)
        if crop_width == image_width and crop_height == image_height:
            return img
    top = int(round((image_height - crop_height) / 2.0))
    left = int(round((image_width - crop_width) / 2.0))
    return crop(img, top, left, crop_height, crop_width)


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR, antialias=None):
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


def hflip(img):
    if isinstance(img, Tensor):
        return F_t.hflip(img)
    return _pil().hflip(img)


def vflip(img):
    if isinstance(img, Tensor):
        return F_t.vflip(img)
    return _pil().vflip(img)


def adjust_brightness(img, brightness_factor):
    if isinstance(img, Tensor):
        return F_t.adjust_brightness(img, brightness_factor)
    return _pil().adjust_brightness(img, brightness_factor)


def adjust_contrast(img, contrast_factor):
    if isinstance(img, Tensor):
        return F_t.adjust_contrast(img, contrast_factor)
    return _pil().adjust_contrast(img, contrast_factor)


def adjust_saturation(img, saturation_factor):
    if isinstance(img, Tensor):
        return F_t.adjust_saturation(img, saturation_factor)
    return _pil().adjust_saturation(img, saturation_factor)


def adjust_hue(img, hue_factor):
    if isinstance(img, Tensor):
        return F_t.adjust_hue(img, hue_factor)
    return _pil().adjust_hue(img, hue_factor)


def _get_inverse_affine_matrix(center, angle, translate, scale, shear, inverted=True):
    """The 2 x 3 matrix of T * C * RSS * C^-1 (translation, centring, rotation-scale-shear
    R(a) S(s) SHy(sy) SHx(sx)) or, inverted=True, of its inverse (output -> input pixel, the
    matrix PIL's Image.transform and the tensor warp take). Angles in degrees."""
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    # The rotation-shear part (determinant 1), before scaling.
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    if inverted:
        m = [v / scale for v in (d, -b, 0.0, -c, a, 0.0)]
        m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty)
        m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty)
        m[2] += cx
        m[5] += cy
    else:
        m = [v * scale for v in (a, b, 0.0, c, d, 0.0)]
        m[2] += m[0] * (-cx) + m[1] * (-cy)
        m[5] += m[3] * (-cx) + m[4] * (-cy)
        m[2] += cx + tx
        m[5] += cy + ty
    return m


def _tensor_center(img, center):
    """A pixel-coordinate centre as an offset from the image centre (the tensor warp's
    origin); [0, 0] for None."""
    if center is None:
        return [0.0, 0.0]
    _, height, width = get_dimensions(img)
    return [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=None):
    interpolation = _legacy_interpolation(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    _check_interpolation_mode(interpolation)
    if not isinstance(img, Tensor):
        return _pil().rotate(img, angle=angle, interpolation=pil_modes_mapping[interpolation], expand=expand,
                             center=center, fill=fill)
    # rotate turns counter-clockwise, affine's angle clockwise: hence -angle.
    matrix = _get_inverse_affine_matrix(_tensor_center(img, center), -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    return F_t.rotate(img, matrix=matrix, interpolation=interpolation.value, expand=expand, fill=fill)


def affine(img, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST, fill=None, center=None):
    interpolation = _legacy_interpolation(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if not isinstance(translate, (list, tuple)):
        raise TypeError("Argument translate should be a sequence")
    if len(translate) != 2:
        raise ValueError("Argument translate should be a sequence of length 2")
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    if not isinstance(shear, (numbers.Number, (list, tuple))):
        raise TypeError("Shear should be either a single value or a sequence of two values")
    _check_interpolation_mode(interpolation)
    angle = float(angle) if isinstance(angle, int) else angle
    translate = list(translate)
    if isinstance(shear, numbers.Number):
        shear = [shear, 0.0]
    shear = list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    _, height, width = get_dimensions(img)
    if not isinstance(img, Tensor):
        # PIL's origin is the top-left corner; the default centre is the image centre
        # (without the half-pixel offset, to agree with the tensor warp).
        if center is None:
            center = [width * 0.5, height * 0.5]
        matrix = _get_inverse_affine_matrix(center, angle, translate, scale, shear)
        return _pil().affine(img, matrix=matrix, interpolation=pil_modes_mapping[interpolation], fill=fill)
    matrix = _get_inverse_affine_matrix(_tensor_center(img, center), angle, [1.0 * t for t in translate], scale, shear)
    return F_t.affine(img, matrix=matrix, interpolation=interpolation.value, fill=fill)


def to_grayscale(img, num_output_channels=1):
    """PIL images only (rgb_to_grayscale takes tensors too)."""
    if _is_pil_image(img):
        return _pil().to_grayscale(img, num_output_channels)
    raise TypeError("Input should be PIL Image")


def rgb_to_grayscale(img, num_output_channels=1):
    if isinstance(img, Tensor):
        return F_t.rgb_to_grayscale(img, num_output_channels)
    return _pil().to_grayscale(img, num_output_channels)
