"""ember.vision.transforms' geometric, colour and random transforms against torchvision
0.14.1 (Debian's python3-torchvision): every transform on PIL images (RGB and L) and on
uint8 / float tensors, single and batched, compared value for value after the same
manual_seed (so the random parameters are torchvision's too), plus reprs, get_params,
argument errors and warnings.

Tolerances (everything else is compared exactly: PIL images byte for byte, uint8 tensors
equal, float32 tensors bit for bit):
- adjust_contrast (ColorJitter's contrast) on float tensors: the image mean is a float32
  sum whose order differs from torch's, so values may differ by a few ulps (atol 1e-5).
- float64 tensors through bilinear resize / rotate / affine: torch's kernels fuse
  multiply-adds in double, ember's do not (atol 1e-12 on values in [0, 255]).
- bilinear resize of single-channel tensors: torch takes its channels-last kernel there,
  whose rounding ember does not reproduce (float atol 1e-5 on values in [0, 1]; uint8 may
  be off by one where a value lies within rounding of .5).
- bicubic resize of tensors: ember's separable sums round differently from torch's kernel
  (float atol 1e-5; uint8 off by one at most).
Tensor antialiasing (antialias=True) is not implemented and raises NotImplementedError.
"""
import gzip
import pathlib
import warnings

import numpy as np
import pytest
import torch
import torchvision
from PIL import Image

import ember
import ember.vision

from helpers import assert_same

TT, ET = torchvision.transforms, ember.vision.transforms
TF, EF = torchvision.transforms.functional, ember.vision.transforms.functional
FASHION = pathlib.Path("/usr/share/datasets/fashion-mnist")

_rng = np.random.default_rng(17)
PIL_RGB = Image.fromarray(_rng.integers(0, 256, (23, 19, 3), dtype=np.uint8), mode="RGB")
PIL_L = Image.fromarray(_rng.integers(0, 256, (18, 25), dtype=np.uint8), mode="L")
U8 = _rng.integers(0, 256, (3, 21, 26), dtype=np.uint8)
U8_BATCH = _rng.integers(0, 256, (2, 3, 17, 15), dtype=np.uint8)
U8_GRAY = _rng.integers(0, 256, (1, 16, 20), dtype=np.uint8)
F32 = _rng.random((3, 19, 22), dtype=np.float32)
F32_BATCH = _rng.random((2, 3, 14, 16), dtype=np.float32)
F64 = _rng.random((3, 15, 18))

INPUTS = {"pil_rgb": PIL_RGB, "pil_l": PIL_L, "u8": U8, "u8_batch": U8_BATCH, "u8_gray": U8_GRAY, "f32": F32,
          "f32_batch": F32_BATCH, "f64": F64}


def _as(lib, img):
    return lib.tensor(img) if isinstance(img, np.ndarray) else img


def assert_same_image(t_out, e_out, atol=0.0, what=""):
    if isinstance(t_out, Image.Image):
        assert isinstance(e_out, Image.Image), f"{what}: ember returned {type(e_out)}"
        assert (e_out.mode, e_out.size) == (t_out.mode, t_out.size), f"{what}: {e_out} vs {t_out}"
        assert e_out.tobytes() == t_out.tobytes(), f"{what}: pixels differ"
        return
    if atol and not t_out.is_floating_point():  # integer images within atol (assert_same is exact there)
        assert str(e_out.dtype) == str(t_out.dtype) and tuple(e_out.shape) == tuple(t_out.shape), what
        diff = np.abs(e_out.numpy().astype(np.int64) - t_out.numpy().astype(np.int64))
        assert diff.max(initial=0) <= atol, f"{what}: {int((diff > 0).sum())} values differ, by up to {diff.max()}"
        return
    assert_same(t_out, e_out, atol, 0, what)


def _tolerance(img, effects):
    """The stated tolerance (module docstring) for an input and what a case does to it:
    "contrast" (an image mean), "warp" (bilinear or affine resampling), "resize" (bilinear
    resize), "bicubic" (bicubic resize)."""
    if not isinstance(img, np.ndarray):
        return 0.0
    atol = 0.0
    if img.dtype == np.float64 and effects & {"warp", "resize"}:
        atol = max(atol, 1e-12)
    if img.dtype.kind == "f" and "contrast" in effects:
        atol = max(atol, 1e-5)
    if (img.shape[-3] == 1 and "resize" in effects) or "bicubic" in effects:
        atol = max(atol, 1.0 if img.dtype == np.uint8 else 1e-5)
    return atol


