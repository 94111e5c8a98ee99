"""ember.vision.transforms: torchvision.transforms on ember tensors and PIL images."""
from . import functional
from .functional import InterpolationMode
from .transforms import (CenterCrop, ColorJitter, Compose, ConvertImageDtype, Grayscale, Lambda, Normalize, Pad,
                         PILToTensor, RandomAffine, RandomApply, RandomChoice, RandomCrop, RandomGrayscale,
                         RandomHorizontalFlip, RandomOrder, RandomResizedCrop, RandomRotation, RandomVerticalFlip,
                         Resize, ToPILImage, ToTensor)

__all__ = ["CenterCrop", "ColorJitter", "Compose", "ConvertImageDtype", "Grayscale", "InterpolationMode", "Lambda",
           "Normalize", "Pad", "PILToTensor", "RandomAffine", "RandomApply", "RandomChoice", "RandomCrop",
           "RandomGrayscale", "RandomHorizontalFlip", "RandomOrder", "RandomResizedCrop", "RandomRotation",
           "RandomVerticalFlip", "Resize", "ToPILImage", "ToTensor", "functional"]
