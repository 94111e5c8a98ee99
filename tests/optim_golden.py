#!/usr/bin/python3
"""Writes tests/data/optim_golden.txt: PyTorch 1.13.1 optimizer trajectories and clipping.

Regenerate with:  /usr/bin/python3 tests/optim_golden.py > tests/data/optim_golden.txt

Read by tests/cpp/test_optim.cpp. One record per line, `KEY v1 v2 ...` (values %.17g):
    data:X, data:Y, init:NAME        the problem (inputs, targets, initial parameters)
    traj:CASE@STEP                   all parameters flattened (W1, b1, W2, r) after STEP steps
    keys:CASE:group / keys:CASE:state  PyTorch's state_dict key order (tokens, not numbers)
    clip:...                         clip_grad_norm_/clip_grad_value_ inputs and results

The problem, in float64: a tiny MLP-ish regression plus a (softened) Rosenbrock term,
    loss = mean((tanh(X W1 + b1) W2 - Y)^2) + 0.1 * ((1 - r0)^2 + 10 (r1 - r0^2)^2)
with two parameter groups, [W1, b1] and [W2, r] (the second with its own options).
"maximize" cases maximise -loss, so they follow the same descent. Options are chosen so the
trajectories are not chaotic: PyTorch itself, started 1e-13 away, must end within ~1e-11
(RMSprop and Adadelta near a minimum bounce with sign-like steps unless eps or lr damp them). CASES below is mirrored
by the case table in tests/cpp/test_optim.cpp.
"""
import math

import torch

torch.set_default_dtype(torch.float64)

STEPS = 1000
RECORD = [1, 2, 10, 100, 500, 1000]

X = torch.tensor([[math.sin(0.7 * i + 0.1 * j) for j in range(3)] for i in range(5)])
Y = torch.tensor([[math.cos(0.3 * i + 0.5 * j) for j in range(2)] for i in range(5)])
INIT = {
    "W1": torch.tensor([[0.5 * math.sin(1.3 * (4 * i + j) + 0.2) for j in range(4)] for i in range(3)]),
    "b1": torch.tensor([0.1 * (j - 1.5) for j in range(4)]),
    "W2": torch.tensor([[0.4 * math.cos(0.9 * (2 * i + j)) for j in range(2)] for i in range(4)]),
    "r": torch.tensor([-0.8, 1.2]),
}
ORDER = ["W1", "b1", "W2", "r"]


def loss_fn(p):
    h = torch.tanh(X @ p["W1"] + p["b1"])
    mse = ((h @ p["W2"] - Y) ** 2).mean()
    r = p["r"]
    rosen = (1 - r[0]) ** 2 + 10 * (r[1] - r[0] ** 2) ** 2
    return mse + 0.1 * rosen


O = torch.optim
# name: (class, group-0/default options, group-1 overrides, maximize-via-negated-loss)
CASES = {
    "sgd": (O.SGD, dict(lr=0.05), dict(lr=0.02), False),
    "sgd_momentum": (O.SGD, dict(lr=0.02, momentum=0.9), dict(lr=0.01), False),
    "sgd_dampening_wd": (O.SGD, dict(lr=0.02, momentum=0.9, dampening=0.1, weight_decay=0.01), dict(momentum=0.5), False),
    "sgd_nesterov": (O.SGD, dict(lr=0.02, momentum=0.9, nesterov=True, weight_decay=1e-3), dict(lr=0.01), False),
    "sgd_maximize": (O.SGD, dict(lr=0.02, momentum=0.8, maximize=True), dict(lr=0.01), True),
    "adam": (O.Adam, dict(lr=1e-2), dict(lr=5e-3), False),
    "adam_amsgrad_wd": (O.Adam, dict(lr=1e-2, amsgrad=True, weight_decay=0.01), dict(betas=(0.8, 0.99)), False),
    "adam_maximize": (O.Adam, dict(lr=1e-2, maximize=True, eps=1e-6), dict(lr=2e-3), True),
    "adamw": (O.AdamW, dict(lr=1e-2), dict(lr=5e-3), False),
    "adamw_amsgrad": (O.AdamW, dict(lr=1e-2, amsgrad=True, weight_decay=0.1), dict(weight_decay=0.0), False),
    "adamw_maximize": (O.AdamW, dict(lr=1e-2, maximize=True, betas=(0.85, 0.995)), dict(lr=3e-3), True),
    "rmsprop": (O.RMSprop, dict(lr=1e-3), dict(lr=5e-4), False),
    "rmsprop_centered_momentum": (O.RMSprop, dict(lr=1e-3, momentum=0.9, centered=True, eps=1e-2), dict(alpha=0.9), False),
    "rmsprop_wd_maximize": (O.RMSprop, dict(lr=1e-3, weight_decay=0.01, maximize=True, alpha=0.95, eps=1e-2), dict(momentum=0.5), True),
    "adagrad": (O.Adagrad, dict(lr=0.1), dict(lr=0.05), False),
    "adagrad_options": (O.Adagrad, dict(lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1), dict(eps=1e-6), False),
    "adagrad_maximize": (O.Adagrad, dict(lr=0.1, maximize=True), dict(lr=0.05), True),
    "adadelta": (O.Adadelta, dict(lr=0.1), dict(lr=0.05), False),
    "adadelta_options": (O.Adadelta, dict(lr=0.2, rho=0.95, weight_decay=0.01, eps=1e-5, maximize=True), dict(rho=0.8), True),
}

