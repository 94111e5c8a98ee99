"""ember.vision against torchvision 0.14.1 (Debian's python3-torchvision): MNIST-family
datasets (items, lengths, reprs, errors), the conversion and normalisation transforms on PIL
images, arrays and tensors, and the batched fetch of Note [Batched fetch]."""
import gzip
import pathlib
import shutil

import numpy as np
import pytest
import torch
import torchvision
from PIL import Image

import ember
import ember.vision

from helpers import assert_same

FASHION = pathlib.Path("/usr/share/datasets/fashion-mnist")


def _write_idx(path, array):
    dims = array.shape
    code = {np.uint8: 0x08}[array.dtype.type]
    header = bytes([0, 0, code, len(dims)]) + b"".join(int(d).to_bytes(4, "big") for d in dims)
    path.write_bytes(header + array.tobytes())


@pytest.fixture(scope="module")
def small_fashion(tmp_path_factory):
    """The first 200 training and 100 test images of Fashion-MNIST, uncompressed, in
    torchvision's layout (root/FashionMNIST/raw), which both libraries read."""
    root = tmp_path_factory.mktemp("fmnist")
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for split, n in (("train", 200), ("t10k", 100)):
        with gzip.open(FASHION / f"{split}-images-idx3-ubyte.gz") as f:
            data = f.read()
        images = np.frombuffer(data, np.uint8, offset=16).reshape(-1, 28, 28)[:n]
        with gzip.open(FASHION / f"{split}-labels-idx1-ubyte.gz") as f:
            labels = np.frombuffer(f.read(), np.uint8, offset=8)[:n]
        _write_idx(raw / f"{split}-images-idx3-ubyte", np.ascontiguousarray(images))
        _write_idx(raw / f"{split}-labels-idx1-ubyte", np.ascontiguousarray(labels))
    return root


def _pair(lib_vision, root, train=True, **kw):
    return lib_vision.datasets.FashionMNIST(str(root), train=train, **kw)


def test_fashion_mnist_items_match_torchvision(small_fashion):
    for train in (True, False):
        t = _pair(torchvision, small_fashion, train)
        e = _pair(ember.vision, small_fashion, train)
        assert len(t) == len(e)
        assert e.classes == t.classes and e.class_to_idx == t.class_to_idx
        assert_same(t.data, e.data, 0, 0, "data")
        assert_same(t.targets, e.targets, 0, 0, "targets")
        for i in (0, 1, len(t) - 1):
            (ti, tt), (ei, et) = t[i], e[i]
            assert isinstance(ei, Image.Image) and ei.mode == ti.mode and ei.size == ti.size
            assert ei.tobytes() == ti.tobytes()
            assert et == tt and type(et) is int


def test_fashion_mnist_repr_matches_torchvision(small_fashion):
    def compose(v):
        return v.transforms.Compose([v.transforms.ToTensor(), v.transforms.Normalize((0.2860,), (0.3530,))])
    t = _pair(torchvision, small_fashion, False, transform=compose(torchvision), target_transform=lambda y: y)
    e = _pair(ember.vision, small_fashion, False, transform=compose(ember.vision), target_transform=lambda y: y)
    assert repr(e).replace(repr(e.target_transform), "L") == repr(t).replace(repr(t.target_transform), "L")
    assert repr(_pair(ember.vision, small_fashion)) == repr(_pair(torchvision, small_fashion))


@pytest.mark.parametrize("pipeline", ["to_tensor", "to_tensor_normalize", "pil_to_tensor_convert", "lambda"])
def test_transformed_items_and_batches_match_torchvision(small_fashion, pipeline):
    def make(v, lib):
        T = v.transforms
        return {
            "to_tensor": T.ToTensor(),
            "to_tensor_normalize": T.Compose([T.ToTensor(), T.Normalize((0.2860,), (0.3530,))]),
            "pil_to_tensor_convert": T.Compose([T.PILToTensor(), T.ConvertImageDtype(lib.float64)]),
            "lambda": T.Compose([T.ToTensor(), T.Lambda(lambda x: x * 2)]),
        }[pipeline]
    t = _pair(torchvision, small_fashion, transform=make(torchvision, torch))
    e = _pair(ember.vision, small_fashion, transform=make(ember.vision, ember))
    for i in (0, 7, 199):
        assert_same(t[i][0], e[i][0], 0, 0, f"item {i}")
    # Batches through the DataLoader (the batched fetch where it applies) equal torch's.
    indices = [5, 3, 199, 0, 42]
    t_batch = torch.utils.data.default_collate([t[i] for i in indices])
    e_loader = ember.utils.data.DataLoader(ember.utils.data.Subset(e, indices), batch_size=5)
    (e_batch,) = list(e_loader)
    assert_same(t_batch, e_batch, 0, 0, "batch")


def test_transforms_on_pil_and_arrays_match_torchvision():
    rng = np.random.default_rng(0)
    rgb = Image.fromarray(rng.integers(0, 256, (5, 7, 3), dtype=np.uint8), mode="RGB")
    gray = Image.fromarray(rng.integers(0, 256, (4, 6), dtype=np.uint8), mode="L")
    ints = Image.fromarray(rng.integers(-1000, 1000, (3, 4), dtype=np.int32), mode="I")
    array = rng.integers(0, 256, (4, 5, 3), dtype=np.uint8)
    for img in (rgb, gray, ints):
        assert_same(torchvision.transforms.ToTensor()(img), ember.vision.transforms.ToTensor()(img), 0, 0, img.mode)
        assert_same(torchvision.transforms.PILToTensor()(img), ember.vision.transforms.PILToTensor()(img), 0, 0,
                    img.mode)
    assert_same(torchvision.transforms.ToTensor()(array), ember.vision.transforms.ToTensor()(array), 0, 0, "array")
    floats = rng.random((3, 4, 5), dtype=np.float32)
    back_t = torchvision.transforms.ToPILImage()(torch.tensor(floats))
    back_e = ember.vision.transforms.ToPILImage()(ember.tensor(floats))
    assert back_e.mode == back_t.mode and back_e.tobytes() == back_t.tobytes()
    one = rng.integers(0, 256, (1, 4, 5), dtype=np.uint8)
    back_t = torchvision.transforms.ToPILImage()(torch.tensor(one))
    back_e = ember.vision.transforms.ToPILImage()(ember.tensor(one))
    assert back_e.mode == back_t.mode == "L" and back_e.tobytes() == back_t.tobytes()


