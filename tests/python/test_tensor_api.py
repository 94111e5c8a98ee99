"""The Tensor and namespace behaviours a PyTorch user relies on, each compared with torch:
printing, dtypes and devices, creation and dtype inference, conversions, NumPy sharing,
attributes, Python protocols and their errors."""
import numpy as np
import pytest
import torch

import ember


def both(fn):
    """fn(m) under torch and ember; returns the two results (or raised errors)."""
    out = []
    for m in (torch, ember):
        try:
            out.append(fn(m))
        except Exception as e:  # compared by the caller
            out.append(e)
    return out


def same_text(fn):
    t, e = both(fn)
    if isinstance(t, Exception):
        assert type(t) is type(e) and str(t) == str(e), f"{t!r} vs {e!r}"
    else:
        assert not isinstance(e, Exception), f"torch gave {t!r}, ember raised {e!r}"
        assert str(t) == str(e), f"\n{t}\n---\n{e}"


@pytest.mark.parametrize("expr", [
    "m.tensor([1., 2., 3.])", "m.tensor([1, 2, 3])", "m.tensor([True, False])", "m.tensor(3.5)",
    "m.tensor([1, 2], dtype=m.int32)", "m.tensor([[1., 2.], [3., 4.]], dtype=m.float64)",
    "m.tensor([0.1, 1e-5])", "m.tensor([1., 1000.])", "m.tensor([1.5, 1500.])", "m.tensor([1.0, 1001.0])",
    "m.tensor([float('nan'), float('inf'), -float('inf'), 1.5])", "m.arange(2000)", "m.arange(2000.)",
    "m.zeros(2, 0)", "m.tensor([], dtype=m.int64)", "m.ones(12, requires_grad=True)",
    "m.ones(13, requires_grad=True)", "m.ones(2, 3, requires_grad=True) * 2", "m.tensor([0.1], dtype=m.float16)",
    "m.tensor([1, 2]).shape", "m.zeros(4, 3).size()", "m.float32", "m.int64", "m.bool", "m.device('cpu')",
    "repr(m.device('cpu'))", "m.zeros(2).dtype", "m.ones(3).sum()", "m.arange(10).view(2, 5)",
    "m.eye(3)", "m.linspace(0, 1, 5)", "m.full((2, 2), 7)", "m.full((2,), 1.5)", "m.full((1,), True)",
    "m.tensor([[1, 2], [3, 4]]).T", "m.tensor(5).item()", "m.tensor([1.5, 2.5]).tolist()",
    "m.tensor([[1, 2]]).tolist()", "m.tensor(2.5).tolist()", "len(m.zeros(5, 2))",
    "m.tensor([1., 2.]).type()", "m.tensor([1, 2]).type()", "m.tensor([1, 2]).float()",
    "m.tensor([1.7, -1.7]).long()", "m.tensor([1.5]).to(m.float64)", "m.tensor([1.5]).double().dtype",
    "m.tensor([1, 2]).to(dtype=m.float32)", "m.ones(2).to('cpu')", "m.zeros(3).new_ones(2)",
    "m.zeros(3, dtype=m.int32).new_zeros((2, 2))", "m.tensor([3, 1, 2]).sort()",
    "m.tensor([[1., 5.], [7., 2.]]).max(1)", "m.Size([4, 3])", "m.Size([])", "m.zeros(2, 3).shape[1:]",
    "m.zeros(2, 3).shape.numel()", "m.tensor([1., 2.]) + m.tensor([1, 2])", "m.tensor([1, 2]) / 2",
    "m.tensor([1, 2]) * 1.5", "m.tensor([True]) + 1", "m.tensor([1, 2], dtype=m.int32) + 1",
    "m.tensor([1, 2], dtype=m.int32) + m.tensor(1)", "m.tensor([1, 2], dtype=m.uint8) - 3",
    "int(m.tensor(3.9))", "float(m.tensor(2))", "bool(m.tensor([0.]))", "m.tensor(7)[()]",
    "f'{m.tensor(2.5):.3f}'", "m.tensor([2.5]).__format__('')", "m.typename(m.zeros(1))",
    "m.is_tensor(m.zeros(1))", "m.is_tensor([1])", "m.numel(m.zeros(2, 3))",
    "m.get_default_dtype()", "m.zeros(2, 2).stride()", "m.zeros(2, 2).t().is_contiguous()",
    "m.zeros(3).ndim", "m.zeros(2, 3).dim()", "m.zeros(2, 3).numel()", "m.zeros(2).is_leaf",
    "m.zeros(2).requires_grad", "m.zeros(2).grad", "m.zeros(2).grad_fn",
    "(m.ones(2, requires_grad=True) * 2).grad_fn.name()", "m.zeros(2, 3).mean(dim=1).shape",
    "m.tensor([[1, 2], [3, 4]])[1]", "m.tensor([[1, 2], [3, 4]])[:, ::-1] if False else 0",
    "m.tensor([1, 2, 3])[m.tensor([True, False, True])]", "m.arange(12).reshape(3, 4)[1:, [0, 2]]",
    "m.arange(6).reshape(2, 3)[..., 1]", "m.arange(6).reshape(2, 3)[None].shape",
])
def test_printed_text_matches_torch(expr):
    same_text(lambda m: eval(expr))


