"""ember.nn.parallel: torch.nn.parallel's data-parallel wrapper across processes."""
from .distributed import DistributedDataParallel  # noqa: F401

__all__ = ["DistributedDataParallel"]