# (id, factory(T) -> transform, effects as in _tolerance)
RANDOM_CASES = [
    ("hflip", lambda T: T.RandomHorizontalFlip(), set()),
    ("vflip", lambda T: T.RandomVerticalFlip(p=0.3), set()),
    ("crop", lambda T: T.RandomCrop(12), set()),
    ("crop_padding_reflect", lambda T: T.RandomCrop((14, 10), padding=(2, 3), padding_mode="reflect"), set()),
    ("crop_padding_symmetric", lambda T: T.RandomCrop(11, padding=[1, 2, 3, 4], padding_mode="symmetric"), set()),
    ("crop_pad_if_needed", lambda T: T.RandomCrop((30, 28), pad_if_needed=True, fill=9), set()),
    ("crop_pad_if_needed_edge", lambda T: T.RandomCrop((26, 31), pad_if_needed=True, padding_mode="edge"), set()),
    ("resized_crop", lambda T: T.RandomResizedCrop(10), {"resize"}),
    ("resized_crop_args", lambda T: T.RandomResizedCrop((9, 13), scale=(0.3, 0.7), ratio=(0.5, 2.0),
                                                        interpolation=T.InterpolationMode.NEAREST), set()),
    ("resized_crop_fallback", lambda T: T.RandomResizedCrop(8, scale=(0.95, 1.0), ratio=(3.0, 4.0)), {"resize"}),
    ("resized_crop_bicubic", lambda T: T.RandomResizedCrop(16, interpolation=T.InterpolationMode.BICUBIC),
     {"bicubic"}),
    ("rotation", lambda T: T.RandomRotation(45), set()),
    ("rotation_bilinear_expand", lambda T: T.RandomRotation((-170, 170), interpolation=T.InterpolationMode.BILINEAR,
                                                            expand=True), {"warp"}),
    ("rotation_center_fill", lambda T: T.RandomRotation(30, center=(4, 7), fill=200), set()),
    ("rotation_bilinear_fill", lambda T: T.RandomRotation(60, interpolation=T.InterpolationMode.BILINEAR, fill=77),
     {"warp"}),
    ("affine", lambda T: T.RandomAffine(25), set()),
    ("affine_all", lambda T: T.RandomAffine(40, translate=(0.2, 0.3), scale=(0.6, 1.4), shear=(-15, 15, -5, 10)),
     set()),
    ("affine_bilinear", lambda T: T.RandomAffine((-90, 90), translate=(0.1, 0.1), shear=20,
                                                 interpolation=T.InterpolationMode.BILINEAR, fill=128, center=(5, 3)),
     {"warp"}),
    ("affine_shear_pair", lambda T: T.RandomAffine(0, shear=(-30, 30), scale=(0.9, 1.1)), set()),
    ("jitter", lambda T: T.ColorJitter(brightness=0.5, contrast=0.5, saturation=0.5, hue=0.2), {"contrast"}),
    ("jitter_ranges", lambda T: T.ColorJitter(brightness=(0.2, 1.8), contrast=(0.5, 0.6), hue=(-0.5, -0.1)),
     {"contrast"}),
    ("jitter_hue", lambda T: T.ColorJitter(hue=0.5), set()),
    ("jitter_saturation", lambda T: T.ColorJitter(saturation=(0, 3)), set()),
    ("random_grayscale", lambda T: T.RandomGrayscale(p=0.5), set()),
    ("apply", lambda T: T.RandomApply([T.ColorJitter(0.3, 0.3), T.RandomHorizontalFlip()], p=0.6), {"contrast"}),
    ("pipeline", lambda T: T.Compose([T.RandomResizedCrop(12, scale=(0.5, 1.0)), T.RandomHorizontalFlip(),
                                      T.RandomRotation(10), T.ColorJitter(0.2, 0.2, 0.2, 0.05),
                                      T.RandomGrayscale()]), {"contrast", "resize", "warp"}),
]


@pytest.mark.parametrize("name,factory,effects", RANDOM_CASES, ids=[c[0] for c in RANDOM_CASES])
@pytest.mark.parametrize("kind", list(INPUTS))
def test_random_transforms_draw_and_return_what_torchvision_does(name, factory, effects, kind):
    img = INPUTS[kind]
    t_transform, e_transform = factory(TT), factory(ET)
    assert repr(e_transform) == repr(t_transform)
    atol = _tolerance(img, effects)
    torch.manual_seed(1234)
    ember.manual_seed(1234)
    for call in range(25):  # one seed, many calls: the generators must stay in step
        t_out = t_transform(_as(torch, img))
        e_out = e_transform(_as(ember, img))
        assert_same_image(t_out, e_out, atol, f"{name} on {kind}, call {call}")
    assert torch.rand(1).item() == ember.rand(1).item(), f"{name} on {kind}: the generators drifted apart"


