"""Automatic mixed precision against torch 1.13 (the oracle): ember.autocast's CPU policy op by
op (every row of ember's policy table, ember/ops/autocast_list.h, and ops outside it), nested
and disabled regions, the weight-cast cache, bfloat16 results and gradients through autocast,
torch's warnings and errors; and GradScaler's step skipping and scale schedule."""
import functools
import pickle
import warnings

import numpy as np
import pytest
import torch

import ember


def _rand(lib, dtype, *shape, seed=0):
    a = np.random.default_rng(seed + sum(shape)).uniform(0.1, 1.0, size=shape).astype(np.float32)
    t = lib.tensor(a)
    return t.to(getattr(lib, dtype))


def _idx(lib, values):
    return lib.tensor(values, dtype=lib.int64)


# One sample call per row of ember's policy table: f(lib, mk), mk(*shape) makes a floating
# input in the dtype under test. test_every_row_has_a_sample fails when a row has none.
ROW_SAMPLES = {
    "conv1d": lambda lib, mk: lib.nn.functional.conv1d(mk(1, 2, 8), mk(3, 2, 3), mk(3)),
    "conv2d": lambda lib, mk: lib.nn.functional.conv2d(mk(1, 2, 6, 6), mk(3, 2, 3, 3), mk(3), padding=1),
    "bmm": lambda lib, mk: lib.bmm(mk(2, 3, 4), mk(2, 4, 5)),
    "mm": lambda lib, mk: lib.mm(mk(3, 4), mk(4, 5)),
    "baddbmm": lambda lib, mk: lib.baddbmm(mk(2, 3, 5), mk(2, 3, 4), mk(2, 4, 5)),
    "addmm": lambda lib, mk: lib.addmm(mk(3, 5), mk(3, 4), mk(4, 5)),
    "linear": lambda lib, mk: lib.nn.functional.linear(mk(3, 4), mk(5, 4), mk(5)),
    "matmul": lambda lib, mk: lib.matmul(mk(2, 3, 4), mk(4, 5)),
    "conv_transpose1d": lambda lib, mk: lib.nn.functional.conv_transpose1d(mk(1, 2, 5), mk(2, 3, 3)),
    "conv_transpose2d": lambda lib, mk: lib.nn.functional.conv_transpose2d(mk(1, 2, 4, 4), mk(2, 3, 3, 3)),
    "prod": lambda lib, mk: mk(3, 4).prod(1),
    "reflection_pad": lambda lib, mk: lib.nn.functional.pad(mk(1, 2, 4, 4), (1, 1, 1, 1), mode="reflect"),
    "replication_pad": lambda lib, mk: lib.nn.functional.pad(mk(1, 2, 4), (1, 2), mode="replicate"),
    "mse_loss": lambda lib, mk: lib.nn.functional.mse_loss(mk(3, 2), mk(3, 2)),
    "l1_loss": lambda lib, mk: lib.nn.functional.l1_loss(mk(3), mk(3)),
    "smooth_l1_loss": lambda lib, mk: lib.nn.functional.smooth_l1_loss(mk(3), mk(3)),
    "huber_loss": lambda lib, mk: lib.nn.functional.huber_loss(mk(3), mk(3)),
    "nll_loss": lambda lib, mk: lib.nn.functional.nll_loss(mk(3, 4), _idx(lib, [0, 1, 3])),
    "cross_entropy": lambda lib, mk: lib.nn.functional.cross_entropy(mk(3, 4), _idx(lib, [0, 1, 3])),
    "binary_cross_entropy": lambda lib, mk: lib.nn.functional.binary_cross_entropy(mk(3), mk(3)),
    "binary_cross_entropy_with_logits":
        lambda lib, mk: lib.nn.functional.binary_cross_entropy_with_logits(mk(3), mk(3)),
    "kl_div": lambda lib, mk: lib.nn.functional.kl_div(mk(3), mk(3), reduction="batchmean"),
    "margin_ranking_loss": lambda lib, mk: lib.nn.functional.margin_ranking_loss(mk(3), mk(3), lib.ones(3)),
    "cosine_embedding_loss":
        lambda lib, mk: lib.nn.functional.cosine_embedding_loss(mk(3, 4), mk(3, 4), lib.ones(3)),
    "stack": lambda lib, mk: lib.stack([mk(3), mk(3)]),
}