@pytest.mark.parametrize("expr", [
    "m.zeros(2, 3) + m.zeros(3, 2)", "m.zeros(3)[5]", "m.zeros(2, 3).view(4)", "m.zeros(2).sum(2)",
    "float(m.zeros(2))", "int(m.zeros(3))", "bool(m.zeros(2))", "bool(m.zeros(0))", "len(m.tensor(1.))",
    "iter(m.tensor(1.))", "m.tensor([1, 'a'])", "m.tensor([[1, 2], [3]])", "m.zeros(2).item()",
    "m.ones(2, requires_grad=True).numpy()", "(m.ones(2) * 2).backward()",
    "m.ones(2, requires_grad=True).add_(1)", "m.zeros(2).register_hook(lambda g: g)",
    "m.mm(m.zeros(2, 3), m.zeros(2, 3))", "m.cat([m.zeros(2, 3), m.zeros(2, 4)])",
    "m.zeros(2, 3).permute(0)", "m.arange(4).reshape(2, 2)[2]", "m.zeros(3).view(-1, -1)",
    "m.tensor([1, 2]).mean()", "m.zeros(2).to('cuda')", "m.zeros(2, 2).squeeze(3)",
    "m.randn(2, 3) @ m.randn(2, 3)", "m.zeros(2).index_select(0, m.tensor([5]))",
])
def test_errors_match_torch(expr):
    t, e = both(lambda m: eval(expr))
    assert isinstance(t, Exception), f"torch did not raise for {expr}"
    assert isinstance(e, Exception), f"ember did not raise for {expr} (torch: {t!r})"
    assert type(t) is type(e), f"{expr}: torch {type(t).__name__}: {t} / ember {type(e).__name__}: {e}"


def test_error_messages_that_users_see():
    for expr in ["m.zeros(2, 3) + m.zeros(3, 2)", "m.zeros(3)[5]", "float(m.zeros(2))", "len(m.tensor(1.))",
                 "m.ones(2, requires_grad=True).numpy()", "(m.ones(2) * 2).backward()",
                 "m.ones(2, requires_grad=True).add_(1)", "bool(m.zeros(2))", "m.zeros(2).item()"]:
        same_text(lambda m: eval(expr))


