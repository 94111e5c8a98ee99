"""ember.distributed's all_to_all, all_to_all_single, batch_isend_irecv, monitored_barrier and
Work.get_future() under mpirun (tests/CMakeLists.txt runs it on 2 and 4 ranks). Every rank runs
the tests in the same order, so their collectives match; expected values are the
single-process result, which each rank computes from every rank's (known) input."""
import datetime

import pytest

from mpi_world import rank, world, world_group_fixture  # first: puts the build tree's ember on sys.path
import ember  # noqa: E402
import ember.distributed as dist  # noqa: E402
from ember.futures import Future  # noqa: E402

DTYPES = [ember.bool, ember.uint8, ember.int8, ember.int16, ember.int32, ember.int64, ember.float16,
          ember.bfloat16, ember.float32, ember.float64]


group = world_group_fixture(seconds=60)


def sent(dtype, src, dst, n):
    """What rank src sends rank dst: small integers, exact in every dtype, distinct per pair."""
    if dtype == ember.bool:
        return ember.tensor([(i + src + 2 * dst) % 3 == 0 for i in range(n)], dtype=dtype)
    return ember.tensor([(i * 3 + src * 5 + dst * 7) % 11 + 1 for i in range(n)], dtype=dtype)


def pair_count(a, b):
    return 0 if (a + b) % 3 == 1 else a + b + 1


@pytest.mark.parametrize("dtype", DTYPES)
def test_all_to_all_list(dtype):
    ins = [sent(dtype, rank(), r, pair_count(rank(), r)) for r in range(world())]
    outs = [ember.empty(pair_count(r, rank()), dtype=dtype) for r in range(world())]
    assert dist.all_to_all(outs, ins) is None
    for r in range(world()):
        assert outs[r].tolist() == sent(dtype, r, rank(), pair_count(r, rank())).tolist()


@pytest.mark.parametrize("dtype", DTYPES)
def test_all_to_all_single_even_and_uneven(dtype):
    inp = ember.cat([sent(dtype, rank(), r, 6).reshape(2, 3) for r in range(world())])
    out = ember.empty(world() * 2, 3, dtype=dtype)
    dist.all_to_all_single(out, inp)
    want = ember.cat([sent(dtype, r, rank(), 6).reshape(2, 3) for r in range(world())])
    assert out.tolist() == want.tolist()

    in_splits = [pair_count(rank(), r) for r in range(world())]
    out_splits = [pair_count(r, rank()) for r in range(world())]
    inp = ember.cat([sent(dtype, rank(), r, 2 * in_splits[r]).reshape(-1, 2) for r in range(world())])
    out = ember.zeros(sum(out_splits), 2, dtype=dtype)
    work = dist.all_to_all_single(out, inp, out_splits, in_splits, async_op=True)
    work.wait()
    want = ember.cat([sent(dtype, r, rank(), 2 * out_splits[r]).reshape(-1, 2) for r in range(world())])
    assert out.tolist() == want.tolist()


def test_all_to_all_errors_in_torchs_wording():
    w = world()
    with pytest.raises(RuntimeError, match="^Tensor's dim 0 does not divide equally across group size$"):
        dist.all_to_all_single(ember.empty(2 * w), ember.empty(2 * w + 1))
    with pytest.raises(RuntimeError, match="^Number of tensor splits not equal to group size$"):
        dist.all_to_all_single(ember.empty(2 * w), ember.empty(2 * w), [0] * (w + 1))
    with pytest.raises(RuntimeError, match="^Split sizes doesn't match total dim 0 size$"):
        dist.all_to_all_single(ember.empty(2 * w), ember.empty(2 * w), None, [1] * w)
    with pytest.raises(RuntimeError, match="Invalid usage of tensors with different dtypesFound float32 and  int64"):
        dist.all_to_all_single(ember.empty(2 * w), ember.empty(2 * w, dtype=ember.int64))
    with pytest.raises(RuntimeError, match="Expected parameter `input_tensor_list` to be of type List"):
        dist.all_to_all([ember.empty(1)] * w, ember.empty(w))
    t = ember.ones(2)
    dist.all_reduce(t)  # nothing was queued by the failures: still in step
    assert t.tolist() == [w, w]


def test_batch_isend_irecv_ring():
    nxt, prv = (rank() + 1) % world(), (rank() - 1) % world()
    for dtype in (ember.float32, ember.bfloat16, ember.int16, ember.bool):
        out = sent(dtype, rank(), nxt, 40000)
        inp = ember.empty(40000, dtype=dtype)
        ops = [dist.P2POp(dist.isend, out, nxt), dist.P2POp(dist.irecv, inp, prv)]
        if rank() % 2:
            ops.reverse()  # non-blocking requests: no order deadlocks
        works = dist.batch_isend_irecv(ops)
        assert len(works) == 2
        for w in works:
            w.wait()
        assert inp.tolist() == sent(dtype, prv, rank(), 40000).tolist()


