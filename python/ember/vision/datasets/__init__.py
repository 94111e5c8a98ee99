"""ember.vision.datasets: torchvision.datasets' classes over ember's C++ readers."""
from .mnist import MNIST, FashionMNIST
from .vision import StandardTransform, VisionDataset

__all__ = ["MNIST", "FashionMNIST", "StandardTransform", "VisionDataset"]
