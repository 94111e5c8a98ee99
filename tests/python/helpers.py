"""The differential harness (tinygrad's helper_test_op pattern): run the same function
under torch and ember on the same data, in several layouts, and compare values, dtypes,
shapes, grad_fn names and gradients."""
import numpy as np
import torch

import ember

LIBS = (torch, ember)


def _make(lib, array, requires_grad):
    t = lib.tensor(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _layouts(shape, rng, low, high, dtype):
    """(name, builder) pairs: contiguous, transposed, broadcast (stride-0) views of the data."""
    def data(s):
        if np.dtype(dtype).kind == "b":
            return rng.random(s) > 0.5
        if np.dtype(dtype).kind in "iu":
            return rng.integers(low, high + 1, size=s).astype(dtype)
        return rng.uniform(low, high, size=s).astype(dtype)

    out = [("contiguous", data(shape), lambda t: t)]
    if len(shape) >= 2:
        flipped = tuple(shape[:-2]) + (shape[-1], shape[-2])
        out.append(("transposed", data(flipped), lambda t: t.transpose(-1, -2)))
    if len(shape) >= 1 and shape[0] > 1:
        out.append(("broadcast", data((1,) + tuple(shape[1:])), lambda t, n=shape[0]: t.expand(n, *t.shape[1:])))
    return out


def assert_same(t_out, e_out, atol, rtol, what=""):
    if isinstance(t_out, (tuple, list)):
        assert isinstance(e_out, (tuple, list)) and len(t_out) == len(e_out), what
        for a, b in zip(t_out, e_out):
            assert_same(a, b, atol, rtol, what)
        return
    if not isinstance(t_out, torch.Tensor):
        assert t_out == e_out or (t_out != t_out and e_out != e_out), f"{what}: {t_out!r} != {e_out!r}"
        return
    assert isinstance(e_out, ember.Tensor), f"{what}: ember returned {type(e_out)}"
    assert str(t_out.dtype) == str(e_out.dtype), f"{what}: dtype {t_out.dtype} vs {e_out.dtype}"
    assert tuple(t_out.shape) == tuple(e_out.shape), f"{what}: shape {tuple(t_out.shape)} vs {tuple(e_out.shape)}"
    a = t_out.detach().numpy()
    b = e_out.detach().numpy()
    if a.dtype.kind in "fc":
        np.testing.assert_allclose(b, a, atol=atol, rtol=rtol, equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(b, a, err_msg=what)


def check_op(fn, shapes, low=-2.0, high=2.0, dtype="float32", grad=True, atol=1e-6, rtol=1e-5, grad_atol=1e-5,
             grad_rtol=1e-4, seed=0, layouts=None):
    """fn(lib, *tensors) runs under both libraries for every layout of the first input
    (the others contiguous; `layouts` restricts them); grad: also compare grad_fn names and
    input gradients. When torch raises, ember must raise the same type and message."""
    rng = np.random.default_rng(seed)
    grad = grad and np.dtype(dtype).kind == "f"
    shapes = [tuple(s) for s in shapes]
    base = [rng.uniform(low, high, size=s).astype(dtype) if np.dtype(dtype).kind == "f" else None for s in shapes]
    cases = _layouts(shapes[0], rng, low, high, dtype) if shapes else [("none", None, None)]
    if layouts is not None:
        cases = [c for c in cases if c[0] in layouts]
    for name, first, view in cases:
        arrays = [first] + [b if b is not None else _layouts(s, rng, low, high, dtype)[0][1]
                            for b, s in zip(base[1:], shapes[1:])]
        outs, ins, errors = [], [], []
        for lib in LIBS:
            leaves = [_make(lib, a, grad) for a in arrays]
            tensors = [view(leaves[0])] + leaves[1:] if shapes else []
            try:
                outs.append(fn(lib, *tensors))
                errors.append(None)
            except Exception as e:  # compared below: torch's error must be ember's
                outs.append(None)
                errors.append(e)
            ins.append(leaves)
        if errors[0] is not None or errors[1] is not None:
            assert errors[0] is not None, f"{name}: torch succeeded, ember raised {errors[1]!r}"
            assert errors[1] is not None, f"{name}: torch raised {errors[0]!r}, ember succeeded"
            assert type(errors[0]) is type(errors[1]), f"{name}: {errors[0]!r} vs {errors[1]!r}"
            assert str(errors[0]) == str(errors[1]), f"{name}: {errors[0]} vs {errors[1]}"
            continue
        t_out, e_out = outs
        assert_same(t_out, e_out, atol, rtol, f"forward, {name} layout")
        if not grad:
            continue
        t_list = t_out if isinstance(t_out, (tuple, list)) else [t_out]
        e_list = e_out if isinstance(e_out, (tuple, list)) else [e_out]
        for t_o, e_o in zip(t_list, e_list):
            if isinstance(t_o, torch.Tensor) and t_o.grad_fn is not None:
                assert e_o.grad_fn is not None, f"{name}: ember output has no grad_fn"
                assert t_o.grad_fn.name() == e_o.grad_fn.name(), f"{name}: grad_fn {t_o.grad_fn.name()} vs {e_o.grad_fn.name()}"
        t_diff = [o for o in t_list if isinstance(o, torch.Tensor) and o.requires_grad]
        if not t_diff:
            continue
        e_diff = [o for o, t in zip(e_list, t_list) if isinstance(t, torch.Tensor) and t.requires_grad]
        weights = [rng.uniform(-1, 1, size=tuple(o.shape)).astype(str(o.dtype).split(".")[1]) for o in t_diff]
        sum(((o * torch.tensor(w)).sum() for o, w in zip(t_diff, weights)), torch.tensor(0.0)).backward()
        sum(((o * ember.tensor(w)).sum() for o, w in zip(e_diff, weights)), ember.tensor(0.0)).backward()
        for i, (lt, le) in enumerate(zip(*ins)):
            if lt.grad is None:
                assert le.grad is None, f"{name}: input {i} has an ember gradient but no torch gradient"
                continue
            assert le.grad is not None, f"{name}: input {i} has no ember gradient"
            assert_same(lt.grad, le.grad, grad_atol, grad_rtol, f"gradient of input {i}, {name} layout")
