"""The PIL half of ember.vision.transforms.functional (torchvision 0.14.1's functional_pil):
each function is the PIL operation torchvision calls (Image.resize / crop / transpose /
rotate / transform, ImageEnhance, ImageOps.expand, convert), so the pixels are PIL's own.
Imported on the first PIL image only: `import ember.vision` loads neither PIL nor NumPy."""
import numbers

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

if hasattr(Image, "Resampling"):  # Pillow >= 9.1 names
    _AFFINE = Image.Transform.AFFINE
    _FLIP_LEFT_RIGHT = Image.Transpose.FLIP_LEFT_RIGHT
    _FLIP_TOP_BOTTOM = Image.Transpose.FLIP_TOP_BOTTOM
    _NEAREST, _BILINEAR = Image.Resampling.NEAREST, Image.Resampling.BILINEAR
else:
    _AFFINE = Image.AFFINE
    _FLIP_LEFT_RIGHT = Image.FLIP_LEFT_RIGHT
    _FLIP_TOP_BOTTOM = Image.FLIP_TOP_BOTTOM
    _NEAREST, _BILINEAR = Image.NEAREST, Image.BILINEAR


def _is_pil_image(img):
    return isinstance(img, Image.Image)


def _check(img):
    if not isinstance(img, Image.Image):
        raise TypeError(f"img should be PIL Image. Got {type(img)}")


def get_dimensions(img):
    if isinstance(img, Image.Image):
        return [len(img.getbands()), img.size[1], img.size[0]]
    raise TypeError(f"Unexpected type {type(img)}")


def get_image_size(img):
    if isinstance(img, Image.Image):
        return list(img.size)
    raise TypeError(f"Unexpected type {type(img)}")


def get_image_num_channels(img):
    if isinstance(img, Image.Image):
        return len(img.getbands())
    raise TypeError(f"Unexpected type {type(img)}")


def hflip(img):
    _check(img)
    return img.transpose(_FLIP_LEFT_RIGHT)


def vflip(img):
    _check(img)
    return img.transpose(_FLIP_TOP_BOTTOM)


def _enhance(enhancer, img, factor):
    _check(img)
    return enhancer(img).enhance(factor)


def adjust_brightness(img, brightness_factor):
    return _enhance(ImageEnhance.Brightness, img, brightness_factor)


def adjust_contrast(img, contrast_factor):
    return _enhance(ImageEnhance.Contrast, img, contrast_factor)


def adjust_saturation(img, saturation_factor):
    return _enhance(ImageEnhance.Color, img, saturation_factor)


def adjust_hue(img, hue_factor):
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    _check(img)
    mode = img.mode
    if mode in {"L", "1", "I", "F"}:
        return img
    h, s, v = img.convert("HSV").split()
    hue = np.array(h, dtype=np.uint8)
    with np.errstate(over="ignore"):  # uint8 arithmetic wraps the hue around the circle
        hue += np.uint8(hue_factor * 255)
    return Image.merge("HSV", (Image.fromarray(hue, "L"), s, v)).convert(mode)


def pad(img, padding, fill=0, padding_mode="constant"):
    _check(img)
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, list):
        padding = tuple(padding)
    if isinstance(padding, tuple) and len(padding) not in (1, 2, 4):
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
    if isinstance(padding, tuple) and len(padding) == 1:
        padding = padding[0]
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")

    if padding_mode == "constant":
        opts = _parse_fill(fill, img, name="fill")
        if img.mode == "P":
            palette = img.getpalette()
            out = ImageOps.expand(img, border=padding, **opts)
            out.putpalette(palette)
            return out
        return ImageOps.expand(img, border=padding, **opts)

    # The other modes through NumPy's pad (left, top, right, bottom; negative amounts crop).
    if isinstance(padding, tuple) and len(padding) == 4:
        ltrb = list(padding)
    elif isinstance(padding, tuple):
        ltrb = [padding[0], padding[1], padding[0], padding[1]]
    else:
        ltrb = [padding] * 4
    cut = [-min(p, 0) for p in ltrb]
    if any(cut):
        img = img.crop((cut[0], cut[1], img.width - cut[2], img.height - cut[3]))
    left, top, right, bottom = (max(p, 0) for p in ltrb)
    palette = img.getpalette() if img.mode == "P" else None
    array = np.asarray(img)
    widths = ((top, bottom), (left, right)) + (((0, 0),) if array.ndim == 3 else ())
    out = Image.fromarray(np.pad(array, widths, mode=padding_mode))
    if palette is not None:
        out.putpalette(palette)
    return out


def crop(img, top, left, height, width):
    _check(img)
    return img.crop((left, top, left + width, top + height))


def resize(img, size, interpolation=_BILINEAR):
    _check(img)
    if not (isinstance(size, list) and len(size) == 2):
        raise TypeError(f"Got inappropriate size arg: {size}")
    return img.resize((size[1], size[0]), interpolation)


def _parse_fill(fill, img, name="fillcolor"):
    """PIL's keyword for a fill: one number per band (ints unless the image is mode F)."""
    bands = get_image_num_channels(img)
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and bands > 1:
        fill = tuple([fill] * bands)
    if isinstance(fill, (list, tuple)):
        if len(fill) != bands:
            raise ValueError("The number of elements in 'fill' does not match the number of channels of the image "
                             f"({len(fill)} != {bands})")
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(x) for x in fill) if isinstance(fill, (list, tuple)) else int(fill)
    return {name: fill}


def affine(img, matrix, interpolation=_NEAREST, fill=None):
    _check(img)
    return img.transform(img.size, _AFFINE, matrix, interpolation, **_parse_fill(fill, img))


def rotate(img, angle, interpolation=_NEAREST, expand=False, center=None, fill=None):
    _check(img)
    return img.rotate(angle, interpolation, expand, center, **_parse_fill(fill, img))


def to_grayscale(img, num_output_channels):
    _check(img)
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    gray = img.convert("L")
    if num_output_channels == 1:
        return gray
    plane = np.array(gray, dtype=np.uint8)
    return Image.fromarray(np.dstack([plane, plane, plane]), "RGB")