# Ops outside every list: autocast leaves them alone (their dtype follows their inputs), even
# where ember builds them from ops of the table (matmul's 1-D cases, bilinear, mv, dot).
UNLISTED_SAMPLES = {
    "add": lambda lib, mk: mk(3) + mk(3),
    "mul_scalar": lambda lib, mk: mk(3) * 2,
    "relu": lambda lib, mk: lib.relu(mk(3)),
    "gelu": lambda lib, mk: lib.nn.functional.gelu(mk(3)),
    "tanh": lambda lib, mk: lib.tanh(mk(3)),
    "exp": lambda lib, mk: lib.exp(mk(3)),
    "softmax": lambda lib, mk: lib.softmax(mk(3, 4), 1),
    "log_softmax": lambda lib, mk: lib.log_softmax(mk(3, 4), 1),
    "sum": lambda lib, mk: mk(3, 4).sum(),
    "mean": lambda lib, mk: mk(3, 4).mean(1),
    "cumsum": lambda lib, mk: mk(3, 4).cumsum(1),
    "norm": lambda lib, mk: mk(3, 4).norm(),
    "mv": lambda lib, mk: lib.mv(mk(3, 4), mk(4)),
    "dot": lambda lib, mk: lib.dot(mk(4), mk(4)),
    "outer": lambda lib, mk: lib.outer(mk(3), mk(4)),
    "addmv": lambda lib, mk: lib.addmv(mk(3), mk(3, 4), mk(4)),
    "bilinear": lambda lib, mk: lib.nn.functional.bilinear(mk(3, 4), mk(3, 2), mk(5, 4, 2), mk(5)),
    "prelu": lambda lib, mk: lib.nn.functional.prelu(mk(2, 3, 4), mk(3)),
    "cat": lambda lib, mk: lib.cat([mk(3), mk(2)]),
    "max_pool2d": lambda lib, mk: lib.nn.functional.max_pool2d(mk(1, 2, 4, 4), 2),
    "pad_constant": lambda lib, mk: lib.nn.functional.pad(mk(1, 2, 4), (1, 1)),
    "pad_circular": lambda lib, mk: lib.nn.functional.pad(mk(1, 2, 4), (1, 1), mode="circular"),
    "clone": lambda lib, mk: mk(3).clone(),
}


def _dtype_under_autocast(lib, sample, dtype):
    with lib.autocast("cpu", dtype=lib.bfloat16):
        out = sample(lib, functools.partial(_rand, lib, dtype))
    return str(out.dtype)


def test_every_row_has_a_sample():
    rows = [name for name, _ in ember._C._autocast_policy_table()]
    assert sorted(rows) == sorted(ROW_SAMPLES), "add a sample call for each row of ember/ops/autocast_list.h"
    assert len(rows) == len(set(rows))


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
@pytest.mark.parametrize("name", sorted(ROW_SAMPLES))
def test_policy_rows_match_torch(name, dtype):
    sample = ROW_SAMPLES[name]
    assert _dtype_under_autocast(ember, sample, dtype) == _dtype_under_autocast(torch, sample, dtype)


def test_policy_names_match_the_observed_behaviour():
    # The policy column says what the op does to float32 and bfloat16 inputs.
    for name, policy in ember._C._autocast_policy_table():
        out_f32 = _dtype_under_autocast(ember, ROW_SAMPLES[name], "float32")
        out_bf16 = _dtype_under_autocast(ember, ROW_SAMPLES[name], "bfloat16")
        expect = {"lower_precision_fp": ("torch.bfloat16", "torch.bfloat16"),
                  "fp32": ("torch.float32", "torch.float32"),
                  "promote": ("torch.float32", "torch.bfloat16")}[policy]
        assert (out_f32, out_bf16) == expect, name


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
@pytest.mark.parametrize("name", sorted(UNLISTED_SAMPLES))
def test_ops_outside_the_lists_keep_their_dtype(name, dtype):
    sample = UNLISTED_SAMPLES[name]
    got = _dtype_under_autocast(ember, sample, dtype)
    assert got == _dtype_under_autocast(torch, sample, dtype) == "torch." + dtype


