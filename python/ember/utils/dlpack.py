"""torch.utils.dlpack: zero-copy exchange with torch, NumPy and other DLPack libraries."""
from .._C import from_dlpack, to_dlpack  # noqa: F401
