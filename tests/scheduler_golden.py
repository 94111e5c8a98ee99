#!/usr/bin/python3
"""Writes tests/data/scheduler_golden.txt: PyTorch 1.13.1 learning-rate sequences.

Regenerate with:  /usr/bin/python3 tests/scheduler_golden.py > tests/data/scheduler_golden.txt

Read by tests/cpp/test_schedulers.cpp, whose case table mirrors CASES below. Every case
uses an optimizer with two parameter groups (lr 0.1 and 0.05; SGD with momentum 0.9, or
Adam for the beta1-cycling cases), calls optimizer.step() then scheduler.step() STEPS
times, and records after construction (step 0) and after every step:
    lr:CASE@STEP    lr of group 0, lr of group 1
    mom:CASE@STEP   momentum (SGD) or beta1 (Adam) of both groups, for OneCycleLR cases
    keys:CASE       the scheduler's state_dict keys
"""
import math
import warnings

import torch
from torch.optim import lr_scheduler as L

warnings.simplefilter("ignore")
torch.set_default_dtype(torch.float64)
STEPS = 100


def sgd():
    p = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    return torch.optim.SGD([{"params": [p[0]]}, {"params": [p[1]], "lr": 0.05}], lr=0.1, momentum=0.9)


def adam():
    p = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    return torch.optim.Adam([{"params": [p[0]]}, {"params": [p[1]], "lr": 0.05}], lr=0.1)


# name: (optimizer factory, scheduler factory, records momentum)
CASES = {
    "step": (sgd, lambda o: L.StepLR(o, 7, gamma=0.5), False),
    "multistep": (sgd, lambda o: L.MultiStepLR(o, [10, 30, 30, 60], gamma=0.3), False),
    "exponential": (sgd, lambda o: L.ExponentialLR(o, 0.97), False),
    "cosine": (sgd, lambda o: L.CosineAnnealingLR(o, 20, eta_min=0.001), False),
    "cosine_nomin": (sgd, lambda o: L.CosineAnnealingLR(o, 33), False),
    "warm_restarts": (sgd, lambda o: L.CosineAnnealingWarmRestarts(o, 10, T_mult=2, eta_min=1e-4), False),
    "warm_restarts_mult1": (sgd, lambda o: L.CosineAnnealingWarmRestarts(o, 7), False),
    "linear": (sgd, lambda o: L.LinearLR(o), False),
    "linear_options": (sgd, lambda o: L.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=8), False),
    "lambda": (sgd, lambda o: L.LambdaLR(o, lambda e: 0.95 ** e), False),
    "lambda_per_group": (sgd, lambda o: L.LambdaLR(o, [lambda e: 1.0 / (e + 1), lambda e: 0.9 ** e]), False),
    "onecycle": (sgd, lambda o: L.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=100), True),
    "onecycle_linear_three_phase": (adam, lambda o: L.OneCycleLR(
        o, max_lr=0.3, epochs=10, steps_per_epoch=10, anneal_strategy="linear", three_phase=True,
        pct_start=0.25, div_factor=10.0, final_div_factor=100.0), True),
    "onecycle_adam": (adam, lambda o: L.OneCycleLR(o, max_lr=0.01, total_steps=101, base_momentum=0.8,
                                                   max_momentum=0.9), True),
    "onecycle_no_momentum": (sgd, lambda o: L.OneCycleLR(o, max_lr=0.2, total_steps=100, cycle_momentum=False), True),
    "sequential": (sgd, lambda o: L.SequentialLR(o, [L.LinearLR(o, 0.1, 1.0, 5), L.ExponentialLR(o, 0.9)], [5]), False),
    "sequential_three": (sgd, lambda o: L.SequentialLR(
        o, [L.LinearLR(o, 0.5, 1.0, 4), L.CosineAnnealingLR(o, 20),
            L.StepLR(o, 10, 0.5)], [10, 40]), False),
}

# The metric sequence ReduceLROnPlateau sees: improving, then a plateau with noise, then
# worse, then improving again.
METRICS = [1.0 / (1 + 0.3 * i) for i in range(15)] + [0.2 + 0.001 * ((i * 7) % 5) for i in range(25)] + \
          [0.3 + 0.01 * i for i in range(20)] + [0.25 - 0.004 * i for i in range(40)]
PLATEAU = {
    "plateau_min": dict(mode="min", factor=0.5, patience=2, threshold=0.01, cooldown=1, min_lr=[0.001, 0.02]),
    "plateau_max_abs": dict(mode="max", factor=0.1, patience=3, threshold=0.001, threshold_mode="abs", eps=1e-3),
    "plateau_default": dict(),
}


def emit(key, values):
    print(key + " " + " ".join("%.17g" % float(v) for v in values))


def momenta(o):
    out = []
    for g in o.param_groups:
        out.append(g["betas"][0] if "betas" in g else g["momentum"])
    return out


def main():
    for name, (make_opt, make_sched, mom) in CASES.items():
        o = make_opt()
        s = make_sched(o)
        emit("lr:%s@0" % name, [g["lr"] for g in o.param_groups])
        if mom:
            emit("mom:%s@0" % name, momenta(o))
        for step in range(1, STEPS + 1):
            o.step()
            s.step()
            emit("lr:%s@%d" % (name, step), [g["lr"] for g in o.param_groups])
            if mom:
                emit("mom:%s@%d" % (name, step), momenta(o))
        print("keys:%s %s" % (name, " ".join(k for k in s.state_dict().keys() if k != "anneal_func")))
    # Fractional epochs for warm restarts: step(epoch + i / iters).
    o = sgd()
    s = L.CosineAnnealingWarmRestarts(o, 3, T_mult=2, eta_min=0.01)
    for epoch in range(8):
        for i in range(4):
            s.step(epoch + i / 4)
            emit("lr:warm_restarts_fractional@%d" % (epoch * 4 + i), [g["lr"] for g in o.param_groups])
    emit("metrics", METRICS)
    for name, kw in PLATEAU.items():
        o = sgd()
        s = L.ReduceLROnPlateau(o, **kw)
        for i, m in enumerate(METRICS):
            s.step(m)
            emit("lr:%s@%d" % (name, i + 1), [g["lr"] for g in o.param_groups])
        print("keys:%s %s" % (name, " ".join(s.state_dict().keys())))


if __name__ == "__main__":
    main()
