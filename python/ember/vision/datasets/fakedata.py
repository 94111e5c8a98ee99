"""torchvision's FakeData: item i is drawn from ember's default generator seeded with
i + random_offset (randn image, then a randint target), exactly torchvision's draws, so the
items equal torchvision's; the caller's generator state is restored afterwards."""
from ... import _C
from .. import transforms
from .vision import VisionDataset, raw_pipeline


class FakeData(VisionDataset):
    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None, target_transform=None,
                 random_offset=0):
        super().__init__(None, transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index):
        if index >= len(self):
            raise IndexError(f"{self.__class__.__name__} index out of range")
        state = _C.get_rng_state()
        _C.manual_seed(int(index + self.random_offset))  # NumPy and tensor indices too, as torch takes them
        img = _C.randn(*self.image_size)
        target = _C.randint(0, self.num_classes, size=(1,), dtype=_C.int64)[0]
        _C.set_rng_state(state)
        pipeline = self._raw_pipeline(img)
        if pipeline is not None:
            # Note [Transforms on raw images]: ToPILImage's pixels (mul(255).byte()) without PIL.
            img = pipeline[0](img.mul(255).byte())
        else:
            img = transforms.ToPILImage()(img)
            if self.transform is not None:
                img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target.item()

    def __len__(self):
        return self.size

    def _raw_pipeline(self, img):
        if type(self).__getitem__ is not FakeData.__getitem__ or img.dim() != 3 or img.shape[0] not in (1, 3, 4) \
                or img.dtype != _C.float32:
            return None
        return raw_pipeline(self.transform)
