"""ember.utils.data against torch: shuffle order and RNG consumption after the same seed,
default_collate's outputs, random_split, worker processes (order, seeding, get_worker_info,
errors re-raised with the worker's traceback, early exit, a dead worker), len(loader)."""
import collections
import os
import signal
import time

import numpy as np
import pytest
import torch

import ember


def both(fn):
    return [fn(m) for m in (torch, ember)]


def as_plain(x):
    if hasattr(x, "tolist") and hasattr(x, "dtype"):
        return ("tensor", str(x.dtype), x.tolist())
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [as_plain(v) for v in x])
    if isinstance(x, dict):
        return {k: as_plain(v) for k, v in x.items()}
    return x


def test_shuffle_order_and_rng_consumption_match_torch():
    def fn(m):
        m.manual_seed(3)
        ds = m.utils.data.TensorDataset(m.arange(23), m.arange(23) * 2.0)
        loader = m.utils.data.DataLoader(ds, batch_size=5, shuffle=True, drop_last=False)
        epochs = [[as_plain(b) for b in loader] for _ in range(2)]
        return epochs, m.rand(2).tolist(), len(loader)
    t, e = both(fn)
    assert t == e


def test_generator_sampler_and_random_split_match_torch():
    def fn(m):
        g = m.Generator().manual_seed(11)
        loader = m.utils.data.DataLoader(list(range(10)), batch_size=3, shuffle=True, generator=g)
        order = [b.tolist() for b in loader]
        m.manual_seed(1)
        parts = m.utils.data.random_split(range(10), [3, 7])
        fractions = m.utils.data.random_split(range(10), [0.5, 0.5], generator=m.Generator().manual_seed(2))
        return order, [list(p) for p in parts], [list(p) for p in fractions]
    t, e = both(fn)
    assert t == e


def test_weighted_random_sampler_matches_torch():
    def fn(m):
        m.manual_seed(5)
        weights = [0.1, 0.9, 0.4, 0.0, 0.7, 0.2]
        with_replacement = list(m.utils.data.WeightedRandomSampler(weights, 12))
        without = list(m.utils.data.WeightedRandomSampler(weights, 4, replacement=False))
        one = list(m.utils.data.WeightedRandomSampler(weights, 1, generator=m.Generator().manual_seed(3)))
        loader = m.utils.data.DataLoader(list(range(6)), batch_size=4,
                                         sampler=m.utils.data.WeightedRandomSampler(weights, 8))
        errors = []
        for args in (([1.0, 2.0], 0), ([1.0, 2.0], 2, 1), ([[1.0, 2.0]], 2)):
            try:
                m.utils.data.WeightedRandomSampler(*args)
            except ValueError as error:
                errors.append(str(error))
        return with_replacement, without, one, [b.tolist() for b in loader], m.rand(1).tolist(), errors
    t, e = both(fn)
    assert t == e


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_multinomial_matches_torch(dtype):
    rng = np.random.default_rng(0)

    def fn(m):
        out = []
        for shape in ((7,), (3, 50)):
            for n, replacement in ((1, False), (5, False), (1, True), (20, True)):
                w = rng.random(shape).astype(dtype)
                w[..., 2] = 0
                m.manual_seed(123)
                drawn = m.multinomial(m.tensor(w), n, replacement)
                method = m.tensor(w).multinomial(n, replacement=replacement, generator=m.Generator().manual_seed(7))
                out.append((drawn.tolist(), str(drawn.dtype), method.tolist()))
        errors = []
        for bad in (lambda: m.multinomial(m.tensor([1, 2]), 1), lambda: m.multinomial(m.tensor([0., 0.]), 1),
                    lambda: m.multinomial(m.tensor([1., -1.]), 1), lambda: m.multinomial(m.tensor([1., 1.]), 3),
                    lambda: m.multinomial(m.ones(2, 2, 2), 1), lambda: m.multinomial(m.tensor([1., 1.]), 0),
                    lambda: m.multinomial(m.tensor([1., float("inf")]), 2, True),
                    lambda: m.multinomial(m.tensor([1., -1.]), 2, True)):
            try:
                bad()
            except RuntimeError as error:
                errors.append(str(error))
        return out, errors
    rng = np.random.default_rng(0)
    t = fn(torch)
    rng = np.random.default_rng(0)
    e = fn(ember)
    assert t == e and len(t[1]) == 8


