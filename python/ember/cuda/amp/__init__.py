"""ember.cuda.amp (torch.cuda.amp): autocast for CUDA (ember has no CUDA yet: a CUDA region is
a disabled one, with torch's warning), custom_fwd/custom_bwd, and GradScaler, which, unlike
torch 1.13's, also works on the CPU (docs/amp.md, "Deliberate differences")."""
from .autocast_mode import autocast, custom_bwd, custom_fwd  # noqa: F401
from .grad_scaler import GradScaler  # noqa: F401