def test_random_parameters_match_torchvision():
    for seed in range(20):
        torch.manual_seed(seed)
        ember.manual_seed(seed)
        t_img, e_img = torch.zeros(3, 31, 47), ember.zeros(3, 31, 47)
        assert ET.RandomCrop.get_params(e_img, (10, 20)) == TT.RandomCrop.get_params(t_img, (10, 20))
        assert ET.RandomResizedCrop.get_params(e_img, (0.08, 1.0), (0.75, 4 / 3)) == \
            TT.RandomResizedCrop.get_params(t_img, (0.08, 1.0), (0.75, 4 / 3))
        assert ET.RandomResizedCrop.get_params(PIL_RGB, [0.2, 0.5], [1.0, 3.0]) == \
            TT.RandomResizedCrop.get_params(PIL_RGB, [0.2, 0.5], [1.0, 3.0])
        assert ET.RandomRotation.get_params([-30.0, 60.0]) == TT.RandomRotation.get_params([-30.0, 60.0])
        args = ([-20.0, 20.0], [0.2, 0.1], [0.5, 1.5], [-5.0, 5.0, -2.0, 2.0], [47, 31])
        assert ET.RandomAffine.get_params(*args) == TT.RandomAffine.get_params(*args)
        assert ET.RandomAffine.get_params([0.0, 10.0], None, None, None, [5, 5]) == \
            TT.RandomAffine.get_params([0.0, 10.0], None, None, None, [5, 5])
        t_p = TT.ColorJitter.get_params([0.5, 1.5], None, [0.0, 2.0], [-0.1, 0.1])
        e_p = ET.ColorJitter.get_params([0.5, 1.5], None, [0.0, 2.0], [-0.1, 0.1])
        assert e_p[0].tolist() == t_p[0].tolist() and e_p[1:] == t_p[1:]


def test_random_order_and_choice_use_pythons_random_as_torchvision_does():
    import random

    for cls in ("RandomOrder", "RandomChoice"):
        make = lambda T: getattr(T, cls)([T.Pad(1), T.CenterCrop(15), T.RandomHorizontalFlip(p=1.0)])  # noqa: E731
        assert repr(make(ET)) == repr(make(TT))
        for seed in range(8):
            random.seed(seed)
            t_out = make(TT)(PIL_RGB)
            random.seed(seed)
            e_out = make(ET)(PIL_RGB)
            assert_same_image(t_out, e_out, what=f"{cls} seed {seed}")
    assert repr(ET.RandomChoice([ET.Pad(1)], p=[1.0])) == repr(TT.RandomChoice([TT.Pad(1)], p=[1.0]))


# --- deterministic transforms and the functional API -----------------------------------------

DETERMINISTIC_CASES = [
    ("resize_int", lambda T: T.Resize(12), {"resize"}),
    ("resize_up", lambda T: T.Resize(40), {"resize"}),
    ("resize_pair_nearest", lambda T: T.Resize((30, 11), interpolation=T.InterpolationMode.NEAREST), set()),
    ("resize_max_size", lambda T: T.Resize([10], max_size=13), {"resize"}),
    ("resize_same_size", lambda T: T.Resize((21, 26)), {"resize"}),
    ("resize_bicubic", lambda T: T.Resize(15, interpolation=T.InterpolationMode.BICUBIC), {"bicubic"}),
    ("resize_bicubic_up", lambda T: T.Resize((40, 33), interpolation=T.InterpolationMode.BICUBIC), {"bicubic"}),
    ("center_crop", lambda T: T.CenterCrop(9), set()),
    ("center_crop_odd", lambda T: T.CenterCrop((10, 7)), set()),
    ("center_crop_larger", lambda T: T.CenterCrop((30, 27)), set()),
    ("center_crop_mixed", lambda T: T.CenterCrop([5, 40]), set()),
    ("pad_int", lambda T: T.Pad(3), set()),
    ("pad_fill", lambda T: T.Pad((1, 2), fill=200), set()),
    ("pad_edge", lambda T: T.Pad([2, 1, 0, 3], padding_mode="edge"), set()),
    ("pad_reflect", lambda T: T.Pad(4, padding_mode="reflect"), set()),
    ("pad_symmetric", lambda T: T.Pad((3, 0, 1, 5), padding_mode="symmetric"), set()),
    ("pad_symmetric_negative", lambda T: T.Pad((-2, 1, 3, -1), padding_mode="symmetric"), set()),
    ("grayscale", lambda T: T.Grayscale(), set()),
    ("grayscale_3", lambda T: T.Grayscale(num_output_channels=3), set()),
]