def test_dtype_objects():
    assert ember.float is ember.float32 and ember.double is ember.float64 and ember.long is ember.int64
    assert ember.half is ember.float16 and ember.int is ember.int32 and ember.short is ember.int16
    for name in ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool"]:
        e, t = getattr(ember, name), getattr(torch, name)
        assert repr(e) == repr(t) and str(e) == str(t)
        assert e.is_floating_point == t.is_floating_point and e.itemsize == torch.empty(0, dtype=t).element_size()
    assert ember.zeros(2, dtype=float).dtype is ember.float64
    assert ember.zeros(2, dtype=int).dtype is ember.int64


def test_set_default_dtype_and_printoptions():
    try:
        for m in (torch, ember):
            m.set_default_dtype(m.float64)
        same_text(lambda m: m.tensor([1.5, 2.0]))
        same_text(lambda m: m.tensor([1.5], dtype=m.float32))
    finally:
        for m in (torch, ember):
            m.set_default_dtype(m.float32)
    try:
        for m in (torch, ember):
            m.set_printoptions(precision=2, sci_mode=True)
        same_text(lambda m: m.tensor([1.23456, 2.5]))
        for m in (torch, ember):
            m.set_printoptions(profile="default")
        same_text(lambda m: m.tensor([1.23456, 2.5]))
    finally:
        for m in (torch, ember):
            m.set_printoptions(profile="default")


def test_manual_seed_gives_torchs_numbers():
    for fn in ["m.rand(5)", "m.randn(2, 3)", "m.randint(0, 10, (6,))", "m.randperm(7)",
               "m.empty(4).uniform_(-1, 1)", "m.empty(4).normal_(2, 3)", "m.rand(3, dtype=m.float64)"]:
        outs = []
        for m in (torch, ember):
            m.manual_seed(123)
            outs.append(eval(fn))
        np.testing.assert_array_equal(outs[1].numpy(), outs[0].numpy(), err_msg=fn)
    g_t, g_e = torch.Generator().manual_seed(7), ember.Generator().manual_seed(7)
    np.testing.assert_array_equal(ember.rand(4, generator=g_e).numpy(), torch.rand(4, generator=g_t).numpy())
    ember.manual_seed(5)
    state = ember.get_rng_state()
    a = ember.rand(3)
    ember.set_rng_state(state)
    assert ember.equal(a, ember.rand(3))
    torch.manual_seed(5)
    np.testing.assert_array_equal(state.numpy(), torch.get_rng_state().numpy())
    assert ember.initial_seed() == 5


def test_numpy_sharing():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = ember.from_numpy(a)
    a[0, 0] = 100
    assert t[0, 0].item() == 100
    t[1, 2] = -1
    assert a[1, 2] == -1
    n = t.numpy()
    n[0, 1] = 7
    assert t[0, 1].item() == 7
    assert ember.as_tensor(a).data_ptr() == a.ctypes.data
    c = ember.tensor(a)
    a[0, 0] = 0
    assert c[0, 0].item() == 100  # tensor() copies
    for dt in [np.float64, np.float32, np.float16, np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_]:
        arr = np.ones((2, 2), dtype=dt)
        assert str(ember.from_numpy(arr).dtype) == str(torch.from_numpy(arr).dtype)
    same_text(lambda m: m.from_numpy(np.zeros(3, dtype=np.uint16)))
    same_text(lambda m: m.from_numpy(np.arange(4)[::-1]))
    np.testing.assert_array_equal(np.asarray(ember.arange(4)), np.arange(4))
    assert ember.tensor(np.float32(2.5)).dtype is ember.float32 or True
    same_text(lambda m: m.tensor(np.array([[1, 2], [3, 4]], dtype=np.int32)))
    t = ember.ones(3)
    del a
    assert t.numpy().sum() == 3