def test_recv_from_any_source_names_the_sender():
    # torch's recv(src=None) returns the sender's rank; irecv(src=None)'s Work gives it
    # (in the group) through _source_rank() once waited for.
    if rank() == 0:
        senders = []
        for i in range(1, world()):
            t = ember.zeros(3)
            if i % 2:
                src = dist.recv(t, tag=3)
            else:
                work = dist.irecv(t, tag=3)
                work.wait()
                src = work._source_rank()
            assert t.tolist() == [float(src)] * 3
            senders.append(src)
        assert sorted(senders) == list(range(1, world()))
    else:
        work = dist.isend(ember.full((3,), float(rank())), 0, tag=3)
        work.wait()
        with pytest.raises(RuntimeError, match=r"^sourceRank\(\) may only be called on work objects that "
                                               r"correspond to a recv or recv-from-any call\.$"):
            work._source_rank()
    # From a subgroup {0, last}: recv returns the sender's rank in the default group.
    last = world() - 1
    g = dist.new_group([0, last])
    if rank() == 0:
        t = ember.zeros(1)
        assert dist.recv(t, group=g, tag=4) == last
        assert t.tolist() == [5.0]
    elif rank() == last:
        dist.send(ember.full((1,), 5.0), 0, group=g, tag=4)
    dist.destroy_process_group(g)
    dist.barrier()


def test_p2p_op_errors_in_torchs_wording():
    with pytest.raises(RuntimeError, match=r"^Invalid ``op``\. Expected ``op`` to be of type "
                                           r"``torch\.distributed\.isend`` or ``torch\.distributed\.irecv``\.$"):
        dist.P2POp(dist.send, ember.ones(1), 0)
    with pytest.raises(RuntimeError, match=r"^Invalid ``p2p_op_list``\. Each op is expected to to be of type "
                                           r"``torch\.distributed\.P2POp``\.$"):
        dist.batch_isend_irecv([1])
    g = dist.new_group()
    with pytest.raises(RuntimeError, match=r"^All ops need to use the same group\.$"):
        dist.batch_isend_irecv([dist.P2POp(dist.isend, ember.ones(1), 0),
                                dist.P2POp(dist.irecv, ember.ones(1), 0, group=g)])
    dist.destroy_process_group(g)


def test_monitored_barrier_names_the_missing_ranks():
    dist.monitored_barrier(timeout=datetime.timedelta(seconds=20))
    if world() < 2:
        return
    late = "Rank {} successfully reached monitoredBarrier, but received errors while waiting for send/recv " \
           "from rank 0. Please check rank 0 logs for faulty rank."
    for wait_all in (False, True):
        dist.barrier()
        if rank() == 0:
            others = ", ".join(str(r) for r in range(1, world()))
            want = f"[Rank 0]: Ranks {others} failed" if wait_all else "[Rank 0]: Rank 1 failed"
            with pytest.raises(RuntimeError) as e:
                dist.monitored_barrier(timeout=datetime.timedelta(milliseconds=500), wait_all_ranks=wait_all)
            assert str(e.value) == want + " to pass monitoredBarrier in 500 ms"
            for r in range(1, world()):  # only now do the others arrive (deterministic, unlike a sleep)
                dist.send(ember.ones(1), r)
        else:
            dist.recv(ember.zeros(1), 0)
            with pytest.raises(RuntimeError) as e:
                dist.monitored_barrier(timeout=datetime.timedelta(milliseconds=500), wait_all_ranks=wait_all)
            assert str(e.value) == late.format(rank())
    dist.barrier()
    dist.monitored_barrier(timeout=datetime.timedelta(seconds=20), wait_all_ranks=True)


def test_work_future_value_then_and_callbacks():
    x = ember.full((4,), float(rank() + 1))
    work = dist.all_reduce(x, async_op=True)
    fut = work.get_future()
    seen = []
    fut.add_done_callback(lambda f: seen.append(f.done()))
    chained = fut.then(lambda f: f.value()[0] * 10)
    total = world() * (world() + 1) / 2
    assert chained.wait().tolist() == [10 * total] * 4
    value = fut.value()
    assert isinstance(value, list) and len(value) == 1 and value[0].tolist() == [total] * 4
    assert fut.done() and chained.done()
    assert seen == [True]
    # An exception in a callback reaches whoever waits on the chained future.
    bad = fut.then(lambda f: 1 / 0)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        bad.wait()
    with pytest.raises(TypeError, match="holds a Tensor or a list of Tensors"):
        fut.then(lambda f: 42).wait()


def test_future_set_result():
    f = Future()
    assert not f.done()
    out = f.then(lambda g: [g.value(), g.value() + 1])
    f.set_result(ember.ones(2))
    assert f.done() and f.wait().tolist() == [1.0, 1.0]
    assert [t.tolist() for t in out.wait()] == [[1.0, 1.0], [2.0, 2.0]]
    with pytest.raises(RuntimeError, match="already completed"):
        f.set_result(ember.ones(2))
