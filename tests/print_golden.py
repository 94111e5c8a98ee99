#!/usr/bin/python3
"""Writes tests/data/print_golden.txt: PyTorch 1.13.1's repr() of varied tensors.

Run with /usr/bin/python3 (the interpreter with torch). Each case is described by a small
spec that tests/cpp/test_print.cpp rebuilds identically in C++, so values never depend on
an RNG: they come from an explicit list or from the integer formula
    v[i] = float((i * mul) % mod + add) * scale / div
evaluated in float64 (the same IEEE operations in both languages), then converted to
float32 first and to the target dtype second (so float16/bfloat16 round the same way).

Record format (one directive per line, repr lines verbatim between @expect and @end):
    @case NAME
    @dtype float32          target dtype
    @shape 2 3              sizes (nothing after it for a 0-dim tensor)
    @gen MUL MOD ADD SCALE DIV | @vals V0 V1 ...
    @set INDEX VALUE        overwrite one flat element (float64 stage)
    @post t                 transpose the last two dims (non-contiguous input)
    @opts k=v ...           set_printoptions arguments for this case only
    @default_dtype float64  torch.set_default_dtype for this case only
    @requires_grad          leaf that requires grad
    @grad_fn NAME           the repr of a non-leaf produced by that node
"""
import math
import sys

import torch

INT_DTYPES = {"uint8", "int8", "int16", "int32", "int64"}


class Case:
    def __init__(self, name, dtype, shape, gen=None, vals=None, sets=(), post=None, opts=None,
                 default_dtype=None, requires_grad=False, grad_fn=None):
        self.name, self.dtype, self.shape = name, dtype, tuple(shape)
        self.gen, self.vals, self.sets, self.post = gen, vals, list(sets), post
        self.opts, self.default_dtype = opts or {}, default_dtype
        self.requires_grad, self.grad_fn = requires_grad, grad_fn


def build(c):
    n = math.prod(c.shape)
    dt = getattr(torch, c.dtype)
    if c.vals is not None and c.dtype in INT_DTYPES:
        # Integers go through int64 exactly (values beyond 2**53 included).
        t = torch.tensor([int(v) for v in c.vals], dtype=torch.int64).reshape(c.shape).to(dt)
    else:
        if c.vals is not None:
            v = [float(x) for x in c.vals]
        else:
            mul, mod, add, scale, div = c.gen
            v = [float((i * mul) % mod + add) * scale / div for i in range(n)]
        for idx, val in c.sets:
            v[idx] = float(val)
        t = torch.tensor(v, dtype=torch.float64).reshape(c.shape)
        if c.dtype != "float64":
            t = t.to(torch.float32)
        t = t.to(dt)
    if c.post == "t":
        t = t.transpose(-2, -1)
    return t


def with_options(c, fn):
    saved = torch._tensor_str.PRINT_OPTS.__dict__.copy()
    saved_default = torch.get_default_dtype()
    try:
        if c.opts:
            kw = dict(c.opts)
            torch.set_printoptions(**kw)
        if c.default_dtype:
            torch.set_default_dtype(getattr(torch, c.default_dtype))
        return fn()
    finally:
        torch.set_default_dtype(saved_default)
        torch.set_printoptions(profile="default")
        for k, v in saved.items():
            setattr(torch._tensor_str.PRINT_OPTS, k, v)


def render(c):
    t = build(c)
    if c.requires_grad:
        t.requires_grad_()
    if c.grad_fn:
        t.requires_grad_()
        t = {"CloneBackward0": lambda x: x.clone(), "MulBackward0": lambda x: x * 1}[c.grad_fn](t)
    return with_options(c, lambda: repr(t))