def _grad_fn_names(out):
    return [None if f is None else type(f).__name__ if not hasattr(f, "name") else f.name()
            for f, _ in out.grad_fn.next_functions]


def test_promote_casts_to_the_widest_input():
    for lib in (torch, ember):
        x = lib.ones(3, requires_grad=True)
        y = lib.ones(3).bfloat16().requires_grad_()
        with lib.autocast("cpu"):
            out = lib.stack([x, y])
            assert out.dtype == lib.float32
            # the bfloat16 input reaches stack through a differentiable cast
            names = [type(f).__name__ for f, _ in out.grad_fn.next_functions]
            assert names == ["AccumulateGrad", "ToCopyBackward0"], (lib.__name__, names)
            # float64 is neither cast nor a reason to widen
            assert lib.stack([lib.ones(2).double(), lib.ones(2).bfloat16()]).dtype == lib.float64
            assert lib.stack([lib.ones(2).double(), lib.ones(2)]).dtype == lib.float64
        out.sum().backward()
        assert y.grad.dtype == lib.bfloat16 and x.grad.dtype == lib.float32


def test_promote_refuses_float16_with_bfloat16_like_torch():
    msgs = []
    for lib in (torch, ember):
        with lib.autocast("cpu"):
            with pytest.raises(RuntimeError) as e:
                lib.stack([lib.ones(2).half(), lib.ones(2).bfloat16()])
        msgs.append(str(e.value).splitlines()[0])
    assert msgs[0] == msgs[1] == "Unexpected floating ScalarType in at::autocast::prioritize"


def test_float64_and_integers_are_left_alone():
    for lib in (torch, ember):
        with lib.autocast("cpu"):
            assert lib.mm(lib.ones(2, 2).double(), lib.ones(2, 2).double()).dtype == lib.float64
            assert lib.mm(lib.ones(2, 2, dtype=lib.int64), lib.ones(2, 2, dtype=lib.int64)).dtype == lib.int64
            assert lib.nn.functional.mse_loss(lib.ones(2).double(), lib.ones(2).double()).dtype == lib.float64
            # float16 counts as a floating input to cast
            assert lib.mm(lib.ones(2, 2).half(), lib.ones(2, 2)).dtype == lib.bfloat16


def test_nested_and_disabled_regions():
    for lib in (torch, ember):
        a = lib.ones(2, 2)
        seen = []
        assert not lib.is_autocast_cpu_enabled()
        with lib.autocast("cpu"):
            seen.append(lib.mm(a, a).dtype)
            with lib.autocast("cpu", enabled=False):
                assert not lib.is_autocast_cpu_enabled()
                seen.append(lib.mm(a, a).dtype)
                with lib.cpu.amp.autocast():
                    seen.append(lib.mm(a, a).dtype)
                seen.append(lib.mm(a, a).dtype)
            assert lib.is_autocast_cpu_enabled()
            seen.append(lib.mm(a, a).dtype)
        seen.append(lib.mm(a, a).dtype)
        assert not lib.is_autocast_cpu_enabled()
        assert lib.get_autocast_cpu_dtype() == lib.bfloat16
        assert seen == [lib.bfloat16, lib.float32, lib.bfloat16, lib.float32, lib.bfloat16, lib.float32]


def test_nesting_counter_and_cache_flag():
    for lib in (torch, ember):
        assert lib.is_autocast_cache_enabled()
        with lib.autocast("cpu", cache_enabled=False):
            assert not lib.is_autocast_cache_enabled()
            assert lib.autocast_increment_nesting() == 2
            assert lib.autocast_decrement_nesting() == 1
        assert lib.is_autocast_cache_enabled()
        assert lib.autocast_increment_nesting() == 1
        assert lib.autocast_decrement_nesting() == 0


def test_decorator_and_enter_value():
    for lib in (torch, ember):
        @lib.autocast("cpu")
        def f(a):
            """doc"""
            return lib.mm(a, a)
        assert f(lib.ones(2, 2)).dtype == lib.bfloat16 and f.__name__ == "f" and f.__doc__ == "doc"

        @lib.cpu.amp.autocast()
        def g(a):
            return lib.mm(a, a), lib.is_autocast_cpu_enabled()
        assert g(lib.ones(2, 2))[0].dtype == lib.bfloat16
        assert not lib.is_autocast_cpu_enabled()
        with lib.autocast("cpu") as entered:
            assert entered is None
        with lib.amp.autocast("cpu"):
            assert lib.is_autocast_cpu_enabled()


