"""ember.vision.datasets' CIFAR10/CIFAR100, ImageFolder/DatasetFolder and FakeData, and
ember.vision.utils' make_grid/save_image, against torchvision 0.14.1 on tiny datasets
written here (CIFAR batches pickled as torchvision's files are, PNG and JPEG trees written
by PIL): lengths, attributes, every item, reprs, errors, the raw-pixel and batched fast
paths, and the unpickler's refusal of foreign globals."""
import io
import os
import pickle
import struct

import numpy as np
import pytest
import torch
import torchvision
import torchvision.datasets.cifar
from PIL import Image

import ember
import ember.vision

from helpers import assert_same

CIFAR10_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


class _Python2Pickler(pickle._Pickler):
    """Writes str and bytes as Python 2 strings (SHORT_BINSTRING / BINSTRING), as the
    published CIFAR batches (pickled by Python 2's cPickle) hold them."""
    dispatch = dict(pickle._Pickler.dispatch)

    def _save_py2_string(self, obj):
        data = obj.encode("latin1") if isinstance(obj, str) else obj
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)
        self.memoize(obj)

    dispatch[str] = _save_py2_string
    dispatch[bytes] = _save_py2_string


def _dump(obj, path, protocol):
    with open(path, "wb") as f:
        if protocol == "py2":
            _Python2Pickler(f, protocol=2).dump(obj)
        else:
            pickle.dump(obj, f, protocol=protocol)


