"""ember.distributed under mpirun: every rank runs this file with pytest
(tests/CMakeLists.txt, ember_add_mpi_test). The tests run in the same order on every rank,
so their collectives match; a failure on any rank fails the job. Expected values are the
single-process result, computed by each rank from every rank's (known) input."""
import datetime
import os
import threading
import time

import pytest

from mpi_world import rank, world  # first: puts the build tree's ember on sys.path
import ember  # noqa: E402
import ember.distributed as dist  # noqa: E402

DTYPES = [ember.bool, ember.uint8, ember.int8, ember.int16, ember.int32, ember.int64, ember.float16,
          ember.bfloat16, ember.float32, ember.float64]
OPS = [dist.ReduceOp.SUM, dist.ReduceOp.AVG, dist.ReduceOp.PRODUCT, dist.ReduceOp.MIN, dist.ReduceOp.MAX,
       dist.ReduceOp.BAND, dist.ReduceOp.BOR, dist.ReduceOp.BXOR]


@pytest.fixture(scope="module", autouse=True)
def group():
    assert not dist.is_initialized()
    with pytest.raises(RuntimeError, match="Default process group has not been initialized"):
        dist.get_rank()
    # A short timeout: a test that desynchronises the ranks fails fast instead of hanging.
    dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=30))
    yield
    dist.destroy_process_group()


def values(dtype, r, n, offset=0):
    if dtype == ember.bool:
        return [(i + offset + r) % 3 == 0 for i in range(n)]
    return [((i + offset) * 7 + r * 5) % 3 + 1 for i in range(n)]


def make(dtype, r, n, offset=0):
    return ember.tensor(values(dtype, r, n, offset), dtype=dtype)


def valid(op, dtype):
    if op in (dist.ReduceOp.BAND, dist.ReduceOp.BOR, dist.ReduceOp.BXOR):
        return not dtype.is_floating_point
    if op == dist.ReduceOp.AVG:
        return dtype.is_floating_point
    return True


def expected(op, dtype, n, offset=0):
    cols = list(zip(*[values(dtype, r, n, offset) for r in range(world())]))
    out = []
    for c in cols:
        c = [float(x) for x in c]
        if dtype == ember.bool:
            f = {dist.ReduceOp.SUM: max, dist.ReduceOp.MAX: max, dist.ReduceOp.BOR: max,
                 dist.ReduceOp.PRODUCT: min, dist.ReduceOp.MIN: min, dist.ReduceOp.BAND: min}.get(op)
            if f is not None:
                out.append(f(c))
                continue
        acc = c[0]
        for x in c[1:]:
            if op in (dist.ReduceOp.SUM, dist.ReduceOp.AVG):
                acc += x
            elif op == dist.ReduceOp.PRODUCT:
                acc *= x
            elif op == dist.ReduceOp.MIN:
                acc = min(acc, x)
            elif op == dist.ReduceOp.MAX:
                acc = max(acc, x)
            elif op == dist.ReduceOp.BAND:
                acc = float(int(acc) & int(x))
            elif op == dist.ReduceOp.BOR:
                acc = float(int(acc) | int(x))
            elif op == dist.ReduceOp.BXOR:
                acc = float(int(acc) ^ int(x))
        out.append(acc / world() if op == dist.ReduceOp.AVG else acc)
    return out


def as_floats(t):
    return [float(x) for x in t.to(ember.float64).tolist()]


def test_rank_and_size():
    assert dist.is_initialized()
    assert world() == int(os.environ["OMPI_COMM_WORLD_SIZE"])
    assert rank() == int(os.environ["OMPI_COMM_WORLD_RANK"])
    assert dist.get_backend() == "mpi"
    assert dist.Backend("MPI") == dist.Backend.MPI


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_all_reduce(dtype):
    for op in OPS:
        t = make(dtype, rank(), 13)
        if not valid(op, dtype):
            with pytest.raises(RuntimeError, match="Cannot use ReduceOp"):
                dist.all_reduce(t, op=op)
            continue
        assert dist.all_reduce(t, op=op) is None
        assert t.dtype == dtype
        assert as_floats(t) == expected(op, dtype, 13), (dtype, op)