def _record(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            result = fn()
            err = None
        except Exception as e:  # noqa: BLE001 -- the error itself is compared
            result, err = None, (type(e).__name__, str(e))
    return result, err, [str(x.message) for x in w]


def test_warnings_and_errors_match_torch():
    cases = [
        lambda lib: lib.autocast("cpu", dtype=lib.float16)._enabled,
        lambda lib: lib.autocast("cpu", dtype=lib.float16).__enter__(),
        lambda lib: lib.autocast("tpu"),
        lambda lib: lib.autocast("cpu:0"),
        lambda lib: lib.autocast("cuda")._enabled,
        lambda lib: lib.set_autocast_cpu_dtype(lib.float32),
        lambda lib: lib.set_autocast_cpu_dtype(lib.float16),
        lambda lib: lib.cuda.amp.GradScaler(enabled=False).get_scale(),
    ]
    for case in cases:
        t = _record(lambda: case(torch))
        e = _record(lambda: case(ember))
        assert t == e
    # a failed entry left the state as it was (torch's and ember's): the dtype is refused before
    # the region is counted
    for lib in (torch, ember):
        assert lib.get_autocast_cpu_dtype() == lib.bfloat16 and not lib.is_autocast_cpu_enabled()
        assert lib.autocast_increment_nesting() == 1
        assert lib.autocast_decrement_nesting() == 0


def test_api_names_of_torch_1_13_exist():
    for name in ("autocast", "is_autocast_cpu_enabled", "set_autocast_cpu_enabled", "get_autocast_cpu_dtype",
                 "set_autocast_cpu_dtype", "is_autocast_enabled", "set_autocast_enabled", "get_autocast_gpu_dtype",
                 "set_autocast_gpu_dtype", "is_autocast_cache_enabled", "set_autocast_cache_enabled",
                 "clear_autocast_cache", "autocast_increment_nesting", "autocast_decrement_nesting"):
        assert hasattr(torch, name) and hasattr(ember, name), name
    for mod, names in (("amp", ["autocast"]), ("cpu.amp", ["autocast"]),
                       ("cuda.amp", ["autocast", "GradScaler", "custom_fwd", "custom_bwd"])):
        for name in names:
            assert hasattr(functools.reduce(getattr, mod.split("."), ember), name), (mod, name)
    assert not hasattr(torch.amp, "GradScaler") and not hasattr(ember.amp, "GradScaler")


# ---- values and gradients -------------------------------------------------------------------

def _np(t):
    return t.detach().float().numpy()


def test_bfloat16_results_against_float32_and_torch():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((16, 32)).astype(np.float32)
    b = rng.standard_normal((32, 8)).astype(np.float32)
    ref = a @ b
    outs = []
    for lib in (torch, ember):
        with lib.autocast("cpu"):
            outs.append([lib.mm(lib.tensor(a), lib.tensor(b)),
                         lib.matmul(lib.tensor(a)[None], lib.tensor(b)),
                         lib.nn.functional.linear(lib.tensor(a), lib.tensor(b).t())])
    for t_out, e_out in zip(*outs):
        assert e_out.dtype == ember.bfloat16
        # bfloat16 has 8 significant bits: inputs rounded (2^-9 relative) and the result rounded
        np.testing.assert_allclose(_np(e_out).reshape(ref.shape), ref, rtol=0.03, atol=0.1)
        np.testing.assert_allclose(_np(e_out), _np(t_out), rtol=0.02, atol=0.06)


def _mlp(lib, w1, b1, w2, b2):
    m = lib.nn.Sequential(lib.nn.Linear(6, 5), lib.nn.ReLU(), lib.nn.Linear(5, 3))
    with lib.no_grad():
        for p, v in zip(m.parameters(), (w1, b1, w2, b2)):
            p.copy_(lib.tensor(v))
    return m


def test_gradients_through_autocast_match_torch():
    rng = np.random.default_rng(2)
    params = [rng.standard_normal(s).astype(np.float32) * 0.5 for s in ((5, 6), (5,), (3, 5), (3,))]
    x = rng.standard_normal((8, 6)).astype(np.float32)
    target = rng.integers(0, 3, size=8)
    grads, losses = [], []
    for lib in (torch, ember):
        m = _mlp(lib, *params)
        with lib.autocast("cpu"):
            out = m(lib.tensor(x))
            assert out.dtype == lib.bfloat16
            loss = lib.nn.functional.cross_entropy(out, lib.tensor(target))
            assert loss.dtype == lib.float32
        loss.backward()
        for p in m.parameters():
            assert p.grad.dtype == lib.float32
        grads.append([_np(p.grad) for p in m.parameters()])
        losses.append(loss.item())
    assert abs(losses[0] - losses[1]) < 1e-2
    for gt, ge in zip(*grads):
        np.testing.assert_allclose(ge, gt, rtol=0.05, atol=0.01)


def test_weight_cast_cache():
    lin = ember.nn.Linear(4, 3)
    x = ember.randn(2, 4)
    assert ember._C._autocast_cache_size() == 0
    with ember.autocast("cpu"):
        lin(x)
        assert ember._C._autocast_cache_size() == 2  # weight and bias, not the input
        lin(x)
        lin(x.requires_grad_())  # a leaf input that requires grad is cached like a parameter
        assert ember._C._autocast_cache_size() == 3
        with ember.autocast("cpu"):
            lin(x)
        assert ember._C._autocast_cache_size() == 3  # the inner exit does not clear it
        lin(x[:1])  # views are never cached
        assert ember._C._autocast_cache_size() == 3
    assert ember._C._autocast_cache_size() == 0  # the outermost exit does
    with ember.autocast("cpu", cache_enabled=False):
        lin(x)
        assert ember._C._autocast_cache_size() == 0
    with ember.autocast("cpu"):
        ember.clear_autocast_cache()
        lin(ember.randn(2, 4)).sum()
        assert ember._C._autocast_cache_size() == 2
        ember.clear_autocast_cache()
        assert ember._C._autocast_cache_size() == 0


def test_parameter_used_twice_in_a_region_gets_one_cast_and_torch_grads():
    rng = np.random.default_rng(3)
    w = rng.standard_normal((4, 4)).astype(np.float32)
    x = rng.standard_normal((2, 4)).astype(np.float32)
    grads = []
    for lib in (torch, ember):
        weight = lib.tensor(w, requires_grad=True)
        with lib.autocast("cpu"):
            h = lib.nn.functional.linear(lib.tensor(x), weight)
            y = lib.nn.functional.linear(h, weight)
            loss = y.float().pow(2).sum()
        loss.backward()
        grads.append(_np(weight.grad))
        assert weight.grad.dtype == lib.float32
    np.testing.assert_allclose(grads[1], grads[0], rtol=0.05, atol=0.05)


def test_autocast_under_no_grad_and_its_cache_caveat():
    # A cast cached under no_grad has no history: its later uses in the same region give the
    # parameter no gradient (torch's cache behaves the same; docs/amp.md says so).
    for lib in (torch, ember):
        w = lib.ones(2, 2, requires_grad=True)
        with lib.autocast("cpu"):
            with lib.no_grad():
                r = lib.mm(w, w)
                assert r.dtype == lib.bfloat16 and not r.requires_grad
            r2 = lib.mm(w, w)
            assert r2.dtype == lib.bfloat16 and not r2.requires_grad
        with lib.autocast("cpu"):
            assert lib.mm(w, w).requires_grad


# ---- GradScaler -------------------------------------------------------------------------------

def _reference_schedule(init, growth, backoff, interval, found_infs):
    """The scale and growth tracker after each update(), by the rules of torch's
    _amp_update_scale_ (aten/src/ATen/native/cuda/AmpKernels.cu). torch 1.13's CPU build cannot
    run that primitive ("Could not run 'aten::_amp_update_scale_' with arguments from the
    'CPU' backend") and its GradScaler disables itself without CUDA, so the reference sequence
    is computed here from those rules: after a step with inf/NaN gradients the scale is
    multiplied by backoff and the tracker reset; otherwise the tracker counts the clean step,
    and on reaching growth_interval the scale grows (if the product stays finite) and the
    tracker restarts at 0."""
    scale, tracker, out = np.float32(init), 0, []
    for inf in found_infs:
        if inf:
            scale, tracker = np.float32(scale * backoff), 0
        else:
            tracker += 1
            if tracker == interval:
                grown = np.float32(scale * growth)
                if np.isfinite(grown):
                    scale = grown
                tracker = 0
        out.append((float(scale), tracker))
    return out


def _scaler_setup(seed=0):
    ember.manual_seed(seed)
    model = ember.nn.Linear(3, 2)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    return model, opt


def test_grad_scaler_defaults_and_getters():
    s = ember.cuda.amp.GradScaler()
    assert s.is_enabled()
    assert (s.get_scale(), s.get_growth_factor(), s.get_backoff_factor(), s.get_growth_interval()) == \
        (65536.0, 2.0, 0.5, 2000)
    assert s.state_dict() == {"scale": 65536.0, "growth_factor": 2.0, "backoff_factor": 0.5,
                              "growth_interval": 2000, "_growth_tracker": 0}
    s.set_growth_factor(3.0)
    s.set_backoff_factor(0.25)
    s.set_growth_interval(7)
    assert (s.get_growth_factor(), s.get_backoff_factor(), s.get_growth_interval()) == (3.0, 0.25, 7)
    with pytest.raises(AssertionError, match="The growth factor must be > 1.0."):
        ember.cuda.amp.GradScaler(growth_factor=1.0)
    with pytest.raises(AssertionError, match="The backoff factor must be < 1.0."):
        ember.cuda.amp.GradScaler(backoff_factor=1.0)


def test_grad_scaler_scale_sequence_and_step_skipping():
    init, growth, backoff, interval = 1024.0, 2.0, 0.5, 3
    found_infs = [False, False, False, True, False, False, False, False, True, True, False, False, False]
    expect = _reference_schedule(init, growth, backoff, interval, found_infs)
    model, opt = _scaler_setup()
    scaler = ember.cuda.amp.GradScaler(init_scale=init, growth_factor=growth, backoff_factor=backoff,
                                       growth_interval=interval)
    x = ember.ones(4, 3)
    for step, (inf, (want_scale, want_tracker)) in enumerate(zip(found_infs, expect)):
        opt.zero_grad()
        scale_before = scaler.get_scale()
        loss = model(x * (float("inf") if inf else 1.0)).sum() if inf else model(x).sum()
        scaled = scaler.scale(loss)
        assert scaled.item() == pytest.approx(loss.item() * scale_before, rel=1e-6)
        scaled.backward()
        before = [p.detach().clone() for p in model.parameters()]
        grads_unscaled = None if inf else [p.grad.detach().clone() / scale_before for p in model.parameters()]
        scaler.step(opt)
        after = list(model.parameters())
        if inf:
            for b, a in zip(before, after):  # skipped: parameters untouched
                assert ember.equal(b, a.detach())
        else:
            for b, a, g in zip(before, after, grads_unscaled):
                np.testing.assert_allclose(_np(a), _np(b - 0.1 * g), rtol=1e-6, atol=1e-7)
        scaler.update()
        assert (scaler.get_scale(), scaler._get_growth_tracker()) == (want_scale, want_tracker), step


def test_grad_scaler_unscale_once_and_stage_errors():
    model, opt = _scaler_setup()
    scaler = ember.cuda.amp.GradScaler(init_scale=8.0)
    with pytest.raises(AssertionError, match="Attempted unscale_ but _scale is None"):
        scaler.unscale_(opt)
    scaler.scale(model(ember.ones(2, 3)).sum()).backward()
    raw = [p.grad.clone() for p in model.parameters()]
    scaler.unscale_(opt)
    for r, p in zip(raw, model.parameters()):
        assert ember.equal(p.grad, r * (1.0 / 8.0))
    with pytest.raises(RuntimeError, match=r"unscale_\(\) has already been called on this optimizer since the last "
                                           r"update\(\)."):
        scaler.unscale_(opt)
    scaler.step(opt)  # uses the grads unscaled above, unscaling nothing twice
    with pytest.raises(RuntimeError, match=r"unscale_\(\) is being called after step\(\)."):
        scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match=r"step\(\) has already been called since the last update\(\)."):
        scaler.step(opt)
    with pytest.raises(RuntimeError, match="Closure use is not currently supported if GradScaler is enabled."):
        scaler.step(opt, closure=lambda: 0)
    scaler.update()
    assert scaler.get_scale() == 8.0 and scaler._get_growth_tracker() == 1