@pytest.mark.parametrize("name,factory,effects", DETERMINISTIC_CASES, ids=[c[0] for c in DETERMINISTIC_CASES])
@pytest.mark.parametrize("kind", list(INPUTS))
def test_deterministic_transforms_match_torchvision(name, factory, effects, kind):
    img = INPUTS[kind]
    t_transform, e_transform = factory(TT), factory(ET)
    assert repr(e_transform) == repr(t_transform)
    t_out = t_transform(_as(torch, img))
    e_out = e_transform(_as(ember, img))
    assert_same_image(t_out, e_out, _tolerance(img, effects), f"{name} on {kind}")


def _functional_cases(T, F):
    IM = T.InterpolationMode
    return [
        ("crop", lambda x: F.crop(x, 2, 3, 7, 9)),
        ("crop_outside", lambda x: F.crop(x, -3, 5, 12, 30)),
        ("crop_far_outside", lambda x: F.crop(x, -6, -4, 3, 5)),
        ("center_crop", lambda x: F.center_crop(x, [11])),
        ("center_crop_int", lambda x: F.center_crop(x, 30)),
        ("resized_crop", lambda x: F.resized_crop(x, 1, 2, 10, 8, [14, 6])),
        ("resized_crop_nearest", lambda x: F.resized_crop(x, 3, 0, 9, 12, 5, IM.NEAREST)),
        ("resize", lambda x: F.resize(x, [7, 33])),
        ("resize_nearest", lambda x: F.resize(x, 9, IM.NEAREST)),
        ("resize_bicubic", lambda x: F.resize(x, [12, 30], IM.BICUBIC)),
        ("resize_box", lambda x: F.resize(x, 7, IM.BOX) if not isinstance(x, (torch.Tensor, ember.Tensor)) else x),
        ("resize_lanczos", lambda x: F.resize(x, 30, IM.LANCZOS) if not isinstance(x, (torch.Tensor, ember.Tensor))
         else x),
        ("pad", lambda x: F.pad(x, [1, 2, 3, 4], fill=5)),
        ("pad_edge", lambda x: F.pad(x, 2, padding_mode="edge")),
        ("pad_reflect", lambda x: F.pad(x, [2, 3], padding_mode="reflect")),
        ("pad_symmetric", lambda x: F.pad(x, [4], padding_mode="symmetric")),
        ("hflip", F.hflip),
        ("vflip", F.vflip),
        ("rotate", lambda x: F.rotate(x, 33.3)),
        ("rotate_int_angle", lambda x: F.rotate(x, 90)),
        ("rotate_expand", lambda x: F.rotate(x, -47.5, expand=True)),
        ("rotate_bilinear_center", lambda x: F.rotate(x, 12.0, IM.BILINEAR, center=[3, 10])),
        ("rotate_bilinear_expand_fill", lambda x: F.rotate(x, 130.0, IM.BILINEAR, expand=True,
                                                           fill=[50.0] * F.get_image_num_channels(x))),
        ("affine", lambda x: F.affine(x, 20.0, [2, -3], 1.2, [10.0, -4.0])),
        ("affine_int_args", lambda x: F.affine(x, -30, (1, 1), 0.8, 5)),
        ("affine_shear_one", lambda x: F.affine(x, 0.0, [0, 0], 1.0, [12.0], IM.BILINEAR)),
        ("affine_center_fill", lambda x: F.affine(x, 45.0, [3, 0], 1.0, [0.0, 0.0],
                                                  fill=[1.0] * F.get_image_num_channels(x), center=[2, 2])),
        ("brightness", lambda x: F.adjust_brightness(x, 1.7)),
        ("brightness_dark", lambda x: F.adjust_brightness(x, 0.3)),
        ("contrast", lambda x: F.adjust_contrast(x, 0.4)),
        ("contrast_high", lambda x: F.adjust_contrast(x, 2.5)),
        ("saturation", lambda x: F.adjust_saturation(x, 0.0)),
        ("saturation_high", lambda x: F.adjust_saturation(x, 2.2)),
        ("hue", lambda x: F.adjust_hue(x, 0.25)),
        ("hue_negative", lambda x: F.adjust_hue(x, -0.5)),
        ("grayscale", lambda x: F.rgb_to_grayscale(x)),
        ("grayscale_3", lambda x: F.rgb_to_grayscale(x, 3)),
        ("dimensions", lambda x: (F.get_dimensions(x), F.get_image_size(x), F.get_image_num_channels(x))),
    ]


