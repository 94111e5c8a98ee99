"""ember.cpu (torch.cpu): the CPU's automatic mixed precision, ember.cpu.amp."""
from . import amp  # noqa: F401
