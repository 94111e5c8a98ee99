"""ember.nn and ember.optim against torch: printed module trees, state_dict keys and
metadata, initial weights after the same seed, every layer's forward and input/parameter
gradients, the losses, optimiser trajectories, and Module's error texts."""
import numpy as np
import pytest
import torch

import ember


def both(fn):
    return [fn(m) for m in (torch, ember)]


def close(a, b, atol=1e-5, rtol=1e-4, what=""):
    np.testing.assert_allclose(b.detach().numpy(), a.detach().numpy(), atol=atol, rtol=rtol, err_msg=what)


LAYERS = [
    ("nn.Linear(4, 3)", (2, 4)), ("nn.Linear(4, 3, bias=False)", (5, 4)), ("nn.Bilinear(4, 2, 3)", None),
    ("nn.Conv1d(2, 3, 3)", (2, 2, 9)), ("nn.Conv2d(2, 4, 3, stride=2, padding=1)", (2, 2, 8, 8)),
    ("nn.Conv2d(2, 2, 3, padding='same', bias=False)", (1, 2, 6, 6)), ("nn.Conv2d(4, 4, 3, groups=2)", (1, 4, 7, 7)),
    ("nn.ConvTranspose2d(2, 3, 3, stride=2)", (1, 2, 4, 4)), ("nn.ConvTranspose1d(2, 3, 3)", (2, 2, 5)),
    ("nn.MaxPool2d(2)", (2, 3, 8, 8)), ("nn.MaxPool1d(3, stride=2)", (2, 3, 9)), ("nn.AvgPool2d(2)", (2, 3, 8, 8)),
    ("nn.AvgPool1d(2)", (2, 3, 8)), ("nn.AdaptiveAvgPool2d((1, 1))", (2, 3, 5, 5)),
    ("nn.AdaptiveMaxPool2d(2)", (2, 3, 6, 6)), ("nn.BatchNorm1d(3)", (4, 3)), ("nn.BatchNorm2d(3)", (4, 3, 5, 5)),
    ("nn.LayerNorm(5)", (3, 5)), ("nn.GroupNorm(2, 4)", (2, 4, 3, 3)), ("nn.Dropout(0.0)", (3, 4)),
    ("nn.Embedding(10, 3, padding_idx=0)", "indices"), ("nn.Flatten()", (2, 3, 4)), ("nn.Unflatten(1, (2, 2))", (3, 4)),
    ("nn.ReLU()", (3, 4)), ("nn.ReLU6()", (3, 4)), ("nn.LeakyReLU(0.2)", (3, 4)), ("nn.ELU()", (3, 4)),
    ("nn.CELU(1.5)", (3, 4)), ("nn.SELU()", (3, 4)), ("nn.GELU()", (3, 4)), ("nn.GELU('tanh')", (3, 4)),
    ("nn.SiLU()", (3, 4)), ("nn.Mish()", (3, 4)), ("nn.Sigmoid()", (3, 4)), ("nn.Tanh()", (3, 4)),
    ("nn.Softplus()", (3, 4)), ("nn.Softsign()", (3, 4)), ("nn.Hardtanh()", (3, 4)), ("nn.Hardsigmoid()", (3, 4)),
    ("nn.Hardswish()", (3, 4)), ("nn.LogSigmoid()", (3, 4)), ("nn.Softmax(dim=1)", (3, 4)),
    ("nn.LogSoftmax(dim=1)", (3, 4)), ("nn.Softmin(1)", (3, 4)), ("nn.Threshold(0.1, 20)", (3, 4)),
    ("nn.PReLU()", (3, 4)), ("nn.Tanhshrink()", (3, 4)), ("nn.Hardshrink()", (3, 4)), ("nn.Softshrink()", (3, 4)),
    ("nn.GLU()", (3, 4)), ("nn.Identity()", (3, 4)),
    ("nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))", (3, 4)),
]


