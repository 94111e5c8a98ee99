"""ember.distributed: torch.distributed's process groups and collectives on ember's MPI
backend (ember/distributed/process_group.h; docs/distributed.md).

Launch with ``mpirun -np N python script.py`` or ``ember-run --nproc-per-node N script.py``
(``python -m ember.distributed.run``); ``init_process_group("mpi")`` then takes rank and world
size from MPI and checks torch's ``RANK`` / ``WORLD_SIZE`` / ``LOCAL_RANK`` against them.
"""
import datetime as _datetime

from .. import _C
from .._tensor import Tensor as _Tensor

_D = _C._distributed

ReduceOp = _D.ReduceOp
Work = _D.Work
ProcessGroup = _D.ProcessGroup
DistError = _D.DistError
DistBackendError = _D.DistBackendError
DistTimeoutError = _D.DistTimeoutError
GradBucket = _C._ddp.GradBucket

# c10d's kBackendDefaultTimeout (torch.distributed.default_pg_timeout).
default_pg_timeout = _datetime.timedelta(minutes=30)

__all__ = [
    "Backend", "DistBackendError", "DistError", "DistTimeoutError", "GradBucket", "GroupMember", "P2POp", "ProcessGroup",
    "ReduceOp", "Work", "all_gather", "all_gather_into_tensor", "all_reduce", "all_to_all", "all_to_all_single",
    "barrier", "batch_isend_irecv", "broadcast", "default_pg_timeout", "destroy_process_group", "gather",
    "get_backend", "get_rank", "get_world_size", "init_process_group", "irecv", "is_available",
    "is_gloo_available", "is_initialized", "is_mpi_available", "is_nccl_available", "is_torchelastic_launched",
    "isend", "monitored_barrier", "new_group", "recv", "reduce", "reduce_scatter", "reduce_scatter_tensor",
    "scatter", "send",
]


class Backend(str):
    """Backend names, as torch.distributed.Backend: ``Backend("MPI") == "mpi"``."""
    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    UCC = "ucc"
    MPI = "mpi"

    def __new__(cls, name):
        if not isinstance(name, str):
            raise ValueError(f"Backend name must be a string, but got: {name}")
        value = getattr(Backend, name.upper(), Backend.UNDEFINED)
        if value == Backend.UNDEFINED:
            raise ValueError(f"Invalid backend: '{name}'")
        return str.__new__(cls, value)


class _NonGroupMember:
    def __repr__(self):
        return "GroupMember.NON_GROUP_MEMBER"


class GroupMember:
    """``new_group`` returns ``GroupMember.NON_GROUP_MEMBER`` on ranks outside the group; ops on
    it do nothing and return None (torch's behaviour)."""
    WORLD = None  # the default group; group=None means the same
    NON_GROUP_MEMBER = _NonGroupMember()


group = GroupMember


def is_available():
    return True


def is_mpi_available():
    return _D.is_mpi_available()


def is_nccl_available():
    return False


def is_gloo_available():
    return False


def is_torchelastic_launched():
    import os
    return os.environ.get("TORCHELASTIC_RUN_ID") is not None


def is_initialized():
    return _D.is_initialized()


def _timeout_ms(timeout, fn):
    if timeout is None:
        return default_pg_timeout
    if not isinstance(timeout, _datetime.timedelta):
        raise TypeError(f"Expected timeout argument to be of type datetime.timedelta, got {type(timeout)}")
    if timeout.total_seconds() <= 0:
        raise ValueError(f"{fn}: timeout must be positive, got {timeout}")
    return timeout


def init_process_group(backend=None, init_method=None, timeout=default_pg_timeout, world_size=-1, rank=-1,
                       store=None, group_name="", pg_options=None):
    """Initialises the default process group. ``backend`` "mpi" (the default; ember has no
    other yet). ``init_method`` (``env://``, ``tcp://``, ``file://``) is accepted and not used:
    MPI's launcher connects the ranks. ``world_size`` and ``rank``, when given, and torch's
    ``RANK`` / ``WORLD_SIZE`` / ``LOCAL_RANK`` must agree with MPI's."""
    if store is not None:
        raise ValueError("init_process_group: the MPI backend does not use a store (store=...); MPI's launcher "
                         "connects the ranks")
    backend = Backend(backend if backend is not None else "mpi")
    _D.init_process_group(str(backend), init_method or "env://", _timeout_ms(timeout, "init_process_group"),
                          int(world_size), int(rank))


