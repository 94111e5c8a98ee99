"""ember.vision.transforms: torchvision.transforms on ember tensors and PIL images."""
from . import functional
from .transforms import (Compose, ConvertImageDtype, Lambda, Normalize, PILToTensor, ToPILImage, ToTensor)

__all__ = ["Compose", "ConvertImageDtype", "Lambda", "Normalize", "PILToTensor", "ToPILImage", "ToTensor",
           "functional"]