@pytest.mark.parametrize("ctor,shape", LAYERS)
def test_layer_matches_torch(ctor, shape):
    outs = []
    for m in (torch, ember):
        rng = np.random.default_rng(0)  # the same data for both libraries
        nn = m.nn
        m.manual_seed(0)
        layer = eval(ctor)
        if shape == "indices":
            x = m.tensor([[1, 0, 4], [9, 2, 2]])
            out = layer(x)
        elif shape is None:
            a = m.tensor(rng.standard_normal((3, 4)).astype("float32"), requires_grad=True)
            b = m.tensor(rng.standard_normal((3, 2)).astype("float32"), requires_grad=True)
            x = a
            out = layer(a, b)
        else:
            x = m.tensor(np.random.default_rng(1).standard_normal(shape).astype("float32"), requires_grad=True)
            out = layer(x)
        w = m.tensor(np.random.default_rng(2).standard_normal(tuple(out.shape)).astype("float32"))
        (out * w).sum().backward()
        outs.append((repr(layer), out, x, dict(layer.named_parameters()), list(layer.state_dict().keys())))
    (tr, to, tx, tp, tk), (er, eo, ex, ep, ek) = outs
    assert tr == er
    assert tk == ek
    close(to, eo, what="forward")
    if tx.grad is not None:
        close(tx.grad, ex.grad, what="input gradient")
    assert list(tp) == list(ep)
    for name in tp:
        close(tp[name], ep[name], what=f"initial {name}")
        close(tp[name].grad, ep[name].grad, what=f"gradient of {name}")


LOSSES = [
    ("nn.MSELoss()", "reg"), ("nn.MSELoss(reduction='sum')", "reg"), ("nn.L1Loss(reduction='none')", "reg"),
    ("nn.SmoothL1Loss(beta=0.5)", "reg"), ("nn.HuberLoss(delta=0.5)", "reg"), ("nn.BCELoss()", "prob"),
    ("nn.BCEWithLogitsLoss()", "prob_logits"), ("nn.BCEWithLogitsLoss(pos_weight=m.tensor([2.0, 1.0, 0.5]))", "prob_logits"),
    ("nn.CrossEntropyLoss()", "cls"), ("nn.CrossEntropyLoss(label_smoothing=0.1)", "cls"),
    ("nn.CrossEntropyLoss(weight=m.tensor([1.0, 2.0, 0.5]), ignore_index=1)", "cls"), ("nn.NLLLoss()", "logp"),
    ("nn.KLDivLoss(reduction='batchmean')", "logp_prob"),
]


@pytest.mark.parametrize("ctor,kind", LOSSES)
def test_loss_matches_torch(ctor, kind):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 3)).astype("float32")
    res = []
    for m in (torch, ember):
        nn = m.nn
        inp = m.tensor(x, requires_grad=True)
        if kind == "reg":
            out = eval(ctor)(inp, m.tensor(x[::-1].copy()))
        elif kind == "prob":
            out = eval(ctor)(inp.sigmoid(), m.tensor((x > 0).astype("float32")))
        elif kind == "prob_logits":
            out = eval(ctor)(inp, m.tensor((x > 0).astype("float32")))
        elif kind == "cls":
            out = eval(ctor)(inp, m.tensor([0, 2, 1, 2]))
        elif kind == "logp":
            out = eval(ctor)(inp.log_softmax(1), m.tensor([0, 2, 1, 2]))
        else:
            out = eval(ctor)(inp.log_softmax(1), m.tensor(x).softmax(1))
        out.sum().backward()
        res.append((out, inp.grad, out.grad_fn.name() if out.grad_fn else None))
    close(res[0][0], res[1][0])
    close(res[0][1], res[1][1])


def _train(m, opt_ctor, steps=20):
    nn = m.nn
    m.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = eval(opt_ctor)
    x = m.tensor(np.random.default_rng(4).standard_normal((16, 3)).astype("float32"))
    y = m.tensor(np.random.default_rng(5).standard_normal((16, 1)).astype("float32"))
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, [p.detach() for p in model.parameters()], opt