_FUNCTIONAL_IDS = [c[0] for c in _functional_cases(TT, TF)]


@pytest.mark.parametrize("index", range(len(_FUNCTIONAL_IDS)), ids=_FUNCTIONAL_IDS)
@pytest.mark.parametrize("kind", list(INPUTS))
def test_functional_matches_torchvision(index, kind):
    name, t_fn = _functional_cases(TT, TF)[index]
    _, e_fn = _functional_cases(ET, EF)[index]
    img = INPUTS[kind]
    effects = set()
    if "nearest" not in name:
        effects |= {"resize"} if "resize" in name else set()
        effects |= {"warp"} if ("rotate" in name or "affine" in name) else set()
    effects |= {"contrast"} if name.startswith("contrast") else set()
    effects |= {"bicubic"} if "bicubic" in name else set()
    atol = _tolerance(img, effects)
    t_out, e_out = t_fn(_as(torch, img)), e_fn(_as(ember, img))
    if name == "dimensions":
        assert e_out == t_out
        return
    assert_same_image(t_out, e_out, atol, f"{name} on {kind}")


def test_to_grayscale_and_pil_fill_handling():
    for n in (1, 3):
        assert_same_image(TF.to_grayscale(PIL_RGB, n), EF.to_grayscale(PIL_RGB, n), what=f"to_grayscale {n}")
    with pytest.raises(TypeError, match="Input should be PIL Image"):
        EF.to_grayscale(ember.tensor(U8))
    # PIL fills are ints per band (float for mode F); a tuple rotates colour images.
    for fill in (None, 7, 7.9, (1, 2, 3), [250.0, 0, 100]):
        assert_same_image(TF.rotate(PIL_RGB, 20, fill=fill), EF.rotate(PIL_RGB, 20, fill=fill), what=f"fill {fill}")
    f_img = Image.fromarray(_rng.random((9, 11), dtype=np.float32), mode="F")
    assert_same_image(TF.affine(f_img, 30, [1, 1], 1.0, 0, fill=0.5), EF.affine(f_img, 30, [1, 1], 1.0, 0, fill=0.5),
                      what="mode F")
    assert_same_image(TF.adjust_hue(f_img, 0.3), EF.adjust_hue(f_img, 0.3), what="hue on mode F")


def test_larger_images_warp_and_resize_like_torchvision():
    # Above 66 output pixels torch builds the affine grid with BLAS, below with its own loop:
    # both sides of that switch, and images large enough for several vector blocks.
    big = _rng.integers(0, 256, (2, 3, 61, 83), dtype=np.uint8)
    bigf = _rng.random((3, 70, 45), dtype=np.float32)
    IM = TT.InterpolationMode
    for img in (big, bigf):
        for fn in (lambda F, x: F.rotate(x, 17.0, F.InterpolationMode.BILINEAR, expand=True),
                   lambda F, x: F.affine(x, -33.0, [4, -2], 1.3, [8.0, 3.0], F.InterpolationMode.BILINEAR,
                                         fill=[0.5] * 3),
                   lambda F, x: F.rotate(x, 200.0, F.InterpolationMode.NEAREST, center=[10, 50]),
                   lambda F, x: F.resize(x, [97, 31]),
                   lambda F, x: F.resize(x, 20, F.InterpolationMode.NEAREST)):
            assert_same(fn(TF, torch.tensor(img)), fn(EF, ember.tensor(img)), 0, 0, f"{img.dtype}")
    assert IM.BICUBIC.value == ET.InterpolationMode.BICUBIC.value == "bicubic"