def test_default_collate_matches_torch():
    Point = collections.namedtuple("Point", "x y")
    batches = [
        [(1, 2.5, True, "a"), (3, 4.5, False, "b")],
        [{"a": np.float32(1.5), "b": np.array([1, 2])}, {"a": np.float32(2.5), "b": np.array([3, 4])}],
        [Point(1, [1.0, 2.0]), Point(2, [3.0, 4.0])],
    ]
    for batch in batches:
        t, e = both(lambda m: as_plain(m.utils.data.default_collate(batch)))
        assert t == e
    t, e = both(lambda m: as_plain(m.utils.data.default_collate([m.ones(2), m.zeros(2)])))
    assert t == e
    for m in (torch, ember):
        with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
            m.utils.data.default_collate([[1, 2], [3]])


class SlowSquares:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        info = ember.utils.data.get_worker_info()
        return ember.tensor([i * i, info.id if info else -1])


def test_workers_keep_order_and_report_their_info():
    loader = ember.utils.data.DataLoader(SlowSquares(20), batch_size=3, num_workers=2)
    batches = list(loader)
    assert [b[:, 0].tolist() for b in batches] == [[i * i for i in range(k, min(k + 3, 20))] for k in range(0, 20, 3)]
    assert sorted({int(w) for b in batches for w in b[:, 1].tolist()}) == [0, 1]
    assert len(loader) == 7


class Seeds:
    def __len__(self):
        return 4

    def __getitem__(self, i):
        import random
        return ember.tensor([ember.initial_seed() % 1000, random.randint(0, 10 ** 6)])


def test_worker_seeding_follows_base_seed():
    ember.manual_seed(5)
    a = [b.tolist() for b in ember.utils.data.DataLoader(Seeds(), batch_size=1, num_workers=2)]
    ember.manual_seed(5)
    b = [b.tolist() for b in ember.utils.data.DataLoader(Seeds(), batch_size=1, num_workers=2)]
    assert a == b
    assert a[0][0][0] != a[1][0][0]  # workers 0 and 1 get base_seed + 0 and + 1


class Failing:
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            raise ValueError("bad sample 5")
        return i


def test_worker_error_is_reraised_with_its_traceback():
    loader = ember.utils.data.DataLoader(Failing(), batch_size=2, num_workers=2)
    with pytest.raises(ValueError) as err:
        list(loader)
    text = str(err.value)
    assert "Caught ValueError in DataLoader worker process 0." in text
    assert "Original Traceback (most recent call last):" in text and "bad sample 5" in text


def test_leaving_the_loop_early_and_dead_workers_do_not_hang():
    loader = ember.utils.data.DataLoader(SlowSquares(200), batch_size=2, num_workers=2)
    t0 = time.time()
    for i, _ in enumerate(loader):
        if i == 2:
            break
    it = iter(loader)
    next(it)
    os.kill(it._workers[0].pid, signal.SIGKILL)
    with pytest.raises(RuntimeError, match="exited unexpectedly"):
        for _ in it:
            pass
    assert time.time() - t0 < 30


def test_tensors_pickle_exactly():
    import pickle
    for t in [ember.randn(3, 4), ember.arange(5), ember.tensor([True, False]), ember.randn(2, 2).bfloat16(),
              ember.randn(3).t(), ember.zeros(0, 3)]:
        back = pickle.loads(pickle.dumps(t))
        assert back.dtype is t.dtype and back.shape == t.shape and ember.equal(back, t)