@pytest.mark.parametrize("opt_ctor", [
    "m.optim.SGD(model.parameters(), lr=0.1)", "m.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)",
    "m.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3)",
    "m.optim.Adam(model.parameters(), lr=0.01)", "m.optim.Adam(model.parameters(), lr=0.01, amsgrad=True)",
    "m.optim.AdamW(model.parameters(), lr=0.01)", "m.optim.RMSprop(model.parameters(), lr=0.01)",
    "m.optim.RMSprop(model.parameters(), lr=0.01, momentum=0.5, centered=True)",
    "m.optim.Adagrad(model.parameters(), lr=0.1)", "m.optim.Adadelta(model.parameters())",
    "m.optim.SGD([{'params': model[0].parameters()}, {'params': model[2].parameters(), 'lr': 0.01}], lr=0.1)",
])
def test_optimizer_trajectory_matches_torch(opt_ctor):
    (tl, tp, topt), (el, ep, eopt) = both(lambda m: _train(m, opt_ctor))
    np.testing.assert_allclose(el, tl, rtol=1e-5, atol=1e-6)
    for a, b in zip(tp, ep):
        close(a, b, atol=1e-6, rtol=1e-5)
    assert repr(topt) == repr(eopt)
    ts, es = topt.state_dict(), eopt.state_dict()
    assert ts["param_groups"] == es["param_groups"]
    assert sorted(ts["state"]) == sorted(es["state"])
    for k in ts["state"]:
        assert sorted(ts["state"][k]) == sorted(es["state"][k])


def test_module_bookkeeping_and_errors():
    for m in (torch, ember):
        nn = m.nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 2)
                self.register_buffer("rb", m.zeros(1))
                self.p = nn.Parameter(m.ones(1))
                self.shared = self.fc

            def forward(self, x):
                return self.fc(x)

        net = Net()
        assert list(net.state_dict().keys()) == ["p", "rb", "fc.weight", "fc.bias", "shared.weight", "shared.bias"]
        assert [n for n, _ in net.named_parameters()] == ["p", "fc.weight", "fc.bias"]
        assert list(net.state_dict()._metadata.keys()) == ["", "fc", "shared"]
        with pytest.raises(TypeError, match="cannot assign 'int' as parameter 'p'"):
            net.p = 3
        with pytest.raises(KeyError):
            net.register_buffer("a.b", None)
        sd = net.state_dict()
        sd["extra"] = m.zeros(1)
        del sd["p"]
        with pytest.raises(RuntimeError) as err:
            net.load_state_dict(sd)
        message = str(err.value)
        r = net.load_state_dict(sd, strict=False)
        assert r.missing_keys == ["p"] and r.unexpected_keys == ["extra"]
        assert repr(net.load_state_dict(net.state_dict())) == "<All keys matched successfully>"
        net.double()
        assert net.fc.weight.dtype == m.float64 and isinstance(net.fc.weight, nn.Parameter)
        net.eval()
        assert not net.fc.training
        if m is torch:
            expected = (message, repr(net), repr(nn.Parameter(m.ones(2))))
        else:
            assert (message, repr(net), repr(nn.Parameter(m.ones(2)))) == expected