# LBFGS: one group with every parameter; (options, outer step() calls). Without a line search
# lr 1 is chaotic on this problem (PyTorch vs itself perturbed by 1e-13 differs by O(1)).
LBFGS_CASES = {
    "lbfgs": (dict(lr=0.2, max_iter=20), 10),
    "lbfgs_history": (dict(lr=0.1, max_iter=7, history_size=3, tolerance_change=1e-12), 10),
    "lbfgs_wolfe": (dict(lr=1, max_iter=20, line_search_fn="strong_wolfe"), 10),
    "lbfgs_wolfe_history": (dict(lr=1, max_iter=5, history_size=2, line_search_fn="strong_wolfe"), 8),
}


def fresh():
    return {k: v.clone().requires_grad_() for k, v in INIT.items()}


def flat(p):
    return torch.cat([p[k].detach().reshape(-1) for k in ORDER])


def emit(key, values):
    print(key + " " + " ".join("%.17g" % float(v) for v in values))


def emit_tokens(key, tokens):
    print(key + " " + " ".join(str(t) for t in tokens))


def make(cls, opts0, opts1, p):
    return cls([{"params": [p["W1"], p["b1"]]}, dict(params=[p["W2"], p["r"]], **opts1)], **opts0)


def run_case(name, cls, opts0, opts1, neg):
    p = fresh()
    opt = make(cls, opts0, opts1, p)
    for step in range(1, STEPS + 1):
        opt.zero_grad()
        loss = loss_fn(p)
        (-loss if neg else loss).backward()
        opt.step()
        if step in RECORD:
            emit("traj:%s@%d" % (name, step), flat(p))
    sd = opt.state_dict()
    emit_tokens("keys:%s:group" % name, list(sd["param_groups"][0].keys()))
    emit_tokens("keys:%s:state" % name, list(sd["state"][0].keys()))


def run_lbfgs(name, opts, steps):
    p = fresh()
    opt = O.LBFGS([p[k] for k in ORDER], **opts)

    def closure():
        opt.zero_grad()
        loss = loss_fn(p)
        loss.backward()
        return loss

    for step in range(1, steps + 1):
        opt.step(closure)
        emit("traj:%s@%d" % (name, step), flat(p))
    st = opt.state_dict()["state"][0]
    emit("lbfgs:%s:counts" % name, [st["func_evals"], st["n_iter"]])


class Lookahead:
    """The Lookahead paper's rule (slow weights start at the initial parameters)."""

    def __init__(self, inner, k, alpha):
        self.inner, self.k, self.alpha, self.steps = inner, k, alpha, 0
        self.slow = [[q.detach().clone() for q in g["params"]] for g in inner.param_groups]

    def zero_grad(self):
        self.inner.zero_grad()

    @torch.no_grad()
    def step(self):
        self.inner.step()
        self.steps += 1
        if self.steps % self.k == 0:
            for g, slows in zip(self.inner.param_groups, self.slow):
                for q, s in zip(g["params"], slows):
                    s.add_(q - s, alpha=self.alpha)
                    q.copy_(s)


LOOKAHEAD_CASES = {
    "lookahead_sgd": (O.SGD, dict(lr=0.02, momentum=0.9), dict(lr=0.01), 5, 0.5),
    "lookahead_adam": (O.Adam, dict(lr=1e-2), dict(lr=5e-3), 3, 0.8),
}


def run_lookahead(name, cls, opts0, opts1, k, alpha):
    p = fresh()
    opt = Lookahead(make(cls, opts0, opts1, p), k, alpha)
    for step in range(1, STEPS + 1):
        opt.zero_grad()
        loss_fn(p).backward()
        opt.step()
        if step in RECORD:
            emit("traj:%s@%d" % (name, step), flat(p))


def clip_cases():
    grads = [
        torch.tensor([[0.5, -1.5, 2.0], [3.0, -0.25, 0.75]]),
        torch.tensor([-4.0, 0.125]),
        torch.tensor([[1e-3]]),
    ]
    for i, g in enumerate(grads):
        emit("clip:grad%d" % i, g.reshape(-1))
    for tag, max_norm, norm_type in [("l2", 1.0, 2.0), ("l1", 3.0, 1.0), ("inf", 0.5, math.inf),
                                     ("p3", 2.0, 3.0), ("noclip", 100.0, 2.0)]:
        ps = [torch.zeros_like(g, requires_grad=True) for g in grads]
        for q, g in zip(ps, grads):
            q.grad = g.clone()
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
        emit("clip:norm:%s" % tag, [max_norm, norm_type if norm_type != math.inf else 1e308, float(total)] +
             torch.cat([q.grad.reshape(-1) for q in ps]).tolist())
    ps = [torch.zeros_like(g, requires_grad=True) for g in grads]
    for q, g in zip(ps, grads):
        q.grad = g.clone()
    torch.nn.utils.clip_grad_value_(ps, 0.6)
    emit("clip:value", torch.cat([q.grad.reshape(-1) for q in ps]))


def main():
    emit("data:X", X.reshape(-1))
    emit("data:Y", Y.reshape(-1))
    for k in ORDER:
        emit("init:" + k, INIT[k].reshape(-1))
    for name, (cls, o0, o1, neg) in CASES.items():
        run_case(name, cls, o0, o1, neg)
    for name, (opts, steps) in LBFGS_CASES.items():
        run_lbfgs(name, opts, steps)
    for name, (cls, o0, o1, k, a) in LOOKAHEAD_CASES.items():
        run_lookahead(name, cls, o0, o1, k, a)
    clip_cases()


if __name__ == "__main__":
    main()
