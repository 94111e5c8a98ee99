"""torch.backends.cudnn's flags. ember has no cuDNN; the flags are plain settable values."""
enabled = True
deterministic = False
benchmark = False
allow_tf32 = True


def is_available():
    return False


def version():
    return None
