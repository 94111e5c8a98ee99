"""Anomaly detection: backward checks every gradient for NaN and names the forward op."""
from .. import _C


class detect_anomaly:
    def __init__(self, check_nan=True):
        self.prev = _C.is_anomaly_enabled()
        self.check_nan = check_nan

    def __enter__(self):
        _C._set_anomaly_enabled(True)

    def __exit__(self, *args):
        _C._set_anomaly_enabled(self.prev)


class set_detect_anomaly:
    def __init__(self, mode, check_nan=True):
        self.prev = _C.is_anomaly_enabled()
        _C._set_anomaly_enabled(mode)

    def __enter__(self):
        pass

    def __exit__(self, *args):
        _C._set_anomaly_enabled(self.prev)
