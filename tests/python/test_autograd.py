"""Autograd from Python, compared with torch: backward and grad with their options, hooks,
grad modes as context managers and decorators, custom Functions, gradcheck, anomaly mode,
and memory staying flat with Python callables in the graph."""
import gc

import numpy as np
import pytest
import torch

import ember


def run_both(fn):
    return [fn(m) for m in (torch, ember)]


def assert_close(a, b):
    if isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_close(x, y)
        return
    if a is None or b is None:
        assert a is None and b is None
        return
    if hasattr(a, "detach"):
        np.testing.assert_allclose(b.detach().numpy(), a.detach().numpy(), rtol=1e-5, atol=1e-6)
        assert str(a.dtype) == str(b.dtype)
    else:
        assert a == b


def test_backward_options():
    def fn(m):
        x = m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = (x * x).sum(1)
        y.backward(m.tensor([1.0, -1.0]), retain_graph=True)
        g1 = x.grad.clone()
        y.sum().backward()
        return g1, x.grad
    assert_close(*run_both(fn))


def test_backward_errors():
    for m in (torch, ember):
        x = m.ones(2, requires_grad=True)
        y = (x * 2).sum()
        y.backward()
        with pytest.raises(RuntimeError, match="second time"):
            y.backward()
        with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
            (x * 2).backward()


def test_autograd_grad_create_graph_and_inputs():
    def fn(m):
        x = m.tensor([0.5, -1.5, 2.0], requires_grad=True)
        y = (x ** 3).sum()
        (g,) = m.autograd.grad(y, x, create_graph=True)
        (gg,) = m.autograd.grad(g.sum(), x)
        z = m.tensor([1.0, 2.0], requires_grad=True)
        w = (x[:2] * z).sum()
        w.backward(inputs=[z])
        return g, gg, z.grad, x.grad
    assert_close(*run_both(fn))
    for m in (torch, ember):
        a, b = m.ones(2, requires_grad=True), m.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError):
            m.autograd.grad((a * 2).sum(), [a, b])
        assert m.autograd.grad((a * 2).sum(), [a, b], allow_unused=True)[1] is None


def test_hooks():
    def fn(m):
        seen = []
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        h = y.register_hook(lambda g: seen.append(g.clone()) or g * 2)
        y.retain_grad()
        y.sum().backward()
        h.remove()
        x.grad = None
        (x * 3).sum().backward()
        return seen[0], x.grad, y.grad
    assert_close(*run_both(fn))


def test_grad_modes():
    for m in (torch, ember):
        x = m.ones(2, requires_grad=True)
        with m.no_grad():
            assert not (x * 2).requires_grad
            with m.enable_grad():
                assert (x * 2).requires_grad
        with m.set_grad_enabled(False):
            assert not (x * 2).requires_grad
        m.set_grad_enabled(False)
        assert not m.is_grad_enabled()
        m.set_grad_enabled(True)
        with m.inference_mode():
            assert not (x * 2).requires_grad

        @m.no_grad()
        def f(t):
            return t * 2

        assert not f(x).requires_grad

        @m.no_grad()
        def gen(t):
            yield t * 2
            yield t * 3

        assert [g.requires_grad for g in gen(x)] == [False, False]
        assert (x * 2).requires_grad


class _Cube:
    @staticmethod
    def forward(ctx, x, k):
        ctx.save_for_backward(x)
        ctx.k = k
        return x ** 3 * k

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x ** 2 * ctx.k, None


def _cube(m):
    return type("Cube", (m.autograd.Function,), {"forward": _Cube.forward, "backward": _Cube.backward})


def test_custom_function():
    def fn(m):
        Cube = _cube(m)
        x = m.tensor([1.0, -2.0, 0.5], requires_grad=True)
        y = Cube.apply(x, 2.0)
        name = y.grad_fn.name()
        y.sum().backward()
        return y, x.grad, name
    t, e = run_both(fn)
    assert_close(t[:2], e[:2])
    assert t[2] == e[2] == "CubeBackward"


def test_custom_function_details():
    for m in (torch, ember):
        class Twice(m.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                assert ctx.needs_input_grad == (True, False)
                ctx.mark_non_differentiable  # exists
                return x * 2, y + 1

            @staticmethod
            def backward(ctx, ga, gb):
                return ga * 2, None, None  # a trailing None beyond the inputs is dropped

        a, b = m.ones(2, requires_grad=True), m.ones(2)
        u, v = Twice.apply(a, b)
        assert u.requires_grad
        (u.sum() + v.sum()).backward()
        assert a.grad.tolist() == [2.0, 2.0]

        class Wrong(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x.clone()

            @staticmethod
            def backward(ctx, g):
                return g, g

        with pytest.raises(RuntimeError, match="incorrect number of gradients"):
            Wrong.apply(m.ones(1, requires_grad=True)).sum().backward()

        class InPlace(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.mul_(2)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 2

        leaf = m.ones(2, requires_grad=True)
        z = leaf.clone()
        out = InPlace.apply(z)
        assert out is z
        out.sum().backward()
        assert leaf.grad.tolist() == [2.0, 2.0]

        class SaveInt(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(3)
                return x

        with pytest.raises(TypeError, match="save_for_backward can only save variables"):
            SaveInt.apply(m.ones(1, requires_grad=True))


def test_gradcheck():
    x = ember.randn(3, dtype=ember.float64, requires_grad=True)
    y = ember.randn(3, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda a, b: (a * b).sin().sum(), (x, y))
    assert ember.autograd.gradgradcheck(lambda a: (a ** 3).sum(), (x,))

    class Bad(ember.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3

    with pytest.raises(ember.autograd.GradcheckError):
        ember.autograd.gradcheck(Bad.apply, (x,))
    assert not ember.autograd.gradcheck(Bad.apply, (x,), raise_exception=False)


def test_anomaly_mode_names_the_forward_op():
    x = ember.tensor([-1.0], requires_grad=True)
    with ember.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match="nan|NaN"):
            ember.sqrt(x).sum().backward()


def test_memory_flat_with_python_hooks():
    import resource
    x = ember.ones(16, requires_grad=True)

    def step():
        y = x * 2
        y.register_hook(lambda g: g * 1)
        y.sum().backward()

    for _ in range(2000):
        step()
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(10000):
        step()
    gc.collect()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert after - before < 4096, f"resident memory grew by {after - before} KiB over 10k iterations"
