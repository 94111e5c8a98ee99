"""torchvision.transforms' classes (torchvision 0.14: constructor arguments, reprs, which
ones are nn.Modules)."""
from ... import _C
from ...nn.modules.module import Module
from . import functional as F


class Compose:
    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        lines = [self.__class__.__name__ + "("]
        for t in self.transforms:
            lines.append(f"    {t}")
        lines.append(")")
        return "\n".join(lines)

    # Note [Transforms on raw images]
    # ember's datasets that hold their images as uint8 tensors (the MNIST family) can skip the
    # round trip through PIL, and transform a whole batch at once (Note [Batched fetch]), when
    # the pipeline starts with ToTensor / PILToTensor and continues with tensor transforms
    # that act on each image alone and without randomness (Normalize, ConvertImageDtype).
    # `_ember_on_raw(x)` takes the pixels PIL would hold as uint8 [..., C, H, W] and returns
    # exactly what the pipeline returns for each image (the same ops in the same order, so
    # the same bits); a pipeline that cannot returns None from `_ember_raw_pipeline`.
    def _ember_raw_pipeline(self):
        if not self.transforms or type(self.transforms[0]) not in (ToTensor, PILToTensor):
            return None
        rest = self.transforms[1:]
        if not all(type(t) in _TENSOR_WISE for t in rest):
            return None
        first = self.transforms[0]

        def run(x):
            x = first._ember_on_raw(x)
            for t in rest:
                x = t(x)
            return x
        return run


class ToTensor:
    def __call__(self, pic):
        return F.to_tensor(pic)

    def __repr__(self):
        return self.__class__.__name__ + "()"

    def _ember_on_raw(self, x):
        return x.to(dtype=_C.get_default_dtype()).div(255)

    def _ember_raw_pipeline(self):
        return self._ember_on_raw if type(self) is ToTensor else None


class PILToTensor:
    def __call__(self, pic):
        return F.pil_to_tensor(pic)

    def __repr__(self):
        return self.__class__.__name__ + "()"

    def _ember_on_raw(self, x):
        return x

    def _ember_raw_pipeline(self):
        return self._ember_on_raw if type(self) is PILToTensor else None


class ToPILImage:
    def __init__(self, mode=None):
        self.mode = mode

    def __call__(self, pic):
        return F.to_pil_image(pic, self.mode)

    def __repr__(self):
        format_string = self.__class__.__name__ + "("
        if self.mode is not None:
            format_string += f"mode={self.mode}"
        return format_string + ")"


class Normalize(Module):
    def __init__(self, mean, std, inplace=False):
        super().__init__()
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def forward(self, tensor):
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def __repr__(self):
        return f"{self.__class__.__name__}(mean={self.mean}, std={self.std})"


class ConvertImageDtype(Module):
    def __init__(self, dtype):
        super().__init__()
        self.dtype = dtype

    def forward(self, image):
        return F.convert_image_dtype(image, self.dtype)


class Lambda:
    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return self.__class__.__name__ + "()"


_TENSOR_WISE = (Normalize, ConvertImageDtype)
