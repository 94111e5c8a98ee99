"""torchvision.utils' make_grid and save_image: the same ops in the same order as
torchvision's, so the grids and the saved pixels are torchvision's. Images are written by
PIL (the format from the file name or `format=`); where Pillow is not installed, PNG files
are written by ember's C++ encoder (stb) instead."""
import math
import os

from .. import _C
from ..autograd.grad_mode import no_grad

__all__ = ["make_grid", "save_image"]


def _is_tensor(x):
    return isinstance(x, _C.TensorBase)


@no_grad()
def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False, pad_value=0.0,
              **kwargs):
    """A [C, H', W'] grid of a [B, C, H, W] batch (or a list of [C, H, W] images): nrow images
    per row, `padding` pixels of `pad_value` around each; with normalize, values are first
    clamped to value_range (default: the min and max, of each image with scale_each) and
    shifted to [0, 1]."""
    if not _is_tensor(tensor):
        if isinstance(tensor, list):
            for t in tensor:
                if not _is_tensor(t):
                    raise TypeError(f"tensor or list of tensors expected, got a list containing {type(t)}")
        else:
            raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if isinstance(tensor, list):
        tensor = _C.stack(tensor, dim=0)

    if tensor.dim() == 2:  # one H x W image
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 3:  # one image; a single channel becomes three
        if tensor.size(0) == 1:
            tensor = _C.cat((tensor, tensor, tensor), 0)
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 4 and tensor.size(1) == 1:
        tensor = _C.cat((tensor, tensor, tensor), 1)

    if normalize is True:
        tensor = tensor.clone()  # the caller's tensor stays as it was
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")

        def norm_ip(img, low, high):
            img.clamp_(min=low, max=high)
            img.sub_(low).div_(max(high - low, 1e-5))

        def norm_range(t):
            if value_range is not None:
                norm_ip(t, value_range[0], value_range[1])
            else:
                norm_ip(t, float(t.min()), float(t.max()))

        if scale_each is True:
            for t in tensor:
                norm_range(t)
        else:
            norm_range(tensor)

    if not _is_tensor(tensor):
        raise TypeError("tensor should be of type torch.Tensor")
    if tensor.size(0) == 1:
        return tensor.squeeze(0)

    nmaps = tensor.size(0)
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(tensor.size(2) + padding), int(tensor.size(3) + padding)
    grid = tensor.new_full((tensor.size(1), height * ymaps + padding, width * xmaps + padding), pad_value)
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= nmaps:
                break
            grid.narrow(1, y * height + padding, height - padding).narrow(
                2, x * width + padding, width - padding).copy_(tensor[k])
            k += 1
    return grid


@no_grad()
def save_image(tensor, fp, format=None, **kwargs):  # noqa: A002
    """Writes make_grid(tensor, **kwargs) as an image, values in [0, 1] rounded to 0..255."""
    grid = make_grid(tensor, **kwargs)
    # + 0.5 after scaling to [0, 255] rounds to the nearest integer.
    pixels = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to("cpu", _C.uint8)
    from .transforms.functional import _pil_image_module

    Image = _pil_image_module(required=False)
    if Image is None:
        is_png = (format or "").lower() == "png" or (
            format is None and isinstance(fp, (str, os.PathLike)) and os.fspath(fp).lower().endswith(".png"))
        if not is_png or not isinstance(fp, (str, os.PathLike)):
            raise ImportError("save_image writes formats other than PNG files through Pillow: "
                              "apt-get install python3-pil")
        _C._vision.write_png(os.fspath(fp), pixels.permute(2, 0, 1))
        return
    Image.fromarray(pixels.numpy()).save(fp, format=format)
