"""ember.amp (torch.amp): autocast, the device-generic automatic mixed precision region
(docs/amp.md). torch 1.13 has no torch.amp.GradScaler; the scaler is ember.cuda.amp.GradScaler,
as there."""
from .autocast_mode import autocast, autocast_decorator  # noqa: F401

__all__ = ["autocast"]