def destroy_process_group(group=None):
    if group is GroupMember.NON_GROUP_MEMBER:
        return
    _D.destroy_process_group(group)


def get_backend(group=None):
    if group is GroupMember.NON_GROUP_MEMBER:
        raise ValueError("Invalid process group specified")
    return Backend((group or _D.default_group()).name())


def get_rank(group=None):
    if group is GroupMember.NON_GROUP_MEMBER:
        return -1
    return _D.get_rank(group)


def get_world_size(group=None):
    if group is GroupMember.NON_GROUP_MEMBER:
        return -1
    return _D.get_world_size(group)


def new_group(ranks=None, timeout=None, backend=None, pg_options=None):
    """A group over ``ranks`` (of the default group; all ranks when None). Every rank of the
    default group must call it, members or not; non-members get
    ``GroupMember.NON_GROUP_MEMBER``."""
    if backend is not None:
        Backend(backend)
    ranks = [] if ranks is None else [int(r) for r in ranks]
    ms = _datetime.timedelta(0) if timeout is None else _timeout_ms(timeout, "new_group")
    g = _D.new_group(ranks, ms)
    return GroupMember.NON_GROUP_MEMBER if g is None else g


# --- argument checks with torch's wording ----------------------------------------------------
def _check_single_tensor(param, name):  # RuntimeError, as torch 1.13 raises
    if not isinstance(param, _Tensor):
        raise RuntimeError(f"Invalid function argument. Expected parameter `{name}` to be of type torch.Tensor.")


def _check_tensor_list(param, name):
    if not isinstance(param, list) or not all(isinstance(p, _Tensor) for p in param):
        raise RuntimeError(f"Invalid function argument. Expected parameter `{name}` to be of type List[torch.Tensor].")


def _check_op(op):
    if not isinstance(op, ReduceOp):
        raise ValueError("Invalid ``op``. Expected ``op`` to be of type ``torch.distributed.ReduceOp``.")


def _not_in(group):
    return group is GroupMember.NON_GROUP_MEMBER


# --- collectives -----------------------------------------------------------------------------
def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    _check_single_tensor(tensor, "tensor")
    _check_op(op)
    if _not_in(group):
        return None
    return _D.all_reduce(tensor, op, group, async_op)


def broadcast(tensor, src, group=None, async_op=False):
    _check_single_tensor(tensor, "tensor")
    if _not_in(group):
        return None
    return _D.broadcast(tensor, int(src), group, async_op)


