"""ember.save / ember.load against torch.save / torch.load (docs/checkpoints.md): files go
both ways for every dtype, views and shared storages, empty and 0-dim tensors, nested
checkpoint dicts, module state_dicts (into an ember model and into a torch model, same
outputs) and the state of every optimiser (a resumed run continues the same trajectory).
Files naming anything outside the safe set fail with the global's name."""
import collections
import io
import math
import os
import pickle

import numpy as np
import pytest
import torch

import ember

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"]


def _values(lib, dtype, shape):
    n = int(np.prod(shape)) if shape else 1
    t = (lib.arange(n, dtype=lib.float64) * 1.37 - 5.2)
    if dtype == "bool":
        t = lib.arange(n) % 3 == 0
    return t.to(getattr(lib, dtype)).reshape(shape)


def _objects(lib):
    """The same checkpoint in either library: every dtype, views of one storage, 0-dim,
    empty, a Parameter, numbers, strings and containers."""
    base = lib.arange(12, dtype=lib.float32).reshape(3, 4)
    sd = collections.OrderedDict()
    for dtype in DTYPES:
        sd[dtype] = _values(lib, dtype, (2, 3))
    sd["base"] = base
    sd["transposed"] = base.t()
    sd["column"] = base[:, 1]
    sd["tail"] = base.view(-1)[5:]
    sd["scalar"] = lib.tensor(2.5)
    sd["empty"] = lib.zeros(0, 3)
    sd["specials"] = lib.tensor([math.nan, math.inf, -math.inf, -0.0])
    return {"tensors": sd, "param": lib.nn.Parameter(lib.ones(2)), "epoch": 3, "acc": 0.75,
            "name": "ckpt-\u00e9", "list": [1, None, True, (2, "x")], "nested": {"a": {"b": [lib.zeros(1)]}},
            "big": 2**40, "neg": -7}