def test_grad_scaler_nan_gradients_and_growth_overflow():
    model, opt = _scaler_setup()
    scaler = ember.cuda.amp.GradScaler(init_scale=2.0 ** 127, growth_interval=1)
    scaler.scale(model(ember.ones(1, 3)).sum()).backward()
    scaler.step(opt)
    scaler.update()
    assert scaler.get_scale() == 2.0 ** 127  # 2^128 is not finite in float32: kept
    opt.zero_grad()
    scaler.scale(model(ember.full((1, 3), float("nan"))).sum()).backward()
    w = model.weight.detach().clone()
    scaler.step(opt)
    assert ember.equal(w, model.weight.detach())
    scaler.update()
    assert scaler.get_scale() == 2.0 ** 126


def test_grad_scaler_update_new_scale_state_dict_and_pickle():
    model, opt = _scaler_setup()
    s = ember.cuda.amp.GradScaler(init_scale=4.0, growth_interval=5)
    s.scale(model(ember.ones(1, 3)).sum()).backward()
    s.step(opt)
    s.update(16.0)
    assert s.get_scale() == 16.0
    s.update(ember.tensor([32.0]))
    assert s.get_scale() == 32.0
    with pytest.raises(AssertionError, match="new_scale should be a float"):
        s.update(ember.tensor([1.0, 2.0]))
    sd = s.state_dict()
    t = ember.cuda.amp.GradScaler()
    t.load_state_dict(sd)
    assert t.state_dict() == sd
    u = pickle.loads(pickle.dumps(s))
    assert u.state_dict() == sd
    with pytest.raises(RuntimeError, match="The source state dict is empty"):
        t.load_state_dict({})
    assert ember.cuda.amp.GradScaler(enabled=False).state_dict() == {}


