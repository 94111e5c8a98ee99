"""torchvision's MNIST and FashionMNIST: the IDX files are read and decompressed in C++
(ember/data/datasets/mnist.cpp), from `root` itself (Debian's dataset-fashion-mnist layout)
or from root/<ClassName>/raw (torchvision's). Items are (PIL image, int) as torchvision's,
or whatever the transforms make of them."""
import os

from ... import _C
from .vision import VisionDataset, raw_pipeline, transform_raw_batch

_WHERE = {
    "FashionMNIST": "apt-get install dataset-fashion-mnist puts them in /usr/share/datasets/fashion-mnist",
    "MNIST": "Debian does not package MNIST; copy the four files there from a machine that has them",
}


class MNIST(VisionDataset):
    _fashion = False

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        name = "FashionMNIST" if self._fashion else "MNIST"
        try:
            self.data, self.targets, _ = _C._vision.read_mnist(str(root), train, self._fashion)
        except RuntimeError as error:
            if not download:
                raise
            split = "train" if train else "t10k"
            raise RuntimeError(
                f"{name}(download=True): ember never downloads. Expected {split}-images-idx3-ubyte[.gz] and "
                f"{split}-labels-idx1-ubyte[.gz] in {root} or {os.path.join(str(root), name, 'raw')}; "
                f"{_WHERE[name]}. ({error})") from None

    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]

    def __getitem__(self, index):
        img, target = self.data[index], int(self.targets[index])
        pipeline = self._raw_pipeline()
        if pipeline is not None:
            img = pipeline[0](img.unsqueeze(0))
        else:
            from ..transforms.functional import _pil_image_module

            img = _pil_image_module().fromarray(img.numpy(), mode="L")
            if self.transform is not None:
                img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)

    def _raw_pipeline(self):
        """Note [Transforms on raw images]: (the transform as a function of the uint8 pixels,
        whether it takes a batch), when it has one."""
        if type(self).__getitem__ is not MNIST.__getitem__:
            return None
        return raw_pipeline(self.transform)

    def _ember_fetch_batch(self, indices):
        # Note [Batched fetch]: default_collate of (image, int) items is [images, int64 targets].
        pipeline = self._raw_pipeline()
        if pipeline is None or self.target_transform is not None:
            return None
        index = _C.tensor(indices, dtype=_C.int64)
        return [transform_raw_batch(pipeline, self.data[index].unsqueeze(1)), self.targets[index]]

    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def processed_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "processed")

    @property
    def class_to_idx(self):
        return {_class: i for i, _class in enumerate(self.classes)}

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    _fashion = True
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
