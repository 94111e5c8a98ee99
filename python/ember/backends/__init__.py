"""ember.backends: torch.backends' switches (cudnn flags are settable and recorded)."""
from . import cudnn, mkldnn  # noqa: F401