@pytest.mark.parametrize("sched", [
    "S.StepLR(opt, 3, gamma=0.5)", "S.MultiStepLR(opt, [2, 5, 5], 0.3)", "S.ExponentialLR(opt, 0.9)",
    "S.CosineAnnealingLR(opt, T_max=4, eta_min=0.001)", "S.LambdaLR(opt, lambda e: 1 / (e + 1))",
    "S.MultiplicativeLR(opt, lambda e: 0.95)", "S.LinearLR(opt, 0.25, 1.0, 4)", "S.ConstantLR(opt, 0.5, 3)",
    "S.PolynomialLR(opt, 5, 2.0)", "S.OneCycleLR(opt, max_lr=0.5, total_steps=12)",
    "S.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2)",
    "S.SequentialLR(opt, [S.ConstantLR(opt, 0.5, 2), S.ExponentialLR(opt, 0.9)], milestones=[3])",
])
def test_scheduler_lr_sequence_matches_torch(sched):
    seqs = []
    for m in (torch, ember):
        S = m.optim.lr_scheduler
        p = m.nn.Parameter(m.ones(2))
        opt = m.optim.SGD([p], lr=0.1, momentum=0.9)
        s = eval(sched)
        lrs = []
        for _ in range(11):
            p.grad = m.ones(2)
            opt.step()
            s.step()
            lrs.append((opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]))
        seqs.append(lrs)
    assert seqs[0] == seqs[1]


def test_reduce_lr_on_plateau_matches_torch():
    seqs = []
    for m in (torch, ember):
        p = m.nn.Parameter(m.ones(1))
        opt = m.optim.Adam([p], lr=0.1)
        s = m.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5, cooldown=1)
        out = []
        for metric in [1.0, 0.9, 0.95, 0.97, 0.99, 0.5, 0.6, 0.7, 0.8]:
            s.step(metric)
            out.append(opt.param_groups[0]["lr"])
        seqs.append(out)
    assert seqs[0] == seqs[1]


def test_lookahead_follows_its_definition():
    ember.manual_seed(0)
    p = ember.nn.Parameter(ember.randn(3))
    start = p.detach().clone()
    opt = ember.optim.Lookahead(ember.optim.SGD([p], lr=0.1), k=2, alpha=0.5)
    grads = [ember.randn(3) for _ in range(4)]
    slow, fast = start.clone(), start.clone()
    for i, g in enumerate(grads):
        p.grad = g.clone()
        opt.step()
        fast = fast - 0.1 * g
        if (i + 1) % 2 == 0:
            slow = slow + 0.5 * (fast - slow)
            fast = slow.clone()
        close(fast, p)
    assert opt.param_groups[0]["lookahead_step"] == 4
    assert "slow_buffer" in opt.state[p]


@pytest.mark.parametrize("dtype,line_search", [("float64", None), ("float64", "strong_wolfe"),
                                               ("float32", "strong_wolfe")])
def test_lbfgs_trajectory_matches_torch(dtype, line_search):
    def fn(m):
        m.manual_seed(0)
        model = m.nn.Linear(3, 1)
        x = m.tensor(np.random.default_rng(7).standard_normal((20, 3)).astype(dtype))
        y = m.tensor(np.random.default_rng(8).standard_normal((20, 1)).astype(dtype))
        if dtype == "float64":
            model.double()
        # A non-quadratic loss, so the line search brackets and zooms.
        opt = m.optim.LBFGS(model.parameters(), lr=0.5 if line_search is None else 1, max_iter=6, history_size=4,
                            line_search_fn=line_search)
        losses = []
        for _ in range(4):
            def closure():
                opt.zero_grad()
                loss = (((model(x) - y) ** 2).mean() + 0.3 * model(x).cos().mean())
                loss.backward()
                return loss
            losses.append(opt.step(closure).item())
        state = opt.state[next(model.parameters())]
        return losses, [p.detach() for p in model.parameters()], state["func_evals"], state["n_iter"]
    (tl, tp, tf, tn), (el, ep, ef, en) = both(fn)
    tol = 1e-9 if dtype == "float64" else 1e-6
    np.testing.assert_allclose(el, tl, rtol=tol)
    for a, b in zip(tp, ep):
        close(a, b, atol=tol, rtol=tol)
    assert (tf, tn) == (ef, en)


def test_lbfgs_refuses_unknown_line_search_as_torch():
    p = ember.ones(2, requires_grad=True)
    opt = ember.optim.LBFGS([p], line_search_fn="backtracking")

    def closure():
        opt.zero_grad()
        loss = (p ** 2).sum()
        loss.backward()
        return loss
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)