def test_disabled_grad_scaler_is_a_pass_through():
    model, opt = _scaler_setup()
    s = ember.cuda.amp.GradScaler(enabled=False)
    loss = model(ember.ones(1, 3)).sum()
    assert s.scale(loss) is loss and s.get_scale() == 1.0 and not s.is_enabled()
    loss.backward()
    w = model.weight.detach().clone()
    s.step(opt)
    s.update()
    assert not ember.equal(w, model.weight.detach())


def test_grad_scaler_training_equals_unscaled_training():
    # Scales are powers of two, so unscaling is exact: the same trajectory as without a scaler.
    runs = []
    for use_scaler in (False, True):
        model, opt = _scaler_setup(seed=5)
        scaler = ember.cuda.amp.GradScaler(init_scale=2.0 ** 10, growth_interval=2)
        x = ember.randn(8, 3)
        for _ in range(5):
            opt.zero_grad()
            with ember.autocast("cpu"):
                loss = ember.nn.functional.mse_loss(model(x), ember.zeros(8, 2))
            if use_scaler:
                scaler.scale(loss).backward()
                scaler.step(opt)
                scaler.update()
            else:
                loss.backward()
                opt.step()
        runs.append([_np(p) for p in model.parameters()])
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def test_amp_primitives_refuse_bad_arguments():
    g = [ember.ones(2)]
    with pytest.raises(RuntimeError, match="found_inf must be a 1-element tensor"):
        ember._amp_foreach_non_finite_check_and_unscale_(g, ember.zeros(2), ember.ones(1))
    with pytest.raises(RuntimeError, match="inv_scale must be a float tensor"):
        ember._amp_foreach_non_finite_check_and_unscale_(g, ember.zeros(1), ember.ones(1).double())
    with pytest.raises(RuntimeError, match="growth_tracker must be a 1-element int32 tensor"):
        ember._amp_update_scale_(ember.ones(1), ember.zeros(1), ember.zeros(1), 2.0, 0.5, 2)
