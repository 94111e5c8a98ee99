"""The tensor half of ember.vision.transforms.functional (torchvision 0.14.1's
functional_tensor): images are ember tensors [..., C, H, W]. Every function runs the ember
ops torchvision runs through torch, in the same order and dtypes, so the values are
torchvision's; the one kernel ember lacks, grid_sample, is Note [Affine warps on tensors]."""
import warnings

from ... import _C
from ..._tensor import Tensor
from ...nn import functional as _nnf

_INT_DTYPES = (_C.uint8, _C.int8, _C.int16, _C.int32, _C.int64)
_INT_MAX = {_C.uint8: 255, _C.int8: 127, _C.int16: 32767, _C.int32: 2147483647, _C.int64: 9223372036854775807}


def _is_tensor_a_torch_image(x):
    return x.ndim >= 2


def _assert_image_tensor(img):
    if img.ndim < 2:
        raise TypeError("Tensor is not a torch image.")


def get_dimensions(img):
    _assert_image_tensor(img)
    return [1 if img.ndim == 2 else img.shape[-3], img.shape[-2], img.shape[-1]]


def get_image_size(img):
    _assert_image_tensor(img)
    return [img.shape[-1], img.shape[-2]]


def get_image_num_channels(img):
    _assert_image_tensor(img)
    return 1 if img.ndim == 2 else img.shape[-3]


def _max_value(dtype):
    return _INT_MAX.get(dtype, 1)


def _assert_channels(img, permitted):
    channels = get_dimensions(img)[0]
    if channels not in permitted:
        raise TypeError(f"Input image tensor permitted channel values are {permitted}, but found {channels}")


def hflip(img):
    _assert_image_tensor(img)
    return img.flip(-1)


def vflip(img):
    _assert_image_tensor(img)
    return img.flip(-2)


def crop(img, top, left, height, width):
    _assert_image_tensor(img)
    _, h, w = get_dimensions(img)
    bottom, right = top + height, left + width
    if top >= 0 and left >= 0 and bottom <= h and right <= w:
        return img[..., top:bottom, left:right]
    # The part outside the image is zeros: crop what lies inside (with Python's slice
    # semantics, as torchvision slices), then pad it back to the box.
    inside = img[..., max(top, 0):bottom, max(left, 0):right]
    pad_left = max(min(0, right) - left, 0)
    pad_top = max(min(0, bottom) - top, 0)
    pad_right = max(right - max(w, left), 0)
    pad_bottom = max(bottom - max(h, top), 0)
    return pad(inside, [pad_left, pad_top, pad_right, pad_bottom], fill=0)


def rgb_to_grayscale(img, num_output_channels=1):
    if img.ndim < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    _assert_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if img.shape[-3] == 3:
        r, g, b = img.unbind(dim=-3)
        # ITU-R 601-2 luma in the promoted dtype (float32 for integer images), truncated back.
        gray = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(dim=-3)
    else:
        gray = img.clone()
    if num_output_channels == 3:
        return gray.expand(img.shape)
    return gray


def _blend(img1, img2, ratio):
    ratio = float(ratio)
    upper = 1.0 if img1.is_floating_point() else 255.0
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, upper).to(img1.dtype)


def adjust_brightness(img, brightness_factor):
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    return _blend(img, _C.zeros_like(img), brightness_factor)


def adjust_contrast(img, contrast_factor):
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [3, 1])
    dtype = img.dtype if img.is_floating_point() else _C.float32
    gray = rgb_to_grayscale(img) if get_dimensions(img)[0] == 3 else img
    mean = _C.mean(gray.to(dtype), dim=(-3, -2, -1), keepdim=True)
    return _blend(img, mean, contrast_factor)


def adjust_saturation(img, saturation_factor):
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:  # a gray image has no saturation (PIL leaves it alone too)
        return img
    return _blend(img, rgb_to_grayscale(img), saturation_factor)


def adjust_hue(img, hue_factor):
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if not isinstance(img, Tensor):
        raise TypeError("Input img should be Tensor image")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    orig_dtype = img.dtype
    if orig_dtype == _C.uint8:
        img = img.to(dtype=_C.float32) / 255.0
    h, s, v = _rgb2hsv(img).unbind(dim=-3)
    h = (h + hue_factor) % 1.0
    out = _hsv2rgb(_C.stack((h, s, v), dim=-3))
    if orig_dtype == _C.uint8:
        out = (out * 255.0).to(dtype=orig_dtype)
    return out


