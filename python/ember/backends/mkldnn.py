"""torch.backends.mkldnn: ember uses oneDNN for float32 GEMM when the CPU supports it."""
enabled = True


def is_available():
    return True
