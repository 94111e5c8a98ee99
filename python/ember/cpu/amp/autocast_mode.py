from ...amp import autocast_mode as _amp
from ... import _C


class autocast(_amp.autocast):
    """ember.cpu.amp.autocast(args...) is ember.autocast("cpu", args...)."""

    def __init__(self, enabled=True, dtype=_C.bfloat16, cache_enabled=True):
        super().__init__("cpu", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)
