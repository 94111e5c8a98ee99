"""ember.futures: torch.futures.Future, as returned by ``Work.get_future()`` and by DDP comm
hooks (ember/distributed/future.h). A Future's value is a Tensor or a list of Tensors; ``then``
callbacks run on the thread that completes the future (a process group's communication thread)
or at once when it is already done."""
from .. import _C

Future = _C._futures.Future

__all__ = ["Future"]