@pytest.mark.parametrize("dtype", [ember.float32, ember.bfloat16, ember.int64, ember.bool], ids=str)
def test_broadcast_reduce_gather_scatter(dtype):
    for root in range(world()):
        t = make(dtype, rank(), 6).reshape(2, 3)
        dist.broadcast(t, src=root)
        assert as_floats(t.flatten()) == as_floats(make(dtype, root, 6))
        t = make(dtype, rank(), 6)
        dist.reduce(t, dst=root, op=dist.ReduceOp.MAX)
        if rank() == root:
            assert as_floats(t) == expected(dist.ReduceOp.MAX, dtype, 6)
        outs = [ember.empty(6, dtype=dtype) for _ in range(world())] if rank() == root else None
        dist.gather(make(dtype, rank(), 6), outs, dst=root)
        if rank() == root:
            for r in range(world()):
                assert as_floats(outs[r]) == as_floats(make(dtype, r, 6))
        ins = [make(dtype, r + 3, 6) for r in range(world())] if rank() == root else None
        out = ember.empty(6, dtype=dtype)
        dist.scatter(out, ins, src=root)
        assert as_floats(out) == as_floats(make(dtype, rank() + 3, 6))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_all_gather_and_reduce_scatter(dtype):
    x = make(dtype, rank(), 4)
    outs = [ember.empty(4, dtype=dtype) for _ in range(world())]
    dist.all_gather(outs, x)
    assert [as_floats(o) for o in outs] == [as_floats(make(dtype, r, 4)) for r in range(world())]
    flat = ember.empty(world() * 4, dtype=dtype)
    dist.all_gather_into_tensor(flat, x)
    assert as_floats(flat) == sum((as_floats(make(dtype, r, 4)) for r in range(world())), [])
    for op in (dist.ReduceOp.SUM, dist.ReduceOp.MAX, dist.ReduceOp.AVG):
        if not valid(op, dtype):
            continue
        out = ember.empty(4, dtype=dtype)
        dist.reduce_scatter(out, [make(dtype, rank(), 4, offset=4 * r) for r in range(world())], op=op)
        want = expected(op, dtype, 4, offset=4 * rank())
        assert as_floats(out) == want
        out2 = ember.empty(4, dtype=dtype)
        dist.reduce_scatter_tensor(out2, make(dtype, rank(), 4 * world()), op=op)
        assert as_floats(out2) == want


def test_async_op_returns_work():
    ts = [ember.full((1000,), float(k + rank())) for k in range(5)]
    works = [dist.all_reduce(t, async_op=True) for t in ts]
    assert all(isinstance(w, dist.Work) for w in works)
    for k, (t, w) in reversed(list(enumerate(zip(ts, works)))):
        assert w.wait() is True
        assert w.is_completed()
        assert t[0].item() == k * world() + world() * (world() - 1) / 2
    w = dist.barrier(async_op=True)
    w.wait()
    assert w.is_completed()


def test_wait_releases_the_gil():
    # Another Python thread keeps running while this one waits for a collective that rank 0
    # joins only 0.3 s late.
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.01)

    th = threading.Thread(target=ticker)
    th.start()
    if rank() == 0:
        time.sleep(0.3)
    before = len(ticks)
    dist.all_reduce(ember.ones(10))
    during = len(ticks) - before
    stop.set()
    th.join()
    if rank() != 0:
        assert during >= 5, during


def test_new_group():
    evens = list(range(0, world(), 2))
    g = dist.new_group(evens)
    if rank() % 2 == 0:
        assert dist.get_rank(g) == rank() // 2
        assert dist.get_world_size(g) == len(evens)
        t = ember.tensor([rank() + 1])
        dist.all_reduce(t, group=g)
        assert t.item() == sum(r + 1 for r in evens)
        dist.destroy_process_group(g)
    else:
        assert g is dist.GroupMember.NON_GROUP_MEMBER
        assert dist.get_rank(g) == -1
        assert dist.all_reduce(ember.ones(1), group=g) is None
    t = ember.ones(1)
    dist.all_reduce(t)
    assert t.item() == world()


def test_send_recv():
    nxt, prv = (rank() + 1) % world(), (rank() - 1) % world()
    out = ember.arange(50000, dtype=ember.float32) + rank()
    inp = ember.empty(50000)
    s = dist.isend(out, nxt, tag=5)
    r = dist.irecv(inp, prv, tag=5)
    s.wait()
    r.wait()
    assert ember.equal(inp, ember.arange(50000, dtype=ember.float32) + prv)
    if rank() == 0:
        dist.send(ember.full((3,), 9.0), dst=1)
    elif rank() == 1:
        t = ember.zeros(3)
        assert dist.recv(t, src=0) == 0
        assert t.tolist() == [9.0, 9.0, 9.0]


def test_errors():
    with pytest.raises(RuntimeError, match=r"Expected parameter `tensor` to be of type torch.Tensor"):
        dist.all_reduce([1, 2])
    with pytest.raises(RuntimeError, match=r"Expected parameter `tensor_list` to be of type List\[torch.Tensor\]"):
        dist.all_gather(ember.ones(2), ember.ones(2))
    with pytest.raises(RuntimeError, match="Tensors must be contiguous"):
        dist.all_reduce(ember.ones(3, 4).t())
    with pytest.raises(ValueError, match="is not part of the group"):
        dist.broadcast(ember.ones(2), src=world())
    with pytest.raises(ValueError, match="Tensors must have the same size"):
        dist.all_gather([ember.ones(3) for _ in range(world())], ember.ones(2))
    with pytest.raises(ValueError, match="should not be the same as rank of the current process"):
        dist.send(ember.ones(2), dst=rank())
    with pytest.raises(RuntimeError, match="trying to initialize the default process group twice!"):
        dist.init_process_group("mpi")
    with pytest.raises(ValueError, match="Invalid backend: 'foo'"):
        dist.new_group([0], backend="foo")
    # The ranks still agree on the next collective.
    t = ember.ones(2)
    dist.all_reduce(t)
    assert t.tolist() == [world()] * 2


def test_timeout_error_class():
    assert issubclass(dist.DistTimeoutError, dist.DistBackendError)
    assert issubclass(dist.DistBackendError, dist.DistError)
    assert issubclass(dist.DistError, RuntimeError)