def test_transform_reprs_match_torchvision():
    def transforms(T):
        IM = T.InterpolationMode
        return [
            T.Resize(10), T.Resize([10, 12], interpolation=IM.NEAREST, antialias=True), T.Resize((7,), max_size=9),
            T.CenterCrop(5), T.CenterCrop([4, 6]), T.CenterCrop((3,)), T.Pad(2), T.Pad([1, 2], fill=(1, 2, 3)),
            T.Pad((1, 2, 3, 4), padding_mode="reflect"), T.RandomCrop(8), T.RandomCrop([8, 9], padding=4),
            T.RandomHorizontalFlip(), T.RandomVerticalFlip(p=0.25), T.RandomResizedCrop(7),
            T.RandomResizedCrop([5, 6], scale=(0.123456, 0.9), ratio=[1 / 3, 3.0], interpolation=IM.BICUBIC,
                                antialias=False),
            T.RandomRotation(15), T.RandomRotation([-5, 10], interpolation=IM.BILINEAR, expand=True, center=(1, 2),
                                                   fill=[1, 2, 3]),
            T.RandomRotation(3, fill=None),
            T.RandomAffine(10), T.RandomAffine([-3, 4], translate=(0.1, 0.2), scale=(0.9, 1.1), shear=[1, 2, 3, 4],
                                               interpolation=IM.BILINEAR, fill=5, center=[1, 1]),
            T.RandomAffine(0, shear=7, fill=(0, 0, 1)),
            T.ColorJitter(), T.ColorJitter(0.1, 0.2, 0.3, 0.4), T.ColorJitter((0.5, 1.5), [0.9, 1.0], 1.0, (-0.5, 0.5)),
            T.Grayscale(), T.Grayscale(3), T.RandomGrayscale(), T.RandomGrayscale(0.9),
            T.RandomApply([T.Grayscale(), T.Pad(1)]), T.RandomOrder([T.Pad(1)]),
            T.Compose([T.RandomCrop(5), T.ToTensor(), T.Normalize((0.5,), (0.25,))]),
        ]
    for t, e in zip(transforms(TT), transforms(ET)):
        assert repr(e) == repr(t)
    assert isinstance(ET.RandomRotation(3), ember.nn.Module) and isinstance(ET.Resize(3), ember.nn.Module)


def _error_cases(T, F, lib):
    IM = T.InterpolationMode
    img = lib.zeros(3, 8, 9)
    return [
        lambda: T.Resize(12.0),
        lambda: T.Resize([1, 2, 3]),
        lambda: T.CenterCrop([1, 2, 3]),
        lambda: T.Pad("3"),
        lambda: T.Pad(2, fill="x"),
        lambda: T.Pad(2, padding_mode="wrap"),
        lambda: T.Pad([1, 2, 3]),
        lambda: T.RandomCrop([1, 2, 3]),
        lambda: T.RandomResizedCrop(5, scale=0.5),
        lambda: T.RandomResizedCrop(5, ratio=2),
        lambda: T.RandomRotation(-5),
        lambda: T.RandomRotation([1, 2, 3]),
        lambda: T.RandomRotation("x"),
        lambda: T.RandomRotation(5, center=[1]),
        lambda: T.RandomRotation(5, fill={1}),
        lambda: T.RandomAffine(-1),
        lambda: T.RandomAffine(5, translate=[0.5]),
        lambda: T.RandomAffine(5, translate=[0.5, 1.5]),
        lambda: T.RandomAffine(5, scale=[0.0, 1.0]),
        lambda: T.RandomAffine(5, scale=0.5),
        lambda: T.RandomAffine(5, shear=[1, 2, 3]),
        lambda: T.RandomAffine(5, shear=-2),
        lambda: T.RandomAffine(5, center=(1, 2, 3)),
        lambda: T.ColorJitter(brightness=-1),
        lambda: T.ColorJitter(contrast=[1.5, 0.5]),
        lambda: T.ColorJitter(hue=-0.2),
        lambda: T.ColorJitter(saturation=[1, 2, 3]),
        lambda: T.ColorJitter(hue=(-0.6, 0.1)),
        lambda: T.RandomChoice([T.Pad(1)], p=0.5),
        lambda: T.RandomOrder(T.Pad(1)),
        lambda: T.RandomCrop(20)(img),
        lambda: F.resize(img, [1, 2, 3]),
        lambda: F.resize(img, [4, 5], max_size=9),
        lambda: F.resize(img, 8, max_size=8),
        lambda: F.resize(img, 4, interpolation="bilinear"),
        lambda: F.resize(img, 4, interpolation=IM.NEAREST, antialias=True),
        lambda: F.resize(img, 4, interpolation=IM.BOX),
        lambda: F.resize(lib.zeros(1, 1, 3, 4, 5), 4),
        lambda: F.pad(img, 2.5),
        lambda: F.pad(img, [1, 2, 3]),
        lambda: F.pad(img, 1, fill=(1, 2, 3)),
        lambda: F.pad(img, 1, padding_mode="wrap"),
        lambda: F.pad(img, 1, padding_mode=3),
        lambda: F.pad(lib.zeros(5), 1),
        lambda: F.pad(lib.zeros(1, 1, 1, 3, 3), 1, padding_mode="symmetric"),
        lambda: F.crop(lib.zeros(4), 0, 0, 1, 1),
        lambda: F.hflip(lib.zeros(4)),
        lambda: F.rotate(img, "10"),
        lambda: F.rotate(img, 10, center=5),
        lambda: F.rotate(img, 10, interpolation="nearest"),
        lambda: F.rotate(img, 10, interpolation=IM.BICUBIC),
        lambda: F.rotate(img, 10, fill=[1, 2]),
        lambda: F.affine(img, "1", [0, 0], 1.0, 0),
        lambda: F.affine(img, 1, 0, 1.0, 0),
        lambda: F.affine(img, 1, [0], 1.0, 0),
        lambda: F.affine(img, 1, [0, 0], 0.0, 0),
        lambda: F.affine(img, 1, [0, 0], 1.0, "a"),
        lambda: F.affine(img, 1, [0, 0], 1.0, [1, 2, 3]),
        lambda: F.affine(img, 1, [0, 0], 1.0, 0, center=3),
        lambda: F.adjust_brightness(img, -0.5),
        lambda: F.adjust_brightness(lib.zeros(2, 4, 4), 0.5),
        lambda: F.adjust_contrast(img, -1),
        lambda: F.adjust_saturation(img, -1),
        lambda: F.adjust_hue(img, 0.6),
        lambda: F.adjust_hue(lib.zeros(4, 5, 5), 0.1),
        lambda: F.rgb_to_grayscale(lib.zeros(4, 4)),
        lambda: F.rgb_to_grayscale(lib.zeros(2, 4, 4)),
        lambda: F.rgb_to_grayscale(img, 2),
        lambda: F.get_dimensions(lib.zeros(3)),
        lambda: F.get_dimensions([1, 2]),
        lambda: F.hflip("image"),
        lambda: F.adjust_brightness([1], 0.5),
        lambda: F.crop(None, 0, 0, 1, 1),
        lambda: F.pad(PIL_RGB, 1, fill=(1, 2)),
        lambda: F.pad(PIL_RGB, [1, 2, 3]),
        lambda: F.rotate(PIL_L, 10, fill=(1, 2, 3)),
        lambda: F.affine(PIL_RGB, 1, [0, 0], 1.0, 0, fill=[1, 2]),
        lambda: F.adjust_hue(PIL_RGB, -0.51),
        lambda: F.resize(PIL_RGB, [1, 2, 3]),
        lambda: F.rgb_to_grayscale(PIL_RGB, 4),
    ]