@pytest.mark.parametrize("src,dst", [("uint8", "float32"), ("float32", "uint8"), ("uint8", "int32"),
                                     ("int32", "uint8"), ("float64", "float32"), ("int16", "float64")])
def test_convert_image_dtype_matches_torchvision(src, dst):
    rng = np.random.default_rng(1)
    if src.startswith("float"):
        x = rng.random((2, 3, 4)).astype(src)
    else:
        x = rng.integers(0, np.iinfo(src).max, (2, 3, 4)).astype(src)
    t = torchvision.transforms.ConvertImageDtype(getattr(torch, dst))(torch.tensor(x))
    e = ember.vision.transforms.ConvertImageDtype(getattr(ember, dst))(ember.tensor(x))
    assert_same(t, e, 0, 0, f"{src}->{dst}")


def test_normalize_matches_torchvision_and_its_errors():
    rng = np.random.default_rng(2)
    x = rng.random((2, 3, 4, 5)).astype("float32")
    mean, std = [0.1, 0.2, 0.3], [0.5, 0.25, 2.0]
    t = torchvision.transforms.Normalize(mean, std)(torch.tensor(x))
    e = ember.vision.transforms.Normalize(mean, std)(ember.tensor(x))
    assert_same(t, e, 0, 0, "normalize")
    assert repr(ember.vision.transforms.Normalize(mean, std)) == repr(torchvision.transforms.Normalize(mean, std))
    for bad, args in ((torch.zeros(3, 4, dtype=torch.uint8), (mean, std)), (torch.zeros(4, 5), (mean, std)),
                      (torch.zeros(3, 4, 5), (mean, [1.0, 0.0, 1.0]))):
        with pytest.raises((TypeError, ValueError)) as expected:
            torchvision.transforms.Normalize(*args)(bad)
        with pytest.raises(expected.type) as got:
            ember.vision.transforms.Normalize(*args)(ember.tensor(bad.numpy()))
        assert str(got.value) == str(expected.value)  # ember prints dtypes as torch does


def test_missing_data_says_where_and_which_package(tmp_path):
    with pytest.raises(RuntimeError) as error:
        ember.vision.datasets.FashionMNIST(str(tmp_path), download=True)
    message = str(error.value)
    assert "dataset-fashion-mnist" in message and str(tmp_path) in message and "never downloads" in message
    with pytest.raises(RuntimeError, match="not found|No such file|cannot open"):
        ember.vision.datasets.MNIST(str(tmp_path))


def test_the_real_fashion_mnist_loads_with_a_fast_batched_loader():
    e = ember.vision.datasets.FashionMNIST(str(FASHION), train=False, transform=ember.vision.transforms.ToTensor())
    assert len(e) == 10000 and e.data.shape == (10000, 28, 28) and e.data.dtype == ember.uint8
    x, y = next(iter(ember.utils.data.DataLoader(e, batch_size=1000)))
    assert x.shape == (1000, 1, 28, 28) and x.dtype == ember.float32 and y.dtype == ember.int64
    assert abs(x.mean().item() - 0.2868) < 0.01


def test_a_subclass_overriding_getitem_is_called_per_item(small_fashion):
    calls = []

    class Counting(ember.vision.datasets.FashionMNIST):
        def __getitem__(self, i):
            calls.append(i)
            return super().__getitem__(i)

    d = Counting(str(small_fashion), transform=ember.vision.transforms.ToTensor())
    batch = next(iter(ember.utils.data.DataLoader(d, batch_size=4)))
    assert calls == [0, 1, 2, 3] and batch[0].shape == (4, 1, 28, 28)


@pytest.mark.parametrize("padding_mode", ["constant", "reflect"])
def test_random_augmentation_batches_match_torchvision(small_fashion, padding_mode):
    """Note [Transforms on raw images]: with random crops and flips before ToTensor, ember
    skips PIL (constant padding) or takes torchvision's PIL path (other modes); either way the
    shuffled, augmented batches equal torchvision's after the same seed."""
    def make(v):
        T = v.transforms
        return T.Compose([T.RandomCrop(24, padding=3, padding_mode=padding_mode), T.RandomHorizontalFlip(),
                          T.RandomVerticalFlip(0.3), T.ToTensor(), T.Normalize((0.2860,), (0.3530,))])
    t = _pair(torchvision, small_fashion, transform=make(torchvision))
    e = _pair(ember.vision, small_fashion, transform=make(ember.vision))
    pipeline = e._raw_pipeline()
    assert (pipeline is not None and pipeline[1] is False) == (padding_mode == "constant")
    torch.manual_seed(5)
    ember.manual_seed(5)
    t_batches = list(torch.utils.data.DataLoader(t, batch_size=16, shuffle=True))
    e_batches = list(ember.utils.data.DataLoader(e, batch_size=16, shuffle=True))
    assert len(t_batches) == len(e_batches) == 13
    for tb, eb in zip(t_batches, e_batches):
        assert_same(tb, eb, 0, 0, "augmented batch")
    assert torch.rand(1).item() == ember.rand(1).item()