def _check_same(e, t, what="root"):
    """e (from ember) and t (from torch) hold the same objects."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{what}: {type(e)}"
        assert str(e.dtype) == str(t.dtype), f"{what}: {e.dtype} vs {t.dtype}"
        assert tuple(e.shape) == tuple(t.shape) and tuple(e.stride()) == tuple(t.stride()), what
        assert e.storage_offset() == t.storage_offset(), what
        assert e.requires_grad == t.requires_grad, what
        assert isinstance(e, ember.nn.Parameter) == isinstance(t, torch.nn.Parameter), what
        a = e.detach().float().numpy() if t.dtype == torch.bfloat16 else e.detach().numpy()
        b = t.detach().float().numpy() if t.dtype == torch.bfloat16 else t.detach().numpy()
        np.testing.assert_array_equal(a, b, err_msg=what)
        assert np.array_equal(np.signbit(a), np.signbit(b)), what
        return
    assert type(e).__name__ == type(t).__name__, f"{what}: {type(e)} vs {type(t)}"
    if isinstance(t, dict):
        assert list(e.keys()) == list(t.keys()), what
        for k in t:
            _check_same(e[k], t[k], f"{what}[{k!r}]")
        if hasattr(t, "_metadata"):
            assert dict(e._metadata) == dict(t._metadata), what
    elif isinstance(t, (list, tuple)):
        assert len(e) == len(t), what
        for i, (x, y) in enumerate(zip(e, t)):
            _check_same(x, y, f"{what}[{i}]")
    else:
        assert e == t and type(e) is type(t), f"{what}: {e!r} vs {t!r}"


def test_ember_writes_torch_reads(tmp_path):
    path = tmp_path / "ember.pt"
    ember.save(_objects(ember), path)
    got = torch.load(path)  # floats: 1.13's weights_only loader lacks BINFLOAT
    _check_same_torch(got, _objects(torch))
    # A state_dict of tensors only loads with weights_only=True.
    ember.save(_objects(ember)["tensors"], tmp_path / "sd.pt")
    sd = torch.load(tmp_path / "sd.pt", weights_only=True)
    assert type(sd) is collections.OrderedDict
    assert sd["tail"].storage().data_ptr() == sd["base"].storage().data_ptr()


def test_torch_writes_ember_reads(tmp_path):
    path = tmp_path / "torch.pt"
    torch.save(_objects(torch), path)
    for mmap in (False, True):
        got = ember.load(path, mmap=mmap)
        _check_same(got, _objects(torch))
        sd = got["tensors"]
        sd["tail"][0] = 100.0  # views of one storage stay views of one storage
        assert sd["base"][1, 1].item() == 100.0


def _check_same_torch(a, b, what="root"):
    """Both torch objects: torch's load of ember's file against the original."""
    assert type(a) is type(b), f"{what}: {type(a)} vs {type(b)}"
    if isinstance(b, torch.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape and a.stride() == b.stride(), what
        assert a.storage_offset() == b.storage_offset() and a.requires_grad == b.requires_grad, what
        x, y = a.detach().double(), b.detach().double()
        assert torch.equal(x.isnan(), y.isnan()) and torch.equal(x.nan_to_num(), y.nan_to_num()), what
        assert torch.equal(x.signbit(), y.signbit()), what
    elif isinstance(b, dict):
        assert list(a) == list(b), what
        for k in b:
            _check_same_torch(a[k], b[k], f"{what}[{k!r}]")
    elif isinstance(b, (list, tuple)):
        assert len(a) == len(b), what
        for i, (x, y) in enumerate(zip(a, b)):
            _check_same_torch(x, y, f"{what}[{i}]")
    else:
        assert a == b, what


def test_file_objects_and_paths(tmp_path):
    buf = io.BytesIO()
    ember.save({"w": ember.arange(5)}, buf)
    buf.seek(0)
    assert torch.equal(torch.load(buf)["w"], torch.arange(5))
    buf = io.BytesIO()
    torch.save({"w": torch.arange(5)}, buf)
    buf.seek(0)
    assert ember.load(buf)["w"].tolist() == [0, 1, 2, 3, 4]
    with open(tmp_path / "f.pt", "wb") as fh:
        ember.save([1, 2.5], fh)
    with open(tmp_path / "f.pt", "rb") as fh:
        assert ember.load(fh) == [1, 2.5]
    ember.save(ember.ones(2), str(tmp_path / "s.pt"))
    assert ember.load(str(tmp_path / "s.pt"), map_location="cpu").tolist() == [1.0, 1.0]
    assert ember.load(tmp_path / "s.pt", map_location=lambda storage, loc: storage).tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="mmap"):
        ember.load(io.BytesIO(b""), mmap=True)
    with pytest.raises(TypeError, match="cannot save an object of type 'set'"):
        ember.save({1, 2}, tmp_path / "x.pt")
    assert not os.path.exists(tmp_path / "x.pt")
    cyclic = []
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match="reference cycle"):
        ember.save(cyclic, tmp_path / "x.pt")


class Net(object):
    """The same network in both libraries."""

    @staticmethod
    def make(lib):
        lib.manual_seed(0)
        nn = lib.nn
        # BatchNorm after the ReLU: a convolution bias right before it gets a zero gradient,
        # which Adam turns into rounding noise that no two libraries share.
        return nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.BatchNorm2d(3), nn.Flatten(), nn.Linear(3 * 4 * 4, 5))


def _train(lib, model, opt, steps, seed=1):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        x = lib.tensor(rng.standard_normal((4, 1, 6, 6)).astype("float32"))
        y = lib.tensor(rng.integers(0, 5, 4))
        opt.zero_grad()
        loss = lib.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()


def test_model_state_dict_into_ember_and_torch(tmp_path):
    e_model = Net.make(ember)
    _train(ember, e_model, ember.optim.SGD(e_model.parameters(), lr=0.1, momentum=0.9), 3)
    e_model.eval()
    x = np.random.default_rng(5).standard_normal((2, 1, 6, 6)).astype("float32")
    e_out = e_model(ember.tensor(x)).detach().numpy()
    ember.save(e_model.state_dict(), tmp_path / "model.pt")

    t_model = Net.make(torch)
    t_model.load_state_dict(torch.load(tmp_path / "model.pt", weights_only=True))
    t_model.eval()
    np.testing.assert_allclose(t_model(torch.tensor(x)).detach().numpy(), e_out, rtol=1e-5, atol=1e-6)

    e_again = Net.make(ember)
    e_again.load_state_dict(ember.load(tmp_path / "model.pt"))
    e_again.eval()
    np.testing.assert_array_equal(e_again(ember.tensor(x)).detach().numpy(), e_out)

    # And the reverse: torch trains, ember loads.
    torch.save(t_model.state_dict(), tmp_path / "torch_model.pt")
    e_from_torch = Net.make(ember)
    e_from_torch.load_state_dict(ember.load(tmp_path / "torch_model.pt", mmap=True))
    e_from_torch.eval()
    np.testing.assert_allclose(e_from_torch(ember.tensor(x)).detach().numpy(), e_out, rtol=1e-5, atol=1e-6)


OPTIMIZERS = [
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=1e-2)),
    ("Adam", dict(lr=1e-2, amsgrad=True)),
    ("AdamW", dict(lr=1e-2, weight_decay=0.1)),
    ("RMSprop", dict(lr=1e-2, momentum=0.5, centered=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adadelta", dict(lr=1.0)),
]


@pytest.mark.parametrize("name,kwargs", OPTIMIZERS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(OPTIMIZERS)])
def test_optimizer_state_round_trip(tmp_path, name, kwargs):
    """Train 3 steps, save a checkpoint (model, optimiser, epoch), resume in a fresh process
    state and in torch: both continue on the uninterrupted trajectory."""
    model = Net.make(ember)
    opt = getattr(ember.optim, name)(model.parameters(), **kwargs)
    _train(ember, model, opt, 3)
    ember.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, tmp_path / "ckpt.pt")
    _train(ember, model, opt, 3, seed=2)  # the uninterrupted run

    ckpt = ember.load(tmp_path / "ckpt.pt")
    assert ckpt["epoch"] == 3
    resumed = Net.make(ember)
    resumed.load_state_dict(ckpt["model"])
    ropt = getattr(ember.optim, name)(resumed.parameters(), **kwargs)
    ropt.load_state_dict(ckpt["optimizer"])
    _train(ember, resumed, ropt, 3, seed=2)
    for a, b in zip(model.parameters(), resumed.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())

    # torch reads the same checkpoint and continues the same trajectory.
    tckpt = torch.load(tmp_path / "ckpt.pt")
    tmodel = Net.make(torch)
    tmodel.load_state_dict(tckpt["model"])
    topt = getattr(torch.optim, name)(tmodel.parameters(), **kwargs)
    topt.load_state_dict(tckpt["optimizer"])
    _train(torch, tmodel, topt, 3, seed=2)
    for a, b in zip(model.parameters(), tmodel.parameters()):
        np.testing.assert_allclose(b.detach().numpy(), a.detach().numpy(), rtol=1e-4, atol=1e-5)

    # And ember reads torch's.
    torch.save({"optimizer": topt.state_dict()}, tmp_path / "torch_opt.pt")
    eopt = getattr(ember.optim, name)(resumed.parameters(), **kwargs)
    eopt.load_state_dict(ember.load(tmp_path / "torch_opt.pt")["optimizer"])
    assert eopt.state_dict()["param_groups"] == topt.state_dict()["param_groups"]


def test_unsafe_files_name_the_global(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    path = tmp_path / "evil.pt"
    torch.save({"x": Evil()}, path)
    with pytest.raises(pickle.UnpicklingError, match=r"Unsupported global: GLOBAL (posix|os)\.system"):
        ember.load(path)
    with pytest.raises(pickle.UnpicklingError, match=r"Unsupported global: GLOBAL (posix|os)\.system"):
        ember.load(path, weights_only=False)  # ember's loader is always the safe one
    torch.save({"s": {1, 2}}, path)
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL builtins.set .*cannot represent sets"):
        ember.load(path)
    with pytest.raises(RuntimeError, match="load: <file object>: truncated or corrupt zip archive"):
        ember.load(io.BytesIO(b"PK\x03\x04" + b"\0" * 100))


def test_atomic_save_leaves_old_file(tmp_path):
    path = tmp_path / "ckpt.pt"
    ember.save({"a": ember.ones(3)}, path)
    with pytest.raises(TypeError):
        ember.save({"a": ember.ones(3), "bad": object()}, path)
    assert ember.load(path)["a"].tolist() == [1.0, 1.0, 1.0]
    assert os.listdir(tmp_path) == ["ckpt.pt"]


def test_loading_tensors_does_not_import_nn(tmp_path):
    """A file without Parameters loads without importing ember.nn (about 30 ms), so a
    memory-mapped load in a fresh process costs milliseconds; one with Parameters still
    gives Parameters."""
    import subprocess
    import sys
    plain, params = tmp_path / "plain.pt", tmp_path / "params.pt"
    ember.save({"w": ember.ones(3)}, str(plain))
    ember.save({"w": ember.nn.Parameter(ember.ones(3))}, str(params))
    code = ("import sys, ember; d = ember.load(sys.argv[1], mmap=True); "
            "print('ember.nn' in sys.modules, type(d['w']).__name__)")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(ember.__file__)))
    for path, expected in ((plain, "False Tensor"), (params, "True Parameter")):
        out = subprocess.run([sys.executable, "-c", code, str(path)], env=env, capture_output=True, text=True)
        assert out.stdout.strip() == expected, out.stderr
