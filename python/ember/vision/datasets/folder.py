"""torchvision's DatasetFolder and ImageFolder (root/<class>/**/<file>), with its helper
functions. The directory walk is Python's os.walk, as torchvision's, so overriding
`find_classes` / `make_dataset` or passing `is_valid_file` behaves the same; the default
loader opens images with PIL and converts them to RGB (torchvision's `pil_loader`).

Note [Decoding like PIL]
With the default loader and a transform that starts with ToTensor / PILToTensor followed by
tensor-wise transforms (Note [Transforms on raw images]), an image whose file C++ decodes
to exactly the pixels PIL's convert("RGB") gives (8-bit PNGs; bind_vision.cpp decides) is
decoded by stb in C++ and never becomes a PIL image; a whole batch is decoded in parallel
with the GIL released (Note [Batched fetch]). Other files (JPEG: stb and libjpeg round
their IDCTs and colour conversions differently; 16-bit PNGs, TIFF, WebP, ...) take
torchvision's path through PIL."""
import os

from ... import _C
from .vision import VisionDataset, raw_pipeline

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename, extensions):
    """Whether `filename` ends (case-insensitively) with one of `extensions` (lowercase)."""
    return filename.lower().endswith(extensions if isinstance(extensions, str) else tuple(extensions))


def is_image_file(filename):
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def find_classes(directory):
    """(sorted class directory names, {name: index}) of the sub-directories of `directory`."""
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: i for i, name in enumerate(classes)}


def make_dataset(directory, class_to_idx=None, extensions=None, is_valid_file=None):
    """[(path, class index)]: each class directory's files, walked (following links) in sorted
    directory order and sorted file order, that have an allowed extension or pass
    `is_valid_file` (exactly one of the two)."""
    directory = os.path.expanduser(directory)
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any samples.")
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the same time")
    if extensions is not None:
        def is_valid_file(path):
            return has_file_allowed_extension(path, extensions)

    instances = []
    found = set()
    for class_name in sorted(class_to_idx.keys()):
        index = class_to_idx[class_name]
        class_dir = os.path.join(directory, class_name)
        if not os.path.isdir(class_dir):
            continue
        for root, _, names in sorted(os.walk(class_dir, followlinks=True)):
            for name in sorted(names):
                path = os.path.join(root, name)
                if is_valid_file(path):
                    instances.append((path, index))
                    found.add(class_name)
    empty = set(class_to_idx.keys()) - found
    if empty:
        message = f"Found no valid file for the classes {', '.join(sorted(empty))}. "
        if extensions is not None:
            listed = extensions if isinstance(extensions, str) else ", ".join(extensions)
            message += f"Supported extensions are: {listed}"
        raise FileNotFoundError(message)
    return instances


class DatasetFolder(VisionDataset):
    def __init__(self, root, loader, extensions=None, transform=None, target_transform=None, is_valid_file=None):
        super().__init__(root, transform=transform, target_transform=target_transform)
        classes, class_to_idx = self.find_classes(self.root)
        samples = self.make_dataset(self.root, class_to_idx, extensions, is_valid_file)
        self.loader = loader
        self.extensions = extensions
        self.classes = classes
        self.class_to_idx = class_to_idx
        self.samples = samples
        self.targets = [target for _, target in samples]

    @staticmethod
    def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None):
        if class_to_idx is None:
            # The module function would find the classes its own way, not through an
            # overridden find_classes method.
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions=extensions, is_valid_file=is_valid_file)

    def find_classes(self, directory):
        return find_classes(directory)

    def __getitem__(self, index):
        path, target = self.samples[index]
        pipeline = self._raw_pipeline()
        sample = None
        if pipeline is not None:
            pixels = _C._vision.read_rgb_like_pil(os.fspath(path))
            if pixels is not None:
                sample = pipeline[0](pixels)
        if sample is None:
            sample = self.loader(path)
            if self.transform is not None:
                sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def __len__(self):
        return len(self.samples)

    def _raw_pipeline(self):
        """Note [Decoding like PIL]: (the transform as a function of the RGB uint8 pixels,
        whether it takes a batch), when the items are the default loader's images and the
        transform has one."""
        if self.loader is not default_loader or type(self).__getitem__ is not DatasetFolder.__getitem__:
            return None
        return raw_pipeline(self.transform)

    def _ember_fetch_batch(self, indices):
        # Note [Batched fetch]: default_collate of (tensor, int) items: [stacked, int64 targets].
        pipeline = self._raw_pipeline()
        if pipeline is None or self.target_transform is not None:
            return None
        picked = [self.samples[i] for i in indices]
        decoded = _C._vision.read_rgb_like_pil_batch([os.fspath(path) for path, _ in picked])
        images = []
        for (path, _), pixels in zip(picked, decoded):
            if pixels is not None:
                images.append(pipeline[0](pixels))  # in item order, as random steps draw
            else:
                images.append(self.transform(self.loader(path)))
        if not all(isinstance(image, _C.TensorBase) for image in images) or \
                any(image.shape != images[0].shape for image in images):
            return None  # default_collate gives torch's error for these
        return [_C.stack(images), _C.tensor([target for _, target in picked], dtype=_C.int64)]


def pil_loader(path):
    from ..transforms.functional import _pil_image_module

    # Through an open file, so PIL's lazy loading does not keep the file open.
    with open(path, "rb") as f:
        image = _pil_image_module().open(f)
        return image.convert("RGB")


def ember_loader(path):
    """An RGB image as a uint8 [H, W, 3] NumPy array decoded by ember's C++ (stb) decoder:
    the default loader where Pillow is not installed (ToTensor accepts such arrays)."""
    return _C._vision.read_image(os.fspath(path), 3).permute(1, 2, 0).numpy()


def default_loader(path):
    from ..transforms.functional import _pil_image_module

    if _pil_image_module(required=False) is None:
        return ember_loader(path)
    return pil_loader(path)


class ImageFolder(DatasetFolder):
    def __init__(self, root, transform=None, target_transform=None, loader=default_loader, is_valid_file=None):
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None, transform=transform,
                         target_transform=target_transform, is_valid_file=is_valid_file)
        self.imgs = self.samples
