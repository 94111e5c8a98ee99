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


def test_p2p_and_future_names_and_errors_match_torch():
    import torch.futures
    for name in ["P2POp", "batch_isend_irecv", "all_to_all", "all_to_all_single", "monitored_barrier"]:
        assert hasattr(tdist, name) and hasattr(dist, name), name
    for name in ["wait", "value", "then", "done", "set_result", "add_done_callback"]:
        assert hasattr(torch.futures.Future, name) and hasattr(ember.futures.Future, name), name
    assert hasattr(dist.Work, "get_future")
    # SyncBatchNorm's constructor and its repr, as torch's.
    assert repr(ember.nn.SyncBatchNorm(4, momentum=None)) == repr(torch.nn.SyncBatchNorm(4, momentum=None))
    # (torch 1.13 first insists on a GPU tensor; its dimension check is the same message)
    assert message(lambda: ember.nn.SyncBatchNorm(4)(ember.ones(4))) == \
        message(lambda: torch.nn.SyncBatchNorm(4)._check_input_dim(torch.ones(4)))
    assert hasattr(ember.nn.SyncBatchNorm, "convert_sync_batchnorm")
    assert message(lambda: dist.P2POp(dist.send, ember.ones(1), 0)) == \
        message(lambda: tdist.P2POp(tdist.send, torch.ones(1), 0))
    assert message(lambda: dist.batch_isend_irecv([1])) == message(lambda: tdist.batch_isend_irecv([1]))
    # A Future's life cycle, as torch.futures.Future's.
    for F, ones in [(ember.futures.Future, ember.ones), (torch.futures.Future, torch.ones)]:
        f = F()
        chained = f.then(lambda g: g.value() * 2)
        assert not f.done()
        f.set_result(ones(2))
        assert f.done() and chained.done() and chained.wait().tolist() == [2.0, 2.0]


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
        out = ember.empty(2)
        dist.all_to_all_single(out, t)
        assert out.tolist() == [1.0, 2.0]
        dist.monitored_barrier(timeout=datetime.timedelta(seconds=5))
        fut = dist.all_reduce(t, async_op=True).get_future().then(lambda f: f.value()[0] + 1)
        assert fut.wait().tolist() == [2.0, 3.0]
    finally:
        dist.destroy_process_group()
    assert not dist.is_initialized()


def test_ember_run_command_line():
    from ember.distributed import run
    cmd = run.build_command(run._parser().parse_args(["--nproc-per-node", "3", "train.py", "--lr", "0.1"]))
    assert cmd[:3] == ["mpirun", "-np", "3"]
    assert "MASTER_ADDR=127.0.0.1" in cmd and "MASTER_PORT=29500" in cmd
    assert "--allow-run-as-root" not in cmd  # never added silently (README: pass it via --mpirun-args)
    assert cmd[-4:] == ["-u", "train.py", "--lr", "0.1"]
    assert cmd[cmd.index("--") - 1].endswith("_rank_env.py")
    cmd = run.build_command(run._parser().parse_args(
        ["--nnodes", "2", "--nproc-per-node", "4", "--hosts", "a,b", "--no-python", "./prog"]))
    assert cmd[:5] == ["mpirun", "-np", "8", "--host", "a:4,b:4"]
    assert "ppr:4:node" in cmd and "MASTER_ADDR=a" in cmd and cmd[-1] == "./prog"
    with pytest.raises(SystemExit, match="needs --hosts"):
        run.build_command(run._parser().parse_args(["--nnodes", "2", "x.py"]))
    with pytest.raises(SystemExit, match="run ember-run once, on the first machine"):
        run.build_command(run._parser().parse_args(["--nnodes", "2", "--node-rank", "1", "--hosts", "a,b", "x.py"]))