def cases():
    G = lambda mul, mod, add, scale=1.0, div=1: (mul, mod, add, scale, div)  # noqa: E731
    inf, nan = "inf", "nan"
    cs = [
        # --- float32 formatting modes ---
        Case("int_mode_2x2", "float32", (2, 2), vals=[1, 2, 3, 4]),
        Case("fixed_1d", "float32", (10,), gen=G(1, 1000, 0, 1.0, 3)),
        Case("fixed_negative", "float32", (6,), vals=[-1.5, 2.25, 0.0, -0.125, 3.0, -7.75]),
        Case("neg_zero_int_mode", "float32", (3,), vals=["-0.0", 1, 2]),
        Case("neg_zero_fixed", "float32", (3,), vals=["-0.0", 0.5, -2.5]),
        Case("all_zero", "float32", (3,), vals=[0, 0, 0]),
        Case("int_mode_widths", "float32", (4,), vals=[1, 100, -1000, 7]),
        Case("sci_int_ratio", "float32", (2,), vals=[1e10, 1.0]),
        Case("sci_small", "float32", (3,), vals=[1e-5, 0.5, -2.0]),
        Case("sci_big_nonint", "float32", (2,), vals=[123456789.5, 2.5]),
        Case("sci_ratio_nonint", "float32", (3,), vals=[0.5, 1500.25, -3.0]),
        Case("int_big_sci", "float32", (2,), vals=[1e20, -3.0]),
        Case("fixed_rounding", "float32", (5,), gen=G(7, 19, -9, 1.0, 7)),
        Case("precision_round_to_even", "float64", (3,), vals=[1.03125, 2.71875, -0.40625]),
        # --- nan / inf ---
        Case("nan_inf_int_mode", "float32", (4,), vals=[1, nan, inf, "-inf"]),
        Case("nan_only", "float32", (2,), vals=[nan, nan]),
        Case("inf_only", "float32", (2,), vals=[inf, "-inf"]),
        Case("zero_and_nan", "float32", (3,), vals=[0, nan, inf]),
        Case("fixed_nan", "float32", (4,), vals=[1.5, nan, "-inf", -0.25]),
        Case("sci_nan", "float32", (4,), vals=[1e-5, nan, inf, 3.5]),
        Case("nan_2d", "float64", (2, 3), vals=[nan, 1.25, inf, -4, "-inf", 0]),
        # --- shapes ---
        Case("arange_3d", "float32", (2, 3, 4), gen=G(1, 10**6, 0)),
        Case("fractional_4d", "float32", (2, 2, 2, 3), gen=G(5, 23, -11, 1.0, 4)),
        Case("one_each_3d", "float32", (1, 1, 1), vals=[2.5]),
        Case("row_1xN", "float32", (1, 5), gen=G(1, 100, 0, 0.5)),
        Case("col_Nx1", "int64", (4, 1), gen=G(3, 17, -8)),
        Case("transposed", "float32", (3, 4), gen=G(1, 100, 0, 1.0, 4), post="t"),
        Case("int_3d_neg", "int64", (2, 2, 3), gen=G(7, 31, -15)),
        # --- summarisation ---
        Case("summ_1d_arange", "float32", (2000,), gen=G(1, 10**6, 0)),
        Case("summ_2d_100x100", "float32", (100, 100), gen=G(37, 1009, -500, 1.0, 64)),
        Case("summ_3d_20", "float32", (20, 20, 20), gen=G(11, 997, 3, 1.0, 8)),
        Case("summ_4d", "float32", (5, 5, 5, 10), gen=G(13, 211, -100, 1.0, 3)),
        Case("summ_hidden_huge", "float32", (2000,), gen=G(1, 50, 1, 1.0, 4), sets=[(1000, 1e12)]),
        Case("summ_rows_not_cut", "float32", (6, 200), gen=G(3, 401, -200, 1.0, 8)),
        Case("summ_int64", "int64", (3000,), gen=G(17, 100003, -50000)),
        Case("summ_bool", "bool", (2000,), gen=G(1, 3, 0)),
        Case("summ_float16", "float16", (40, 40), gen=G(9, 101, -50, 1.0, 16)),
        Case("summ_float64_2d", "float64", (50, 30), gen=G(7, 1013, 1, 1.0, 1024)),
        # --- wrapping ---
        Case("wrap_1d", "float32", (30,), gen=G(7, 97, -40, 1.0, 9)),
        Case("wrap_2d", "float32", (3, 25), gen=G(1, 1000, 0, 1.0, 7)),
        Case("wrap_int64", "int64", (40,), gen=G(12345, 1000003, 0)),
        Case("wrap_dtype_suffix", "float64", (2, 8), gen=G(3, 1000, 1, 1.0, 7)),
        # --- dtypes ---
        Case("float64", "float64", (2, 2), vals=[1.5, -2.25, 3.125, 4]),
        Case("float64_precise", "float64", (3,), vals=[12345.6789, -0.001234, 3.14159265358979]),
        Case("float64_sci_3digit_exp", "float64", (2,), vals=[1e200, -1e-200]),
        Case("float16", "float16", (4,), vals=[0.1, -1.5, 2.0, 65504]),
        Case("bfloat16", "bfloat16", (2, 3), gen=G(3, 11, -5, 1.0, 3)),
        Case("int8", "int8", (5,), vals=[-128, -1, 0, 1, 127]),
        Case("uint8", "uint8", (4,), vals=[0, 1, 128, 255]),
        Case("int16", "int16", (2, 2), vals=[-32768, 5, 300, 32767]),
        Case("int32", "int32", (3,), vals=[-2147483648, 0, 2147483647]),
        Case("int64_extremes", "int64", (2,), vals=[-9223372036854775808, 9223372036854775807]),
        Case("bool_mixed", "bool", (2, 3), vals=[1, 0, 1, 1, 1, 0]),
        Case("bool_all_true", "bool", (3,), vals=[1, 1, 1]),
        # --- empty and 0-dim ---
        Case("empty_1d", "float32", (0,), vals=[]),
        Case("empty_0x3", "float32", (0, 3), vals=[]),
        Case("empty_int64", "int64", (0,), vals=[]),
        Case("empty_2x0x3_f64", "float64", (2, 0, 3), vals=[]),
        Case("empty_bool", "bool", (0, 2), vals=[]),
        Case("scalar_pi", "float32", (), vals=[3.14159265358979]),
        Case("scalar_int", "int64", (), vals=[7]),
        Case("scalar_bool", "bool", (), vals=[0]),
        Case("scalar_f64", "float64", (), vals=[-2.5]),
        Case("scalar_nan", "float32", (), vals=[nan]),
        Case("scalar_neg_zero", "float32", (), vals=["-0.0"]),
        Case("scalar_small_sci", "float32", (), vals=[1.5e-5]),
        Case("scalar_int8", "int8", (), vals=[-3]),
        Case("scalar_half", "float16", (), vals=[0.333]),
        # --- autograd suffixes ---
        Case("requires_grad_2x2", "float32", (2, 2), vals=[1, 2, 3, 4], requires_grad=True),
        Case("requires_grad_scalar", "float64", (), vals=[0.5], requires_grad=True),
        Case("requires_grad_wrap", "float32", (9,), gen=G(1, 100, 0, 1.0, 3), requires_grad=True),
        Case("grad_fn_clone", "float32", (3,), vals=[1, 2.5, -1], grad_fn="CloneBackward0"),
        Case("grad_fn_f64_wrap", "float64", (2, 8), gen=G(5, 100, 1, 1.0, 3), grad_fn="MulBackward0"),
        # --- print options ---
        Case("opt_precision2", "float32", (4,), gen=G(1, 100, 1, 1.0, 3), opts={"precision": 2}),
        Case("opt_precision8_f64", "float64", (3,), gen=G(1, 100, 1, 1.0, 7), opts={"precision": 8}),
        Case("opt_threshold5", "int64", (10,), gen=G(1, 100, 0), opts={"threshold": 5}),
        Case("opt_edgeitems1_2d", "float32", (40, 40), gen=G(1, 1000, 0, 1.0, 2), opts={"edgeitems": 1}),
        Case("opt_edgeitems5_3d", "int32", (12, 12, 12), gen=G(1, 10**6, 0), opts={"edgeitems": 5}),
        Case("opt_linewidth40", "float32", (20,), gen=G(3, 50, 0, 1.0, 4), opts={"linewidth": 40}),
        Case("opt_linewidth10", "float32", (2, 4), gen=G(3, 50, 0, 1.0, 4), opts={"linewidth": 10}),
        Case("opt_sci_true", "float32", (3,), vals=[1, 2.5, -3], opts={"sci_mode": True}),
        Case("opt_sci_true_int", "float32", (2,), vals=[1, 20], opts={"sci_mode": True}),
        Case("opt_sci_false", "float32", (3,), vals=[1e-5, 0.5, 123.0], opts={"sci_mode": False}),
        Case("opt_profile_short", "float32", (10, 10), gen=G(1, 1000, 0, 1.0, 3),
             opts={"profile": "short", "threshold": 50}),
        Case("opt_profile_full", "int64", (1100,), gen=G(1, 10**6, 0), opts={"profile": "full"}),
        Case("opt_precision0", "float32", (3,), vals=[0.5, 1.5, 2.25], opts={"precision": 0}),
        Case("opt_sci_true_zeros", "float32", (3,), vals=[0, nan, "-0.0"], opts={"sci_mode": True}),
        Case("opt_threshold0_edge1", "float32", (3, 3), gen=G(1, 100, 0, 1.0, 2),
             opts={"threshold": 0, "edgeitems": 1}),
        Case("opt_threshold0_scalar", "float32", (), vals=[1.25], opts={"threshold": 0}),
        Case("opt_linewidth30_grad", "float32", (6,), gen=G(1, 100, 0, 1.0, 3),
             opts={"linewidth": 30}, requires_grad=True),
        # --- more mixes ---
        Case("summ_3d_int_mode", "float32", (10, 10, 11), gen=G(7, 1000, -500)),
        Case("sci_2d_wrap", "float64", (3, 10), gen=G(7, 101, 1, 1e-6, 3)),
        Case("summ_requires_grad", "float32", (1001,), gen=G(1, 10**6, 0, 1.0, 2), requires_grad=True),
        Case("bfloat16_big_int", "bfloat16", (3,), vals=[256, -1024, 3e9]),
        Case("summ_edge_exact", "int16", (6, 6, 30), gen=G(5, 601, -300)),
        # --- default dtype float64 ---
        Case("dd64_float32", "float32", (2,), vals=[1.5, 2], default_dtype="float64"),
        Case("dd64_float64", "float64", (2,), vals=[1.5, 2], default_dtype="float64"),
        Case("dd64_empty_f32", "float32", (0, 2), vals=[], default_dtype="float64"),
        Case("dd64_empty_f64", "float64", (0,), vals=[], default_dtype="float64"),
        Case("dd64_int64", "int64", (2,), vals=[1, 2], default_dtype="float64"),
    ]
    return cs


def fmt_val(v):
    return v if isinstance(v, str) else repr(v)


def main():
    out = [
        "# Generated by tests/print_golden.py from PyTorch " + torch.__version__ + "; do not edit.",
    ]
    names = set()
    for c in cases():
        assert c.name not in names, c.name
        names.add(c.name)
        out.append("@case " + c.name)
        out.append("@dtype " + c.dtype)
        out.append("@shape" + "".join(" %d" % s for s in c.shape))
        if c.vals is not None:
            out.append("@vals" + "".join(" " + fmt_val(v) for v in c.vals))
        else:
            mul, mod, add, scale, div = c.gen
            out.append("@gen %d %d %d %r %d" % (mul, mod, add, scale, div))
        for idx, val in c.sets:
            out.append("@set %d %r" % (idx, float(val)))
        if c.post:
            out.append("@post " + c.post)
        if c.opts:
            out.append("@opts" + "".join(" %s=%s" % kv for kv in c.opts.items()))
        if c.default_dtype:
            out.append("@default_dtype " + c.default_dtype)
        if c.requires_grad:
            out.append("@requires_grad")
        if c.grad_fn:
            out.append("@grad_fn " + c.grad_fn)
        out.append("@expect")
        out.append(render(c))
        out.append("@end")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
