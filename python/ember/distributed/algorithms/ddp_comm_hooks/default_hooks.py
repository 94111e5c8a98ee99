"""torch's default DDP communication hooks. Each takes the process group (or None for the
default group) as its state, averages the bucket over the group and returns a Future of it.
They are the C++ hooks of ember/distributed/comm_hooks.h, so C++ and Python DDP reduce alike."""
from .... import _C

__all__ = ["allreduce_hook", "fp16_compress_hook", "bf16_compress_hook"]


def allreduce_hook(process_group, bucket):
    """Divides the bucket by the world size and all-reduces it: the same gradients as DDP
    without a hook (exactly, for power-of-two world sizes)."""
    return _C._ddp.allreduce_hook(process_group, bucket)


def fp16_compress_hook(process_group, bucket):
    """All-reduces the bucket in float16 (half the bytes), then casts back into it."""
    return _C._ddp.fp16_compress_hook(process_group, bucket)


def bf16_compress_hook(process_group, bucket):
    """All-reduces the bucket in bfloat16, then casts back into it."""
    return _C._ddp.bf16_compress_hook(process_group, bucket)