def test_argument_errors_match_torchvision():
    t_cases, e_cases = _error_cases(TT, TF, torch), _error_cases(ET, EF, ember)
    for i, (t_case, e_case) in enumerate(zip(t_cases, e_cases)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as expected:
                t_case()
            with pytest.raises(Exception) as got:
                e_case()
        assert type(got.value) is type(expected.value), f"case {i}: {got.value!r} vs {expected.value!r}"
        t_msg, e_msg = str(expected.value), str(got.value)
        # A type in a message is the library's own class.
        t_msg = t_msg.replace("torch.Tensor", "Tensor").replace("<class 'torch.", "<class '")
        e_msg = e_msg.replace("ember._tensor.Tensor", "Tensor").replace("<class 'ember.", "<class '")
        assert e_msg == t_msg, f"case {i}"


def test_warnings_match_torchvision():
    def caught(fn):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out = fn()
        return out, [str(x.message) for x in w]

    for make in (lambda T: T.Resize(5, interpolation=2), lambda T: T.RandomRotation(5, interpolation=0),
                 lambda T: T.RandomResizedCrop(5, interpolation=3), lambda T: T.RandomAffine(5, interpolation=2),
                 lambda T: T.RandomResizedCrop(5, scale=(0.9, 0.1))):
        (t_t, t_w), (e_t, e_w) = caught(lambda: make(TT)), caught(lambda: make(ET))
        assert e_w == t_w and repr(e_t) == repr(t_t)
    _, t_w = caught(lambda: TF.resize(PIL_RGB, 5, antialias=False))
    _, e_w = caught(lambda: EF.resize(PIL_RGB, 5, antialias=False))
    assert e_w == t_w and len(t_w) == 1
    t_out, t_w = caught(lambda: TF.rotate(PIL_RGB, 30, 2))
    e_out, e_w = caught(lambda: EF.rotate(PIL_RGB, 30, 2))
    assert e_w == t_w and len(t_w) == 1
    assert_same_image(t_out, e_out, what="rotate with a PIL filter number")


def test_tensor_wise_transforms_join_the_batched_raw_pipeline(tmp_path):
    """Note [Transforms on raw images]: Resize, CenterCrop, Pad and Grayscale after ToTensor
    keep the batched fetch, and its batches equal torchvision's items; a random transform
    turns it off."""
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for split, n in (("train", 40), ("t10k", 10)):
        with gzip.open(FASHION / f"{split}-images-idx3-ubyte.gz") as f:
            images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)[:n]
        with gzip.open(FASHION / f"{split}-labels-idx1-ubyte.gz") as f:
            labels = np.frombuffer(f.read(), np.uint8, offset=8)[:n]
        for name, array in ((f"{split}-images-idx3-ubyte", images), (f"{split}-labels-idx1-ubyte", labels)):
            header = bytes([0, 0, 8, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
            (raw / name).write_bytes(header + np.ascontiguousarray(array).tobytes())

    def pipeline(T):
        return T.Compose([T.ToTensor(), T.Resize(33), T.CenterCrop(31), T.Pad((1, 0), padding_mode="reflect"),
                          T.Grayscale(3), T.Normalize((0.5,), (0.25,))])

    t_set = torchvision.datasets.FashionMNIST(str(tmp_path), transform=pipeline(TT))
    e_set = ember.vision.datasets.FashionMNIST(str(tmp_path), transform=pipeline(ET))
    assert e_set.transform._ember_raw_pipeline() is not None
    indices = [3, 0, 39, 17]
    t_batch = torch.utils.data.default_collate([t_set[i] for i in indices])
    (e_batch,) = list(ember.utils.data.DataLoader(ember.utils.data.Subset(e_set, indices), batch_size=4))
    # The batch is each item's own result exactly; torchvision's within the single-channel
    # bilinear resize tolerance (module docstring; x 4 for the normalisation's 1 / 0.25).
    for pos, i in enumerate(indices):
        np.testing.assert_array_equal(e_batch[0][pos].numpy(), e_set[i][0].numpy(), err_msg=f"item {i}")
    assert_same(t_batch, e_batch, 4e-5, 0, "batch")
    assert ET.Compose([ET.ToTensor(), ET.RandomHorizontalFlip()])._ember_raw_pipeline() is None
    assert ET.Compose([ET.ToTensor(), ET.RandomRotation(3)])._ember_raw_pipeline() is None


def test_interpolate_is_bound_with_torchs_signature():
    x = _rng.random((2, 3, 5, 7), dtype=np.float32)
    for kw in ({"size": (9, 4)}, {"size": 6}, {"scale_factor": 2}, {"scale_factor": (1.5, 0.5)},
               {"size": (3, 11), "mode": "bilinear"}, {"scale_factor": 1.7, "mode": "bilinear", "align_corners": True}):
        t = torch.nn.functional.interpolate(torch.tensor(x), **kw)
        e = ember.nn.functional.interpolate(ember.tensor(x), **kw)
        assert_same(t, e, 1e-5, 1e-5, str(kw))
    x3 = _rng.random((2, 3, 5), dtype=np.float32)
    assert_same(torch.nn.functional.interpolate(torch.tensor(x3), size=8),
                ember.nn.functional.interpolate(ember.tensor(x3), size=8), 0, 0, "1-d nearest")
    for kw in ({"size": 4, "mode": "nearest", "align_corners": False}, {"size": 4, "scale_factor": 2},
               {}, {"size": (1, 2, 3)}, {"size": 4, "mode": "bilinear", "recompute_scale_factor": True},
               {"size": 4, "mode": "nearest", "antialias": True}):
        with pytest.raises(ValueError) as expected:
            torch.nn.functional.interpolate(torch.tensor(x), **kw)
        with pytest.raises(ValueError) as got:
            ember.nn.functional.interpolate(ember.tensor(x), **kw)
        assert str(got.value) == str(expected.value)
    with pytest.raises(NotImplementedError, match="3D input, but bilinear mode needs 4D input"):
        ember.nn.functional.interpolate(ember.tensor(x3), size=4, mode="bilinear")
    with pytest.raises(NotImplementedError, match="bicubic"):
        ember.nn.functional.interpolate(ember.tensor(x), size=4, mode="bicubic")


def test_tensor_antialias_is_refused_clearly_and_ignored_for_pil():
    with pytest.raises(NotImplementedError, match="antialias=True is not supported"):
        EF.resize(ember.tensor(U8), 10, antialias=True)
    with pytest.raises(NotImplementedError, match="antialias=True is not supported"):
        ET.RandomResizedCrop(5, antialias=True)(ember.tensor(F32))
    assert_same_image(TF.resize(PIL_RGB, 10, antialias=True), EF.resize(PIL_RGB, 10, antialias=True), what="PIL")