def reduce(tensor, dst, op=ReduceOp.SUM, group=None, async_op=False):
    _check_single_tensor(tensor, "tensor")
    _check_op(op)
    if _not_in(group):
        return None
    return _D.reduce(tensor, int(dst), op, group, async_op)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    _check_tensor_list(tensor_list, "tensor_list")
    _check_single_tensor(tensor, "tensor")
    if _not_in(group):
        return None
    return _D.all_gather(tensor_list, tensor, group, async_op)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    _check_single_tensor(input_tensor, "input_tensor")
    _check_single_tensor(output_tensor, "output_tensor")
    if _not_in(group):
        return None
    return _D.all_gather_into_tensor(output_tensor, input_tensor, group, async_op)


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    _check_single_tensor(output, "output")
    _check_tensor_list(input_list, "input_list")
    _check_op(op)
    if _not_in(group):
        return None
    return _D.reduce_scatter(output, input_list, op, group, async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    _check_single_tensor(output, "output")
    _check_single_tensor(input, "input")
    _check_op(op)
    if _not_in(group):
        return None
    return _D.reduce_scatter_tensor(output, input, op, group, async_op)


def gather(tensor, gather_list=None, dst=0, group=None, async_op=False):
    _check_single_tensor(tensor, "tensor")
    if gather_list:
        _check_tensor_list(gather_list, "gather_list")
    if _not_in(group):
        return None
    return _D.gather(tensor, list(gather_list or []), int(dst), group, async_op)


def scatter(tensor, scatter_list=None, src=0, group=None, async_op=False):
    _check_single_tensor(tensor, "tensor")
    if scatter_list:
        _check_tensor_list(scatter_list, "scatter_list")
    if _not_in(group):
        return None
    return _D.scatter(tensor, list(scatter_list or []), int(src), group, async_op)


def barrier(group=None, async_op=False, device_ids=None):
    if _not_in(group):
        return None
    return _D.barrier(group, async_op)


def isend(tensor, dst, group=None, tag=0):
    _check_single_tensor(tensor, "tensor")
    if _not_in(group):
        return None
    return _D.isend(tensor, int(dst), group, int(tag))


def irecv(tensor, src=None, group=None, tag=0):
    """Receives into ``tensor`` from ``src``, or from whichever rank sends first with this tag
    when ``src`` is None (the Work's ``_source_rank()`` then names the sender in ``group``)."""
    _check_single_tensor(tensor, "tensor")
    if _not_in(group):
        return None
    if src is None:
        return _D.irecv_any_source(tensor, group, int(tag))
    return _D.irecv(tensor, int(src), group, int(tag))


def send(tensor, dst, group=None, tag=0):
    work = isend(tensor, dst, group, tag)
    if work is not None:
        work.wait()


def recv(tensor, src=None, group=None, tag=0):
    """Receives into ``tensor`` from ``src``; returns the sender's rank (-1 outside the group)."""
    work = irecv(tensor, src, group, tag)
    if work is None:
        return -1
    work.wait()
    if src is None:
        pg = group if group is not None else _D.default_group()
        return pg.global_rank(work._source_rank())
    return int(src)


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """``input_tensor_list[r]`` goes to rank r; ``output_tensor_list[r]`` receives rank r's
    ``input_tensor_list[rank]``. One dtype throughout; sizes may differ per rank."""
    if _not_in(group):
        return None
    _check_tensor_list(output_tensor_list, "output_tensor_list")
    _check_tensor_list(input_tensor_list, "input_tensor_list")
    return _D.all_to_all(output_tensor_list, input_tensor_list, group, async_op)


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None, group=None, async_op=False):
    """Splits ``input`` along dim 0 (by ``input_split_sizes``, or into equal parts), sends part
    r to rank r, and concatenates what each rank sent into ``output`` (by
    ``output_split_sizes``, or equal parts)."""
    if _not_in(group):
        return None
    _check_single_tensor(output, "output")
    _check_single_tensor(input, "input")
    out_splits = [] if output_split_sizes is None else [int(s) for s in output_split_sizes]
    in_splits = [] if input_split_sizes is None else [int(s) for s in input_split_sizes]
    return _D.all_to_all_single(output, input, out_splits, in_splits, group, async_op)


def monitored_barrier(group=None, timeout=None, wait_all_ranks=False):
    """A barrier that names the ranks that did not reach it: rank 0 waits up to ``timeout``
    (default: 30 minutes, as torch) for every other rank and raises ``RuntimeError`` naming the
    first missing rank, or with ``wait_all_ranks=True`` all of them; the other ranks raise when
    rank 0 does not answer in time. Every rank must call it the same number of times, as any
    collective (Note [Monitored barrier] in ember/distributed/process_group_mpi.cpp)."""
    if _not_in(group):
        return None
    timeout = default_pg_timeout if timeout is None else _timeout_ms(timeout, "monitored_barrier")
    _D.monitored_barrier(group, timeout, bool(wait_all_ranks))


class P2POp:
    """One point-to-point op of ``batch_isend_irecv``: ``op`` is ``isend`` or ``irecv``, ``peer``
    the other rank (of the default group), as torch.distributed.P2POp."""

    def __init__(self, op, tensor, peer, group=None, tag=0):
        if op not in (isend, irecv):
            raise RuntimeError("Invalid ``op``. Expected ``op`` to be of type ``torch.distributed.isend`` or "
                               "``torch.distributed.irecv``.")
        _check_single_tensor(tensor, "tensor")
        self.op = op
        self.tensor = tensor
        self.peer = peer
        self.group = group
        self.tag = tag

    def __repr__(self):
        return f"P2POp(op={self.op.__name__}, peer={self.peer}, tag={self.tag})"


def batch_isend_irecv(p2p_op_list):
    """Posts every send and receive of ``p2p_op_list`` (all on one group) and returns their
    works, in order; wait on each. The MPI requests are non-blocking, so the order of the
    list cannot deadlock two ranks."""
    if not isinstance(p2p_op_list, list) or not all(isinstance(p, P2POp) for p in p2p_op_list):
        raise RuntimeError("Invalid ``p2p_op_list``. Each op is expected to to be of type "
                           "``torch.distributed.P2POp``.")
    group = p2p_op_list[0].group
    if not all(group == p.group for p in p2p_op_list):
        raise RuntimeError("All ops need to use the same group.")
    if _not_in(group):
        return None
    ops = [(p.op is isend, p.tensor, int(p.peer), int(p.tag)) for p in p2p_op_list]
    return _D.batch_isend_irecv(ops, group)
