"""torchvision's CIFAR10 and CIFAR100. Two layouts are read: torchvision's own, the Python
version of the dataset (root/cifar-10-batches-py: pickled batches), and, for CIFAR-10, the
binary version (root/cifar-10-batches-bin, or the .bin files in root itself), which
ember's C++ reader (ember/data/datasets/cifar.cpp) reads. Items are (PIL image, int) as
torchvision's, `data` is the uint8 [N, 32, 32, 3] NumPy array, `targets` a list of ints.

Note [Reading pickled batches safely]
The Python version's batches are pickles of a dict of strings, lists of ints and one NumPy
array. Unpickling may call any global a file names, so a batch is read by an unpickler
whose find_class resolves only the few NumPy functions that rebuild an ndarray and its
dtype (numpy.core.multiarray._reconstruct, numpy.core.numeric._frombuffer for protocol
5, numpy.ndarray, numpy.dtype; and _codecs.encode, restricted to latin1, with which
Python 3's protocol-2 pickles spell bytes) and refuses every other global; the result must then have
the expected keys, shapes, dtypes and label range. Unlike torchvision, the files' MD5 sums
are not checked, so batches made by other tools (or a test) are read too."""
import io
import os
import pickle

from ... import _C
from .vision import RawImageDataset

_HOW_TO = ("ember never downloads. Put torchvision's layout there (extract cifar-10-python.tar.gz from "
           "https://www.cs.toronto.edu/~kriz/cifar.html into root, giving {where})")
_NUMPY_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
    ("numpy", "ndarray"), ("numpy", "dtype"),
}


def _latin1_bytes(text, encoding):
    """_codecs.encode as protocol-2 pickles written by Python 3 use it for bytes objects."""
    if encoding not in ("latin1", "latin-1"):
        raise _Refused(f"CIFAR batch encodes bytes with {encoding!r}; only latin1 is accepted")
    return text.encode("latin1")


class _Refused(pickle.UnpicklingError):
    pass


class _BatchUnpickler(pickle.Unpickler):
    """Note [Reading pickled batches safely]."""

    def find_class(self, module, name):
        if (module, name) == ("_codecs", "encode"):
            return _latin1_bytes
        if (module, name) in _NUMPY_GLOBALS:
            import importlib

            return getattr(importlib.import_module(module), name)
        raise _Refused(f"CIFAR batch refers to the global {module}.{name}, which a CIFAR batch "
                                     "never needs; refusing to load it")


def _load_pickle(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        return _BatchUnpickler(io.BytesIO(data), encoding="latin1").load()
    except _Refused:
        raise
    except Exception as error:  # malformed pickles raise many kinds of errors
        raise RuntimeError(f"{path} is not a readable pickled CIFAR batch: {error}") from None


class CIFAR10(RawImageDataset):
    base_folder = "cifar-10-batches-py"
    binary_folder = "cifar-10-batches-bin"
    filename = "cifar-10-python.tar.gz"
    train_list = [
        ["data_batch_1", "c99cafc152244af753f735de768cd75f"],
        ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
        ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
        ["data_batch_4", "634d18415352ddfa80567beed471001a"],
        ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"],
    ]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {"filename": "batches.meta", "key": "label_names", "md5": "5ff9c542aee3614f3951f8cda6e48888"}
    _label_key = "labels"
    _num_classes = 10

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        folder = os.path.join(self.root, self.base_folder)
        files = [name for name, _ in (self.train_list if train else self.test_list)]
        if all(os.path.isfile(os.path.join(folder, name)) for name in files + [self.meta["filename"]]):
            self._read_python_version(folder, files)
        elif self._binary_root() is not None:
            self._read_binary_version()
        else:
            where = os.path.join(str(self.root), self.base_folder)
            if download:
                raise RuntimeError(f"{type(self).__name__}(download=True): " + _HOW_TO.format(where=where))
            raise RuntimeError(
                f"Dataset not found: expected {', '.join(files)} and {self.meta['filename']} in {where}"
                + (f" (or the binary version's .bin files in {os.path.join(str(self.root), self.binary_folder)})"
                   if self._num_classes == 10 else "")
                + ". ember never downloads; extract the dataset's archive there.")
        if download:
            print("Files already downloaded and verified")
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}

    def _read_python_version(self, folder, files):
        import numpy as np

        chunks, self.targets = [], []
        for name in files:
            path = os.path.join(folder, name)
            entry = _load_pickle(path)
            if not isinstance(entry, dict) or "data" not in entry:
                raise RuntimeError(f"{path} is not a CIFAR batch: expected a dict with 'data' and "
                                   f"'{self._label_key}'")
            data = entry["data"]
            labels = entry.get("labels", entry.get("fine_labels"))
            if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or \
                    data.shape[1] != 3 * 32 * 32:
                raise RuntimeError(f"{path}: 'data' should be a uint8 array of shape [N, 3072], got "
                                   f"{type(data).__name__} {getattr(data, 'dtype', '')} "
                                   f"{list(getattr(data, 'shape', []))}")
            if isinstance(labels, np.ndarray) and labels.ndim == 1 and labels.dtype.kind in "iu":
                labels = labels.tolist()
            if not isinstance(labels, list) or len(labels) != data.shape[0] or \
                    not all(type(y) is int and 0 <= y < self._num_classes for y in labels):
                raise RuntimeError(f"{path}: the labels should be a list of {data.shape[0]} ints in "
                                   f"[0, {self._num_classes})")
            chunks.append(data)
            self.targets.extend(labels)
        # torchvision's layout: [N, 3072] rows of R, G, B planes, seen as N x 32 x 32 x 3.
        self.data = np.vstack(chunks).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))
        path = os.path.join(folder, self.meta["filename"])
        meta = _load_pickle(path)
        names = meta.get(self.meta["key"]) if isinstance(meta, dict) else None
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise RuntimeError(f"{path}: expected a dict whose '{self.meta['key']}' is a list of class names")
        self.classes = names

    def _binary_root(self):
        if self._num_classes != 10:
            return None
        for d in (os.path.join(self.root, self.binary_folder), self.root):
            if os.path.isfile(os.path.join(d, "test_batch.bin" if not self.train else "data_batch_1.bin")):
                return d
        return None

    def _read_binary_version(self):
        images, targets, classes = _C._vision.read_cifar10(os.fspath(self._binary_root()), self.train)
        self.data = images.numpy()
        self.targets = targets.tolist()
        names = os.path.join(self._binary_root(), "batches.meta.txt")
        if os.path.isfile(names):
            with open(names) as f:
                listed = [line.strip() for line in f if line.strip()]
            classes = listed if len(listed) == self._num_classes else classes
        self.classes = list(classes)

    def _target(self, index):
        return self.targets[index]

    def _targets(self, index):
        return _C.tensor([self.targets[i] for i in index.tolist()], dtype=_C.int64)

    def _raw_image(self, index):
        return _C._from_buffer(self.data[index]).permute(2, 0, 1).contiguous()

    def _raw_images(self, index):
        # One gather of the HWC pixels, seen as [N, 3, 32, 32].
        return _C._from_buffer(self.data)[index].permute(0, 3, 1, 2).contiguous()

    def _pil_image(self, index):
        from ..transforms.functional import _pil_image_module

        return _pil_image_module().fromarray(self.data[index])


class CIFAR100(CIFAR10):
    base_folder = "cifar-100-python"
    filename = "cifar-100-python.tar.gz"
    train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta = {"filename": "meta", "key": "fine_label_names", "md5": "7973b15100ade9c7d40fb424638fde48"}
    _label_key = "fine_labels"
    _num_classes = 100