def _rgb2hsv(img):
    # Pillow's RGB -> HSV (libImaging/Convert.c) on tensors; where max == min, S and H are 0
    # and the divisors are replaced by 1, so no NaN appears.
    r, g, b = img.unbind(dim=-3)
    maxc = _C.max(img, dim=-3).values
    minc = _C.min(img, dim=-3).values
    flat = maxc == minc
    chroma = maxc - minc
    ones = _C.ones_like(maxc)
    s = chroma / _C.where(flat, ones, maxc)
    divisor = _C.where(flat, ones, chroma)
    rc = (maxc - r) / divisor
    gc = (maxc - g) / divisor
    bc = (maxc - b) / divisor
    not_r = maxc != r
    h = (maxc == r) * (bc - gc) + ((maxc == g) & not_r) * (2.0 + rc - bc) + \
        ((maxc != g) & not_r) * (4.0 + gc - rc)
    h = _C.fmod(h / 6.0 + 1.0, 1.0)
    return _C.stack((h, s, maxc), dim=-3)


def _hsv2rgb(img):
    h, s, v = img.unbind(dim=-3)
    sector = _C.floor(h * 6.0)
    f = h * 6.0 - sector
    sector = sector.to(dtype=_C.int32) % 6
    p = _C.clamp(v * (1.0 - s), 0.0, 1.0)
    q = _C.clamp(v * (1.0 - s * f), 0.0, 1.0)
    t = _C.clamp(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    # Channel c of sector k is table[c][k]. torchvision sums one-hot(sector) * table with
    # einsum: exactly one term is non-zero, so picking it is the same value.
    index = sector.unsqueeze(dim=-3).to(dtype=_C.int64)
    channels = []
    for row in ((v, q, p, p, t, v), (t, v, v, q, p, p), (p, p, t, v, v, q)):
        channels.append(_C.gather(_C.stack(row, dim=-3), -3, index))
    return _C.cat(channels, dim=-3)


def _parse_pad_padding(padding):
    """[left, right, top, bottom] from an int or 1, 2 or 4 numbers (left, top, right, bottom)."""
    if isinstance(padding, int):
        return [padding] * 4
    if len(padding) == 1:
        return [padding[0]] * 4
    if len(padding) == 2:
        return [padding[0], padding[0], padding[1], padding[1]]
    return [padding[0], padding[2], padding[1], padding[3]]


def _pad_symmetric(img, padding):
    # padding: left, right, top, bottom. Negative amounts crop first.
    if min(padding) < 0:
        cut_l, cut_r, cut_t, cut_b = (-min(p, 0) for p in padding)
        img = img[..., cut_t:img.shape[-2] - cut_b, cut_l:img.shape[-1] - cut_r]
        padding = [max(p, 0) for p in padding]
    if img.ndim not in (3, 4):
        raise RuntimeError("Symmetric padding of N-D tensors are not supported yet")

    def mirrored(before, n, after, dim):
        if before > n or after > n:
            size = before - 1 if before > n else -(after)
            raise IndexError(f"index {size} is out of bounds for dimension {dim} with size {n}")
        return list(range(before - 1, -1, -1)) + list(range(n)) + list(range(n - 1, n - 1 - after, -1))

    h, w = img.shape[-2], img.shape[-1]
    rows = _C.tensor(mirrored(padding[2], h, padding[3], img.ndim - 2), dtype=_C.int64)
    cols = _C.tensor(mirrored(padding[0], w, padding[1], img.ndim - 1), dtype=_C.int64)
    return img.index_select(-2, rows).index_select(-1, cols)


def pad(img, padding, fill=0, padding_mode="constant"):
    _assert_image_tensor(img)
    if fill is None:
        fill = 0
    if not isinstance(padding, (int, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if not isinstance(fill, (int, float)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    amounts = _parse_pad_padding(list(padding) if isinstance(padding, tuple) else padding)
    if padding_mode == "symmetric":
        return _pad_symmetric(img, amounts)
    mode = "replicate" if padding_mode == "edge" else padding_mode
    squeeze = img.ndim < 4
    if squeeze:
        img = img.unsqueeze(dim=0)
    out_dtype = img.dtype
    # torch's reflect / replicate kernels take floating point only: through float32 and back.
    cast = mode != "constant" and out_dtype not in (_C.float32, _C.float64)
    if cast:
        img = img.to(_C.float32)
    if mode == "constant":
        img = _nnf.pad(img, amounts, mode=mode, value=float(fill))
    else:
        img = _nnf.pad(img, amounts, mode=mode)
    if squeeze:
        img = img.squeeze(dim=0)
    if cast:
        img = img.to(out_dtype)
    return img


def _cast_squeeze_in(img, req_dtypes):
    """img as [N, C, H, W] (a batch of one when it has fewer dims) in a dtype the kernel
    takes, and how to undo that."""
    need_squeeze = img.ndim < 4
    if need_squeeze:
        img = img.unsqueeze(dim=0)
    out_dtype = img.dtype
    need_cast = out_dtype not in req_dtypes
    if need_cast:
        img = img.to(req_dtypes[0])
    return img, need_cast, need_squeeze, out_dtype


def _cast_squeeze_out(img, need_cast, need_squeeze, out_dtype):
    if need_squeeze:
        img = img.squeeze(dim=0)
    if need_cast:
        if out_dtype in _INT_DTYPES:
            img = _C.round(img)  # round, not truncate, back to integers
        img = img.to(out_dtype)
    return img


def resize(img, size, interpolation="bilinear", antialias=None):
    _assert_image_tensor(img)
    if isinstance(size, tuple):
        size = list(size)
    if antialias is None:
        antialias = False
    if antialias and interpolation not in ("bilinear", "bicubic"):
        raise ValueError("Antialias option is supported for bilinear and bicubic interpolation modes only")
    img, need_cast, need_squeeze, out_dtype = _cast_squeeze_in(img, [_C.float32, _C.float64])
    if img.ndim == 4 and interpolation == "nearest" and len(size) == 2:
        img = _resize_nearest(img, size)
    elif img.ndim == 4 and interpolation == "bilinear" and not antialias and len(size) == 2:
        # ember's image resize reproduces upsample_bilinear2d's arithmetic, fused multiply-adds
        # included (F.interpolate's general kernel does not). torch sends single-channel
        # images through its channels-last kernel, whose rounding ember does not copy: there
        # the values agree to float rounding only (docs/pytorch-differences.md).
        same = list(img.shape[-2:]) == list(size)
        img = _C._nn._resize_image(img, size, interpolation)
        if same and not need_cast:
            img = img.clone()  # a new tensor even when nothing moves, as torch's kernel returns
    elif img.ndim == 4 and interpolation == "bicubic" and not antialias and len(size) == 2:
        img = _resize_bicubic(img, size)
    else:
        align_corners = False if interpolation in ("bilinear", "bicubic") else None
        img = _nnf.interpolate(img, size=size, mode=interpolation, align_corners=align_corners, antialias=antialias)
    if interpolation == "bicubic" and out_dtype == _C.uint8:
        img = img.clamp(min=0, max=255)
    return _cast_squeeze_out(img, need_cast, need_squeeze, out_dtype)


def _nearest_source(n_in, n_out, exact):
    """upsample_nearest2d's source index of each output row / column: floor(o * in / out),
    with in / out and the product in float32, except in torch's float64 kernel for images
    of several channels, whose indices come out as the exact floor (o * in) // out."""
    if exact:
        index = _C.arange(n_out, dtype=_C.int64) * n_in // n_out
    else:
        scale = _C.tensor(float(n_in), dtype=_C.float32) / _C.tensor(float(n_out), dtype=_C.float32)
        index = _C.floor(_C.arange(n_out, dtype=_C.float32) * scale).to(_C.int64)
    return index.clamp(max=n_in - 1)


def _resize_nearest(img, size):
    exact = img.dtype == _C.float64 and img.shape[1] > 1
    rows = _nearest_source(img.shape[-2], size[0], exact)
    cols = _nearest_source(img.shape[-1], size[1], exact)
    return img.index_select(-2, rows).index_select(-1, cols)


def _cubic_taps(n_in, n_out, dtype):
    """upsample_bicubic2d's taps along one axis (align_corners=False): the four source
    indices around scale * (o + 0.5) - 0.5 (clamped to the image) and their Keys cubic
    convolution weights, a = -0.75."""
    scale = _C.tensor(float(n_in), dtype=dtype) / _C.tensor(float(n_out), dtype=dtype)
    src = scale * (_C.arange(n_out, dtype=dtype) + 0.5) - 0.5
    first = _C.floor(src)
    t = src - first
    a = -0.75

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    weights = [far(t + 1.0), near(t), near(1.0 - t), far((1.0 - t) + 1.0)]
    first = first.to(_C.int64)
    return [(first + (j - 1)).clamp(0, n_in - 1) for j in range(4)], weights


def _resize_bicubic(img, size):
    """Separable bicubic resampling, along the width then the height, as the sums of torch's
    kernel are nested. torch's kernel rounds differently (fused multiply-adds), so values
    agree within float rounding, not bit for bit (docs/pytorch-differences.md)."""
    for dim, n_out in ((-1, size[1]), (-2, size[0])):
        index, weights = _cubic_taps(img.shape[dim], n_out, img.dtype)
        shape = [1] * img.ndim
        shape[dim] = n_out
        out = None
        for i, w in zip(index, weights):
            term = img.index_select(dim, i) * w.view(shape)
            out = term if out is None else out + term
        img = out
    return img


# --- Note [Affine warps on tensors] ---------------------------------------------------------
# torchvision warps tensors (rotate, affine) with torch's grid_sample(padding_mode="zeros",
# align_corners=False) over a grid it builds itself; ember has no grid_sample kernel, so the
# sampling is written here with ember ops, reproducing the numbers torch's CPU kernels make:
# - The grid is base_grid @ theta. torch's bmm multiplies on its own below 400 multiply-adds
#   (acc = x*t0, acc += y*t1, acc += t2, in order) and through BLAS above; ember's bmm agrees
#   with torch's BLAS path, and the small case is spelled out with elementwise ops.
# - grid_sample's vectorised kernel is compiled with FMA contraction: the unnormalised
#   coordinate is fma(g + 1, size / 2, -0.5) and the bilinear sum is
#   fma(se_v, se, fma(sw_v, sw, fma(ne_v, ne, nw_v * nw))). In float32 each fma is exact in
#   float64 arithmetic (a float32 product is exact in float64) followed by one rounding back,
#   so float32 warps (and the integer images computed in float32) are torch's bit for bit. In
#   float64 the fmas are plain multiply-adds: values then differ from torch's in the last bits.
# - Nearest rounds half to even; samples outside the image are 0. With a fill, a channel of
#   ones is warped alongside and blends the fill in, as torchvision does.

def _fma(a, b, c):
    if a.dtype == _C.float32:
        return (a.to(_C.float64) * b.to(_C.float64) + c.to(_C.float64)).to(_C.float32)
    return a * b + c


def _gen_affine_grid(theta, w, h, ow, oh):
    """[1, oh, ow, 2]: the sampling point, in grid_sample's [-1, 1] coordinates of the w x h
    input, of each output pixel centre (offsets from the output centre mapped by theta)."""
    xs = _C.linspace(-ow * 0.5 + 0.5, ow * 0.5 - 0.5, steps=ow).to(theta.dtype)
    ys = _C.linspace(-oh * 0.5 + 0.5, oh * 0.5 - 0.5, steps=oh).to(theta.dtype)
    scaled = theta.transpose(1, 2) / _C.tensor([0.5 * w, 0.5 * h], dtype=theta.dtype)  # [1, 3, 2]
    if 3 * oh * ow * 2 < 400:
        x = xs.view(1, ow, 1).expand(oh, ow, 1)
        y = ys.view(oh, 1, 1).expand(oh, ow, 1)
        grid = x * scaled[0, 0] + y * scaled[0, 1] + scaled[0, 2]
        return grid.reshape(1, oh, ow, 2)
    base = _C.stack((xs.view(1, ow).expand(oh, ow), ys.view(oh, 1).expand(oh, ow), _C.ones(oh, ow, dtype=theta.dtype)),
                    dim=-1)
    return base.view(1, oh * ow, 3).bmm(scaled).view(1, oh, ow, 2)


def _grid_sample(img, grid, mode):
    """grid_sample(img, grid, mode, padding_mode="zeros", align_corners=False) for img
    [N, C, H, W] and grid [1, oh, ow, 2] of img's dtype (the same grid for every image)."""
    n, c, h, w = img.shape
    oh, ow = grid.shape[1], grid.shape[2]
    dtype = img.dtype
    points = grid.reshape(oh * ow, 2)
    minus_half = _C.tensor(-0.5, dtype=dtype)
    x = _fma(points[:, 0] + 1, _C.tensor(w / 2, dtype=dtype), minus_half)
    y = _fma(points[:, 1] + 1, _C.tensor(h / 2, dtype=dtype), minus_half)
    planes = img.reshape(n, c, h * w)

    def tap(row, col):
        inside = (col > -1) & (col < w) & (row > -1) & (row < h)
        index = _C.where(inside, row * w + col, _C.zeros_like(col)).to(_C.int64)
        values = planes.index_select(2, index)
        return _C.where(inside, values, _C.zeros_like(values))

    if mode == "nearest":
        out = tap(y.round(), x.round())
    else:
        x0, y0 = x.floor(), y.floor()
        dx, dy = x - x0, y - y0
        rx, ry = 1 - dx, 1 - dy
        out = tap(y0, x0) * (ry * rx)
        out = _fma(tap(y0, x0 + 1), ry * dx, out)
        out = _fma(tap(y0 + 1, x0), dy * rx, out)
        out = _fma(tap(y0 + 1, x0 + 1), dy * dx, out)
    return out.reshape(n, c, oh, ow)


def _assert_grid_transform_inputs(img, matrix, interpolation, fill, supported_interpolation_modes, coeffs=None):
    if not isinstance(img, Tensor):
        raise TypeError("Input img should be Tensor")
    _assert_image_tensor(img)
    if matrix is not None and not isinstance(matrix, list):
        raise TypeError("Argument matrix should be a list")
    if matrix is not None and len(matrix) != 6:
        raise ValueError("Argument matrix should have 6 float values")
    if coeffs is not None and len(coeffs) != 8:
        raise ValueError("Argument coeffs should have 8 float values")
    if fill is not None and not isinstance(fill, (int, float, tuple, list)):
        warnings.warn("Argument fill should be either int, float, tuple or list")
    channels = get_dimensions(img)[0]
    if isinstance(fill, (tuple, list)) and len(fill) > 1 and len(fill) != channels:
        raise ValueError("The number of elements in 'fill' cannot broadcast to match the number of channels of "
                         f"the image ({len(fill)} != {channels})")
    if interpolation not in supported_interpolation_modes:
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor input")


def _apply_grid_transform(img, grid, mode, fill):
    img, need_cast, need_squeeze, out_dtype = _cast_squeeze_in(img, [grid.dtype])
    if fill is not None:  # warp a plane of ones too: where it falls off the image is where fill goes
        ones = _C.ones((img.shape[0], 1, img.shape[2], img.shape[3]), dtype=img.dtype)
        img = _C.cat((img, ones), dim=1)
    img = _grid_sample(img, grid, mode)
    if fill is not None:
        mask = img[:, -1:, :, :]
        img = img[:, :-1, :, :]
        mask = mask.expand_as(img)
        values = list(fill) if isinstance(fill, (tuple, list)) else [float(fill)]
        fill_img = _C.tensor(values, dtype=img.dtype).view(1, len(values), 1, 1).expand_as(img)
        if mode == "nearest":
            img = _C.where(mask < 0.5, fill_img, img)
        else:
            img = img * mask + (1.0 - mask) * fill_img
    return _cast_squeeze_out(img, need_cast, need_squeeze, out_dtype)


def affine(img, matrix, interpolation="nearest", fill=None):
    _assert_grid_transform_inputs(img, matrix, interpolation, fill, ["nearest", "bilinear"])
    dtype = img.dtype if img.is_floating_point() else _C.float32
    theta = _C.tensor(matrix, dtype=dtype).reshape(1, 2, 3)
    h, w = img.shape[-2], img.shape[-1]
    return _apply_grid_transform(img, _gen_affine_grid(theta, w, h, w, h), interpolation, fill)


def _compute_affine_output_size(matrix, w, h):
    """(w, h) of the box holding the w x h image mapped by matrix, rounded as PIL rounds
    rotate(expand=True) (in float32, as torchvision computes it)."""
    corners = _C.tensor([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0], [0.5 * w, 0.5 * h, 1.0],
                         [0.5 * w, -0.5 * h, 1.0]])
    theta = _C.tensor(matrix, dtype=_C.float32).view(2, 3)
    mapped = _C.matmul(corners, theta.T)
    centre = _C.tensor((w * 0.5, h * 0.5))
    lo = mapped.min(dim=0).values + centre
    hi = mapped.max(dim=0).values + centre
    tol = 1e-4  # drop noise below 1e-4 so that 3.0000001 does not ceil to 4
    size = _C.ceil((hi / tol).trunc_() * tol) - _C.floor((lo / tol).trunc_() * tol)
    return int(size[0]), int(size[1])


def rotate(img, matrix, interpolation="nearest", expand=False, fill=None):
    _assert_grid_transform_inputs(img, matrix, interpolation, fill, ["nearest", "bilinear"])
    w, h = img.shape[-1], img.shape[-2]
    ow, oh = _compute_affine_output_size(matrix, w, h) if expand else (w, h)
    dtype = img.dtype if img.is_floating_point() else _C.float32
    theta = _C.tensor(matrix, dtype=dtype).reshape(1, 2, 3)
    return _apply_grid_transform(img, _gen_affine_grid(theta, w, h, ow, oh), interpolation, fill)
