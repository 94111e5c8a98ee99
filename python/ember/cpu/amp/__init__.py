"""ember.cpu.amp (torch.cpu.amp): autocast on the CPU, bfloat16 by default."""
from .autocast_mode import autocast  # noqa: F401
