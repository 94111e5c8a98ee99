"""torchvision.datasets.VisionDataset and StandardTransform: the base of every dataset,
with torchvision's `transforms` / `transform` + `target_transform` rule and repr."""
import os

from ... import _C
from ...utils.data import Dataset


def raw_pipeline(transform):
    """Note [Transforms on raw images]: (run, batchable) for a transform that has a form on
    uint8 pixels, else None. Datasets call it only when their own __getitem__ is in use (a
    subclass overriding it must see each item)."""
    method = getattr(transform, "_ember_raw_pipeline", None) if transform is not None else None
    return method() if method is not None else None


def transform_raw_batch(pipeline, images):
    """Note [Batched fetch]: the pipeline on uint8 images [N, C, H, W]: one call when it is
    batchable, else image by image in item order (random steps draw as the items would)."""
    run, batchable = pipeline
    if batchable:
        return run(images)
    return _C.stack([run(images[i]) for i in range(images.shape[0])])


class VisionDataset(Dataset):
    _repr_indent = 4

    def __init__(self, root, transforms=None, transform=None, target_transform=None):
        if isinstance(root, str):
            root = os.path.expanduser(root)
        self.root = root
        has_transforms = transforms is not None
        has_separate_transform = transform is not None or target_transform is not None
        if has_transforms and has_separate_transform:
            raise ValueError("Only transforms or transform/target_transform can be passed as argument")
        self.transform = transform
        self.target_transform = target_transform
        if has_separate_transform:
            transforms = StandardTransform(transform, target_transform)
        self.transforms = transforms

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def __repr__(self):
        head = "Dataset " + self.__class__.__name__
        body = [f"Number of datapoints: {self.__len__()}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if getattr(self, "transforms", None) is not None:
            body += [repr(self.transforms)]
        return "\n".join([head] + [" " * self._repr_indent + line for line in body])

    def extra_repr(self):
        return ""


class RawImageDataset(VisionDataset):
    """A train/test split held in memory as uint8 pixels (the MNIST and CIFAR families).

    Items are (PIL image, target) as torchvision gives them, or, when the transform has a
    form on uint8 pixels (Note [Transforms on raw images]), the same result computed from the
    pixels without PIL; with the default collate the DataLoader builds whole batches
    (Note [Batched fetch]). Subclasses say how their pixels and targets are stored:
    `_raw_image(index)` uint8 [C, H, W], `_raw_images(index)` uint8 [N, C, H, W] for an int64
    index tensor, `_pil_image(index)`, `_target(index)` and `_targets(index)` (int64)."""

    def __getitem__(self, index):
        target = self._target(index)
        pipeline = self._raw_pipeline()
        if pipeline is not None:
            img = pipeline[0](self._raw_image(index))
        else:
            img = self._pil_image(index)
            if self.transform is not None:
                img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)

    def _raw_pipeline(self):
        # A subclass overriding __getitem__ must see each item: no shortcut then.
        if type(self).__getitem__ is not RawImageDataset.__getitem__:
            return None
        return raw_pipeline(self.transform)

    def _ember_fetch_batch(self, indices):
        pipeline = self._raw_pipeline()
        if pipeline is None or self.target_transform is not None:
            return None
        index = _C.tensor(indices, dtype=_C.int64)
        return [transform_raw_batch(pipeline, self._raw_images(index)), self._targets(index)]

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


def _format_transform_repr(transform, head):
    lines = repr(transform).splitlines()
    return [f"{head}{lines[0]}"] + [" " * len(head) + line for line in lines[1:]]


class StandardTransform:
    def __init__(self, transform=None, target_transform=None):
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, input, target):  # noqa: A002
        if self.transform is not None:
            input = self.transform(input)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return input, target

    def __repr__(self):
        body = [self.__class__.__name__]
        if self.transform is not None:
            body += _format_transform_repr(self.transform, "Transform: ")
        if self.target_transform is not None:
            body += _format_transform_repr(self.target_transform, "Target transform: ")
        return "\n".join(body)