def _write_cifar(root, protocol, rng, sizes, base="cifar-10-batches-py", label_key="labels", num_classes=10,
                 meta=("batches.meta", "label_names"), files=None):
    folder = root / base
    folder.mkdir(parents=True)
    files = files or [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    batches = {}
    for name, n in zip(files, sizes):
        entry = {"batch_label": f"{name} of 6", label_key: rng.integers(0, num_classes, n).tolist(),
                 "data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
                 "filenames": [f"image_{k}.png" for k in range(n)]}
        _dump(entry, folder / name, protocol)
        batches[name] = entry
    names = CIFAR10_NAMES if num_classes == 10 else [f"class_{k}" for k in range(num_classes)]
    _dump({meta[1]: names, "num_cases_per_batch": sizes[0], "num_vis": 3072}, folder / meta[0], protocol)
    return batches


@pytest.fixture
def torchvision_reads_any_md5(monkeypatch):
    """torchvision checks the published files' MD5 sums; the tests' small batches differ."""
    monkeypatch.setattr(torchvision.datasets.cifar, "check_integrity", lambda *args, **kwargs: True)


def _assert_same_pil(t_img, e_img, what):
    assert isinstance(e_img, Image.Image), f"{what}: {type(e_img)}"
    assert (e_img.mode, e_img.size) == (t_img.mode, t_img.size), what
    assert e_img.tobytes() == t_img.tobytes(), what


def _assert_same_datasets(t, e, what):
    assert len(e) == len(t), what
    for i in range(len(t)):
        (ti, tt), (ei, et) = t[i], e[i]
        if isinstance(ti, Image.Image):
            _assert_same_pil(ti, ei, f"{what} item {i}")
        else:
            assert_same(ti, ei, 0, 0, f"{what} item {i}")
        assert et == tt and type(et) is type(tt), f"{what} target {i}: {et!r} vs {tt!r}"


@pytest.mark.parametrize("protocol", ["py2", 2, 4, 5])
def test_cifar10_pickled_batches_match_torchvision(tmp_path, torchvision_reads_any_md5, protocol):
    _write_cifar(tmp_path, protocol, np.random.default_rng(0), [7, 6, 5, 4, 3, 9])
    for train in (True, False):
        t = torchvision.datasets.CIFAR10(str(tmp_path), train=train)
        e = ember.vision.datasets.CIFAR10(str(tmp_path), train=train)
        assert isinstance(e.data, np.ndarray) and e.data.dtype == np.uint8 and e.data.shape == t.data.shape
        assert e.data.shape[1:] == (32, 32, 3) and np.array_equal(e.data, t.data)
        assert e.targets == t.targets and all(type(y) is int for y in e.targets)
        assert e.classes == t.classes == CIFAR10_NAMES and e.class_to_idx == t.class_to_idx
        assert repr(e) == repr(t)
        _assert_same_datasets(t, e, f"train={train}")
        assert e.base_folder == t.base_folder and e.train_list == t.train_list and e.meta == t.meta


@pytest.mark.parametrize("pipeline", ["to_tensor_normalize", "pil_to_tensor", "random_crop"])
def test_cifar10_transforms_and_batches_match_torchvision(tmp_path, torchvision_reads_any_md5, pipeline):
    _write_cifar(tmp_path, 2, np.random.default_rng(1), [5, 5, 5, 5, 5, 10])

    def make(v):
        T = v.transforms
        return {"to_tensor_normalize": T.Compose([T.ToTensor(), T.Normalize((0.49, 0.48, 0.45), (0.25, 0.24, 0.26))]),
                "pil_to_tensor": T.PILToTensor(),
                "random_crop": T.Compose([T.RandomCrop(28, padding=2), T.ToTensor()])}[pipeline]

    t = torchvision.datasets.CIFAR10(str(tmp_path), transform=make(torchvision), target_transform=lambda y: y + 100)
    e = ember.vision.datasets.CIFAR10(str(tmp_path), transform=make(ember.vision), target_transform=lambda y: y + 100)
    torch.manual_seed(3)
    ember.manual_seed(3)
    _assert_same_datasets(t, e, pipeline)
    t = torchvision.datasets.CIFAR10(str(tmp_path), transform=make(torchvision))
    e = ember.vision.datasets.CIFAR10(str(tmp_path), transform=make(ember.vision))
    torch.manual_seed(4)
    ember.manual_seed(4)
    t_batches = list(torch.utils.data.DataLoader(t, batch_size=4))
    e_batches = list(ember.utils.data.DataLoader(e, batch_size=4))
    assert len(t_batches) == len(e_batches) == 7
    for tb, eb in zip(t_batches, e_batches):
        assert_same(tb, eb, 0, 0, "batch")


def test_cifar10_binary_version_is_read_by_the_cpp_reader(tmp_path, torchvision_reads_any_md5):
    batches = _write_cifar(tmp_path / "py", 2, np.random.default_rng(2), [3, 2, 4, 1, 2, 5])
    binary = tmp_path / "bin" / "cifar-10-batches-bin"
    binary.mkdir(parents=True)
    for name, entry in batches.items():
        records = np.concatenate([np.array(entry["labels"], np.uint8)[:, None], entry["data"]], axis=1)
        (binary / f"{name}.bin").write_bytes(records.tobytes())
    (binary / "batches.meta.txt").write_text("\n".join(CIFAR10_NAMES) + "\n\n")
    for train in (True, False):
        t = torchvision.datasets.CIFAR10(str(tmp_path / "py"), train=train)
        e = ember.vision.datasets.CIFAR10(str(tmp_path / "bin"), train=train)
        assert np.array_equal(e.data, t.data) and e.targets == t.targets and e.classes == t.classes
        _assert_same_datasets(t, e, f"binary train={train}")


def test_cifar100_matches_torchvision(tmp_path, torchvision_reads_any_md5):
    _write_cifar(tmp_path, "py2", np.random.default_rng(3), [11, 6], base="cifar-100-python",
                 label_key="fine_labels", num_classes=100, meta=("meta", "fine_label_names"), files=["train", "test"])
    for train in (True, False):
        t = torchvision.datasets.CIFAR100(str(tmp_path), train=train)
        e = ember.vision.datasets.CIFAR100(str(tmp_path), train=train)
        assert e.classes == t.classes and e.targets == t.targets and repr(e) == repr(t)
        _assert_same_datasets(t, e, f"cifar100 train={train}")


class _Exploit:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


def test_cifar_batches_are_unpickled_without_foreign_globals(tmp_path):
    _write_cifar(tmp_path, 2, np.random.default_rng(4), [2, 2, 2, 2, 2, 2])
    folder = tmp_path / "cifar-10-batches-py"
    marker = tmp_path / "pwned"
    entry = {"labels": [1], "data": np.zeros((1, 3072), np.uint8), "payload": _Exploit(marker)}
    with open(folder / "test_batch", "wb") as f:
        pickle.dump(entry, f, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match="posix.system|os.system"):
        ember.vision.datasets.CIFAR10(str(tmp_path), train=False)
    assert not marker.exists()
    # Well-formed pickles of the wrong content are refused with what was expected.
    _dump({"labels": [1, 2], "data": np.zeros((2, 100), np.uint8)}, folder / "test_batch", 2)
    with pytest.raises(RuntimeError, match=r"uint8 array of shape \[N, 3072\]"):
        ember.vision.datasets.CIFAR10(str(tmp_path), train=False)
    _dump({"labels": [1, 12], "data": np.zeros((2, 3072), np.uint8)}, folder / "test_batch", 2)
    with pytest.raises(RuntimeError, match=r"list of 2 ints in \[0, 10\)"):
        ember.vision.datasets.CIFAR10(str(tmp_path), train=False)
    (folder / "test_batch").write_bytes(b"\x80\x02}q\x00(X\x04\x00")
    with pytest.raises(RuntimeError, match="not a readable pickled CIFAR batch"):
        ember.vision.datasets.CIFAR10(str(tmp_path), train=False)


def test_cifar_missing_files_say_where_and_never_download(tmp_path, capsys):
    with pytest.raises(RuntimeError) as error:
        ember.vision.datasets.CIFAR10(str(tmp_path), download=True)
    message = str(error.value)
    assert "never downloads" in message and str(tmp_path / "cifar-10-batches-py") in message
    with pytest.raises(RuntimeError, match="Dataset not found") as error:
        ember.vision.datasets.CIFAR10(str(tmp_path), train=False)
    assert "test_batch" in str(error.value) and "cifar-10-batches-bin" in str(error.value)
    _write_cifar(tmp_path, 2, np.random.default_rng(5), [1, 1, 1, 1, 1, 1])
    assert len(ember.vision.datasets.CIFAR10(str(tmp_path), download=True)) == 5
    assert capsys.readouterr().out == "Files already downloaded and verified\n"


# ImageFolder / DatasetFolder ------------------------------------------------------------

def _png_variants(rng):
    """PIL images of every 8-bit PNG colour type and a few others, 6 x 5 pixels."""
    rgb = rng.integers(0, 256, (5, 6, 3), dtype=np.uint8)
    return {
        "rgb": Image.fromarray(rgb),
        "gray": Image.fromarray(rgb[..., 0]),
        "rgba": Image.fromarray(np.dstack([rgb, rgb[..., :1]]), "RGBA"),
        "gray_alpha": Image.fromarray(np.dstack([rgb[..., 0], rgb[..., 1]]), "LA"),
        "palette8": Image.fromarray(rgb).quantize(20),  # PIL picks the bit depth: 8
        "palette4_trns": Image.fromarray(rgb).quantize(7),  # 4 bits, saved with a transparent index
        "palette2": Image.fromarray(rgb).quantize(3),
        "palette1": Image.fromarray(rgb).quantize(2),
        "gray16": Image.fromarray(rng.integers(0, 65536, (5, 6)).astype(np.uint16), "I;16"),
        "bilevel": Image.fromarray(rgb[..., 0] > 127),
    }


@pytest.fixture(scope="module")
def image_tree(tmp_path_factory):
    """root/<class>/[sub/]*.png|jpg|txt: three classes, nested files, mixed-case extensions,
    files that are no images, every PNG colour type."""
    root = tmp_path_factory.mktemp("folder")
    rng = np.random.default_rng(6)
    variants = list(_png_variants(rng).items())
    for c, cls in enumerate(["zebra", "ant", "Cat"]):
        (root / cls / "deeper" / "deepest").mkdir(parents=True)
        for k, (name, img) in enumerate(variants[c::2]):
            target = root / cls / ("deeper" if k % 2 else "") / f"{name}_{k}.png"
            img.save(target, **({"transparency": 2} if name.endswith("trns") else {}))
        jpeg = Image.fromarray(rng.integers(0, 256, (5, 6, 3), dtype=np.uint8))
        jpeg.save(root / cls / "deeper" / "deepest" / "p.JPG", quality=85)
        Image.fromarray(rng.integers(0, 256, (5, 6, 3), dtype=np.uint8)).save(root / cls / "b.BMP")
        (root / cls / "notes.txt").write_text("not an image")
    (root / "stray_file.png").write_bytes(b"not a class directory")
    return root


def test_image_folder_matches_torchvision(image_tree):
    t = torchvision.datasets.ImageFolder(str(image_tree))
    e = ember.vision.datasets.ImageFolder(str(image_tree))
    assert e.classes == t.classes == ["Cat", "ant", "zebra"] and e.class_to_idx == t.class_to_idx
    assert e.samples == t.samples and e.imgs == t.imgs and e.imgs is e.samples and e.targets == t.targets
    assert e.extensions == t.extensions == ember.vision.datasets.folder.IMG_EXTENSIONS
    assert repr(e) == repr(t)
    _assert_same_datasets(t, e, "image folder")


def _counting_pil_open(monkeypatch):
    opened = []
    original = Image.open

    def counting(fp, *args, **kwargs):
        opened.append(getattr(fp, "name", fp))
        return original(fp, *args, **kwargs)

    monkeypatch.setattr(Image, "open", counting)
    return opened


@pytest.mark.parametrize("pipeline", ["to_tensor_normalize", "pil_to_tensor", "resize", "random_flip_crop"])
def test_image_folder_raw_pngs_skip_pil_and_match_torchvision(image_tree, monkeypatch, pipeline):
    def make(v):
        T = v.transforms
        return {"to_tensor_normalize": T.Compose([T.ToTensor(), T.Normalize((0.5, 0.4, 0.3), (0.2, 0.3, 0.4))]),
                "pil_to_tensor": T.PILToTensor(),
                "resize": T.Compose([T.ToTensor(), T.Resize((4, 3))]),
                "random_flip_crop": T.Compose([T.RandomHorizontalFlip(), T.RandomCrop(4, padding=1), T.ToTensor()]),
                }[pipeline]

    t = torchvision.datasets.ImageFolder(str(image_tree), transform=make(torchvision))
    e = ember.vision.datasets.ImageFolder(str(image_tree), transform=make(ember.vision))
    opened = _counting_pil_open(monkeypatch)
    torch.manual_seed(5)
    t_items = [t[i] for i in range(len(t))]
    assert sorted(opened) == sorted(p for p, _ in t.samples)
    opened.clear()
    ember.manual_seed(5)
    e_items = [e[i] for i in range(len(e))]
    for i, (ti, ei) in enumerate(zip(t_items, e_items)):
        assert_same(ti[0], ei[0], 0, 0, f"{pipeline} item {i}")
        assert ei[1] == ti[1]
    # ember opened with PIL only the files stb does not decode like PIL: JPEG, BMP, 16-bit PNGs.
    expected = sorted(p for p, _ in e.samples if not p.endswith(".png") or "gray16" in p)
    assert sorted(opened) == expected and len(expected) < len(e) / 2
    n = len(t)
    # Batches (decoded in parallel in C++) equal torchvision's.
    torch.manual_seed(6)
    t_batch = next(iter(torch.utils.data.DataLoader(t, batch_size=n)))
    ember.manual_seed(6)
    e_batch = next(iter(ember.utils.data.DataLoader(e, batch_size=n)))
    assert_same(t_batch, e_batch, 0, 0, "batch")


def test_image_folder_options_and_helpers_match_torchvision(image_tree):
    def only_pngs(path):
        return path.endswith(".png") and "deeper" not in path

    for kwargs in ({"is_valid_file": only_pngs}, {"loader": lambda path: os.path.getsize(path)},
                   {"target_transform": lambda y: -y}):
        t = torchvision.datasets.ImageFolder(str(image_tree), **kwargs)
        e = ember.vision.datasets.ImageFolder(str(image_tree), **kwargs)
        assert e.samples == t.samples and e.extensions == t.extensions
        _assert_same_datasets(t, e, str(kwargs))
    t_folder, e_folder = torchvision.datasets.folder, ember.vision.datasets.folder
    assert e_folder.find_classes(str(image_tree)) == t_folder.find_classes(str(image_tree))
    for extensions in ((".png",), ".jpg", (".BMP", ".jpg")):
        t = torchvision.datasets.DatasetFolder(str(image_tree), t_folder.pil_loader, extensions=extensions)
        e = ember.vision.datasets.DatasetFolder(str(image_tree), e_folder.pil_loader, extensions=extensions)
        assert e.samples == t.samples and e.targets == t.targets and repr(e) == repr(t)
    assert e_folder.make_dataset(str(image_tree), extensions=(".png",)) == \
        t_folder.make_dataset(str(image_tree), extensions=(".png",))
    assert e_folder.make_dataset(str(image_tree), {"ant": 5}, extensions=(".png",)) == \
        t_folder.make_dataset(str(image_tree), {"ant": 5}, extensions=(".png",))
    for name in ("a.PNG", "b.tiff", "c.gif", "d.webp", "e"):
        assert e_folder.is_image_file(name) == t_folder.is_image_file(name)
    # The default loader is PIL's, converting to RGB.
    path = str(next(image_tree.rglob("gray_alpha*.png")))
    _assert_same_pil(t_folder.default_loader(path), e_folder.default_loader(path), "default_loader")


class _OnlyAnt:
    @staticmethod
    def find_classes(directory):
        return ["ant"], {"ant": 0}


def test_dataset_folder_overrides_and_errors_match_torchvision(image_tree, tmp_path):
    class TOnlyAnt(_OnlyAnt, torchvision.datasets.ImageFolder):
        pass

    class EOnlyAnt(_OnlyAnt, ember.vision.datasets.ImageFolder):
        pass

    t, e = TOnlyAnt(str(image_tree)), EOnlyAnt(str(image_tree))
    assert e.classes == t.classes == ["ant"] and e.samples == t.samples

    def same_error(make_t, make_e):
        with pytest.raises(Exception) as expected:
            make_t()
        with pytest.raises(expected.type) as got:
            make_e()
        assert str(got.value) == str(expected.value)

    (tmp_path / "empty" / "a").mkdir(parents=True)
    (tmp_path / "empty" / "b").mkdir()
    (tmp_path / "empty" / "b" / "x.png").write_bytes(b"")
    (tmp_path / "none").mkdir()
    for root in ("empty", "none"):
        same_error(lambda: torchvision.datasets.ImageFolder(str(tmp_path / root)),
                   lambda: ember.vision.datasets.ImageFolder(str(tmp_path / root)))
    same_error(lambda: torchvision.datasets.DatasetFolder(str(image_tree), len),
               lambda: ember.vision.datasets.DatasetFolder(str(image_tree), len))
    same_error(lambda: torchvision.datasets.DatasetFolder(str(image_tree), len, (".png",), is_valid_file=bool),
               lambda: ember.vision.datasets.DatasetFolder(str(image_tree), len, (".png",), is_valid_file=bool))
    same_error(lambda: torchvision.datasets.folder.make_dataset(str(image_tree), {}, (".png",)),
               lambda: ember.vision.datasets.folder.make_dataset(str(image_tree), {}, (".png",)))
    same_error(lambda: torchvision.datasets.DatasetFolder.make_dataset(str(image_tree), None, (".png",)),
               lambda: ember.vision.datasets.DatasetFolder.make_dataset(str(image_tree), None, (".png",)))
    same_error(lambda: torchvision.datasets.ImageFolder(str(tmp_path / "missing")),
               lambda: ember.vision.datasets.ImageFolder(str(tmp_path / "missing")))


def test_image_folder_subclass_overriding_getitem_is_called_per_item(image_tree):
    calls = []

    class Counting(ember.vision.datasets.ImageFolder):
        def __getitem__(self, i):
            calls.append(i)
            return super().__getitem__(i)

    d = Counting(str(image_tree), transform=ember.vision.transforms.Compose(
        [ember.vision.transforms.ToTensor(), ember.vision.transforms.Resize((4, 4))]))
    batch = next(iter(ember.utils.data.DataLoader(d, batch_size=3)))
    assert calls == [0, 1, 2] and batch[0].shape == (3, 3, 4, 4)


def test_read_image_and_the_loader_without_pil(image_tree, monkeypatch):
    path = next(str(p) for p in sorted(image_tree.rglob("rgb*.png")))
    expected = np.asarray(Image.open(path).convert("RGB"))
    assert np.array_equal(ember._C._vision.read_image(path, 3).permute(1, 2, 0).numpy(), expected)
    import ember.vision.transforms.functional as F
    monkeypatch.setattr(F, "_pil_image_module", lambda required=True: None)
    loaded = ember.vision.datasets.folder.default_loader(path)
    assert isinstance(loaded, np.ndarray) and np.array_equal(loaded, expected)
    with pytest.raises(RuntimeError, match="cannot decode image"):
        ember.vision.datasets.folder.ember_loader(str(image_tree / "ant" / "notes.txt"))


# FakeData -------------------------------------------------------------------------------

@pytest.mark.parametrize("image_size", [(3, 9, 7), (1, 6, 5), (4, 3, 3), (8, 8)])
@pytest.mark.parametrize("random_offset", [0, 17])
def test_fake_data_matches_torchvision(image_size, random_offset):
    t = torchvision.datasets.FakeData(6, image_size, 5, random_offset=random_offset)
    e = ember.vision.datasets.FakeData(6, image_size, 5, random_offset=random_offset)
    assert repr(e) == repr(t)
    _assert_same_datasets(t, e, "fake data")
    for transform in ("to_tensor", "to_tensor_normalize", "random_crop_flip"):
        def make(v):
            T = v.transforms
            if transform == "to_tensor":
                return T.ToTensor()
            if transform == "random_crop_flip":
                return T.Compose([T.RandomCrop(3, padding=2), T.RandomVerticalFlip(), T.ToTensor()])
            channels = 1 if len(image_size) == 2 else image_size[0]
            return T.Compose([T.ToTensor(), T.Normalize((0.5,) * channels, (0.25,) * channels)])

        t = torchvision.datasets.FakeData(6, image_size, 5, transform=make(torchvision), random_offset=random_offset)
        e = ember.vision.datasets.FakeData(6, image_size, 5, transform=make(ember.vision),
                                           random_offset=random_offset)
        torch.manual_seed(7)
        ember.manual_seed(7)
        _assert_same_datasets(t, e, transform)


def test_fake_data_restores_the_generator_and_follows_torchvision():
    torch.manual_seed(11)
    ember.manual_seed(11)
    def double(y):
        return y * 2

    t = torchvision.datasets.FakeData(4, (3, 5, 5), 10, target_transform=double)
    e = ember.vision.datasets.FakeData(4, (3, 5, 5), 10, target_transform=double)
    _assert_same_datasets(t, e, "target_transform gets a tensor")
    assert np.array_equal(torch.rand(5).numpy(), ember.rand(5).numpy())
    assert len(e) == 4 and repr(e) == repr(t)
    with pytest.raises(IndexError, match="FakeData index out of range"):
        e[4]
    t_batch = next(iter(torch.utils.data.DataLoader(
        torchvision.datasets.FakeData(8, (3, 4, 4), transform=torchvision.transforms.ToTensor()), batch_size=8)))
    e_batch = next(iter(ember.utils.data.DataLoader(
        ember.vision.datasets.FakeData(8, (3, 4, 4), transform=ember.vision.transforms.ToTensor()), batch_size=8)))
    assert_same(t_batch, e_batch, 0, 0, "batch")


# ember.vision.utils ---------------------------------------------------------------------

_GRIDS = [((5, 3, 4, 6), {}), ((5, 1, 4, 6), {"nrow": 2, "padding": 1, "pad_value": 0.5}), ((1, 3, 4, 4), {}),
          ((3, 4, 5), {}), ((1, 4, 5), {}), ((4, 5), {}), ((9, 2, 3, 3), {"nrow": 4, "padding": 3}),
          ((7, 3, 5, 5), {"normalize": True}), ((7, 3, 5, 5), {"normalize": True, "scale_each": True}),
          ((7, 3, 5, 5), {"normalize": True, "value_range": (-1, 1)}),
          ((7, 3, 5, 5), {"normalize": True, "value_range": (-0.5, 0.7), "scale_each": True, "nrow": 3,
                          "padding": 0})]


@pytest.mark.parametrize("shape,kwargs", _GRIDS)
def test_make_grid_matches_torchvision(shape, kwargs):
    x = np.random.default_rng(7).normal(size=shape).astype(np.float32) * 2
    tx, ex = torch.tensor(x), ember.tensor(x)
    assert_same(torchvision.utils.make_grid(tx, **kwargs), ember.vision.utils.make_grid(ex, **kwargs), 0, 0, "grid")
    assert np.array_equal(ex.numpy(), x)  # normalize works on a copy
    if len(shape) == 4 and shape[0] > 1:
        assert_same(torchvision.utils.make_grid(list(tx), **kwargs),
                    ember.vision.utils.make_grid(list(ex), **kwargs), 0, 0, "grid of a list")


def test_make_grid_errors_match_torchvision():
    for bad in ([torch.zeros(3, 2, 2), 1], "image", (torch.zeros(3, 2, 2),)):
        with pytest.raises(TypeError) as expected:
            torchvision.utils.make_grid(bad)
        e_bad = [ember.zeros(3, 2, 2), 1] if isinstance(bad, list) else (ember.zeros(3, 2, 2),) \
            if isinstance(bad, tuple) else bad
        with pytest.raises(TypeError) as got:
            ember.vision.utils.make_grid(e_bad)
        assert str(got.value) == str(expected.value).replace("torch.Tensor", "ember.Tensor") or \
            str(got.value) == str(expected.value)
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        ember.vision.utils.make_grid(ember.zeros(2, 3, 2, 2), normalize=True, value_range=[0, 1])


@pytest.mark.parametrize("shape,kwargs", [g for g in _GRIDS if g[0][-3:-2] != (2,)])
def test_save_image_writes_torchvisions_file(tmp_path, shape, kwargs):
    x = np.random.default_rng(8).uniform(-0.1, 1.1, size=shape).astype(np.float32)
    t_buffer, e_buffer = io.BytesIO(), io.BytesIO()
    torchvision.utils.save_image(torch.tensor(x), t_buffer, format="png", **kwargs)
    ember.vision.utils.save_image(ember.tensor(x), e_buffer, format="png", **kwargs)
    assert e_buffer.getvalue() == t_buffer.getvalue()
    torchvision.utils.save_image(torch.tensor(x), tmp_path / "t.jpg", **kwargs)
    ember.vision.utils.save_image(ember.tensor(x), str(tmp_path / "e.jpg"), **kwargs)
    assert (tmp_path / "e.jpg").read_bytes() == (tmp_path / "t.jpg").read_bytes()


def test_save_image_without_pil_writes_png_through_cpp(tmp_path, monkeypatch):
    x = np.random.default_rng(9).uniform(0, 1, size=(3, 3, 5, 4)).astype(np.float32)
    torchvision.utils.save_image(torch.tensor(x), tmp_path / "t.png", nrow=2)
    import ember.vision.transforms.functional as F
    monkeypatch.setattr(F, "_pil_image_module", lambda required=True: None)
    ember.vision.utils.save_image(ember.tensor(x), tmp_path / "e.png", nrow=2)
    with pytest.raises(ImportError, match="Pillow"):
        ember.vision.utils.save_image(ember.tensor(x), tmp_path / "e.jpg")
    monkeypatch.undo()
    assert np.array_equal(np.asarray(Image.open(tmp_path / "e.png")), np.asarray(Image.open(tmp_path / "t.png")))
