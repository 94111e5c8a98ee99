"""ember.distributed in one process (no mpirun): availability, errors before
init_process_group in torch's wording, and a world of one (MPI's singleton start).
The collectives across ranks are tested under mpirun (tests/distributed/)."""
import datetime

import pytest
import torch
import torch.distributed as tdist

import ember
import ember.distributed as dist


def message(f):
    try:
        f()
    except Exception as e:  # noqa: BLE001
        return type(e), str(e)
    return None


def test_names_match_torch():
    for name in ["SUM", "AVG", "PRODUCT", "MIN", "MAX", "BAND", "BOR", "BXOR"]:
        assert hasattr(tdist.ReduceOp, name)
        assert str(getattr(dist.ReduceOp, name)) == f"ReduceOp.{name}"
    assert dist.default_pg_timeout == tdist.default_pg_timeout
    assert dist.is_available() and dist.is_mpi_available()
    assert not dist.is_nccl_available()
    assert dist.Backend("MPI") == tdist.Backend("MPI") == "mpi"
    assert message(lambda: dist.Backend("foo")) == message(lambda: tdist.Backend("foo"))


def test_errors_before_init_match_torch():
    assert not dist.is_initialized()
    for f, tf in [(lambda: dist.get_rank(), lambda: tdist.get_rank()),
                  (lambda: dist.all_reduce(ember.ones(2)), lambda: tdist.all_reduce(torch.ones(2))),
                  (lambda: dist.barrier(), lambda: tdist.barrier())]:
        mine, theirs = message(f), message(tf)
        assert mine[0] is RuntimeError and theirs[0] is RuntimeError
        assert mine[1] == "Default process group has not been initialized, please make sure to call init_process_group."
        assert mine[1] in theirs[1] or theirs[1] in mine[1]
    # Argument types are checked first, as torch does.
    assert message(lambda: dist.all_reduce([1.0])) == message(lambda: tdist.all_reduce([1.0]))
    assert message(lambda: dist.all_gather(ember.ones(1), ember.ones(1))) == \
        message(lambda: tdist.all_gather(torch.ones(1), torch.ones(1)))


def test_world_of_one():
    dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=60))
    try:
        assert (dist.get_rank(), dist.get_world_size()) == (0, 1)
        t = ember.tensor([1.0, 2.0])
        dist.all_reduce(t, op=dist.ReduceOp.AVG)
        assert t.tolist() == [1.0, 2.0]
        out = [ember.empty(2)]
        dist.all_gather(out, t)
        assert out[0].tolist() == [1.0, 2.0]
        with pytest.raises(ValueError, match="is not part of the group"):
            dist.broadcast(t, src=1)
    finally:
        dist.destroy_process_group()
    assert not dist.is_initialized()
