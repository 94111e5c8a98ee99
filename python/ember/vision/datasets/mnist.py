"""torchvision's MNIST and FashionMNIST: the IDX files are read and decompressed in C++
(ember/data/datasets/mnist.cpp), from `root` itself (Debian's dataset-fashion-mnist layout)
or from root/<ClassName>/raw (torchvision's). Items are (PIL image, int) as torchvision's,
or whatever the transforms make of them."""
import os

from ... import _C
from .vision import RawImageDataset

_WHERE = {
    "FashionMNIST": "apt-get install dataset-fashion-mnist puts them in /usr/share/datasets/fashion-mnist",
    "MNIST": "Debian does not package MNIST; copy the four files there from a machine that has them",
}


class MNIST(RawImageDataset):
    _fashion = False

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        name = "FashionMNIST" if self._fashion else "MNIST"
        try:
            self.data, self.targets = _C._vision.read_mnist(str(root), train, self._fashion)
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

    def _target(self, index):
        return int(self.targets[index])

    def _targets(self, index):
        return self.targets[index]

    def _raw_image(self, index):
        return self.data[index].unsqueeze(0)

    def _raw_images(self, index):
        return self.data[index].unsqueeze(1)

    def _pil_image(self, index):
        from ..transforms.functional import _pil_image_module

        return _pil_image_module().fromarray(self.data[index].numpy(), mode="L")

    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def processed_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "processed")

    @property
    def class_to_idx(self):
        return {_class: i for i, _class in enumerate(self.classes)}


class FashionMNIST(MNIST):
    _fashion = True
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