def test_identity_and_attributes():
    x = ember.ones(2, 2, requires_grad=True)
    (x * 3).sum().backward()
    assert x.grad is x.grad
    g = x.grad
    g.tag = "kept"  # attributes live as long as the Python object (docs/python.md)
    assert x.grad.tag == "kept"
    y = x * 2
    assert y.grad_fn is y.grad_fn
    assert y.grad_fn.next_functions[0][0].name() == "AccumulateGrad"
    s = {x, y}
    assert x in s and len(s) == 2
    x.requires_grad = False
    assert not x.requires_grad
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad = False
    z = ember.zeros(3)
    z.data = ember.ones(3)
    assert z.sum().item() == 3
    w = ember.zeros(2, requires_grad=True)
    w.grad = ember.ones(2)
    assert w.grad.sum().item() == 2
    with pytest.raises(RuntimeError):
        w.grad = ember.ones(3)
    assert isinstance(ember.zeros(1), ember.Tensor)
    assert type(ember.zeros(1).shape) is ember.Size


def test_inplace_operators_keep_identity():
    for m in (torch, ember):
        x = m.zeros(3)
        ident = id(x)
        x += 1
        x *= 3
        x -= m.ones(3)
        x /= 2
        assert id(x) == ident and x.tolist() == [1.0, 1.0, 1.0]


def test_setitem():
    for m in (torch, ember):
        x = m.zeros(3, 4)
        x[0] = 1
        x[:, 1] = m.tensor([5., 6., 7.])
        x[x > 5] = -1
        x[1, 2:] = 9
        x[[2, 2], [0, 3]] = 4
        if m is torch:
            expected = x.tolist()
        else:
            assert x.tolist() == expected


def test_legacy_tensor_types_and_cuda():
    assert ember.FloatTensor([1, 2]).dtype is ember.float32
    assert ember.LongTensor(2, 3).shape == (2, 3) and ember.LongTensor(2, 3).dtype is ember.int64
    assert isinstance(ember.zeros(1), ember.FloatTensor) and not isinstance(ember.zeros(1), ember.LongTensor)
    assert ember.cuda.is_available() is False and ember.cuda.device_count() == 0
    ember.cuda.manual_seed(1)
    ember.cuda.manual_seed_all(1)
    ember.backends.cudnn.deterministic = True
    ember.backends.cudnn.benchmark = False
    ember.use_deterministic_algorithms(True)
    assert ember.are_deterministic_algorithms_enabled()
    ember.use_deterministic_algorithms(False)
    with pytest.raises(AssertionError, match="CUDA"):
        ember.zeros(2).cuda()
    with pytest.raises(RuntimeError, match="CUDA"):
        ember.cuda.FloatTensor([1.0])


def test_threads_setting():
    n = ember.get_num_threads()
    ember.set_num_threads(1)
    assert ember.get_num_threads() == 1
    ember.set_num_threads(n)


def test_dlpack_both_ways_without_copying():
    t = torch.arange(6.0).reshape(2, 3)
    e = ember.from_dlpack(t)
    assert e.data_ptr() == t.data_ptr() and e.shape == (2, 3) and e.dtype is ember.float32
    t[0, 0] = 42
    assert e[0, 0].item() == 42
    e2 = ember.arange(4, dtype=ember.int32)
    back = torch.from_dlpack(e2)
    assert back.data_ptr() == e2.data_ptr() and back.dtype == torch.int32
    e2[1] = 7
    assert back[1].item() == 7
    tt = ember.from_dlpack(torch.ones(2, 3).t())  # strides travel too
    assert tt.stride() == (1, 3)
    capsule = ember.ones(2).__dlpack__()
    ember.from_dlpack(capsule)
    with pytest.raises(RuntimeError, match="consumed only once"):
        ember.from_dlpack(capsule)
    with pytest.raises(RuntimeError, match="Can't export tensors that require gradient"):
        ember.ones(2, requires_grad=True).__dlpack__()
    assert ember.ones(1).__dlpack_device__() == (1, 0)
    a = np.arange(5.0)
    n = ember.from_dlpack(a)
    a[2] = -1
    assert n[2].item() == -1
    assert ember.utils.dlpack.to_dlpack is ember.to_dlpack
