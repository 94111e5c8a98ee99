"""nn.Module.register_full_backward_hook and the global register_module_full_backward_hook
against torch 1.13: what the hooks see (grad_input with None for non-tensor arguments and
zeros for tensors that need no gradient, grad_output with None where no gradient arrived),
replacing grad_input, the no-input-needs-grad case, call order, removal, errors."""
import numpy as np
import pytest
import torch

import ember

LIBS = (torch, ember)


def _lists(grads):
    return [None if g is None else np.round(g.detach().numpy(), 5).tolist() for g in grads]


class _TwoOutputs:
    """A module with a tensor, a float and a no-grad tensor argument and two outputs."""

    @staticmethod
    def make(lib):
        class Two(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.l = lib.nn.Linear(3, 2)

            def forward(self, x, scale, y):
                return self.l(x) * scale + y.sum(), x.sum()

        m = Two()
        with lib.no_grad():
            m.l.weight.copy_(lib.arange(6.).reshape(2, 3) / 10)
            m.l.bias.fill_(0.5)
        return m


def _run_two(lib, doubling):
    m = _TwoOutputs.make(lib)
    seen = []

    def hook(mod, gin, gout):
        seen.append((type(mod).__name__, _lists(gin), _lists(gout)))
        if doubling:
            return tuple(None if g is None else g * 2 for g in gin)
        return None

    handle = m.register_full_backward_hook(hook)
    x = lib.arange(6.).reshape(2, 3).requires_grad_()
    a, b = m(x, 3.0, lib.ones(2))
    names = (a.grad_fn.name(), b.grad_fn.name())
    (a.sum() + b).backward()
    grad_x = x.grad.numpy().tolist()
    # No input needs a gradient: the hook sees grad_input all None, grad_output None for the
    # output no gradient reached.
    a, b = m(lib.ones(2, 3), 1.0, lib.ones(2))
    a.sum().backward()
    handle.remove()
    a, b = m(x, 1.0, lib.ones(2))
    a.sum().backward()  # removed: no call
    return names, seen, grad_x


@pytest.mark.parametrize("doubling", [False, True])
def test_full_backward_hook_matches_torch(doubling):
    t, e = (_run_two(lib, doubling) for lib in LIBS)
    assert t[0] == e[0] == ("BackwardHookFunctionBackward", "BackwardHookFunctionBackward")
    assert len(e[1]) == 2
    assert t[1] == e[1]
    np.testing.assert_allclose(e[2], t[2], rtol=1e-6)


def test_hook_order_in_sequential_and_global_hook():
    out = []
    for lib in LIBS:
        order = []
        seq = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.ReLU(), lib.nn.Linear(2, 1))
        for i, c in enumerate(seq):
            c.register_full_backward_hook(lambda m, gi, go, i=i: order.append(i))
        g = lib.nn.modules.module.register_module_full_backward_hook(
            lambda m, gi, go: order.append(type(m).__name__))
        try:
            seq(lib.ones(1, 2, requires_grad=True)).sum().backward()
        finally:
            g.remove()
        seq(lib.ones(1, 2, requires_grad=True)).sum().backward()
        out.append(order)
    assert out[0] == out[1]
    assert "Sequential" in out[1]


def test_hook_errors_match_torch():
    for lib in LIBS:
        m = _TwoOutputs.make(lib)
        m.register_full_backward_hook(lambda mod, gi, go: (None,))
        a, _ = m(lib.ones(2, 3, requires_grad=True), 1.0, lib.ones(2))
        with pytest.raises(RuntimeError, match="Backward hook returned an invalid number of grad_input, "
                                               "got 1, but expected 3"):
            a.sum().backward()
        m2 = _TwoOutputs.make(lib)
        m2.register_full_backward_hook(lambda mod, gi, go: (lib.ones(2, 3), None, None))
        a, _ = m2(lib.ones(2, 3), 1.0, lib.ones(2))
        with pytest.raises(RuntimeError, match="no input requires gradient should always return None"):
            a.sum().backward()


def test_hook_not_set_up_without_grad():
    for lib in LIBS:
        calls = []
        m = lib.nn.Linear(2, 2)
        m.register_full_backward_hook(lambda *a: calls.append(1))
        with lib.no_grad():
            y = m(lib.ones(1, 2, requires_grad=True))
        assert y.grad_fn is None and calls == []


def test_utils_hooks_removable_handle_context():
    from collections import OrderedDict
    d = OrderedDict()
    with ember.utils.hooks.RemovableHandle(d) as h:
        d[h.id] = 1
    assert d == {}
    assert ember.utils.tensorboard.SummaryWriter is not None
