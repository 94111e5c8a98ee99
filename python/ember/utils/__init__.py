"""ember.utils (torch.utils): dlpack now; data and tensorboard come with their issues."""
from . import dlpack  # noqa: F401
